import Foundation
import Synchronization
import KubeCore
import Logging
import Testing
@testable import DevCluster

/// Runs the real controllers against the in-memory store until `body` returns, then shuts them down.
func withWorkloadControllers(
    _ executor: WorkloadExecutor,
    _ body: @Sendable (WorkloadFakeStore, WorkloadControllers) async throws -> Void
) async throws {
    let store = WorkloadFakeStore()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("workloads-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    var logger = Logger(label: "workloads-test")
    logger.logLevel = .warning
    let controllers = WorkloadControllers(store: store, executor: executor, dataDirectory: dir, logger: logger,
        options: .init(shutdownGracePeriod: .seconds(1)))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await controllers.run() }
        do {
            try await body(store, controllers)
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
        try await group.waitForAll()
    }
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ what: String, seconds: Double = 20, _ condition: () async throws -> Bool) async throws {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for: \(what)")
    throw CancellationError()
}

func jobObject(_ name: String, annotations: [String: String] = [:], spec: JSONValue = .emptyObject, command: [String]? = nil) -> JSONValue {
    var container: JSONValue = ["name": "main", "image": "busybox"]
    if let command { container["command"] = .array(command.map { .string($0) }) }
    var job: JSONValue = ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)], "spec": spec]
    if !annotations.isEmpty { job[path: ["metadata", "annotations"]] = .stringObject(annotations) }
    job[path: ["spec", "template"]] = ["spec": ["restartPolicy": "Never", "containers": [container]]]
    return job
}

extension WorkloadFakeStore {
    func pods(ofJob job: JSONValue) -> [JSONValue] {
        all(WorkloadResource.pods).filter { $0.controllerUID(kind: "Job") == job.uid }
    }

    func job(_ name: String) async throws -> JSONValue {
        try await get(WorkloadResource.jobs, namespace: "default", name: name)
    }
}

@Suite("Workload controllers against an in-memory store")
struct WorkloadControllerTests {
    @Test("a simulated Job runs one labelled pod to Succeeded and completes")
    func simulatedJobCompletes() async throws {
        try await withWorkloadControllers(.simulate) { store, _ in
            _ = try await store.create(WorkloadResource.jobs, namespace: "default", jobObject("ok", annotations: ["dev.sextant.dev/simulate": #"{"seconds":0.2,"message":"done"}"#]))
            try await eventually("Job Complete") { try await store.job("ok").hasTrueCondition("Complete") }
            let job = try await store.job("ok")
            #expect(job[path: ["status", "succeeded"]] == 1)
            #expect(job[path: ["status", "completionTime"]] != nil)
            #expect(job[path: ["spec", "backoffLimit"]] == 6)
            let pods = await store.pods(ofJob: job)
            let pod = try #require(pods.first)
            #expect(pods.count == 1)
            #expect(pod.labels["batch.kubernetes.io/job-name"] == "ok")
            #expect(pod[path: ["status", "phase"]] == "Succeeded")
            let terminated = pod[path: ["status", "containerStatuses"]]?[0]?[path: ["state", "terminated"]]
            #expect(terminated?["reason"] == "Completed")
            #expect(terminated?["message"] == "done")
        }
    }

    @Test("a Job scripted to fail gets backoffLimit+1 pods and fails with BackoffLimitExceeded")
    func scriptedFailure() async throws {
        try await withWorkloadControllers(.simulate) { store, _ in
            _ = try await store.create(WorkloadResource.jobs, namespace: "default", jobObject("bad",
                annotations: ["dev.sextant.dev/simulate": #"{"exitCode":2,"seconds":0.1,"message":"oops"}"#], spec: ["backoffLimit": 1]))
            try await eventually("Job Failed") { try await store.job("bad").hasTrueCondition("Failed") }
            let job = try await store.job("bad")
            #expect(job.statusConditions.condition("Failed")?.reason == "BackoffLimitExceeded")
            #expect(job[path: ["status", "failed"]] == 2)
            let pods = await store.pods(ofJob: job)
            #expect(pods.count == 2)
            for pod in pods {
                #expect(pod[path: ["status", "phase"]] == "Failed")
                #expect(pod[path: ["status", "containerStatuses"]]?[0]?[path: ["state", "terminated", "exitCode"]] == 2)
            }
        }
    }

    @Test("a Job running past activeDeadlineSeconds fails with DeadlineExceeded and its pod goes")
    func deadline() async throws {
        try await withWorkloadControllers(.simulate) { store, _ in
            _ = try await store.create(WorkloadResource.jobs, namespace: "default", jobObject("slow",
                annotations: ["dev.sextant.dev/simulate": #"{"seconds":60}"#], spec: ["activeDeadlineSeconds": 1]))
            try await eventually("Job Failed") { try await store.job("slow").hasTrueCondition("Failed") }
            let job = try await store.job("slow")
            #expect(job.statusConditions.condition("Failed")?.reason == "DeadlineExceeded")
            try await eventually("pod deleted") { await store.pods(ofJob: job).isEmpty }
        }
    }

    @Test("local executor: the process's output file becomes the termination message and stdout the log")
    func localOutputsAndLogs() async throws {
        try await withWorkloadControllers(.local) { store, controllers in
            let script = #"echo hello; echo "$GREETING" >&2; printf '{"accuracy":0.93}' > "$SEXTANT_OUTPUTS_PATH""#
            var job = jobObject("local", command: ["sh", "-c", script])
            job[path: ["spec", "template", "spec", "containers"]] = [[
                "name": "main", "image": "ignored", "command": ["sh", "-c", .string(script)],
                "env": [["name": "GREETING", "value": "from-env"]],
            ]]
            _ = try await store.create(WorkloadResource.jobs, namespace: "default", job)
            try await eventually("Job Complete") { try await store.job("local").hasTrueCondition("Complete") }
            let pod = try #require(await store.pods(ofJob: try await store.job("local")).first)
            #expect(pod[path: ["status", "containerStatuses"]]?[0]?[path: ["state", "terminated", "message"]] == #"{"accuracy":0.93}"#)
            var text = ""
            for try await chunk in try await controllers.logProvider.logs(namespace: "default", pod: pod.name ?? "", container: nil, follow: false, tailLines: nil) {
                text += String(decoding: chunk, as: UTF8.self)
            }
            #expect(text == "hello\nfrom-env\n")
            var tail = ""
            for try await chunk in try await controllers.logProvider.logs(namespace: "default", pod: pod.name ?? "", container: "main", follow: false, tailLines: 1) {
                tail += String(decoding: chunk, as: UTF8.self)
            }
            #expect(tail == "from-env\n")
            await #expect(throws: Status.self) {
                _ = try await controllers.logProvider.logs(namespace: "default", pod: "nope", container: nil, follow: false, tailLines: nil)
            }
        }
    }

    @Test("local executor: following a log streams lines until the container exits; a failing one uses FallbackToLogsOnError")
    func followAndFallback() async throws {
        try await withWorkloadControllers(.local) { store, controllers in
            var job = jobObject("follow", spec: ["backoffLimit": 0])
            job[path: ["spec", "template", "spec", "containers"]] = [[
                "name": "main", "image": "x", "command": ["sh", "-c", "echo first; sleep 1; echo second; exit 3"],
                "terminationMessagePolicy": "FallbackToLogsOnError",
            ]]
            _ = try await store.create(WorkloadResource.jobs, namespace: "default", job)
            var podName = ""
            try await eventually("pod running") {
                let job = try await store.job("follow")
                guard let pod = await store.pods(ofJob: job).first, pod[path: ["status", "phase"]] == "Running" else { return false }
                podName = pod.name ?? ""
                return true
            }
            var text = ""
            for try await chunk in try await controllers.logProvider.logs(namespace: "default", pod: podName, container: nil, follow: true, tailLines: nil) {
                text += String(decoding: chunk, as: UTF8.self)
            }
            #expect(text == "first\nsecond\n")
            try await eventually("Job Failed") { try await store.job("follow").hasTrueCondition("Failed") }
            let pod = try await store.get(WorkloadResource.pods, namespace: "default", name: podName)
            let terminated = pod[path: ["status", "containerStatuses"]]?[0]?[path: ["state", "terminated"]]
            #expect(terminated?["exitCode"] == 3)
            #expect(terminated?["reason"] == "Error")
            #expect(terminated?["message"] == "first\nsecond")
        }
    }

    @Test("no host process outlives the controllers: shutdown kills a running `sleep 300`")
    func shutdownKillsProcesses() async throws {
        let pid = Mutex<Int32?>(nil)
        try await withWorkloadControllers(.local) { store, controllers in
            _ = try await store.create(WorkloadResource.jobs, namespace: "default", jobObject("sleeper", command: ["sh", "-c", "echo $$; exec sleep 300"]))
            try await eventually("pid logged") {
                let job = try await store.job("sleeper")
                guard let pod = await store.pods(ofJob: job).first, let name = pod.name else { return false }
                guard let stream = try? await controllers.logProvider.logs(namespace: "default", pod: name, container: nil, follow: false, tailLines: nil) else { return false }
                var text = ""
                for try await chunk in stream { text += String(decoding: chunk, as: UTF8.self) }
                guard let value = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return false }
                pid.withLock { $0 = value }
                return true
            }
            let found = try #require(pid.withLock { $0 })
            #expect(kill(found, 0) == 0)
        }
        let found = try #require(pid.withLock { $0 })
        #expect(kill(found, 0) == -1 && errno == ESRCH)
    }
}
