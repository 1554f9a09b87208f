import Foundation
import KubeCore
import Testing
import TestSupport

@Suite("Workloads across a restart of sextant dev", .serialized)
struct WorkloadRestartTests {
    @Test("a simulated 20 s step running when the server stops finishes on its schedule after the restart: exit 0, finishedAt = startedAt + 20 s, one pod")
    func simulatedStepKeepsItsSchedule() async throws {
        let cluster = try await DevClusterProcess.start()
        defer {
            cluster.stop()
            try? FileManager.default.removeItem(at: cluster.dataDirectory)
        }
        let job = """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: train, namespace: default}
        spec:
          backoffLimit: 0
          template:
            metadata:
              annotations: {dev.sextant.dev/simulate: '{"exitCode":0,"seconds":20,"message":"{\\"accuracy\\":0.9}"}'}
            spec: {restartPolicy: Never, containers: [{name: main, image: trainer:1}]}
        """
        let created = try await cluster.kubectl.run(["apply", "-f", "-"], stdin: job)
        try #require(created.succeeded, "\(created.stderr)")
        _ = try await kubectlEventually(cluster.kubectl, ["get", "pods", "-l", "job-name=train", "-o", "jsonpath={.items[0].status.containerStatuses[0].state.running.startedAt}"]) { !$0.isEmpty }
        let pods = try await cluster.kubectl.run(["get", "pods", "-l", "job-name=train", "-o", "jsonpath={.items[0].metadata.name}"])
        let pod = pods.stdout.trimmingCharacters(in: .whitespaces)
        let started = try await cluster.kubectl.run(["get", "pod", pod, "-o", "jsonpath={.status.containerStatuses[0].state.running.startedAt}"])
        let startedAt = try #require(KubeTime.parse(started.stdout.trimmingCharacters(in: .whitespaces)))
        try await Task.sleep(for: .seconds(4))
        try await cluster.restart()
        let restartedAt = Date()
        let phase = try await kubectlEventually(cluster.kubectl, ["get", "pod", pod, "-o", "jsonpath={.status.phase}"], seconds: 60) { $0 == "Succeeded" || $0 == "Failed" }
        let observedEnd = Date()
        #expect(phase == "Succeeded", "\(cluster.log().suffix(2000))")
        let status = try #require(try await cluster.request("GET", "/api/v1/namespaces/default/pods/\(pod)").json?[path: ["status", "containerStatuses"]]?[0])
        let terminated = try #require(status[path: ["state", "terminated"]], "\(status)")
        #expect(terminated["exitCode"] == 0 && terminated["reason"] == "Completed")
        #expect(terminated["message"]?.stringValue == "{\"accuracy\":0.9}")
        #expect(terminated["startedAt"]?.stringValue == KubeTime.format(startedAt))
        let finishedAt = try #require(terminated["finishedAt"]?.stringValue.flatMap(KubeTime.parse))
        #expect(finishedAt.timeIntervalSince(startedAt) == 20, "started \(startedAt), finished \(finishedAt)")
        #expect(status["restartCount"] == 0)
        // It ended on its schedule, not 20 s after the restart.
        #expect(observedEnd.timeIntervalSince(startedAt) < 24, "ended \(observedEnd.timeIntervalSince(startedAt)) s after its start (restart at +\(restartedAt.timeIntervalSince(startedAt)) s)")
        _ = try await kubectlEventually(cluster.kubectl, ["get", "job", "train", "-o", "jsonpath={.status.succeeded}"]) { $0 == "1" }
        let all = try await cluster.kubectl.run(["get", "pods", "-l", "job-name=train", "-o", "name"])
        #expect(all.stdout.split(separator: "\n").count == 1, "\(all.stdout)")
    }

    @Test("a local-executor process that ended with the server is reported as such: container reason DevClusterRestarted, pod Failed")
    func localProcessLostInRestart() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--executor", "local"])
        defer {
            cluster.stop()
            try? FileManager.default.removeItem(at: cluster.dataDirectory)
        }
        let pod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: sleeper, namespace: default}
        spec: {restartPolicy: Never, containers: [{name: main, image: none, command: ["sleep", "60"]}]}
        """
        let created = try await cluster.kubectl.run(["apply", "-f", "-"], stdin: pod)
        try #require(created.succeeded, "\(created.stderr)")
        _ = try await kubectlEventually(cluster.kubectl, ["get", "pod", "sleeper", "-o", "jsonpath={.status.containerStatuses[0].state.running.startedAt}"]) { !$0.isEmpty }
        try await cluster.restart()
        let phase = try await kubectlEventually(cluster.kubectl, ["get", "pod", "sleeper", "-o", "jsonpath={.status.phase}"]) { $0 == "Failed" }
        #expect(phase == "Failed")
        let status = try #require(try await cluster.request("GET", "/api/v1/namespaces/default/pods/sleeper").json?["status"])
        let terminated = try #require(status[path: ["containerStatuses"]]?[0]?[path: ["state", "terminated"]], "\(status)")
        #expect(terminated["reason"] == "DevClusterRestarted")
        #expect(terminated["exitCode"] == 137)
        #expect(terminated["message"]?.stringValue?.contains("ended when sextant dev stopped") == true, "\(terminated)")
        #expect(status["reason"] == "DevClusterRestarted")
    }
}
