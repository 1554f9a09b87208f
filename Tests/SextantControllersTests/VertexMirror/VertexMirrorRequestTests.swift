import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

func vertexSubject(_ name: String = "churn-v7", _ number: Int64 = 7, uid: String = "1f0c9a52-3b7e-4d7e-9c1a-5b6f0e2d8a41",
                   stage: String = ModelStage.staging, artifact: String? = nil, displayName: String = "churn") -> MirrorSubject {
    MirrorSubject(namespace: "ml", name: name, uid: uid, model: "churn", version: number,
                  artifactURI: artifact ?? "gs://acme-models/churn/\(number)/model.joblib", metrics: ["auc": 0.91, "rows": 1000], stage: stage,
                  pipeline: "churn-train",
                  registries: RegistriesSpec(vertexAI: VertexAIRegistry(project: "acme-ml", location: "europe-west4", displayName: displayName,
                                                                       servingImage: "europe-docker.pkg.dev/acme-ml/serve/churn:1")))
}

/// The pure half of the Vertex AI Model Registry mirror: ids, labels, the upload body, the operation
/// reading and the alias changes of each stage.
@Suite("Vertex AI mirror requests")
struct VertexMirrorRequestTests {
    typealias R = VertexMirrorRequests

    @Test("the model id derived from displayName is a valid modelId ([a-z][a-z0-9_-]{0,62})")
    func modelIDs() {
        #expect(R.modelID("churn") == "churn")
        #expect(R.modelID("Churn Model.v2") == "churn-model-v2")
        #expect(R.modelID("2024-churn") == "m-2024-churn")
        #expect(R.modelID("") == "model")
        #expect(R.modelID(String(repeating: "a", count: 80)).count == 63)
        for name in ["churn", "Churn Model.v2", "2024-churn", "_x", "Ünïcode"] {
            #expect(R.modelID(name).wholeMatch(of: /[a-z][a-z0-9_-]{0,62}/) != nil, "\(name) → \(R.modelID(name))")
        }
    }

    @Test("first upload: modelId, no parentModel; later: parentModel; artifactUri is the artifact's folder, imageUri the servingImage, labels hold uid and stage")
    func uploadBody() throws {
        let s = vertexSubject()
        let t = try R.target(s)
        let first = try R.uploadBody(s, t, parentExists: false)
        #expect(first["modelId"] == "churn" && first["parentModel"] == nil)
        let next = try R.uploadBody(s, t, parentExists: true)
        #expect(next["parentModel"] == "projects/acme-ml/locations/europe-west4/models/churn" && next["modelId"] == nil)
        let model = try #require(next["model"])
        #expect(model["displayName"] == "churn")
        #expect(model["artifactUri"] == "gs://acme-models/churn/7/")
        #expect(model[path: ["containerSpec", "imageUri"]] == "europe-docker.pkg.dev/acme-ml/serve/churn:1")
        #expect(model[path: ["labels", "sextant-uid"]] == "1f0c9a52-3b7e-4d7e-9c1a-5b6f0e2d8a41")
        #expect(model[path: ["labels", "sextant-stage"]] == "staging")
        #expect(model[path: ["labels", "sextant-version"]] == "7")
        #expect(model["versionDescription"]?.stringValue?.hasSuffix("metrics auc=0.91, rows=1000") == true)
        for (key, value) in model["labels"]?.objectValue ?? [:] {
            #expect(key.wholeMatch(of: /[a-z][a-z0-9_-]{0,62}/) != nil && value.stringValue?.wholeMatch(of: /[a-z0-9_-]{0,63}/) != nil, "label \(key)=\(value)")
        }
    }

    @Test("artifact folders: a file's folder, a folder as is (with /), anything but gs:// refused as CloudInvalidRequest")
    func artifactFolders() throws {
        #expect(try R.artifactDirectory("gs://b/churn/7/model.tar.gz") == "gs://b/churn/7/")
        #expect(try R.artifactDirectory("gs://b/churn/7/") == "gs://b/churn/7/")
        #expect(try R.artifactDirectory("gs://b/churn/7") == "gs://b/churn/7/")
        #expect(try R.artifactDirectory("gs://b") == "gs://b/")
        do {
            _ = try R.uploadBody(vertexSubject(artifact: "s3://acme-models/churn/7/model.tar.gz"), try R.target(vertexSubject()), parentExists: false)
            Issue.record("an s3:// artifact was accepted")
        } catch let e as CloudBackendError {
            #expect(e.kind == .invalidRequest && e.message.contains("gs://"))
        }
    }

    @Test("listVersions filter on the uid label, escaped; version names from Model answers")
    func lookups() throws {
        let t = try R.target(vertexSubject())
        #expect(R.listVersionsPath(t, uid: "U-1") == "/v1/projects/acme-ml/locations/europe-west4/models/churn:listVersions?filter=labels.sextant-uid%3D%22u-1%22")
        #expect(R.listVersionsPath(t, uid: "u", pageToken: "a/b").hasSuffix("&pageToken=a%2Fb"))
        #expect(R.versionName(of: ["name": "projects/p/locations/l/models/churn", "versionId": "3"]) == "projects/p/locations/l/models/churn@3")
        #expect(R.versionName(of: ["name": "projects/p/locations/l/models/churn@3"]) == "projects/p/locations/l/models/churn@3")
        #expect(R.versionName(of: ["name": "projects/p/locations/l/models/churn"]) == nil)
        #expect(R.versionID("projects/p/locations/l/models/churn@12") == "12")
        #expect(R.consoleURL(t, versionID: "3") == "https://console.cloud.google.com/vertex-ai/models/locations/europe-west4/models/churn/versions/3?project=acme-ml")
    }

    @Test("upload operations: running, done (new model = version 1), failed")
    func operations() {
        let op = "projects/p/locations/l/models/churn/operations/9"
        #expect(R.uploadState(["name": .string(op)]) == .running(operation: op))
        #expect(R.uploadState(["name": .string(op), "done": false]) == .running(operation: op))
        #expect(R.uploadState(["name": .string(op), "done": true, "response": ["model": "projects/p/locations/l/models/churn", "modelVersionId": "4"]])
                == .done(versionName: "projects/p/locations/l/models/churn@4"))
        #expect(R.uploadState(["done": true, "response": ["model": "projects/p/locations/l/models/churn"]]) == .done(versionName: "projects/p/locations/l/models/churn@1"))
        guard case .failed(let message) = R.uploadState(["done": true, "error": ["code": 3, "message": "bad artifact"]]) else {
            Issue.record("an error operation is not failed")
            return
        }
        #expect(message.contains("bad artifact"))
        #expect(R.isOperation(op) && !R.isOperation("projects/p/locations/l/models/churn@4") && !R.isOperation(nil))
    }

    @Test("aliases per stage: the stage's alias added, the other managed one removed, default and foreign aliases untouched")
    func aliases() {
        #expect(R.aliasChanges(held: ["default"], stage: ModelStage.production) == ["production"])
        #expect(R.aliasChanges(held: ["default", "production"], stage: ModelStage.production) == [])
        #expect(R.aliasChanges(held: ["staging"], stage: ModelStage.production) == ["production", "-staging"])
        #expect(R.aliasChanges(held: ["production", "golden"], stage: ModelStage.archived) == ["-production"])
        #expect(R.aliasChanges(held: ["production"], stage: ModelStage.staging) == ["-production", "staging"])
        #expect(R.aliasChanges(held: [], stage: ModelStage.none) == [])
        #expect(MirrorStages.registryStage(MirrorStages.vertexAI, stage: ModelStage.production) == "alias production")
        #expect(MirrorStages.registryStage(MirrorStages.vertexAI, stage: ModelStage.archived) == "no alias (Archived)")
    }

    @Test("the planner mirrors vertexAI when spec.registries.vertexAI is set")
    func planned() {
        let registries = vertexSubject().registries
        #expect(MirrorPlanner.configured(registries) == ["vertexAI"])
        let plan = MirrorPlanner.plan(MirrorPlanner.Input(registries: registries, recorded: [], stage: ModelStage.staging, generation: 1, now: Date()))
        #expect(plan.sync == ["vertexAI"])
    }
}
