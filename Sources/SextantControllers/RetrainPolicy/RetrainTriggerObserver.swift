import Foundation
import KubeCore
import Logging
import SextantAPI

/// What the trigger sources said in one reconcile.
struct ObservedTriggers: Sendable {
    /// The latest data version (cached between polls).
    var data: DataVersionObservation?
    /// `TriggerHealthy` of the data trigger: (status, reason, message).
    var dataHealth: (status: String, reason: String, message: String)?
    /// The metric evaluation (nil without a metric trigger or evaluator).
    var metric: MetricTriggerEvaluation?
    /// Events about the sources (a failing poll).
    var events: [(String, String, String)] = []
    /// When each source is polled next.
    var nextPolls: [Date?] = []
}

/// Glue between the controller and the trigger sources: polls what is due, keeps the status shapes.
enum RetrainTriggerObserver {
    /// Condition type of trigger health.
    static let healthCondition = "TriggerHealthy"

    /// The key of a policy in the pollers: its uid (namespace/name before it has one).
    static func key(_ policy: RetrainPolicy) -> String {
        policy.metadata.uid ?? "\(policy.namespace ?? "")/\(policy.name)"
    }

    /// Polls the policy's sources that are due. A policy without triggers makes no calls.
    static func observe(_ policy: RetrainPolicy, sources: RetrainTriggerSources, now: Date, logger: Logger? = nil) async -> ObservedTriggers {
        var out = ObservedTriggers()
        let key = key(policy)
        if let trigger = policy.spec.triggers?.dataChange,
           let dataset = policy.spec.pipeline.spec.datasets?.first(where: { $0.name == trigger.dataset }) {
            let result = await sources.dataVersions.poll(
                key: key, dataset: trigger.dataset, uri: dataset.uri, format: trigger.format ?? DataChangeFormat.object,
                intervalSeconds: trigger.pollIntervalSeconds ?? 600, now: now)
            out.data = result.observation
            if result.polled {
                logger?.debug("data version read", metadata: [
                    "dataset": "\(trigger.dataset)", "version": "\(result.observation?.version ?? "-")",
                    "failed": "\(result.error != nil)", "next": "\(KubeTime.format(result.nextPoll))",
                ])
            }
            out.nextPolls.append(result.nextPoll)
            if let error = result.error {
                let message = "dataChange: reading the version of dataset \(trigger.dataset) failed: \(error)"
                out.dataHealth = (ConditionStatus.false, "DataVersionUnavailable", String(message.prefix(1024)))
                let wasFailing = policy.status?.conditions?.condition(healthCondition).map { $0.status == ConditionStatus.false } ?? false
                if result.polled && !wasFailing { out.events.append(("Warning", "DataVersionUnavailable", String(message.prefix(1024)))) }
            } else if let seen = result.observation {
                out.dataHealth = (ConditionStatus.true, "Polling",
                                  "dataChange: dataset \(trigger.dataset) is at version \(seen.version)")
            }
        } else {
            await sources.dataVersions.forget(key: key)
        }
        if let trigger = policy.spec.triggers?.metric, let evaluator = sources.metric {
            let evaluation = await evaluator.evaluate(policy: policy, trigger: trigger, now: now)
            out.metric = evaluation
            out.nextPolls.append(evaluation.nextPoll)
        }
        return out
    }

    /// Drops the pollers' state of a deleted policy.
    static func forget(_ policy: RetrainPolicy, sources: RetrainTriggerSources) async {
        await sources.dataVersions.forget(key: key(policy))
        if let uid = policy.metadata.uid { await sources.metric?.forget(policyUID: uid) }
    }

    /// `status.metric`: the evaluator's, with the handled breach of the plan.
    static func metricStatus(_ status: RetrainMetricStatus?, handled: String?, hasTrigger: Bool) -> RetrainMetricStatus? {
        guard hasTrigger else { return nil }
        guard status != nil || handled != nil else { return nil }
        var s = status ?? RetrainMetricStatus()
        s.handledBreach = handled
        return s
    }

    /// Sets `TriggerHealthy` from the data and metric health: False when either is False, True when
    /// one is True; left as it was when neither has a word (nothing polled yet), removed without triggers.
    static func setHealth(_ conditions: inout [Condition], observed: ObservedTriggers, generation: Int64?, now: Date) {
        let parts = [observed.dataHealth, observed.metric?.health].compactMap { $0 }
        if parts.isEmpty {
            if observed.nextPolls.isEmpty { conditions.removeAll { $0.type == healthCondition } }
            return
        }
        let failing = parts.filter { $0.status == ConditionStatus.false }
        let chosen = failing.isEmpty ? parts : failing
        let reason = chosen.first?.reason ?? "Polling"
        let message = chosen.map(\.message).joined(separator: "; ")
        conditions.set(type: healthCondition, status: failing.isEmpty ? ConditionStatus.true : ConditionStatus.false,
                       reason: reason, message: String(message.prefix(2048)), observedGeneration: generation, now: now)
    }

    /// TEST-ONLY pause (`SEXTANT_TEST_TRIGGER_RUN_DELAY_SECONDS`) before creating a data or metric run.
    static func testDelay(before run: PlannedRun, logger: Logger) async throws {
        guard run.reason == TriggerReason.dataChange || run.reason == TriggerReason.metric,
              let seconds = ProcessInfo.processInfo.environment[RetrainPolicyController.triggerRunDelayVariable].flatMap(Double.init),
              seconds > 0 else { return }
        logger.info("trigger run pending", metadata: ["run": "\(run.name)", "reason": "\(run.reason)", "detail": "\(run.detail)"])
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
    }
}
