import Foundation
import KubeCore
import Testing
import TestSupport
@testable import MLflowClient

/// The tracking calls against a real `mlflow server` (one per suite), read back through MLflow's own
/// REST API with curl: what a user sees in the UI.
@Suite(.serialized, .mlflowServer) struct MLflowTrackingServerTests {
    func client(_ peer: MLflowPeer) throws -> MLflowClient {
        try MLflowClient(trackingURI: peer.url, environment: [:])
    }

    @Test func experimentGetOrCreateGivesOneExperimentToConcurrentCallers() async throws {
        let peer = try MLflowServer.peer()
        let client = try client(peer)
        let name = "race-\(UUID().uuidString.prefix(6))"
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<6 { group.addTask { try await client.experimentID(named: name) } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(ids).count == 1)
        let read = try await peer.json("GET", "/api/2.0/mlflow/experiments/get-by-name?experiment_name=\(name)")
        let experiment = read["experiment"] as? [String: Any]
        #expect(experiment?["experiment_id"] as? String == ids.first)
        #expect(try await client.experimentID(named: name) == ids.first)
    }

    @Test func creatingAnExistingExperimentIsResourceAlreadyExists() async throws {
        let client = try client(try MLflowServer.peer())
        let name = "dup-\(UUID().uuidString.prefix(6))"
        _ = try await client.createExperiment(name: name)
        await #expect(throws: MLflowError.self) { _ = try await client.createExperiment(name: name) }
        do {
            _ = try await client.createExperiment(name: name)
            Issue.record("a second create succeeded")
        } catch let error as MLflowError {
            guard case .resourceAlreadyExists = error else { Issue.record("expected RESOURCE_ALREADY_EXISTS, got \(error)"); return }
            #expect(error.isRetryable == false)
        }
    }

    @Test func aMissingRunOrExperimentIsResourceDoesNotExist() async throws {
        let client = try client(try MLflowServer.peer())
        #expect(try await client.experiment(named: "no-such-\(UUID().uuidString)") == nil)
        do {
            _ = try await client.run(id: "0123456789abcdef0123456789abcdef")
            Issue.record("runs/get of a missing run succeeded")
        } catch let error as MLflowError {
            guard case .resourceDoesNotExist = error else { Issue.record("expected RESOURCE_DOES_NOT_EXIST, got \(error)"); return }
        }
    }

    @Test func aRunIsFoundAgainByItsUidTagAndNotConfusedWithOthers() async throws {
        let peer = try MLflowServer.peer()
        let client = try client(peer)
        let experiment = try await client.experimentID(named: "find-again")
        let uid = UUID().uuidString.lowercased()
        #expect(try await client.findRun(experimentID: experiment, tag: "sextant.uid", value: uid) == nil)
        let other = try await client.createRun(experimentID: experiment, runName: "other", startTime: 1_000,
                                               tags: [.init(key: "sextant.uid", value: UUID().uuidString.lowercased())])
        let run = try await client.createRun(experimentID: experiment, runName: "train-pipeline", startTime: 2_000,
                                             tags: [.init(key: "sextant.uid", value: uid), .init(key: "sextant.name", value: "train-pipeline")])
        let found = try await client.findRun(experimentID: experiment, tag: "sextant.uid", value: uid)
        #expect(found?.info.runID == run.info.runID)
        #expect(found?.info.runID != other.info.runID)
        let read = try await peer.json("GET", "/api/2.0/mlflow/runs/get?run_id=\(run.info.runID)")
        let info = (read["run"] as? [String: Any])?["info"] as? [String: Any]
        #expect(info?["run_name"] as? String == "train-pipeline")
        #expect(info?["status"] as? String == "RUNNING")
    }

    @Test func paramsMetricsTagsInputsAndEndStatusReadBackAsLogged() async throws {
        let peer = try MLflowServer.peer()
        let client = try client(peer)
        let experiment = try await client.experimentID(named: "logged")
        let run = try await client.createRun(experimentID: experiment, runName: "p", startTime: 1_000)
        let id = run.info.runID
        try await client.logBatch(runID: id, params: [.init(key: "lr", value: "0.01"), .init(key: "epochs", value: "3")],
                                  metrics: [.init(key: "train.accuracy", value: 0.93, timestamp: 5_000)],
                                  tags: [.init(key: "sextant.image.train", value: "ghcr.io/acme/train:1.2")])
        try await client.logBatch(runID: id, params: [.init(key: "lr", value: "0.01")])   // same value again: accepted
        do {
            try await client.logBatch(runID: id, params: [.init(key: "lr", value: "0.02")])
            Issue.record("a changed param was accepted")
        } catch let error as MLflowError {
            guard case .invalidParameterValue(let message) = error else { Issue.record("expected INVALID_PARAMETER_VALUE, got \(error)"); return }
            #expect(message.contains("lr"))
        }
        try await client.logInputs(runID: id, datasets: [
            MLflowDatasetInput(dataset: MLflowDataset(name: "churn", digest: "v7", sourceType: "s3", uri: "s3://data/churn.csv"),
                               tags: [.init(key: "mlflow.data.context", value: "training")]),
        ])
        try await client.updateRun(runID: id, status: .finished, endTime: 9_000)

        let read = try await peer.json("GET", "/api/2.0/mlflow/runs/get?run_id=\(id)")
        let runObject = read["run"] as? [String: Any]
        let info = runObject?["info"] as? [String: Any]
        let data = runObject?["data"] as? [String: Any]
        #expect(info?["status"] as? String == "FINISHED")
        #expect((info?["end_time"] as? NSNumber)?.int64Value == 9_000)
        let params = (data?["params"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) {
            $0[$1["key"] as? String ?? ""] = $1["value"] as? String
        }
        #expect(params == ["lr": "0.01", "epochs": "3"])
        let metrics = data?["metrics"] as? [[String: Any]] ?? []
        #expect(metrics.count == 1)
        #expect(metrics.first?["key"] as? String == "train.accuracy")
        #expect((metrics.first?["value"] as? NSNumber)?.doubleValue == 0.93)
        let tags = data?["tags"] as? [[String: Any]] ?? []
        #expect(tags.contains { $0["key"] as? String == "sextant.image.train" && $0["value"] as? String == "ghcr.io/acme/train:1.2" })
        let inputs = (runObject?["inputs"] as? [String: Any])?["dataset_inputs"] as? [[String: Any]] ?? []
        let dataset = inputs.first?["dataset"] as? [String: Any]
        #expect(dataset?["name"] as? String == "churn")
        #expect(dataset?["digest"] as? String == "v7")

        // The typed read agrees.
        let typed = try await client.run(id: id)
        #expect(typed.info.status == .finished)
        #expect(typed.data.param("epochs") == "3")
    }

    @Test func aNonNumericMetricBecomesZeroInMLflow() async throws {
        // The quirk the tracker guards against (it never sends one): proven on the real server.
        let peer = try MLflowServer.peer()
        let client = try client(peer)
        let experiment = try await client.experimentID(named: "quirks")
        let run = try await client.createRun(experimentID: experiment, runName: "q", startTime: 1)
        let body = #"{"run_id":"\#(run.info.runID)","metrics":[{"key":"eval.label","value":"good","timestamp":1,"step":0}]}"#
        let (status, _) = try await peer.call("POST", "/api/2.0/mlflow/runs/log-batch", body: body)
        #expect(status == 200)
        let typed = try await client.run(id: run.info.runID)
        #expect(typed.data.metrics.first { $0.key == "eval.label" }?.value == 0)
    }

    @Test func anUnknownHostHeaderIsHostNotAllowed() async throws {
        let peer = try MLflowServer.peer()
        let result = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "-H", "Host: mlflow.mlops:5000", "-w", "\n%{http_code}",
                                                                   peer.url + "/api/2.0/mlflow/experiments/get-by-name?experiment_name=x"])
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        #expect(status == 403)
        let error = MLflowError.fromAnswer(status: status, body: Data(lines.dropLast().joined(separator: "\n").utf8))
        guard case .hostNotAllowed = error else { Issue.record("expected hostNotAllowed, got \(error)"); return }
        #expect(error.reason == "MLflowHostNotAllowed")
    }

    @Test func aServerThatIsNotThereIsRetryableUnavailable() async throws {
        let port = try PeerProcess.freePort()
        let client = try MLflowClient(trackingURI: "http://127.0.0.1:\(port)", environment: [:], timeout: .seconds(3))
        do {
            _ = try await client.experimentID(named: "x")
            Issue.record("a call to a closed port succeeded")
        } catch let error as MLflowError {
            #expect(error.isRetryable)
            #expect(error.reason == "MLflowUnavailable")
        }
    }
}
