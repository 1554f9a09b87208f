import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import SextantAPI

/// Creates MLPipeline runs from a RetrainPolicy's template on its schedule, on manual triggers
/// (`ml.sextant.dev/trigger` annotation), on new dataset versions (`triggers.dataChange`) and on
/// metric breaches (`triggers.metric`), with CronJob semantics for missed schedules, concurrency
/// and history applied to every trigger alike. Trigger sources are polled at their own intervals
/// (`RetrainTriggerSources`), not once per reconcile.
public enum RetrainPolicyController {
    /// TEST-ONLY: seconds added to the wall clock of this controller, so end-to-end tests can
    /// exercise schedules without waiting real minutes. Never set it in production.
    public static let clockOffsetVariable = "SEXTANT_TEST_CLOCK_OFFSET_SECONDS"
    /// TEST-ONLY: seconds the controller waits after deciding to create a run for a data or metric
    /// trigger and before creating it (logged as `trigger run pending`), so crash tests can kill it
    /// in between. Never set it in production.
    public static let triggerRunDelayVariable = "SEXTANT_TEST_TRIGGER_RUN_DELAY_SECONDS"

    /// The controller's clock: now, shifted by `SEXTANT_TEST_CLOCK_OFFSET_SECONDS` when set (tests only).
    static func now() -> Date {
        let offset = ProcessInfo.processInfo.environment[clockOffsetVariable].flatMap(Double.init) ?? 0
        return Date().addingTimeInterval(offset)
    }

    /// The controller, ready to add to a `ControllerManager`.
    public static func make(
        client: KubeClient, namespaces: [String], workers: Int = 2, logger: Logger? = nil,
        triggers: RetrainTriggerSources = .localOnly()
    ) -> Controller<RetrainPolicy> {
        Controller<RetrainPolicy>("retrainpolicy", client: client, namespaces: namespaces, logger: logger) { policy, ctx in
            try await reconcile(policy, ctx: ctx, now: now(), triggers: triggers)
        }
        .owns(MLPipeline.self, labelSelector: SextantLabels.retrainPolicy)
        .workers(workers)
    }

    static func reconcile(
        _ policy: RetrainPolicy, ctx: ReconcileContext<RetrainPolicy>, now: Date, triggers: RetrainTriggerSources = .localOnly()
    ) async throws -> ReconcileAction {
        if policy.isBeingDeleted {
            await RetrainTriggerObserver.forget(policy, sources: triggers)
            return .awaitChange
        }
        // `sextant restore` has not written the status back yet (its schedule cursor among it).
        if RestoreMarker.isPending(policy.metadata.annotations) { return .awaitChange }
        let spec = policy.spec
        let generation = policy.metadata.generation
        let runs = ctx.owned(MLPipeline.self, by: policy)
        let problems = RetrainPolicyValidation.problems(spec)
        var schedule: CronSchedule?
        var invalid: (String, String)?
        if let first = problems.first {
            invalid = first
        } else if let expr = spec.schedule, !expr.isEmpty {
            do {
                schedule = try CronSchedule.parse(expr, timeZone: spec.timeZone)
            } catch {
                invalid = (error.reason, error.message)
            }
        }
        if let (reason, message) = invalid {
            try await ctx.updateStatus(policy) { status in
                var s = status ?? RetrainPolicyStatus()
                s.observedGeneration = generation
                s.nextScheduleTime = nil
                var c = s.conditions ?? []
                c.set(type: "Ready", status: ConditionStatus.false, reason: reason, message: message, observedGeneration: generation, now: now)
                c.set(type: "Suspended", status: spec.suspend == true ? ConditionStatus.true : ConditionStatus.false,
                      reason: spec.suspend == true ? "Suspended" : "NotSuspended", message: "", observedGeneration: generation, now: now)
                s.conditions = c
                status = s
            }
            return .awaitChange
        }

        let status = policy.status
        let observed = await RetrainTriggerObserver.observe(policy, sources: triggers, now: now, logger: ctx.logger)
        let input = RetrainInputs(
            policyName: policy.name,
            created: policy.metadata.creationTimestamp.flatMap(KubeTime.parse) ?? now,
            now: now, schedule: schedule,
            concurrencyPolicy: spec.concurrencyPolicy ?? ConcurrencyPolicy.allow,
            minIntervalSeconds: spec.minIntervalSeconds, startingDeadlineSeconds: spec.startingDeadlineSeconds,
            suspend: spec.suspend ?? false,
            successfulRunsHistoryLimit: spec.successfulRunsHistoryLimit ?? 3,
            failedRunsHistoryLimit: spec.failedRunsHistoryLimit ?? 1,
            cursor: status?.nextScheduleTime.flatMap(KubeTime.parse),
            lastTriggerTime: status?.lastTriggerTime.flatMap(KubeTime.parse),
            triggerValue: policy.metadata.annotations?[RetrainPlanner.triggerAnnotation],
            observedTrigger: status?.observedTrigger,
            runs: runs.map(RetrainRunMapping.run),
            observedDataVersion: status?.observedDataVersion, dataVersion: observed.data,
            handledMetricBreach: status?.metric?.handledBreach, metricBreach: observed.metric?.breach)
        let plan = RetrainPlanner.plan(input)
        let pipelines = ctx.api(MLPipeline.self)

        for name in plan.cancel {
            _ = try await pipelines.patch(name, .merge(["spec": ["cancel": true]]))
        }
        var created: [MLPipeline] = []
        // Runs an earlier pass made that the cache did not show yet: their RunCreated event was sent then.
        var madeBefore: Set<String> = []
        for run in plan.create {
            try await RetrainTriggerObserver.testDelay(before: run, logger: ctx.logger)
            let object = RetrainRunMapping.pipeline(for: policy, run: run)
            do {
                created.append(try await pipelines.create(object))
            } catch where error.isAlreadyExists {
                madeBefore.insert(run.name)
                if let existing = try await pipelines.getOptional(run.name) { created.append(existing) }
            }
        }
        for name in plan.prune {
            _ = try? await pipelines.delete(name, options: DeleteOptions(propagationPolicy: "Background"))
        }
        for (type, reason, note) in plan.events + observed.events {
            if reason == "RunCreated", madeBefore.contains(where: { note.hasPrefix("created run \($0) ") }) { continue }
            await ctx.event(policy, type: type == "Warning" ? .warning : .normal, reason: reason, note: note)
        }

        let lastCreated = plan.create.last ?? plan.adopted.last?.0
        let lastTime = plan.create.isEmpty ? plan.adopted.last?.1 : now
        let known = Set(runs.map(\.name))
        let kept: [MLPipeline] = runs.filter { !plan.prune.contains($0.name) }
        let remaining: [MLPipeline] = kept + created.filter { !known.contains($0.name) }
        let active: [RunReference] = remaining
            .filter { !RetrainRunMapping.run($0).isFinished }
            .sorted { $0.name < $1.name }
            .map { RunReference(name: $0.name, uid: $0.metadata.uid) }
        let succeeded: [RetrainRun] = remaining.map(RetrainRunMapping.run).filter { $0.phase == "Succeeded" }
        let lastSucceeded: String? = succeeded.max { a, b in
            (a.finished ?? a.created, a.name) < (b.finished ?? b.created, b.name)
        }?.name
        let createdCount = Int64(plan.create.count + plan.adopted.count)
        let readyMessage = RetrainPolicyValidation.readyMessage(spec, next: plan.cursor)
        let suspend = spec.suspend ?? false
        var s = policy.status ?? RetrainPolicyStatus()
        s.observedGeneration = generation
        s.nextScheduleTime = plan.cursor.map(KubeTime.format)
        s.observedTrigger = plan.observedTrigger
        if let run = lastCreated, let t = lastTime {
            s.lastTriggerTime = KubeTime.format(t)
            s.lastTrigger = LastTrigger(reason: run.reason, detail: run.detail)
        }
        s.active = active.isEmpty ? nil : active
        if let l = lastSucceeded { s.lastSuccessfulRun = l }
        if createdCount > 0 { s.runsCreated = (s.runsCreated ?? 0) + createdCount }
        s.observedDataVersion = plan.observedDataVersion
        s.metric = RetrainTriggerObserver.metricStatus(observed.metric?.status ?? s.metric, handled: plan.handledMetricBreach,
                                                       hasTrigger: spec.triggers?.metric != nil)
        var c = s.conditions ?? []
        RetrainTriggerObserver.setHealth(&c, observed: observed, generation: generation, now: now)
        c.set(type: "Ready", status: ConditionStatus.true, reason: plan.waitingForReplace ? "Replacing" : "Scheduled",
              message: readyMessage, observedGeneration: generation, now: now)
        c.set(type: "Suspended", status: suspend ? ConditionStatus.true : ConditionStatus.false,
              reason: suspend ? "Suspended" : "NotSuspended",
              message: suspend ? "spec.suspend is true: triggers are skipped" : "", observedGeneration: generation, now: now)
        s.conditions = c
        if s != policy.status {
            // Written against the resourceVersion the plan was made from (no re-read and re-apply):
            // the status holds counters and the handled trigger, so a plan from a stale copy must
            // not land on a newer status. On a conflict, plan again from the fresh object.
            var updated = policy
            updated.status = s
            do {
                _ = try await ctx.api(RetrainPolicy.self).replaceStatus(updated)
            } catch where error.isConflict {
                ctx.logger.debug("status conflict: the cached policy was stale; planning again")
                return .requeue(after: .milliseconds(100))
            }
        }

        if plan.waitingForReplace { return .requeue(after: .seconds(5)) }
        // Wake exactly at the next schedule time or trigger poll (plus a few ms so the time has passed).
        if let delay = TriggerPollTiming.delay(until: [plan.cursor] + observed.nextPolls, now: now) {
            return .requeue(after: delay)
        }
        return .awaitChange
    }
}
