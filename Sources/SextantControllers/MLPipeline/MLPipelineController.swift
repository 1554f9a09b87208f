import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import SextantAPI

/// The MLPipeline controller: runs each pipeline's DAG as Jobs (see `RunPlanner` for the logic).
public enum MLPipelineController {
    static let childSelector = "\(SextantLabels.managedBy)=\(SextantLabels.managedByValue)"
    /// The pods the controller watches: those whose phase is past Running.
    static let endedPodSelector = "status.phase!=Pending,status.phase!=Running"

    /// The controller, watching MLPipelines, the Jobs they own and the pods of those Jobs. Cloud
    /// steps run on `config.backends`; cost is priced with `config.pricing`.
    public static func make(client: KubeClient, options: ControllerOptions, config: SextantControllerConfig = SextantControllerConfig()) -> Controller<MLPipeline> {
        let cloud = CloudWork(backends: config.backends, pricing: config.pricing, schedule: config.pollSchedule)
        let tracker = config.tracker
        let lineage = config.lineage
        let graphs = PipelineGraphCache()
        return Controller<MLPipeline>("mlpipeline", client: client, namespaces: options.namespaces) { pipeline, ctx in
            try await reconcile(pipeline, ctx, cloud: cloud, tracker: tracker, lineage: lineage, graphs: graphs)
        }
        // Views of Jobs and pods (ChildViews.swift): only the fields observe() reads are decoded and cached.
        .owns(JobView.self, labelSelector: childSelector)
        // Only pods that ended: the controller reads nothing but a terminated container's state
        // (restartPolicy Never: it comes with phase Succeeded or Failed), so the pending and
        // running updates of every pod are neither sent, decoded nor cached.
        .watches(PodView.self, labelSelector: "\(childSelector),\(SextantLabels.pipeline)", fieldSelector: endedPodSelector) { pod in
            guard let name = pod.metadata.labels?[SextantLabels.pipeline] else { return [] }
            return [ObjectKey(namespace: pod.metadata.namespace, name: name)]
        }
        .workers(options.workers)
    }

    /// One reconcile pass: observe (caches, due cloud polls), make sure the tracking run exists,
    /// plan, act (Jobs, cloud starts and stops, re-planning once a start's result is known), send
    /// tracking, write status once, keep the finalizer, queue the OpenLineage events of what changed.
    /// `graphs` keeps the validated DAG of a running pipeline between passes (forgotten once the
    /// run is finished or deleted).
    static func reconcile(_ pipeline: MLPipeline, _ ctx: ReconcileContext<MLPipeline>, cloud: CloudWork,
                          tracker: RunTracker? = nil, lineage: OpenLineageEmitter? = nil,
                          graphs: PipelineGraphCache? = nil) async throws -> ReconcileAction {
        if pipeline.isBeingDeleted {
            if let uid = pipeline.metadata.uid {
                await tracker?.forget(uid: uid)
                graphs?.forget(uid: uid)
            }
            return try await cleanUp(pipeline, ctx, cloud: cloud)
        }
        // `sextant restore` has not written the status back yet: acting now would re-run a finished run.
        if RestoreMarker.isPending(pipeline.metadata.annotations) { return .awaitChange }
        var obs = observe(pipeline, ctx)
        obs.cloudBackends = cloud.kinds
        obs.cloudNameLimits = cloud.nameLimits
        obs.pricing = cloud.pricing
        obs.graphs = graphs
        var events: [RunPlan.PlannedEvent] = []
        var current = try await ensureTrackingRun(pipeline, ctx, tracker: tracker, events: &events)
        var context: CloudCallContext?
        if RunPlanner.hasUnfinishedCloudWork(pipeline.status) {
            context = await callContext(pipeline, ctx, cloud: cloud)
            obs.cloudJobs = await pollCloud(pipeline, ctx, cloud: cloud, context: context)
        }
        var plan = RunPlanner.plan(current, obs)
        var created = Set<String>(), started = Set<String>(), stopped = Set<String>()
        for _ in 0..<4 {
            for job in plan.createJobs where !created.contains(job.resolved.step.name + "/\(job.attempt)") {
                created.insert(job.resolved.step.name + "/\(job.attempt)")
                guard let desired = JobBuilder.desiredJob(for: current, step: job.resolved, attempt: job.attempt) else { continue }
                do {
                    try await ctx.api(Job.self).createDiscardingAnswer(desired)
                } catch where error.isAlreadyExists {
                    ctx.logger.debug("job already exists; adopting", metadata: ["job": "\(desired.name)"])
                }
            }
            for name in plan.deleteJobs {
                do {
                    _ = try await ctx.api(Job.self).delete(name, options: DeleteOptions(propagationPolicy: "Background"))
                } catch where error.isNotFound {}
            }
            let stops = plan.stopCloudJobs.filter { !stopped.contains($0.jobName) }
            if !stops.isEmpty {
                if context == nil { context = await callContext(pipeline, ctx, cloud: cloud) }
                try await stopCloud(stops, pipeline, ctx, cloud: cloud, context: context)
                stopped.formUnion(stops.map(\.jobName))
            }
            let starts = plan.startCloudJobs.filter { !started.contains($0.key) }
            guard !starts.isEmpty else { break }
            // The finalizer is on the run before any cloud job can exist.
            current = try await CleanupFinalizer.add(to: current, api: ctx.api)
            if context == nil { context = await callContext(pipeline, ctx, cloud: cloud) }
            for start in starts {
                started.insert(start.key)
                obs.cloudJobs[start.key] = await startCloud(start, pipeline, ctx, cloud: cloud, context: context)
            }
            // Re-plan with what the starts returned (ids, URLs, errors), from the planned status.
            events += plan.events
            var planned = current
            planned.status = plan.status
            obs.now = Date()
            plan = RunPlanner.plan(planned, obs)
        }
        if plan.needsRegistration {
            // Record the steps' final state first, so registration reads the outputs from status.
            let written = try await ctx.updateStatus(current) { [status = plan.status] in $0 = status }
            let modelVersion = try await ModelRegistration.register(written, api: ctx.api(ModelVersion.self))
            var registered = written
            var lineage = registered.status?.lineage ?? Lineage()
            lineage.modelVersion = modelVersion
            registered.status?.lineage = lineage
            // Events in the order things happened: the steps' (StepSucceeded of the step the model
            // came from), then the registration, then what the run did after it.
            events += plan.events
            if let modelVersion {
                events.append(RunPlan.PlannedEvent(warning: false, reason: "ModelRegistered", note: "registered ModelVersion \(modelVersion)"))
            }
            obs.now = Date()
            plan = RunPlanner.plan(registered, obs)
            await syncTracking(registered, plan: &plan, tracker: tracker)
            current = try await ctx.updateStatus(written) { [status = plan.status] in $0 = status }
        } else {
            await syncTracking(current, plan: &plan, tracker: tracker)
            current = try await ctx.updateStatus(current) { [status = plan.status] in $0 = status }
        }
        events += plan.events
        if let uid = pipeline.metadata.uid, let phase = plan.status.phase, RunPlanner.terminalRun.contains(phase) {
            graphs?.forget(uid: uid)
        }
        // OpenLineage: the transitions this pass wrote (queued, never waited on).
        lineage?.record(pipeline: pipeline, previous: pipeline.status, current: plan.status)
        let unfinished = RunPlanner.hasUnfinishedCloudWork(plan.status)
        if unfinished && !CleanupFinalizer.isPresent(on: current) {
            _ = try await CleanupFinalizer.add(to: current, api: ctx.api)
        } else if !unfinished && CleanupFinalizer.isPresent(on: current) {
            try await CleanupFinalizer.remove(from: current, api: ctx.api)
        }
        if !started.isEmpty || obs.cloudJobs.isEmpty == false {
            var final = current
            final.status = plan.status
            let keep = Set(RunPlanner.unfinishedCloudAttempts(final, nameLimits: cloud.nameLimits).map { cloud.key(pipeline, $0.key) })
            await cloud.retain(prefix: cloud.prefix(pipeline), keep: keep)
        }
        for e in events {
            await ctx.event(pipeline, type: e.warning ? .warning : .normal, reason: e.reason, note: e.note)
        }
        if let after = plan.requeueAfter {
            return .requeue(after: .milliseconds(Int64(after * 1000)))
        }
        return .awaitChange
    }

    /// Jobs and pods of this run from the caches (index lookups), and a cache lookup over the namespace's runs.
    static func observe(_ pipeline: MLPipeline, _ ctx: ReconcileContext<MLPipeline>) -> RunObservation {
        let jobs = ctx.owned(JobView.self, by: pipeline)
        let namespace = pipeline.metadata.namespace ?? ""
        // Pods by their owning Job's uid (the cache's owner index), not a scan of the namespace.
        let pods = ctx.cache(PodView.self)
        var observed: [String: JobObservation] = [:]
        for job in jobs { observed[job.name] = JobObservation(job: job.job, pods: (pods?.owned(by: job.uid) ?? []).map(\.pod)) }
        let store = ctx.store
        let now = Date()
        return RunObservation(jobs: observed, now: now) { key, maxAge in
            cacheLookup(key: key, maxAgeSeconds: maxAge, runs: store.list(namespace: namespace), now: now)
        }
    }

    /// The most recent Succeeded step with `key` in `runs` younger than `maxAgeSeconds`.
    public static func cacheLookup(key: String, maxAgeSeconds: Int64?, runs: [MLPipeline], now: Date) -> CacheEntry? {
        var best: (at: Date, entry: CacheEntry)?
        for run in runs {
            for step in run.status?.steps ?? [] where step.cacheKey == key && step.phase == StepPhase.succeeded {
                let at = step.attempts?.last?.finishedAt.flatMap(KubeTime.parse)
                    ?? run.status?.startedAt.flatMap(KubeTime.parse) ?? .distantPast
                if let maxAgeSeconds, now.timeIntervalSince(at) > TimeInterval(maxAgeSeconds) { continue }
                let from = step.cached == true ? (step.cachedFrom ?? "\(run.name)/\(step.name)") : "\(run.name)/\(step.name)"
                if best == nil || at > (best?.at ?? .distantPast) { best = (at, CacheEntry(from: from, outputs: step.outputs)) }
            }
        }
        return best?.entry
    }
}
