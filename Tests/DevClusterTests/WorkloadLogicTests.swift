import Foundation
import KubeCore
import Testing
@testable import DevCluster

@Suite("Workload state transitions without I/O")
struct WorkloadLogicTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("pod phase follows container states and restart policy")
    func podPhase() {
        let started = ContainerRun(name: "c", image: "i", state: .running(startedAt: now), ready: true)
        let ok = ContainerRun(name: "c", image: "i", state: .terminated(ContainerTermination(exitCode: 0, reason: "Completed", startedAt: now, finishedAt: now)))
        let bad = ContainerRun(name: "c", image: "i", state: .terminated(ContainerTermination(exitCode: 2, reason: "Error", startedAt: now, finishedAt: now)))
        #expect(PodStatusLogic.phase(containers: [.creating(name: "c", image: "i")], restartPolicy: "Never", podFailureReason: nil) == "Pending")
        #expect(PodStatusLogic.phase(containers: [started], restartPolicy: "Never", podFailureReason: nil) == "Running")
        #expect(PodStatusLogic.phase(containers: [ok], restartPolicy: "Never", podFailureReason: nil) == "Succeeded")
        #expect(PodStatusLogic.phase(containers: [bad], restartPolicy: "Never", podFailureReason: nil) == "Failed")
        #expect(PodStatusLogic.phase(containers: [bad], restartPolicy: "Always", podFailureReason: nil) == "Running")
        #expect(PodStatusLogic.phase(containers: [started], restartPolicy: "Always", podFailureReason: "DeadlineExceeded") == "Failed")
    }

    @Test("pod status has conditions, startTime and a terminated container state with message")
    func podStatus() throws {
        let t = ContainerTermination(exitCode: 1, signal: nil, reason: "Error", message: "boom", startedAt: now, finishedAt: now.addingTimeInterval(3))
        let status = PodStatusLogic.status(
            previous: nil, containers: [ContainerRun(name: "main", image: "img", state: .terminated(t))],
            restartPolicy: "Never", startTime: now, podIP: "127.0.0.1", podFailure: nil, now: now)
        #expect(status["phase"] == "Failed")
        let types = (status["conditions"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue }
        #expect(Set(types).isSuperset(of: ["PodScheduled", "Initialized", "ContainersReady", "Ready"]))
        let ready = try #require(status["conditions"]?.arrayValue?.first { $0["type"] == "Ready" })
        #expect(ready["status"] == "False" && ready["reason"] == "PodCompleted")
        let terminated = try #require(status[path: ["containerStatuses"]]?[0]?[path: ["state", "terminated"]])
        #expect(terminated["exitCode"] == 1 && terminated["reason"] == "Error" && terminated["message"] == "boom")
        #expect(terminated["finishedAt"] == .string(KubeTime.format(now.addingTimeInterval(3))))
        #expect(status["startTime"] == .string(KubeTime.format(now)))
    }

    @Test("termination messages: file capped at 4096 bytes, FallbackToLogsOnError uses the log tail only on failure")
    func terminationMessages() {
        let big = Data(repeating: UInt8(ascii: "x"), count: 5000)
        #expect(PodStatusLogic.terminationMessage(file: big, log: nil, policy: "File", exitCode: 0)?.utf8.count == 4096)
        let log = Data((1...100).map { "line \($0)" }.joined(separator: "\n").utf8)
        let fallback = PodStatusLogic.terminationMessage(file: Data(), log: log, policy: "FallbackToLogsOnError", exitCode: 1)
        #expect(fallback?.hasSuffix("line 100") == true)
        #expect(fallback?.contains("line 20\n") == false)
        #expect(fallback?.split(separator: "\n").count == 80)
        #expect(PodStatusLogic.terminationMessage(file: Data(), log: log, policy: "FallbackToLogsOnError", exitCode: 0) == nil)
        #expect(PodStatusLogic.terminationMessage(file: Data("out".utf8), log: log, policy: "FallbackToLogsOnError", exitCode: 1) == "out")
    }

    @Test("the simulate annotation scripts exit code, duration and message; bad JSON fails the container")
    func simulateScript() {
        let s = SimulateScript.parse(#"{"exitCode":3,"seconds":0.5,"message":{"accuracy":0.9}}"#)
        #expect(s.exitCode == 3 && s.seconds == 0.5 && s.message == #"{"accuracy":0.9}"#)
        #expect(SimulateScript.parse("nope").error != nil)
        let server: JSONValue = ["metadata": ["name": "p"]]
        #expect(SimulateScript.of(pod: server, restartPolicy: "Always") == nil)
        #expect(SimulateScript.of(pod: server, restartPolicy: "Never") == SimulateScript())
    }

    @Test("local invocation: command+args, env values and fieldRefs, $(VAR) expansion, termination path mapping")
    func localInvocation() {
        let pod: JSONValue = ["metadata": ["name": "p1", "namespace": "ml"]]
        let container: JSONValue = [
            "command": ["sh", "-c"], "args": ["echo $(GREETING) > /dev/termination-log; echo $$(HOME)"],
            "env": [["name": "GREETING", "value": "hi"], ["name": "NS", "valueFrom": ["fieldRef": ["fieldPath": "metadata.namespace"]]]],
        ]
        let inv = LocalInvocation.build(pod: pod, container: container, port: 8123, terminationFile: "/tmp/t.log", hostEnvironment: ["PATH": "/bin"])
        #expect(inv.arguments == ["sh", "-c", "echo hi > /tmp/t.log; echo $(HOME)"])
        #expect(inv.environment["NS"] == "ml")
        #expect(inv.environment["PORT"] == "8123")
        #expect(inv.environment["SEXTANT_OUTPUTS_PATH"] == "/tmp/t.log")
        #expect(inv.environment["PATH"] == "/bin")
    }

    @Test("log tail offsets count lines from the end")
    func tailOffset() {
        let data = Data("a\nb\nc\n".utf8)
        #expect(KubeletLogProvider.tailOffset(data, lines: 1) == 4)
        #expect(KubeletLogProvider.tailOffset(data, lines: 2) == 2)
        #expect(KubeletLogProvider.tailOffset(data, lines: 10) == 0)
        #expect(KubeletLogProvider.tailOffset(data, lines: 0) == data.count)
    }

    func deployment(replicas: Int64, image: String = "v1") -> JSONValue {
        var d: JSONValue = [
            "metadata": ["name": "web", "namespace": "ml", "uid": "d-1", "generation": 2],
            "spec": ["replicas": .int(replicas), "selector": ["matchLabels": ["app": "web"]],
                     "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "c", "image": .string(image)]]]]],
        ]
        DeploymentDefaults.apply(to: &d)
        return d
    }

    func deploymentPod(_ name: String, hash: String, ready: Bool) -> JSONValue {
        ["metadata": ["name": .string(name), "labels": ["app": "web", "pod-template-hash": .string(hash)]],
         "status": ["phase": "Running", "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False")]]]]
    }

    @Test("Deployment defaults, scale up, Available and Progressing conditions")
    func deploymentScale() throws {
        let d = deployment(replicas: 2)
        #expect(d[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]] == "25%")
        #expect(d[path: ["spec", "revisionHistoryLimit"]] == 10)
        #expect(d[path: ["spec", "progressDeadlineSeconds"]] == 600)
        let empty = DeploymentLogic.desiredPlan(for: d, pods: [], now: now)
        #expect(empty.podsToCreate == 2)
        let hash = empty.templateHash
        let ready = DeploymentLogic.desiredPlan(for: d, pods: [deploymentPod("a", hash: hash, ready: true), deploymentPod("b", hash: hash, ready: true)], now: now)
        #expect(ready.podsToCreate == 0 && ready.podsToDelete.isEmpty)
        #expect(ready.status["availableReplicas"] == 2 && ready.status["updatedReplicas"] == 2 && ready.status["observedGeneration"] == 2)
        let conditions = ready.status["conditions"]?.arrayValue ?? []
        #expect(conditions.contains { $0["type"] == "Available" && $0["status"] == "True" && $0["reason"] == "MinimumReplicasAvailable" })
        #expect(conditions.contains { $0["type"] == "Progressing" && $0["reason"] == "NewReplicaSetAvailable" })
        let down = DeploymentLogic.desiredPlan(for: deployment(replicas: 1), pods: [deploymentPod("a", hash: hash, ready: true), deploymentPod("b", hash: hash, ready: false)], now: now)
        #expect(down.podsToDelete == ["b"])
    }

    @Test("a template change rolls pods: surge a new pod, remove an old one only once the new is ready")
    func deploymentRollout() {
        let old = DeploymentLogic.templateHash(deployment(replicas: 1)[path: ["spec", "template"]] ?? .null)
        let d = deployment(replicas: 1, image: "v2")
        let start = DeploymentLogic.desiredPlan(for: d, pods: [deploymentPod("old", hash: old, ready: true)], now: now)
        #expect(start.templateHash != old)
        #expect(start.podsToCreate == 1 && start.podsToDelete.isEmpty)
        #expect((start.status["conditions"]?.arrayValue ?? []).contains { $0["type"] == "Progressing" && $0["reason"] == "ReplicaSetUpdated" })
        let waiting = DeploymentLogic.desiredPlan(for: d, pods: [deploymentPod("old", hash: old, ready: true), deploymentPod("new", hash: start.templateHash, ready: false)], now: now)
        #expect(waiting.podsToCreate == 0 && waiting.podsToDelete.isEmpty)
        let swap = DeploymentLogic.desiredPlan(for: d, pods: [deploymentPod("old", hash: old, ready: true), deploymentPod("new", hash: start.templateHash, ready: true)], now: now)
        #expect(swap.podsToDelete == ["old"])
    }

    @Test("ClusterIPs come from 10.96.0.0/12, are unique, and bad requests are 422")
    func clusterIP() throws {
        var existing: [JSONValue] = []
        for i in 0..<50 {
            var svc: JSONValue = ["metadata": ["name": .string("s\(i)"), "namespace": "default"], "spec": ["ports": [["port": 80]]]]
            try ServiceDefaults.allocateClusterIP(for: &svc, existing: existing)
            let ip = try #require(svc[path: ["spec", "clusterIP"]]?.stringValue)
            let address = try #require(ServiceDefaults.parse(ip))
            #expect(address >= ServiceDefaults.serviceCIDRBase && address < ServiceDefaults.serviceCIDRBase + ServiceDefaults.serviceCIDRSize)
            #expect(svc[path: ["spec", "clusterIPs"]] == [.string(ip)])
            #expect(svc[path: ["spec", "ports"]]?[0]?["targetPort"] == 80)
            existing.append(svc)
        }
        #expect(Set(existing.compactMap { $0[path: ["spec", "clusterIP"]]?.stringValue }).count == 50)
        var outside: JSONValue = ["metadata": ["name": "x"], "spec": ["clusterIP": "192.168.0.1"]]
        #expect(throws: Status.self) { try ServiceDefaults.allocateClusterIP(for: &outside, existing: []) }
        var headless: JSONValue = ["metadata": ["name": "h"], "spec": ["clusterIP": "None"]]
        try ServiceDefaults.allocateClusterIP(for: &headless, existing: [])
        #expect(headless[path: ["spec", "clusterIP"]] == "None")
    }

    @Test("GC decisions: owners present keep, all owners gone delete, mixed owners drop dangling references")
    func gcDecisions() {
        var index = OwnerIndex()
        index.upsert(["kind": "Job", "apiVersion": "batch/v1", "metadata": ["name": "j", "uid": "owner-1"]], resource: WorkloadResource.jobs)
        let ref1: JSONValue = ["apiVersion": "batch/v1", "kind": "Job", "name": "j", "uid": "owner-1"]
        let ref2: JSONValue = ["apiVersion": "batch/v1", "kind": "Job", "name": "gone", "uid": "owner-2"]
        index.upsert(["metadata": ["name": "a", "uid": "a", "ownerReferences": [ref1]]], resource: WorkloadResource.pods)
        index.upsert(["metadata": ["name": "b", "uid": "b", "ownerReferences": [ref2]]], resource: WorkloadResource.pods)
        index.upsert(["metadata": ["name": "c", "uid": "c", "ownerReferences": [ref1, ref2]]], resource: WorkloadResource.pods)
        #expect(GCLogic.decide(index.node("a").map { $0 }!, index: index) == .keep)
        #expect(GCLogic.decide(index.node("b")!, index: index) == .delete(propagation: "Background"))
        #expect(GCLogic.decide(index.node("c")!, index: index) == .removeReferences(["owner-2"]))
        #expect(index.dependents(of: "owner-1").map(\.name) == ["a", "c"])
        index.remove(uid: "owner-1")
        #expect(GCLogic.decide(index.node("a")!, index: index) == .delete(propagation: "Background"))
    }
}
