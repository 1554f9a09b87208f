import Crypto
import Foundation
import KubeCore
import SextantAPI

/// The metric half of the closed loop (`MetricTriggerEvaluating`): polls a policy's metric source
/// when due and applies `MetricBreachEvaluator` to the state in `status.metric`.
///
/// Polling is per policy, not per reconcile: the last poll's result is kept in memory (by policy
/// uid, for the trigger spec it was made for) and re-applied on the reconciles in between — which
/// changes nothing, as samples already in `status.metric.observedAt` are skipped — until
/// `pollIntervalSeconds` plus jitter have passed. After a restart the first reconcile polls at once;
/// the window then starts at the persisted `observedAt`, so the breach start and so the run name
/// come out the same.
struct MetricTriggerEvaluator: MetricTriggerEvaluating {
    let sources: MetricSourceFactory
    let cache = MetricPollCache()

    init(sources: MetricSourceFactory) {
        self.sources = sources
    }

    func evaluate(policy: RetrainPolicy, trigger: MetricTrigger, now: Date) async -> MetricTriggerEvaluation {
        guard let evaluator = MetricBreachEvaluator(trigger) else {
            return MetricTriggerEvaluation(breach: nil, status: policy.status?.metric,
                                           health: (ConditionStatus.false, "InvalidTrigger", "metric: set exactly one of below and above"), nextPoll: nil)
        }
        let key = policy.metadata.uid ?? "\(policy.namespace ?? "")/\(policy.name)"
        let interval = MetricPollSchedule.interval(trigger)
        let state = MetricBreachState(policy.status?.metric)
        let poll: MetricPollCache.Entry
        if let cached = await cache.entry(key, trigger: trigger),
           now < MetricPollSchedule.nextPoll(after: cached.polledAt, key: key, interval: interval) {
            poll = cached
        } else {
            let window = MetricPollSchedule.window(now: now, observedAt: state.observedAt, forSeconds: evaluator.forSeconds, interval: interval)
            let result = await Self.query(sources, trigger, window)
            poll = MetricPollCache.Entry(trigger: trigger, polledAt: now, result: result)
            await cache.store(key, poll)
        }
        let evaluation = evaluator.evaluate(state, poll.result, polledAt: poll.polledAt)
        let source = MetricTriggerEvaluator.describe(trigger)
        let breach = evaluation.breach.map { b in
            MetricObservation(
                breachID: b.id,
                detail: "\(source) = \(MetricBreachEvaluator.format(b.value)) \(evaluator.thresholdText) since \(b.id) (\(Int(b.observedAt.timeIntervalSince(b.since)))s, forSeconds \(evaluator.forSeconds))")
        }
        let health = evaluation.health
        return MetricTriggerEvaluation(
            breach: breach, status: evaluation.state.status,
            health: (health.healthy ? ConditionStatus.true : ConditionStatus.false, health.reason,
                     String("metric (\(source)): \(health.message)".prefix(1024))),
            nextPoll: MetricPollSchedule.nextPoll(after: poll.polledAt, key: key, interval: interval))
    }

    func forget(policyUID: String) async {
        await cache.forget(policyUID)
    }

    /// One query; every failure becomes a `.failed` result with a reason.
    static func query(_ sources: MetricSourceFactory, _ trigger: MetricTrigger, _ window: MetricWindow) async -> MetricPollResult {
        do {
            let source = try sources.source(for: trigger)
            return .samples(try await source.samples(in: window))
        } catch ControllerError.metricQuery(let reason, let message) {
            return .failed(reason: reason, message: message)
        } catch {
            return .failed(reason: "QueryFailed", message: "\(error)")
        }
    }

    /// A short name of the metric for messages: the query, or namespace/metric name.
    static func describe(_ trigger: MetricTrigger) -> String {
        let text: String
        if let p = trigger.prometheus { text = p.query }
        else if let c = trigger.cloudWatch { text = "\(c.namespace)/\(c.metricName) \(c.statistic ?? "Average")" }
        else if let g = trigger.cloudMonitoring { text = g.query }
        else if let a = trigger.azureMonitor { text = a.query }
        else { text = "no source" }
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > 160 ? String(flat.prefix(157)) + "…" : flat
    }
}

/// The last poll of each policy's metric source (in memory; `status.metric` holds what must survive
/// a restart).
actor MetricPollCache {
    struct Entry: Sendable {
        /// The trigger spec the poll was made for (an edited trigger polls again at once).
        var trigger: MetricTrigger
        var polledAt: Date
        var result: MetricPollResult
    }

    private var entries: [String: Entry] = [:]

    /// The last poll of `key` for this trigger spec.
    func entry(_ key: String, trigger: MetricTrigger) -> Entry? {
        guard let e = entries[key], e.trigger == trigger else { return nil }
        return e
    }

    func store(_ key: String, _ entry: Entry) { entries[key] = entry }

    func forget(_ key: String) { entries[key] = nil }
}
