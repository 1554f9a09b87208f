import Foundation
import KubeCore

/// What the Job controller should do for one Job: pure function of the Job, its pods and the time.
struct JobPlan: Sendable, Equatable {
    /// The Job's new `status`.
    var status: JSONValue
    /// How many new pods to create.
    var podsToCreate: Int
    /// Names of pods to delete (active pods of a finished or suspended Job).
    var podsToDelete: [String]
    /// When to look again (the active deadline), if nothing else triggers it.
    var requeueAfter: Duration?
}

/// The Job controller's state machine, without I/O.
enum JobLogic {
    static let simulateAnnotation = "dev.sextant.dev/simulate"

    /// Computes the next status and actions for `job` given the pods it controls.
    static func desiredPlan(for job: JSONValue, pods: [JSONValue], now: Date) -> JobPlan {
        let spec = job["spec"] ?? .emptyObject
        let previous = job["status"] ?? .emptyObject
        var status = previous
        var conditions = job.statusConditions
        let generation = job.generationValue
        let active = pods.filter { !PodPhase.isTerminal($0) && !$0.isDeleting }
        let activeNames = active.compactMap(\.name).sorted()
        let succeededPods = pods.filter { PodPhase.of($0) == PodPhase.succeeded }
        let failedPods = pods.filter { PodPhase.of($0) == PodPhase.failed }
        let ready = active.filter { $0.hasTrueCondition("Ready") }.count
        var succeeded = max(Int(previous["succeeded"]?.intValue ?? 0), succeededPods.count)
        var failed = max(Int(previous["failed"]?.intValue ?? 0), failedPods.count)
        _ = generation

        func finish(deleting: [String], activeCount: Int) -> JobPlan {
            status["conditions"] = .arrayOrOmitted(conditions.jsonObjects)
            status["active"] = .countOrOmitted(activeCount)
            status["succeeded"] = .countOrOmitted(succeeded)
            status["failed"] = .countOrOmitted(failed)
            status["ready"] = .int(Int64(deleting.isEmpty ? ready : 0))
            status["uncountedTerminatedPods"] = .emptyObject
            return JobPlan(status: status, podsToCreate: 0, podsToDelete: deleting, requeueAfter: nil)
        }

        // A finished Job keeps its status; only its leftover active pods go.
        if conditions.isTrue("Complete") || conditions.isTrue("Failed") {
            return finish(deleting: activeNames, activeCount: 0)
        }

        if spec["suspend"]?.boolValue == true {
            conditions.set(type: "Suspended", status: "True", reason: "JobSuspended", message: "Job suspended", observedGeneration: nil, now: now)
            status["startTime"] = nil
            return finish(deleting: activeNames, activeCount: 0)
        }
        if conditions.condition("Suspended") != nil {
            conditions.set(type: "Suspended", status: "False", reason: "JobResumed", message: "Job resumed", observedGeneration: nil, now: now)
        }

        let startTime = previous["startTime"]?.stringValue.flatMap(KubeTime.parse) ?? now
        status["startTime"] = .string(KubeTime.format(startTime))
        let completions = Int(spec["completions"]?.intValue ?? 1)
        let parallelism = Int(spec["parallelism"]?.intValue ?? 1)
        let backoffLimit = Int(spec["backoffLimit"]?.intValue ?? 6)

        if succeeded >= completions {
            let message = "Reached expected number of succeeded pods"
            conditions.set(type: "SuccessCriteriaMet", status: "True", reason: "CompletionsReached", message: message, observedGeneration: nil, now: now)
            conditions.set(type: "Complete", status: "True", reason: "CompletionsReached", message: message, observedGeneration: nil, now: now)
            let finished = succeededPods.compactMap(PodPhase.finishedAt).max() ?? now
            status["completionTime"] = .string(KubeTime.format(max(finished, startTime)))
            return finish(deleting: activeNames, activeCount: 0)
        }
        if failed > backoffLimit {
            let message = "Job has reached the specified backoff limit"
            conditions.set(type: "FailureTarget", status: "True", reason: "BackoffLimitExceeded", message: message, observedGeneration: nil, now: now)
            conditions.set(type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: message, observedGeneration: nil, now: now)
            return finish(deleting: activeNames, activeCount: 0)
        }
        if let deadline = spec["activeDeadlineSeconds"]?.intValue {
            let remaining = Double(deadline) - now.timeIntervalSince(startTime)
            if remaining <= 0 {
                let message = "Job was active longer than specified deadline"
                conditions.set(type: "FailureTarget", status: "True", reason: "DeadlineExceeded", message: message, observedGeneration: nil, now: now)
                conditions.set(type: "Failed", status: "True", reason: "DeadlineExceeded", message: message, observedGeneration: nil, now: now)
                failed += active.count
                return finish(deleting: activeNames, activeCount: 0)
            }
        }

        let wanted = max(0, min(parallelism, completions - succeeded))
        var plan = finish(deleting: [], activeCount: active.count)
        plan.podsToCreate = max(0, wanted - active.count)
        if let deadline = spec["activeDeadlineSeconds"]?.intValue {
            let remaining = Double(deadline) - now.timeIntervalSince(startTime)
            plan.requeueAfter = .milliseconds(Int64(max(0, remaining) * 1000) + 10)
        }
        succeeded = max(succeeded, 0)
        return plan
    }

    /// The pod a Job creates (name `<job>-<5 random chars>`), from its template, with the Job's
    /// labels and the Job's simulate script unless the template has its own.
    static func pod(for job: JSONValue, suffix: String) -> JSONValue? {
        guard let name = job.name, let uid = job.uid else { return nil }
        let labels: [String: JSONValue] = [
            JobDefaults.controllerUIDLabel: .string(uid), JobDefaults.legacyControllerUIDLabel: .string(uid),
            JobDefaults.jobNameLabel: .string(name), JobDefaults.legacyJobNameLabel: .string(name),
        ]
        let script = job.annotations[simulateAnnotation].map { [simulateAnnotation: JSONValue.string($0)] } ?? [:]
        return OwnedPod.make(owner: job, apiVersion: "batch/v1", kind: "Job", generateName: "\(name)-", suffix: suffix, labels: labels, annotations: script)
    }
}

/// Pod phases and helpers on stored pods.
enum PodPhase {
    static let pending = "Pending"
    static let running = "Running"
    static let succeeded = "Succeeded"
    static let failed = "Failed"

    static func of(_ pod: JSONValue) -> String? { pod[path: ["status", "phase"]]?.stringValue }

    static func isTerminal(_ pod: JSONValue) -> Bool {
        let phase = of(pod)
        return phase == succeeded || phase == failed
    }

    /// The latest `finishedAt` of the pod's terminated containers.
    static func finishedAt(_ pod: JSONValue) -> Date? {
        (pod[path: ["status", "containerStatuses"]]?.arrayValue ?? [])
            .compactMap { $0[path: ["state", "terminated", "finishedAt"]]?.stringValue.flatMap(KubeTime.parse) }
            .max()
    }
}
