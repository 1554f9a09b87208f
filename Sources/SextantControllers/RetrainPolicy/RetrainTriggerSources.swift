import Foundation
import Logging
import SextantAPI

/// What the metric half of the closed loop gives the RetrainPolicy controller on each reconcile of
/// a policy with `spec.triggers.metric` (implemented in Metric*.swift).
struct MetricTriggerEvaluation: Sendable {
    /// A breach due to fire (every sample over `forSeconds` past the threshold), or nil. The planner
    /// turns it into at most one run per `breachID`, under suspend/minInterval/concurrencyPolicy.
    var breach: MetricObservation?
    /// `status.metric` to write (the controller sets `handledBreach` from the plan on top).
    var status: RetrainMetricStatus?
    /// Condition `TriggerHealthy` for the metric trigger: nil = no opinion; else (status, reason, message),
    /// e.g. `("True", "Polling", …)` or `("False", "QueryFailed", …)`.
    var health: (status: String, reason: String, message: String)?
    /// When the metric source is polled next (the controller requeues for the earliest poll).
    var nextPoll: Date?
}

/// Evaluates a policy's metric trigger: polls its source when due (at `pollIntervalSeconds`, with
/// jitter) and applies the breach/hysteresis rules. Never throws: a failed query is reported in
/// `health` and yields no breach.
protocol MetricTriggerEvaluating: Sendable {
    /// The evaluation at `now` for `policy` (whose `spec.triggers.metric` is set and valid).
    /// `policy.status?.metric` holds the state persisted by earlier passes.
    func evaluate(policy: RetrainPolicy, trigger: MetricTrigger, now: Date) async -> MetricTriggerEvaluation
    /// Drops in-memory state of a policy (by uid).
    func forget(policyUID: String) async
}

/// The trigger sources the RetrainPolicy controller polls.
public struct RetrainTriggerSources: Sendable {
    let dataVersions: DataVersionPoller
    let metric: (any MetricTriggerEvaluating)?

    init(dataVersions: DataVersionPoller, metric: (any MetricTriggerEvaluating)?) {
        self.dataVersions = dataVersions
        self.metric = metric
    }

    /// Sources for `file://` only and no metric evaluator (tests, tools).
    public static func localOnly() -> RetrainTriggerSources {
        RetrainTriggerSources(dataVersions: DataVersionPoller(reader: DataVersionReader([DataVersionFileStore()])), metric: nil)
    }
}
