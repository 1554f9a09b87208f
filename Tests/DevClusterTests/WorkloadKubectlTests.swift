import Foundation
import KubeCore
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Polls a kubectl query until its trimmed stdout satisfies `accept`.
func kubectlEventually(_ kubectl: Kubectl, _ arguments: [String], seconds: Double = 60, _ accept: (String) -> Bool) async throws -> String {
    let end = Date().addingTimeInterval(seconds)
    var last = ""
    while Date() < end {
        let result = try await kubectl.run(arguments)
        last = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + result.stderr
        if result.succeeded, accept(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) { return last }
        try await Task.sleep(for: .milliseconds(200))
    }
    Issue.record("kubectl \(arguments.joined(separator: " ")) never matched; last: \(last)")
    return last
}

@Suite("Workloads through stock kubectl and the Python client against sextant dev")
struct WorkloadKubectlTests {
    static let jobs = """
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: good
      annotations: {dev.sextant.dev/simulate: '{"seconds":0.3,"message":"done"}'}
    spec:
      template:
        spec: {restartPolicy: Never, containers: [{name: main, image: busybox}]}
    ---
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: bad
    spec:
      backoffLimit: 1
      template:
        metadata:
          annotations: {dev.sextant.dev/simulate: '{"exitCode":2,"seconds":0.2,"message":"boom"}'}
        spec: {restartPolicy: Never, containers: [{name: main, image: busybox}]}
    ---
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: slow
      annotations: {dev.sextant.dev/simulate: '{"seconds":120}'}
    spec:
      activeDeadlineSeconds: 2
      template:
        spec: {restartPolicy: Never, containers: [{name: main, image: busybox}]}
    """

    @Test("simulated Jobs: kubectl wait complete, scripted failure hits BackoffLimitExceeded, deadline gives DeadlineExceeded; Python client sees a Job complete")
    func simulatedJobs() async throws {
        try await withDevCluster { cluster in
            let kubectl = cluster.kubectl
            let applied = try await kubectl.run(["apply", "-f", "-"], stdin: Self.jobs)
            #expect(applied.succeeded, "\(applied.stderr)")
            let wait = try await kubectl.run(["wait", "--for=condition=complete", "job/good", "--timeout=60s"], timeout: 90)
            #expect(wait.succeeded, "\(wait.stderr)")
            let message = try await kubectl.run(["get", "pods", "-l", "job-name=good", "-o", "jsonpath={.items[0].status.containerStatuses[0].state.terminated.message}"])
            #expect(message.stdout == "done")
            let failed = try await kubectl.run(["wait", "--for=condition=failed", "job/bad", "--timeout=60s"], timeout: 90)
            #expect(failed.succeeded, "\(failed.stderr)")
            let reason = try await kubectl.run(["get", "job", "bad", "-o", "jsonpath={.status.conditions[?(@.type==\"Failed\")].reason}"])
            #expect(reason.stdout == "BackoffLimitExceeded")
            let badPods = try await kubectl.run(["get", "pods", "-l", "batch.kubernetes.io/job-name=bad", "-o", "jsonpath={.items[*].status.containerStatuses[0].state.terminated.exitCode}"])
            #expect(badPods.stdout == "2 2")
            let deadline = try await kubectl.run(["wait", "--for=condition=failed", "job/slow", "--timeout=60s"], timeout: 90)
            #expect(deadline.succeeded, "\(deadline.stderr)")
            let deadlineReason = try await kubectl.run(["get", "job", "slow", "-o", "jsonpath={.status.conditions[?(@.type==\"Failed\")].reason}"])
            #expect(deadlineReason.stdout == "DeadlineExceeded")
            let describe = try await kubectl.run(["describe", "job", "good"])
            #expect(describe.succeeded, "\(describe.stderr)")
            #expect(describe.stdout.contains("1 Succeeded"))

            let python = try await cluster.python.run(script: "workloads_job.py", ["py-job"])
            #expect(python.succeeded, "\(python.stderr)")
            let seen = try JSONValue.parse(python.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(seen["succeeded"] == 1)
            #expect(seen["conditions"] == ["Complete", "SuccessCriteriaMet"])
            #expect(seen["pods"] == ["Succeeded"])
            #expect(seen["message"] == "py")
            #expect(seen["startTime"] == true && seen["completionTime"] == true)
        }
    }

    static let deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: nginx}]}
    """

    @Test("a Deployment becomes Available (rollout status); GC background, foreground and orphan; namespace deletion")
    func deploymentGCAndNamespaces() async throws {
        try await withDevCluster { cluster in
            let kubectl = cluster.kubectl
            #expect(try await kubectl.run(["apply", "-f", "-"], stdin: Self.deployment).succeeded)
            let rollout = try await kubectl.run(["rollout", "status", "deployment/web", "--timeout=60s"], timeout: 90)
            #expect(rollout.succeeded, "\(rollout.stderr)")
            let available = try await kubectl.run(["wait", "--for=condition=available", "deployment/web", "--timeout=60s"], timeout: 90)
            #expect(available.succeeded, "\(available.stderr)")
            let ready = try await kubectl.run(["get", "deployment", "web", "-o", "jsonpath={.status.readyReplicas}/{.status.availableReplicas}/{.spec.strategy.rollingUpdate.maxSurge}"])
            #expect(ready.stdout == "2/2/25%")

            // Background (kubectl's default): the pods go after the Deployment.
            #expect(try await kubectl.run(["delete", "deployment", "web"]).succeeded)
            _ = try await kubectlEventually(kubectl, ["get", "pods", "-l", "app=web", "-o", "name"]) { $0.isEmpty }

            let longJob = { (name: String) in
                "apiVersion: batch/v1\nkind: Job\nmetadata: {name: \(name), annotations: {dev.sextant.dev/simulate: '{\"seconds\":120}'}}\n" +
                    "spec: {template: {spec: {restartPolicy: Never, containers: [{name: main, image: busybox}]}}}\n"
            }
            // Foreground: kubectl waits until the Job is gone, which needs its pods gone first.
            #expect(try await kubectl.run(["apply", "-f", "-"], stdin: longJob("fg")).succeeded)
            _ = try await kubectlEventually(kubectl, ["get", "pods", "-l", "job-name=fg", "-o", "name"]) { !$0.isEmpty }
            let fg = try await kubectl.run(["delete", "job", "fg", "--cascade=foreground", "--timeout=60s"], timeout: 90)
            #expect(fg.succeeded, "\(fg.stderr)")
            _ = try await kubectlEventually(kubectl, ["get", "pods", "-l", "job-name=fg", "-o", "name"]) { $0.isEmpty }

            // Orphan: the pod stays, without its owner reference.
            #expect(try await kubectl.run(["apply", "-f", "-"], stdin: longJob("or")).succeeded)
            _ = try await kubectlEventually(kubectl, ["get", "pods", "-l", "job-name=or", "-o", "name"]) { !$0.isEmpty }
            let or = try await kubectl.run(["delete", "job", "or", "--cascade=orphan", "--timeout=60s"], timeout: 90)
            #expect(or.succeeded, "\(or.stderr)")
            _ = try await kubectlEventually(kubectl, ["get", "pods", "-l", "job-name=or", "-o", "jsonpath={.items[*].metadata.ownerReferences}"]) { $0.isEmpty }
            let orphaned = try await kubectl.run(["get", "pods", "-l", "job-name=or", "-o", "name"])
            #expect(!orphaned.stdout.isEmpty)

            // Namespace deletion removes what is in it, then the namespace.
            #expect(try await kubectl.run(["create", "namespace", "scratch"]).succeeded)
            #expect(try await kubectl.run(["-n", "scratch", "create", "configmap", "a", "--from-literal=k=v"]).succeeded)
            #expect(try await kubectl.run(["apply", "-n", "scratch", "-f", "-"], stdin: longJob("inns")).succeeded)
            let deleted = try await kubectl.run(["delete", "namespace", "scratch", "--timeout=60s"], timeout: 90)
            #expect(deleted.succeeded, "\(deleted.stderr)")
            let gone = try await kubectl.run(["get", "namespace", "scratch"])
            #expect(!gone.succeeded && gone.stderr.contains("NotFound"))
        }
    }

    @Test("local executor: kubectl logs -f streams the process output, the outputs file becomes the termination message, and SIGTERM of sextant dev kills running processes")
    func localExecutor() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--executor", "local"])
        var stopped = false
        defer {
            if !stopped { cluster.stop() }
            try? FileManager.default.removeItem(at: cluster.dataDirectory)
        }
        let kubectl = cluster.kubectl
        let job = """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: talk}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: main
                image: ignored
                command: [sh, -c, 'echo hello; sleep 1; echo "$WHO"; printf "{\\"m\\":1}" > "$SEXTANT_OUTPUTS_PATH"']
                env: [{name: WHO, value: bye}]
        """
        #expect(try await kubectl.run(["apply", "-f", "-"], stdin: job).succeeded)
        _ = try await kubectlEventually(kubectl, ["get", "pods", "-l", "job-name=talk", "-o", "jsonpath={.items[0].status.phase}"]) { $0 == "Running" || $0 == "Succeeded" }
        let follow = try await kubectl.run(["logs", "-f", "job/talk"], timeout: 60)
        #expect(follow.succeeded, "\(follow.stderr)")
        #expect(follow.stdout == "hello\nbye\n")
        let complete = try await kubectl.run(["wait", "--for=condition=complete", "job/talk", "--timeout=60s"], timeout: 90)
        #expect(complete.succeeded, "\(complete.stderr)")
        let message = try await kubectl.run(["get", "pods", "-l", "job-name=talk", "-o", "jsonpath={.items[0].status.containerStatuses[0].state.terminated.message}"])
        #expect(message.stdout == #"{"m":1}"#)

        let sleeper = """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: sleeper}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers: [{name: main, image: ignored, command: [sh, -c, 'echo $$; exec sleep 300']}]
        """
        #expect(try await kubectl.run(["apply", "-f", "-"], stdin: sleeper).succeeded)
        let pidText = try await kubectlEventually(kubectl, ["logs", "job/sleeper"]) { Int32($0) != nil }
        let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Glibc.kill(pid, 0) == 0)
        cluster.stop()
        stopped = true
        #expect(Glibc.kill(pid, 0) == -1 && errno == ESRCH, "sleep 300 (pid \(pid)) outlived sextant dev")
    }
}
