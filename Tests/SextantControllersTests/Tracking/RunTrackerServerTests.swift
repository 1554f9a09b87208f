import Foundation
import KubeCore
import MLflowClient
import SextantAPI
@testable import SextantControllers
import Synchronization
import Testing
import TestSupport

/// The RunTracker against a real MLflow server: failure and backoff while the server cannot be
/// reached, recovery, the end of the run, and a restarted controller that sends only what is missing.
@Suite("RunTracker against a real MLflow server", .serialized, .mlflowServer)
struct RunTrackerServerTests {
    static func pipeline(_ name: String, uid: String, uri: String, phase: String, steps: [StepStatus] = []) -> MLPipeline {
        var meta = ObjectMeta(name: name, namespace: "ml")
        meta.uid = uid
        return MLPipeline(
            metadata: meta,
            spec: MLPipelineSpec(params: ["lr": "0.1"], steps: [PipelineStep(name: "train", container: ContainerStep(image: "img:1"))],
                                 tracking: TrackingSpec(mlflow: MLflowTrackingSpec(trackingURI: uri, experiment: "tracker-\(name)"))),
            status: MLPipelineStatus(phase: phase, startedAt: "2026-12-07T10:00:00Z",
                                     finishedAt: phase == PipelinePhase.running ? nil : "2026-12-07T10:05:00Z", steps: steps))
    }

    static let trained = StepStatus(name: "train", phase: StepPhase.succeeded,
                                    attempts: [AttemptStatus(attempt: 0, finishedAt: "2026-12-07T10:04:00Z", phase: StepPhase.succeeded)],
                                    outputs: OutputValues(metrics: ["auc": 0.9]))

    @Test func aDownServerIsRetriedAfterItsBackoffAndTheRunIsTrackedOnceItIsBack() async throws {
        let mlflow = try SuiteMLflow.peer()
        let deadPort = try PeerProcess.freePort()
        let up = Mutex(false)
        let calls = Mutex(0)
        let tracker = RunTracker(makeClient: { _ in
            calls.withLock { $0 += 1 }
            let target = up.withLock { $0 } ? mlflow.url : "http://127.0.0.1:\(deadPort)"
            return try MLflowClient(trackingURI: target, environment: [:], timeout: .seconds(2))
        }, baseDelay: 2, maxDelay: 60)
        let uid = UUID().uuidString.lowercased()
        var p = Self.pipeline("comeback", uid: uid, uri: "http://mlflow.example:5000", phase: PipelinePhase.running)
        let t0 = Date()

        let down = await tracker.sync(p, now: t0, ensureRunOnly: true)
        #expect(down.condition?.status == "False")
        #expect(down.condition?.reason == "MLflowUnavailable")
        #expect(down.condition?.message.contains("127.0.0.1:\(deadPort)") == true)
        #expect(down.events.map(\.reason) == ["TrackingFailed"])
        #expect(down.retryAfter == 2)
        #expect(down.mlflow == nil)

        let deferred = await tracker.sync(p, now: t0.addingTimeInterval(1))
        #expect(deferred.condition == nil, "inside the backoff nothing is tried")
        #expect((deferred.retryAfter ?? 0) > 0)

        let again = await tracker.sync(p, now: t0.addingTimeInterval(2.5))
        #expect(again.condition?.reason == "MLflowUnavailable")
        #expect(again.retryAfter == 4, "the backoff doubles")
        #expect(again.events.isEmpty, "TrackingFailed is said once per streak")

        up.withLock { $0 = true }
        // The factory made one client for the URI; a restarted tracker makes a new one.
        let tracker2 = RunTracker(makeClient: { _ in try MLflowClient(trackingURI: mlflow.url, environment: [:], timeout: .seconds(5)) })
        let created = await tracker2.sync(p, now: t0.addingTimeInterval(10), ensureRunOnly: true)
        #expect(created.condition?.status == "True")
        #expect(created.learnedRunID)
        let runID = try #require(created.mlflow?.runId)
        #expect(created.events.map(\.reason) == ["TrackingRunCreated"])

        p.status?.tracking = TrackingStatus(mlflow: created.mlflow)
        p.status?.phase = PipelinePhase.succeeded
        p.status?.finishedAt = "2026-12-07T10:05:00Z"
        p.status?.steps = [Self.trained]
        let ended = await tracker2.sync(p, now: t0.addingTimeInterval(11))
        #expect(ended.condition?.message == "MLflow run \(runID) ended FINISHED")
        let run = try await mlflow.json("GET", "/api/2.0/mlflow/runs/get?run_id=\(runID)")
        let info = (run["run"] as? [String: Any])?["info"] as? [String: Any]
        #expect(info?["status"] as? String == "FINISHED")
    }

    @Test func aRestartedTrackerReadsTheRunOnceAndSendsOnlyWhatIsMissing() async throws {
        let mlflow = try SuiteMLflow.peer()
        let uid = UUID().uuidString.lowercased()
        var p = Self.pipeline("restart", uid: uid, uri: mlflow.url, phase: PipelinePhase.running, steps: [Self.trained])
        let first = RunTracker(makeClient: { uri in try MLflowClient(trackingURI: uri, environment: [:]) })
        let a = await first.sync(p)
        #expect(a.condition?.status == "True")
        let runID = try #require(a.mlflow?.runId)

        // The status write of the run id was lost (kill -9): the new tracker finds the run by its uid tag.
        p.steps(adding: StepStatus(name: "eval", phase: StepPhase.succeeded, outputs: OutputValues(metrics: ["f1": 0.7])))
        let second = RunTracker(makeClient: { uri in try MLflowClient(trackingURI: uri, environment: [:]) })
        let b = await second.sync(p)
        #expect(b.mlflow?.runId == runID)
        #expect(b.events.map(\.reason) == ["TrackingRunFound"])
        #expect(b.condition?.status == "True")
        for key in ["train.auc", "eval.f1"] {
            let history = try await mlflow.json("GET", "/api/2.0/mlflow/metrics/get-history?run_id=\(runID)&metric_key=\(key)")
            #expect((history["metrics"] as? [[String: Any]])?.count == 1, "\(key): \(history)")
        }
        let experiment = try await mlflow.json("GET", "/api/2.0/mlflow/experiments/get-by-name?experiment_name=tracker-restart")
        let id = (experiment["experiment"] as? [String: Any])?["experiment_id"] as? String ?? ""
        let runs = try await mlflow.json("POST", "/api/2.0/mlflow/runs/search", body: #"{"experiment_ids": ["\#(id)"]}"#)
        #expect((runs["runs"] as? [[String: Any]])?.count == 1)
    }
}

extension MLPipeline {
    mutating func steps(adding step: StepStatus) {
        var s = status ?? MLPipelineStatus()
        s.steps = (s.steps ?? []) + [step]
        status = s
    }
}
