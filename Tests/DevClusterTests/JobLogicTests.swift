import Foundation
import KubeCore
import Testing
@testable import DevCluster

@Suite("Job controller state machine")
struct JobLogicTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func job(_ spec: JSONValue = .emptyObject, status: JSONValue? = nil) -> JSONValue {
        var job: JSONValue = ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "train", "namespace": "ml", "uid": "u-1"], "spec": spec]
        job[path: ["spec", "template"]] = ["spec": ["containers": [["name": "main", "image": "python:3.12"]]]]
        JobDefaults.apply(to: &job)
        if let status { job["status"] = status }
        return job
    }

    func pod(_ name: String, phase: String, finishedAt: Date? = nil, ready: Bool = false) -> JSONValue {
        var pod: JSONValue = ["metadata": ["name": .string(name), "uid": .string("p-\(name)")], "status": ["phase": .string(phase)]]
        if let finishedAt {
            pod[path: ["status", "containerStatuses"]] = [["name": "main", "state": ["terminated": ["exitCode": 0, "finishedAt": .string(KubeTime.format(finishedAt))]]]]
        }
        if ready { pod[path: ["status", "conditions"]] = [["type": "Ready", "status": "True"]] }
        return pod
    }

    @Test("a new Job gets API defaults, a selector by controller uid, and one pod")
    func newJob() {
        let j = job()
        #expect(j[path: ["spec", "backoffLimit"]] == 6)
        #expect(j[path: ["spec", "completions"]] == 1)
        #expect(j[path: ["spec", "parallelism"]] == 1)
        #expect(j[path: ["spec", "suspend"]] == false)
        #expect(j[path: ["spec", "completionMode"]] == "NonIndexed")
        #expect(j[path: ["spec", "selector", "matchLabels", "batch.kubernetes.io/controller-uid"]] == "u-1")
        #expect(j[path: ["spec", "template", "metadata", "labels", "job-name"]] == "train")
        #expect(j[path: ["spec", "manualSelector"]] == nil)
        let plan = JobLogic.desiredPlan(for: j, pods: [], now: now)
        #expect(plan.podsToCreate == 1)
        #expect(plan.status["startTime"] == .string(KubeTime.format(now)))
        #expect(plan.status["ready"] == 0)
        #expect(plan.status["uncountedTerminatedPods"] == .emptyObject)
    }

    @Test("the Job's pod carries the job labels, an owner reference and the Job's simulate script")
    func podTemplate() throws {
        var j = job()
        j[path: ["metadata", "annotations", "dev.sextant.dev/simulate"]] = #"{"exitCode":3}"#
        let pod = try #require(JobLogic.pod(for: j, suffix: "abcde"))
        #expect(pod.name == "train-abcde")
        #expect(pod.labels["batch.kubernetes.io/job-name"] == "train")
        #expect(pod.labels["controller-uid"] == "u-1")
        let owner = try #require(pod.ownerReferences.first)
        #expect(owner.kind == "Job" && owner.uid == "u-1" && owner.controller == true && owner.blockOwnerDeletion == true)
        #expect(pod.annotations["dev.sextant.dev/simulate"] == #"{"exitCode":3}"#)
        #expect(pod[path: ["spec", "restartPolicy"]] == "Never")
    }

    @Test("a running pod is counted active and no second pod is created")
    func running() {
        let plan = JobLogic.desiredPlan(for: job(), pods: [pod("a", phase: "Running", ready: true)], now: now)
        #expect(plan.podsToCreate == 0)
        #expect(plan.status["active"] == 1)
        #expect(plan.status["ready"] == 1)
    }

    @Test("a succeeded pod completes the Job with Complete and SuccessCriteriaMet")
    func complete() {
        let done = now.addingTimeInterval(-1)
        let plan = JobLogic.desiredPlan(for: job(status: ["startTime": .string(KubeTime.format(now.addingTimeInterval(-5)))]), pods: [pod("a", phase: "Succeeded", finishedAt: done)], now: now)
        let conditions = plan.status["conditions"]?.arrayValue ?? []
        #expect(conditions.contains { $0["type"] == "Complete" && $0["status"] == "True" && $0["reason"] == "CompletionsReached" })
        #expect(conditions.contains { $0["type"] == "SuccessCriteriaMet" && $0["status"] == "True" })
        #expect(plan.status["succeeded"] == 1)
        #expect(plan.status["completionTime"] == .string(KubeTime.format(done)))
        #expect(plan.podsToCreate == 0)
    }

    @Test("failures within backoffLimit get a new pod; one more fails the Job with BackoffLimitExceeded")
    func backoff() {
        let j = job(["backoffLimit": 1])
        let once = JobLogic.desiredPlan(for: j, pods: [pod("a", phase: "Failed")], now: now)
        #expect(once.podsToCreate == 1)
        #expect(once.status["failed"] == 1)
        let twice = JobLogic.desiredPlan(for: j, pods: [pod("a", phase: "Failed"), pod("b", phase: "Failed")], now: now)
        #expect(twice.podsToCreate == 0)
        let conditions = twice.status["conditions"]?.arrayValue ?? []
        #expect(conditions.contains { $0["type"] == "Failed" && $0["reason"] == "BackoffLimitExceeded" })
        #expect(conditions.contains { $0["type"] == "FailureTarget" && $0["reason"] == "BackoffLimitExceeded" })
        #expect(twice.status["failed"] == 2)
        #expect(twice.status["completionTime"] == nil)
    }

    @Test("past activeDeadlineSeconds the Job fails with DeadlineExceeded and its running pod is deleted")
    func deadline() {
        let started = now.addingTimeInterval(-10)
        let j = job(["activeDeadlineSeconds": 5], status: ["startTime": .string(KubeTime.format(started))])
        let plan = JobLogic.desiredPlan(for: j, pods: [pod("a", phase: "Running")], now: now)
        #expect(plan.podsToDelete == ["a"])
        #expect((plan.status["conditions"]?.arrayValue ?? []).contains { $0["type"] == "Failed" && $0["reason"] == "DeadlineExceeded" })
        #expect(plan.status["failed"] == 1)
        #expect(plan.status["active"] == nil)
        let early = JobLogic.desiredPlan(for: j, pods: [pod("a", phase: "Running")], now: started.addingTimeInterval(2))
        #expect(early.podsToDelete.isEmpty)
        #expect(early.requeueAfter != nil)
    }

    @Test("a suspended Job deletes its active pods and says Suspended; a finished Job stays finished")
    func suspendAndTerminal() {
        let plan = JobLogic.desiredPlan(for: job(["suspend": true]), pods: [pod("a", phase: "Running")], now: now)
        #expect(plan.podsToDelete == ["a"])
        #expect(plan.podsToCreate == 0)
        #expect((plan.status["conditions"]?.arrayValue ?? []).contains { $0["type"] == "Suspended" && $0["status"] == "True" })
        var finished = job(["backoffLimit": 0])
        finished["status"] = JobLogic.desiredPlan(for: finished, pods: [pod("a", phase: "Failed")], now: now).status
        let after = JobLogic.desiredPlan(for: finished, pods: [pod("a", phase: "Failed")], now: now.addingTimeInterval(60))
        #expect(after.podsToCreate == 0)
        #expect(after.status == finished["status"])
    }
}
