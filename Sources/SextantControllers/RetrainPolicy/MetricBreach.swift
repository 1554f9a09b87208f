import Foundation
import KubeCore
import SextantAPI

/// One sample of a metric: its time (as the source reports it, whole seconds) and value.
struct MetricSample: Sendable, Hashable {
    var time: Date
    var value: Double
}

/// The outcome of one poll of a metric source.
enum MetricPollResult: Sendable, Hashable {
    /// The samples of the window (may be empty: the query matched nothing).
    case samples([MetricSample])
    /// The query failed: `reason` (CamelCase) and a message without secrets.
    case failed(reason: String, message: String)
}

/// A breach that is due to create a run: its start (whole seconds) and the sample that completed it.
struct MetricBreach: Sendable, Hashable {
    /// `status.metric.breachingSince` of the breach.
    var since: Date
    /// The newest sample, past the threshold for `forSeconds`.
    var value: Double
    var observedAt: Date

    /// The breach id the planner names the run after (`<policy>-<shortHash(id)>`): its start as
    /// stored in status, so a restarted controller computes the same run name and adopts the run.
    var id: String { KubeTime.format(since) }
}

/// The breach state a metric trigger keeps in `status.metric`.
struct MetricBreachState: Sendable, Hashable {
    var value: Double?
    var observedAt: Date?
    var breachingSince: Date?
    /// `breachingSince` of the breach that was handled (its run created, adopted, or skipped by
    /// suspend/minIntervalSeconds/Forbid): it does not fire again.
    var handledBreach: Date?

    init(value: Double? = nil, observedAt: Date? = nil, breachingSince: Date? = nil, handledBreach: Date? = nil) {
        self.value = value
        self.observedAt = observedAt
        self.breachingSince = breachingSince
        self.handledBreach = handledBreach
    }

    /// The state of `status.metric` (absent = nothing seen yet).
    init(_ status: RetrainMetricStatus?) {
        self.init(
            value: status?.value, observedAt: status?.observedAt.flatMap(KubeTime.parse),
            breachingSince: status?.breachingSince.flatMap(KubeTime.parse), handledBreach: status?.handledBreach.flatMap(KubeTime.parse))
    }

    /// `status.metric`.
    var status: RetrainMetricStatus {
        RetrainMetricStatus(
            value: value, observedAt: observedAt.map(KubeTime.format), breachingSince: breachingSince.map(KubeTime.format),
            handledBreach: handledBreach.map(KubeTime.format))
    }
}

/// The `TriggerHealthy` condition a poll leads to.
struct MetricHealth: Sendable, Hashable {
    var healthy: Bool
    var reason: String
    var message: String
}

/// What one evaluation decided.
struct MetricEvaluation: Sendable, Hashable {
    /// The state to write to `status.metric` (before the planner marks a fired breach).
    var state: MetricBreachState
    /// The breach that is due to create a run, if any.
    var breach: MetricBreach?
    var health: MetricHealth
}

/// Pure breach logic of a metric trigger (no I/O, no clock of its own).
///
/// - A sample is *past* the threshold when it is strictly `below`/`above` it.
/// - A breach starts at the first sample past the threshold after one that was not (or after
///   nothing: the first sample seen); any sample that is not past ends it. That is the hysteresis:
///   the trigger re-arms only after the value has come back.
/// - A breach fires once, when the newest sample is at least `forSeconds` after its start and every
///   sample since the start was past the threshold; `handledBreach` then holds its start.
/// - A poll that failed or returned no sample never fires; the state is kept (the next window starts
///   at `observedAt`, so samples in the gap are still seen) and `TriggerHealthy` is False with why.
struct MetricBreachEvaluator: Sendable, Hashable {
    enum Threshold: Sendable, Hashable {
        case below(Double)
        case above(Double)
    }

    var threshold: Threshold
    var forSeconds: Int64

    /// The evaluator of a trigger; nil when it has neither or both of `below`/`above`.
    init?(_ trigger: MetricTrigger) {
        switch (trigger.below, trigger.above) {
        case (let b?, nil): threshold = .below(b)
        case (nil, let a?): threshold = .above(a)
        default: return nil
        }
        forSeconds = max(0, trigger.forSeconds ?? 0)
    }

    init(threshold: Threshold, forSeconds: Int64) {
        self.threshold = threshold
        self.forSeconds = max(0, forSeconds)
    }

    /// Whether `value` is past the threshold (NaN never is).
    func isPast(_ value: Double) -> Bool {
        switch threshold {
        case .below(let t): return value < t
        case .above(let t): return value > t
        }
    }

    /// `below 0.8` / `above 0.3`.
    var thresholdText: String {
        switch threshold {
        case .below(let t): return "below \(Self.format(t))"
        case .above(let t): return "above \(Self.format(t))"
        }
    }

    /// Applies one poll (made at `polledAt`) to `state`.
    func evaluate(_ state: MetricBreachState, _ result: MetricPollResult, polledAt: Date) -> MetricEvaluation {
        var next = state
        let samples: [MetricSample]
        switch result {
        case .failed(let reason, let message):
            return MetricEvaluation(state: next, breach: nil, health: MetricHealth(healthy: false, reason: reason, message: message))
        case .samples(let all):
            samples = all.filter { $0.value.isFinite }
                .map { MetricSample(time: Date(timeIntervalSince1970: floor($0.time.timeIntervalSince1970)), value: $0.value) }
                .sorted { $0.time < $1.time }
        }
        guard let newest = samples.last else {
            return MetricEvaluation(state: next, breach: nil, health: MetricHealth(
                healthy: false, reason: "NoSamples", message: "the query returned no sample (polled at \(KubeTime.format(polledAt)))"))
        }
        // Samples already applied (a window overlaps the previous one) are skipped.
        for sample in samples where state.observedAt.map({ sample.time > $0 }) ?? true {
            if isPast(sample.value) {
                if next.breachingSince == nil { next.breachingSince = sample.time }
            } else {
                next.breachingSince = nil
                next.handledBreach = nil
            }
            next.value = sample.value
            next.observedAt = sample.time
        }
        var breach: MetricBreach?
        var message = "value \(Self.format(next.value ?? newest.value)) at \(KubeTime.format(next.observedAt ?? newest.time)); fires \(thresholdText) for \(forSeconds)s"
        if let since = next.breachingSince, let at = next.observedAt, let value = next.value {
            let held = at.timeIntervalSince(since)
            if next.handledBreach == since {
                message += "; breach since \(KubeTime.format(since)) already fired, re-arms when the value comes back"
            } else if held >= Double(forSeconds) {
                breach = MetricBreach(since: since, value: value, observedAt: at)
                message += "; breach since \(KubeTime.format(since)) fires"
            } else {
                message += "; breaching since \(KubeTime.format(since)) (\(Int(held))s of \(forSeconds)s)"
            }
        }
        return MetricEvaluation(state: next, breach: breach, health: MetricHealth(healthy: true, reason: "Polling", message: message))
    }

    /// A number without a trailing `.0` for integers.
    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }
}
