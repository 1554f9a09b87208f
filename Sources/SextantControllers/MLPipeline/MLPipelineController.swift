import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import SextantAPI

/// The MLPipeline controller: runs each pipeline's DAG as Jobs (see `RunPlanner` for the logic).
public enum MLPipelineController {
    static let childSelector = "\(SextantLabels.managedBy)=\(SextantLabels.managedByValue)"

    /// The controller, watching MLPipelines, the Jobs they own and the pods of those Jobs.
    public static func make(client: KubeClient, options: ControllerOptions) -> Controller<MLPipeline> {
        Controller<MLPipeline>("mlpipeline", client: client, namespaces: options.namespaces) { pipeline, ctx in
            try await reconcile(pipeline, ctx)
        }
        .owns(Job.self, labelSelector: childSelector)
        .watches(Pod.self, labelSelector: "\(childSelector),\(SextantLabels.pipeline)") { pod in
            guard let name = pod.metadata.labels?[SextantLabels.pipeline] else { return [] }
            return [ObjectKey(namespace: pod.metadata.namespace, name: name)]
        }
        .workers(options.workers)
    }

    /// One reconcile pass.
    static func reconcile(_ pipeline: MLPipeline, _ ctx: ReconcileContext<MLPipeline>) async throws -> ReconcileAction {
        var obs = observe(pipeline, ctx)
        var plan = RunPlanner.plan(pipeline, obs)

        for job in plan.createJobs {
            guard let desired = JobBuilder.desiredJob(for: pipeline, step: job.resolved, attempt: job.attempt) else { continue }
            do {
                _ = try await ctx.api(Job.self).create(desired)
            } catch where error.isAlreadyExists {
                ctx.logger.debug("job already exists; adopting", metadata: ["job": "\(desired.name)"])
            }
        }
        for name in plan.deleteJobs {
            do {
                _ = try await ctx.api(Job.self).delete(name, options: DeleteOptions(propagationPolicy: "Background"))
            } catch where error.isNotFound {}
        }
        if plan.needsRegistration {
            // Record the steps' final state first, so registration reads the outputs from status.
            let written = try await ctx.updateStatus(pipeline) { [status = plan.status] in $0 = status }
            let modelVersion = try await ModelRegistration.register(written, api: ctx.api(ModelVersion.self))
            var registered = written
            var lineage = registered.status?.lineage ?? Lineage()
            lineage.modelVersion = modelVersion
            registered.status?.lineage = lineage
            // Events in the order things happened: the steps' (StepSucceeded of the step the model
            // came from), then the registration, then what the run did after it.
            var events = plan.events
            if let modelVersion {
                events.append(RunPlan.PlannedEvent(warning: false, reason: "ModelRegistered", note: "registered ModelVersion \(modelVersion)"))
            }
            obs.now = Date()
            plan = RunPlanner.plan(registered, obs)
            plan.events = events + plan.events
            _ = try await ctx.updateStatus(written) { [status = plan.status] in $0 = status }
        } else {
            _ = try await ctx.updateStatus(pipeline) { [status = plan.status] in $0 = status }
        }
        for e in plan.events {
            await ctx.event(pipeline, type: e.warning ? .warning : .normal, reason: e.reason, note: e.note)
        }
        if let after = plan.requeueAfter {
            return .requeue(after: .milliseconds(Int64(after * 1000)))
        }
        return .awaitChange
    }

    /// Jobs and pods of this run from the caches, and a cache lookup over the namespace's runs.
    static func observe(_ pipeline: MLPipeline, _ ctx: ReconcileContext<MLPipeline>) -> RunObservation {
        let jobs = ctx.owned(Job.self, by: pipeline)
        let namespace = pipeline.metadata.namespace ?? ""
        let pods = ctx.cache(Pod.self)?.list(namespace: namespace) ?? []
        var podsByJob: [String: [Pod]] = [:]
        for pod in pods {
            if let owner = pod.metadata.controllerReference, owner.kind == "Job" { podsByJob[owner.name, default: []].append(pod) }
        }
        var observed: [String: JobObservation] = [:]
        for job in jobs { observed[job.name] = JobObservation(job: job, pods: podsByJob[job.name] ?? []) }
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
