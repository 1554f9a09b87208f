import Foundation
import KubeCore
import SextantAPI

// The planner seam for data and metric triggers.
//
// The planner stays pure: trigger *observations* come in through `RetrainInputs`, runs come out in
// `RetrainPlan`. Every observation becomes a `Pending` trigger like a schedule time or a manual
// annotation value, so `suspend`, `minIntervalSeconds` and `concurrencyPolicy` (Allow / Forbid /
// Replace) apply to it by the same code path as to schedules:
//
// - created, or skipped (suspend, minIntervalSeconds, Forbid): the trigger is *handled* — the plan
//   carries the new handled value (`observedDataVersion`, `handledMetricBreach`) for the status,
//   and that value is never offered again (as a missed schedule time is never run later);
// - Replace with active runs: the old runs are cancelled and the trigger stays *unhandled*; the
//   controller offers the same observation again on the next reconcile;
// - its run already exists (created by a pass whose status write was lost, e.g. kill -9): adopted,
//   handled, never created twice. Run names are deterministic for this reason.
//
// Observations are levels, not edges: the controller hands in the latest known observation on every
// reconcile (from its poll cache), and the planner compares it with the handled value from status.
//
// Data (`DataVersionObservation`): the first version seen with no `status.observedDataVersion` is
// the baseline (no run, event `DataVersionBaseline`). A different version is a trigger: run
// `<policy>-<shortHash(version)>`, reason `DataChange`, detail = the version, the dataset's
// `version` pinned in the run (`PlannedRun.pins`).
//
// Metric (`MetricObservation`, from the evaluator in Metric*.swift): offered while the evaluator
// says a breach is due (every sample over `forSeconds` past the threshold). One run per breach:
// `<policy>-<shortHash(breachID)>`, reason `Metric`; a breach equal to `status.metric.handledBreach`
// is not a trigger. Hysteresis (re-arming only after recovery) is the evaluator's: it must give a
// new breach a new `breachID` (its start) only after the value came back.

/// The latest version a `dataChange` trigger's source reported.
struct DataVersionObservation: Sendable, Hashable {
    /// The dataset of the template it belongs to.
    var dataset: String
    /// The version (S3 VersionId, GCS generation, ETag, SHA-256, Delta commit version, DVC md5).
    var version: String
    /// When the source was read.
    var observedAt: Date
}

/// A metric breach that is due to fire.
struct MetricObservation: Sendable, Hashable {
    /// Stable id of the breach: the RFC 3339 time it started. The same breach keeps its id.
    var breachID: String
    /// `status.lastTrigger.detail` and event text, e.g. `avg(model_auc) = 0.81 below 0.85 since …`.
    var detail: String
}

extension RetrainPlanner {
    /// Event reason of a data baseline.
    static let baselineReason = "DataVersionBaseline"

    /// The data and metric triggers of `input` (after manual and schedule ones). Records a data
    /// baseline directly in `plan`.
    static func triggerPending(_ input: RetrainInputs, plan: inout RetrainPlan) -> [Pending] {
        var pending: [Pending] = []
        if let seen = input.dataVersion {
            if let handled = input.observedDataVersion {
                if seen.version != handled {
                    let run = PlannedRun(
                        name: runName(policy: input.policyName, suffix: shortHash(seen.version)), reason: TriggerReason.dataChange,
                        detail: seen.version, pins: [seen.dataset: seen.version])
                    pending.append(Pending(run: run, dataVersion: seen.version))
                }
            } else {
                plan.observedDataVersion = seen.version
                plan.events.append(("Normal", baselineReason,
                    "dataset \(seen.dataset): version \(seen.version) is the baseline; the next new version creates a run"))
            }
        }
        if let breach = input.metricBreach, breach.breachID != input.handledMetricBreach {
            let run = PlannedRun(
                name: runName(policy: input.policyName, suffix: shortHash(breach.breachID)), reason: TriggerReason.metric,
                detail: breach.detail)
            pending.append(Pending(run: run, breachID: breach.breachID))
        }
        return pending
    }
}

/// When a trigger source is polled next: at its `pollIntervalSeconds` after the last poll, plus a
/// jitter of up to 10 % of the interval so that many policies do not poll in step.
enum TriggerPollTiming {
    /// Largest share of the interval added as jitter.
    static let jitterFraction = 0.1

    /// The next poll after one at `last`; `jitter` in [0, 1) picks the share of the jitter.
    static func next(after last: Date, intervalSeconds: Int64, jitter: Double) -> Date {
        let interval = Double(max(1, intervalSeconds))
        let j = min(max(jitter, 0), 1)
        return last.addingTimeInterval(interval + interval * jitterFraction * j)
    }

    /// How long to wait from `now` until the earliest of `times` (nil when there is none), at least 10 ms.
    static func delay(until times: [Date?], now: Date) -> Duration? {
        guard let first = times.compactMap({ $0 }).min() else { return nil }
        let ms = max(10, Int64((first.timeIntervalSince(now) * 1000).rounded(.up)) + 10)
        return .milliseconds(ms)
    }
}
