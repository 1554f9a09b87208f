import Foundation
import KubeCore
import Logging
import SextantAPI
@testable import SextantControllers
import Testing
import TestSupport

/// What MLflow shows (read back through its own REST API, as its UI does): the versions of a
/// registered model with their tags, and the model's aliases.
struct MLflowRegistryView {
    let mlflow: MLflowPeer

    func get(_ path: String) async throws -> JSONValue {
        let r = try await mlflow.call("GET", "/api/2.0/mlflow/" + path)
        try #require(r.status == 200, "GET \(path) → \(r.status): \(r.body)")
        return try JSONValue.parse(Data(r.body.utf8))
    }

    /// alias → version.
    func aliases(_ model: String) async throws -> [String: String] {
        let m = try await get("registered-models/get?name=\(model)")
        var result: [String: String] = [:]
        for a in m[path: ["registered_model", "aliases"]]?.arrayValue ?? [] {
            if let alias = a["alias"]?.stringValue, let version = a["version"]?.stringValue { result[alias] = version }
        }
        return result
    }

    /// version → its tags.
    func versions(_ model: String) async throws -> [String: [String: String]] {
        let found = try await get("model-versions/search?filter=name%3D%27\(model)%27&max_results=200")
        var result: [String: [String: String]] = [:]
        for v in found["model_versions"]?.arrayValue ?? [] {
            guard let version = v["version"]?.stringValue else { continue }
            var tags: [String: String] = [:]
            for t in v["tags"]?.arrayValue ?? [] {
                if let k = t["key"]?.stringValue, let value = t["value"]?.stringValue { tags[k] = value }
            }
            result[version] = tags
        }
        return result
    }

    func version(_ model: String, _ version: String) async throws -> JSONValue {
        try await get("model-versions/get?name=\(model)&version=\(version)")["model_version"] ?? .null
    }
}

/// `MLflowMirror` against a real MLflow server (the test process's shared one; this test's own model name).
@Suite("MLflow registry mirror against a real MLflow server", .serialized)
struct MLflowMirrorTests {
    let logger = Logger(label: "mlflow-mirror-test")

    /// The registered model of this test (its own name on the shared server).
    let model = SharedMLflowPeer.uniqueName("churn-mirror")

    func subject(_ name: String, _ number: Int64, uid: String, stage: String, url: String, runID: String? = nil) -> MirrorSubject {
        MirrorSubject(namespace: "ml", name: name, uid: uid, model: "churn", version: number, artifactURI: "s3://acme/churn/\(number)/model.tar.gz",
                      metrics: ["auc": 0.9 + Double(number) / 100], stage: stage, pipeline: "churn-run-\(number)", mlflowRunID: runID,
                      registries: RegistriesSpec(mlflow: MLflowRegistry(trackingURI: url, name: model)))
    }

    @Test("one version per uid with source, run_id and tags; aliases move on promotion, supersede, rollback and leaving Staging; delete removes it")
    func versionsAndAliases() async throws {
        let mlflow = try await SharedMLflowPeer.peer()
        let view = MLflowRegistryView(mlflow: mlflow)
        let mirror = MLflowMirror(environment: [:])
        let context = CloudCallContext(namespace: "ml", objectName: "churn", logger: logger)
        let experiment = try await mlflow.call("POST", "/api/2.0/mlflow/experiments/create", body: #"{"name": "\#(model)"}"#)
        let experimentID = try #require(try JSONValue.parse(Data(experiment.body.utf8))["experiment_id"]?.stringValue, "\(experiment.body)")
        let run = try await mlflow.call("POST", "/api/2.0/mlflow/runs/create", body: #"{"experiment_id": "\#(experimentID)", "run_name": "churn-run-1"}"#)
        let runID = try #require(try JSONValue.parse(Data(run.body.utf8))[path: ["run", "info", "run_id"]]?.stringValue, "\(run.body)")

        var v1 = subject("churn-v1", 1, uid: "uid-1", stage: ModelStage.production, url: mlflow.url, runID: runID)
        let r1 = try await mirror.ensure(v1, context: context)
        #expect(r1.created && r1.id == "1")
        #expect(r1.url == "\(mlflow.url)/#/models/\(model)/versions/1")
        #expect(try await mirror.sync(v1, record: r1, context: context) == "alias production")
        // Found again by the uid tag with nothing recorded (a restart), and by the recorded version.
        #expect(try await mirror.ensure(v1, context: context).created == false)
        v1.recordedID = "1"
        #expect(try await mirror.ensure(v1, context: context) == MirrorRecord(id: "1", url: r1.url))
        let got = try await view.version(model, "1")
        #expect(got["source"] == "s3://acme/churn/1/model.tar.gz")
        #expect(got["run_id"]?.stringValue == runID)
        var versions = try await view.versions(model)
        #expect(versions.count == 1)
        #expect(versions["1"]?["sextant.uid"] == "uid-1" && versions["1"]?["sextant.stage"] == "Production" && versions["1"]?["metric.auc"] == "0.91")
        #expect(try await view.aliases(model) == ["production": "1"])

        // v2 takes Production: the alias moves; v1 is Archived and keeps no alias.
        var v2 = subject("churn-v2", 2, uid: "uid-2", stage: ModelStage.production, url: mlflow.url)
        let r2 = try await mirror.ensure(v2, context: context)
        _ = try await mirror.sync(v2, record: r2, context: context)
        v1.stage = ModelStage.archived
        #expect(try await mirror.sync(v1, record: r1, context: context) == "no alias (Archived)")
        #expect(try await view.aliases(model) == ["production": "2"])
        versions = try await view.versions(model)
        #expect(versions["1"]?["sextant.stage"] == "Archived")

        // Rollback: v2 archived, v1 Production again — in either order the alias ends on v1.
        v2.stage = ModelStage.archived
        v1.stage = ModelStage.production
        _ = try await mirror.sync(v1, record: r1, context: context)
        _ = try await mirror.sync(v2, record: r2, context: context)
        #expect(try await view.aliases(model) == ["production": "1"])

        // Staging, then leaving Staging: the alias goes.
        var v3 = subject("churn-v3", 3, uid: "uid-3", stage: ModelStage.staging, url: mlflow.url)
        let r3 = try await mirror.ensure(v3, context: context)
        _ = try await mirror.sync(v3, record: r3, context: context)
        #expect(try await view.aliases(model) == ["production": "1", "staging": "3"])
        v3.stage = ModelStage.none
        _ = try await mirror.sync(v3, record: r3, context: context)
        #expect(try await view.aliases(model) == ["production": "1"])

        // Delete: the version goes, the others stay; deleting again is a no-op.
        try await mirror.delete(v3, context: context)
        try await mirror.delete(v3, context: context)
        #expect(Set(try await view.versions(model).keys) == ["1", "2"])

        // An unreachable server is CloudUnavailable (retried by the controller), never a crash.
        var down = v1
        down.registries = RegistriesSpec(mlflow: MLflowRegistry(trackingURI: "http://127.0.0.1:9", name: model))
        do {
            _ = try await mirror.ensure(down, context: context)
            Issue.record("a closed port answered")
        } catch let e as CloudBackendError {
            #expect(e.kind == .unavailable, "\(e)")
        }
    }
}
