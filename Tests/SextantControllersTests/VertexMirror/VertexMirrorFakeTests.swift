import CloudGCP
import Foundation
import KubeCore
import Logging
import SextantAPI
@testable import SextantControllers
import Testing
import TestSupport

/// One scripted fake GCP (Tests/harness/gcp/fake_gcp.py) for a whole suite, with a service-account
/// key it verifies.
struct FakeGCPOnlyTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }
    @TaskLocal static var current: (gcp: FakeGCPPeer, environment: [String: String])?

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let gcp = try await FakeGCPPeer.start()
        defer { gcp.stop() }
        let env = try await gcp.serviceAccountEnvironment()
        try await Self.$current.withValue((gcp, env)) { try await function() }
    }

    static func required() throws -> (gcp: FakeGCPPeer, environment: [String: String]) {
        try #require(current, "the suite runs with the .fakeGCPOnly trait")
    }
}

extension Trait where Self == FakeGCPOnlyTrait {
    /// One fake GCP for the whole suite.
    static var fakeGCPOnly: Self { Self() }
}

/// `VertexMirror` through the real CloudGCP client (JWT-authorised calls) against the scripted fake's
/// Model Registry: upload with `modelId` then `parentModel`, labels, aliases moved and removed,
/// found again after a restart, a running upload operation re-checked instead of repeated, and the
/// deletion rules (`default` alias handed over, the last version deletes the model).
@Suite("Vertex AI registry mirror against the scripted fake GCP", .serialized, .fakeGCPOnly)
struct VertexMirrorFakeTests {
    let logger = Logger(label: "vertex-mirror-test")
    var context: CloudCallContext { CloudCallContext(namespace: "ml", objectName: "churn", logger: logger) }

    func mirror(_ env: [String: String], polls: [Duration] = [.milliseconds(10), .milliseconds(20)]) -> VertexMirror {
        VertexMirror(client: GCPClient(environment: env, logger: logger,
                                       retry: GCPRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50))),
                     pollDelays: polls)
    }

    func versions(_ gcp: FakeGCPPeer, _ model: String) async throws -> [JSONValue] {
        let all = try await gcp.get("/fake/models")["models"]?.arrayValue ?? []
        return all.first { $0["name"]?.stringValue?.hasSuffix("/models/\(model)") == true }?["versions"]?.arrayValue ?? []
    }

    func aliases(_ gcp: FakeGCPPeer, _ model: String) async throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for v in try await versions(gcp, model) {
            out[v["versionId"]?.stringValue ?? "?"] = (v["versionAliases"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
        }
        return out
    }

    func uploads(_ gcp: FakeGCPPeer, _ model: String) async throws -> [JSONValue] {
        try await gcp.requests().filter {
            $0["method"] == "POST" && $0["path"]?.stringValue?.hasSuffix("/models:upload") == true
                && ($0[path: ["body", "modelId"]]?.stringValue == model || $0[path: ["body", "parentModel"]]?.stringValue?.hasSuffix("/models/\(model)") == true)
        }
    }

    @Test("upload with modelId then parentModel; production/staging aliases move with the stage; found again after a restart; delete hands default over, the last version deletes the model")
    func lifecycle() async throws {
        let (gcp, env) = try FakeGCPOnlyTrait.required()
        let m = mirror(env)
        var v1 = vertexSubject("churn-v1", 1, uid: "uid-1", stage: ModelStage.production, displayName: "Churn Lifecycle")
        let r1 = try await m.ensure(v1, context: context)
        #expect(r1.created && r1.id == "projects/acme-ml/locations/europe-west4/models/churn-lifecycle@1", "\(r1)")
        #expect(r1.url == "https://console.cloud.google.com/vertex-ai/models/locations/europe-west4/models/churn-lifecycle/versions/1?project=acme-ml")
        #expect(try await m.sync(v1, record: r1, context: context) == "alias production")
        #expect(try await aliases(gcp, "churn-lifecycle") == ["1": ["default", "production"]])

        let v2 = vertexSubject("churn-v2", 2, uid: "uid-2", stage: ModelStage.production, displayName: "Churn Lifecycle")
        let r2 = try await m.ensure(v2, context: context)
        #expect(r2.id.hasSuffix("/models/churn-lifecycle@2"))
        let sent = try await uploads(gcp, "churn-lifecycle")
        #expect(sent.count == 2)
        #expect(sent.first?[path: ["body", "modelId"]] == "churn-lifecycle" && sent.first?[path: ["body", "parentModel"]] == nil)
        #expect(sent.last?[path: ["body", "parentModel"]] == "projects/acme-ml/locations/europe-west4/models/churn-lifecycle")
        #expect(sent.last?[path: ["body", "model", "artifactUri"]] == "gs://acme-models/churn/2/")
        #expect(sent.allSatisfy { $0["authorization"]?.stringValue?.hasPrefix("Bearer ya29.sa.") == true }, "every call carries the JWT-issued token")

        // Supersede: v2 takes production (Vertex moves it), v1 is Archived and keeps only default.
        #expect(try await m.sync(v2, record: r2, context: context) == "alias production")
        v1.stage = ModelStage.archived
        #expect(try await m.sync(v1, record: r1, context: context) == "no alias (Archived)")
        #expect(try await aliases(gcp, "churn-lifecycle") == ["1": ["default"], "2": ["production"]])
        #expect(try await versions(gcp, "churn-lifecycle").first?[path: ["labels", "sextant-stage"]] == "archived")

        // Rollback: v1 Production again takes the alias back; v2 Staging gets staging.
        v1.stage = ModelStage.production
        var v2s = v2
        v2s.stage = ModelStage.staging
        _ = try await m.sync(v1, record: r1, context: context)
        _ = try await m.sync(v2s, record: r2, context: context)
        #expect(try await aliases(gcp, "churn-lifecycle") == ["1": ["default", "production"], "2": ["staging"]])

        // A restarted controller (nothing recorded) finds both versions by their uid label: no upload.
        let fresh = mirror(env)
        #expect(try await fresh.ensure(v1, context: context) == MirrorRecord(id: r1.id, url: r1.url, created: false))
        #expect(try await fresh.ensure(v2, context: context).id == r2.id)
        #expect(try await uploads(gcp, "churn-lifecycle").count == 2)

        // v1 holds default: it is handed to v2 before deleteVersion; v2 is then the last version: the model goes.
        try await fresh.delete(v1, context: context)
        #expect(try await aliases(gcp, "churn-lifecycle") == ["2": ["default", "staging"]])
        try await fresh.delete(v2, context: context)
        #expect(try await versions(gcp, "churn-lifecycle").isEmpty)
        try await fresh.delete(v2, context: context)
    }

    @Test("a running upload operation is recorded and polled on the next pass, never uploaded twice (also when the recorded operation is lost)")
    func runningUpload() async throws {
        let (gcp, env) = try FakeGCPOnlyTrait.required()
        try await gcp.control("/fake/upload-polls", ["polls": 2])
        let m = mirror(env, polls: [])
        var s = vertexSubject("churn-op", 1, uid: "uid-op", stage: ModelStage.staging, displayName: "churn-op")
        let pending = try await m.ensure(s, context: context)
        #expect(VertexMirrorRequests.isOperation(pending.id) && pending.url == nil && !pending.created, "\(pending)")
        do {
            _ = try await m.sync(s, record: pending, context: context)
            Issue.record("sync of a running upload succeeded")
        } catch let e as CloudBackendError {
            #expect(e.kind == .unavailable && e.message.contains("still running"))
        }
        s.recordedID = pending.id
        #expect(try await m.ensure(s, context: context).id == pending.id, "still running after one poll")
        // Lost record (a restart before status was written): found by the uid label, no second upload.
        var lost = s
        lost.recordedID = nil
        #expect(try await m.ensure(lost, context: context).id.hasSuffix("/models/churn-op@1"))
        let done = try await m.ensure(s, context: context)
        #expect(done.id.hasSuffix("/models/churn-op@1") && done.created)
        #expect(try await m.sync(s, record: done, context: context) == "alias staging")
        #expect(try await uploads(gcp, "churn-op").count == 1)
        #expect(try await versions(gcp, "churn-op").count == 1)
        try await gcp.control("/fake/upload-polls", ["polls": 1])
    }

    @Test("an s3:// artifact is refused as CloudInvalidRequest and nothing is uploaded")
    func refusals() async throws {
        let (gcp, env) = try FakeGCPOnlyTrait.required()
        let m = mirror(env)
        do {
            _ = try await m.ensure(vertexSubject("churn-s3", 1, uid: "uid-s3", artifact: "s3://acme/churn/1/model.tar.gz", displayName: "churn-s3"), context: context)
            Issue.record("an s3:// artifact was uploaded")
        } catch let e as CloudBackendError {
            #expect(e.kind == .invalidRequest && e.message.contains("gs://"), "\(e)")
        }
        #expect(try await uploads(gcp, "churn-s3").isEmpty)
    }
}

/// The mirror's upload sent to drongo (PyPI), a second implementation of Vertex's `models:upload`
/// (it has no listVersions, aliases or version names): the same request is accepted, the operation
/// has the shape the mirror reads, and the model drongo stores echoes what the fake stores.
@Suite("Vertex AI mirror: models:upload agrees with drongo", .serialized, .fakeGCPOnly)
struct VertexMirrorDrongoTests {
    let logger = Logger(label: "vertex-mirror-drongo")

    @Test("drongo accepts the mirror's models:upload (modelId, artifactUri, containerSpec, labels) and answers an operation the mirror reads as version 1; the fake's model has every field drongo's has")
    func uploadOnDrongo() async throws {
        let (gcp, env) = try FakeGCPOnlyTrait.required()
        let drongo = try await DrongoPeer.start()
        defer { drongo.stop() }
        var onDrongoEnv = env
        onDrongoEnv["CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM"] = drongo.url
        let context = CloudCallContext(namespace: "ml", objectName: "churn", logger: logger)
        let s = vertexSubject("churn-drongo", 1, uid: "uid-drongo", stage: ModelStage.production, displayName: "churn-drongo")
        let onDrongo = try await VertexMirror(client: GCPClient(environment: onDrongoEnv, logger: logger), pollDelays: []).ensure(s, context: context)
        #expect(onDrongo.id == "projects/acme-ml/locations/europe-west4/models/churn-drongo@1" && onDrongo.created, "\(onDrongo)")
        let onFake = try await VertexMirror(client: GCPClient(environment: env, logger: logger)).ensure(s, context: context)
        #expect(onFake.id == onDrongo.id)

        let stored = try await drongo.get("/v1/projects/acme-ml/locations/europe-west4/models/churn-drongo")
        let sent = try VertexMirrorRequests.uploadBody(s, try VertexMirrorRequests.target(s), parentExists: false)
        for field in ["displayName", "artifactUri", "containerSpec", "labels", "versionDescription"] {
            #expect(stored[field] == sent[path: ["model", field]], "drongo echoes \(field)")
        }
        let fakeModel = try #require(try await gcp.get("/fake/models")["models"]?.arrayValue?.first { $0["name"]?.stringValue?.hasSuffix("/churn-drongo") == true })
        let fakeKeys = Set(fakeModel["versions"]?[0]?.objectValue?.keys.map { $0 } ?? [])
        let drongoKeys = Set(stored.objectValue?.keys.map { $0 } ?? [])
        #expect(drongoKeys.isSubset(of: fakeKeys), "fields only drongo answers: \(drongoKeys.subtracting(fakeKeys).sorted())")
    }
}
