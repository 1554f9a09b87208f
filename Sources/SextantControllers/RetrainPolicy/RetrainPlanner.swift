import Crypto
import Foundation
import KubeCore
import SextantAPI

/// A run (MLPipeline) created by a retrain policy, as the planner sees it.
struct RetrainRun: Sendable, Hashable {
    var name: String
    var uid: String
    /// `status.phase` (nil = not started yet).
    var phase: String?
    var created: Date
    var finished: Date?
    /// `spec.cancel` is already true.
    var cancelRequested: Bool

    var isFinished: Bool { phase == "Succeeded" || phase == "Failed" || phase == "Cancelled" }
}

/// Everything one reconcile of a policy decides on.
struct RetrainInputs: Sendable {
    var policyName: String
    var created: Date
    var now: Date
    /// nil when there is no schedule (or it is invalid).
    var schedule: CronSchedule?
    var concurrencyPolicy: String
    var minIntervalSeconds: Int64?
    var startingDeadlineSeconds: Int64?
    var suspend: Bool
    var successfulRunsHistoryLimit: Int
    var failedRunsHistoryLimit: Int
    /// `status.nextScheduleTime`: the first schedule time not yet handled.
    var cursor: Date?
    var lastTriggerTime: Date?
    /// Current value of the `ml.sextant.dev/trigger` annotation.
    var triggerValue: String?
    /// The annotation value the last manual trigger handled (status).
    var observedTrigger: String?
    var runs: [RetrainRun]
    /// `status.observedDataVersion`: the version the data trigger last handled (nil = no baseline yet).
    var observedDataVersion: String? = nil
    /// The latest version the dataChange source reported (nil = not polled successfully yet).
    var dataVersion: DataVersionObservation? = nil
    /// `status.metric.handledBreach`: the breach the metric trigger last handled.
    var handledMetricBreach: String? = nil
    /// A breach the metric evaluator says is due (nil = none).
    var metricBreach: MetricObservation? = nil
}

/// A run to create.
struct PlannedRun: Sendable, Hashable {
    var name: String
    /// `Schedule` or `Manual`.
    var reason: String
    var detail: String
    /// Dataset versions to pin in the run's `spec.datasets` (dataset name → version).
    var pins: [String: String] = [:]
}

/// What the reconcile must do.
struct RetrainPlan: Sendable {
    var create: [PlannedRun] = []
    /// Active runs to cancel (`spec.cancel: true`) for concurrencyPolicy Replace.
    var cancel: [String] = []
    /// A trigger waits for replaced runs to report Cancelled.
    var waitingForReplace = false
    /// Finished runs beyond the history limits, oldest first.
    var prune: [String] = []
    /// Events: (type, reason, note).
    var events: [(String, String, String)] = []
    /// New `status.nextScheduleTime`.
    var cursor: Date?
    /// New handled manual trigger value.
    var observedTrigger: String?
    /// Runs of pending triggers that already exist (made before a restart): recorded, not created again.
    var adopted: [(PlannedRun, Date)] = []
    /// New `status.observedDataVersion`.
    var observedDataVersion: String?
    /// New `status.metric.handledBreach`.
    var handledMetricBreach: String?
}

/// Pure decisions of the RetrainPolicy controller: which trigger fires, which is skipped and why,
/// what to prune. CronJob semantics for schedules: of the schedule times missed since the last
/// handled one, only the most recent can run, and only within `startingDeadlineSeconds`.
enum RetrainPlanner {
    static let triggerAnnotation = "ml.sextant.dev/trigger"

    /// A trigger that wants a run.
    struct Pending {
        var run: PlannedRun
        /// The manual annotation value it handles.
        var manualValue: String? = nil
        /// The schedule time it handles.
        var scheduled: Date? = nil
        /// The data version it handles.
        var dataVersion: String? = nil
        /// The metric breach it handles.
        var breachID: String? = nil
    }

    static func plan(_ input: RetrainInputs) -> RetrainPlan {
        var plan = RetrainPlan()
        plan.observedTrigger = input.observedTrigger
        plan.observedDataVersion = input.observedDataVersion
        plan.handledMetricBreach = input.handledMetricBreach
        var pending: [Pending] = []

        if let value = input.triggerValue, !value.isEmpty, value != input.observedTrigger {
            let run = PlannedRun(
                name: runName(policy: input.policyName, suffix: shortHash(value)), reason: TriggerReason.manual,
                detail: "annotation \(triggerAnnotation)=\(value)")
            pending.append(Pending(run: run, manualValue: value))
        }

        if let schedule = input.schedule {
            let earliest = input.cursor.map { $0.addingTimeInterval(-1) } ?? input.created
            let missed = schedule.mostRecentScheduleTime(since: earliest, until: input.now)
            plan.cursor = schedule.next(after: input.now)
            if missed.tooMany {
                plan.events.append(("Warning", "TooManyMissedSchedules",
                    "more than \(CronSchedule.missedScheduleLimit) schedule times were missed; only the most recent is considered (set or lower startingDeadlineSeconds, or check the clock)"))
            }
            if let s = missed.mostRecent {
                let late = input.now.timeIntervalSince(s)
                let count = missed.tooMany ? "more than \(CronSchedule.missedScheduleLimit)" : String(missed.count)
                let missedNote = missed.count > 1 ? " (\(count) schedule times were missed; only the most recent runs)" : ""
                if let deadline = input.startingDeadlineSeconds, late > Double(deadline) {
                    plan.events.append(("Warning", "DeadlineMissed",
                        "skipped Schedule trigger for \(KubeTime.format(s)): \(Int(late))s late, startingDeadlineSeconds is \(deadline)\(missedNote)"))
                } else {
                    let minute = Int64(floor(s.timeIntervalSince1970 / 60))
                    let run = PlannedRun(
                        name: runName(policy: input.policyName, suffix: String(minute)), reason: TriggerReason.schedule,
                        detail: "schedule \"\(schedule.expression)\" at \(KubeTime.format(s))\(missedNote)")
                    pending.append(Pending(run: run, scheduled: s))
                }
            }
        }

        pending += triggerPending(input, plan: &plan)

        var active = input.runs.filter { !$0.isFinished }
        var lastTrigger = input.lastTriggerTime
        let existing = Dictionary(input.runs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for p in pending {
            let run = p.run
            let consume = { (plan: inout RetrainPlan) in
                if let v = p.manualValue { plan.observedTrigger = v }
                if let v = p.dataVersion { plan.observedDataVersion = v }
                if let b = p.breachID { plan.handledMetricBreach = b }
            }
            if let made = existing[run.name] {
                // Created by an earlier pass whose status write did not happen (e.g. a restart): adopt, never create twice.
                plan.adopted.append((run, made.created))
                consume(&plan)
                continue
            }
            if input.suspend {
                plan.events.append(("Normal", "Suspended", "skipped \(run.reason) trigger (\(run.detail)): the policy is suspended"))
                consume(&plan)
                continue
            }
            if let minInterval = input.minIntervalSeconds, let last = lastTrigger,
               input.now.timeIntervalSince(last) < Double(minInterval) {
                plan.events.append(("Normal", "MinInterval",
                    "skipped \(run.reason) trigger (\(run.detail)): the last run started \(Int(input.now.timeIntervalSince(last)))s ago, minIntervalSeconds is \(minInterval)"))
                consume(&plan)
                continue
            }
            if !active.isEmpty && input.concurrencyPolicy == ConcurrencyPolicy.forbid {
                plan.events.append(("Normal", "Forbid",
                    "skipped \(run.reason) trigger (\(run.detail)): \(active.map(\.name).joined(separator: ", ")) still active and concurrencyPolicy is Forbid"))
                consume(&plan)
                continue
            }
            if !active.isEmpty && input.concurrencyPolicy == ConcurrencyPolicy.replace {
                let toCancel = active.filter { !$0.cancelRequested && !plan.cancel.contains($0.name) }.map(\.name)
                plan.cancel += toCancel
                if !toCancel.isEmpty {
                    plan.events.append(("Normal", "Replacing",
                        "cancelling \(toCancel.joined(separator: ", ")) for \(run.reason) trigger (\(run.detail)); the new run starts once it reports Cancelled"))
                }
                plan.waitingForReplace = true
                if let s = p.scheduled { plan.cursor = s }  // not handled yet: look at it again
                continue
            }
            plan.create.append(run)
            plan.events.append(("Normal", "RunCreated", "created run \(run.name) for \(run.reason) trigger (\(run.detail))"))
            consume(&plan)
            active.append(RetrainRun(name: run.name, uid: "", phase: nil, created: input.now, finished: nil, cancelRequested: false))
            lastTrigger = input.now
        }
        plan.prune = prune(input.runs, successful: input.successfulRunsHistoryLimit, failed: input.failedRunsHistoryLimit)
        return plan
    }

    /// Finished runs to delete beyond the limits, oldest first (Cancelled counts as failed).
    static func prune(_ runs: [RetrainRun], successful: Int, failed: Int) -> [String] {
        func order(_ a: RetrainRun, _ b: RetrainRun) -> Bool {
            (a.finished ?? a.created, a.created, a.name) < (b.finished ?? b.created, b.created, b.name)
        }
        let succeeded = runs.filter { $0.phase == "Succeeded" }.sorted(by: order)
        let failedRuns = runs.filter { $0.phase == "Failed" || $0.phase == "Cancelled" }.sorted(by: order)
        return Array(succeeded.dropLast(max(0, successful)).map(\.name)) + Array(failedRuns.dropLast(max(0, failed)).map(\.name))
    }

    /// `<policy>-<suffix>`, cut to 63 characters with a short hash of the full name when longer.
    static func runName(policy: String, suffix: String) -> String {
        let full = "\(policy)-\(suffix)"
        guard full.count > 63 else { return full }
        let hash = shortHash(full)
        return String(full.prefix(63 - hash.count - 1)) + "-" + hash
    }

    /// First 10 hex digits of the SHA-256 of `value`.
    static func shortHash(_ value: String) -> String {
        SHA256.hash(data: Data(value.utf8)).prefix(5).map { String(format: "%02x", $0) }.joined()
    }
}
