import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import SextantAPI

/// The I/O of cloud steps: polling on the schedule, starting, stopping, deletion cleanup.
extension MLPipelineController {
    /// Who cloud calls are made for: the run's namespace (with its annotations) and name.
    static func callContext(_ pipeline: MLPipeline, _ ctx: ReconcileContext<MLPipeline>, cloud: CloudWork) async -> CloudCallContext {
        let namespace = pipeline.metadata.namespace ?? ""
        let annotations = await cloud.namespaceAnnotations(namespace, client: ctx.client, logger: ctx.logger)
        return CloudCallContext(namespace: namespace, objectName: pipeline.name, namespaceAnnotations: annotations, logger: ctx.logger)
    }

    /// The unfinished cloud attempts of `pipeline`, observed where due (others keep their last
    /// observation); a job seen succeeded has its outputs read once and its cost computed.
    static func pollCloud(
        _ pipeline: MLPipeline, _ ctx: ReconcileContext<MLPipeline>, cloud: CloudWork, context: CloudCallContext?
    ) async -> [String: CloudAttemptObservation] {
        guard let context else { return [:] }
        var result: [String: CloudAttemptObservation] = [:]
        let now = Date()
        for (attemptKey, attempt) in RunPlanner.unfinishedCloudAttempts(pipeline, nameLimits: cloud.nameLimits) {
            let key = cloud.key(pipeline, attemptKey)
            let entry = await cloud.entry(key)
            guard let backend = cloud.backends[attempt.backend] else { continue }
            // Never confirmed started and nothing known: the planner starts it again (adoption).
            if attempt.recordedID == nil && entry?.observation.job == nil {
                if let e = entry { result[attemptKey] = e.observation }
                continue
            }
            guard await cloud.isDue(key, now: now) else {
                if let e = entry { result[attemptKey] = e.observation }
                continue
            }
            do {
                let job = try await backend.observe(attempt, context: context)
                result[attemptKey] = await finish(key, attempt, job: job, recorded: cloud.record(key, job: job, now: now), backend: backend, cloud: cloud, context: context)
            } catch {
                let e = CloudBackendError.classify(error)
                ctx.logger.info("cloud job observe failed", metadata: ["job": "\(attempt.jobName)", "reason": "\(e.reason)"])
                result[attemptKey] = await cloud.recordError(key, error: e, now: now)
            }
        }
        return result
    }

    /// Adds outputs and cost to the observation of a finished job (outputs once, on success).
    static func finish(
        _ key: String, _ attempt: CloudAttempt, job: CloudJobObservation, recorded: CloudAttemptObservation,
        backend: any CloudTrainingBackend, cloud: CloudWork, context: CloudCallContext
    ) async -> CloudAttemptObservation {
        guard job.state == .succeeded || job.state == .failed || job.state == .stopped else { return recorded }
        let cost = backend.cost(attempt, observation: job, pricing: cloud.pricing)
        guard job.state == .succeeded, recorded.outputs == nil, recorded.outputsError == nil else {
            return await cloud.recordResult(key, outputs: recorded.outputs, outputsError: recorded.outputsError, cost: cost) ?? recorded
        }
        do {
            let outputs = try await backend.outputs(attempt, observation: job, context: context)
            return await cloud.recordResult(key, outputs: outputs, outputsError: nil, cost: cost) ?? recorded
        } catch {
            let e = CloudBackendError.classify(error)
            if e.kind == .unavailable {
                // Reading the outputs failed for now: try again at the next poll.
                return await cloud.recordError(key, error: e, now: Date())
            }
            return await cloud.recordResult(key, outputs: nil, outputsError: e, cost: cost) ?? recorded
        }
    }

    /// Starts (or adopts) one cloud job; returns what the planner needs to know of it.
    static func startCloud(
        _ start: RunPlan.CloudJobToStart, _ pipeline: MLPipeline, _ ctx: ReconcileContext<MLPipeline>,
        cloud: CloudWork, context: CloudCallContext?
    ) async -> CloudAttemptObservation {
        let key = cloud.key(pipeline, start.key)
        let now = Date()
        guard let backend = cloud.backends[start.cloud.backend], let context else {
            return await cloud.recordError(key, error: CloudBackendError(.unavailable, "no \(start.cloud.backend) backend"), now: now)
        }
        do {
            let job = try await backend.start(start.cloud, context: context)
            ctx.logger.info("cloud job started", metadata: ["job": "\(start.cloud.jobName)", "id": "\(job.id ?? "")"])
            return await finish(key, start.cloud, job: job, recorded: cloud.record(key, job: job, now: now), backend: backend, cloud: cloud, context: context)
        } catch {
            let e = CloudBackendError.classify(error)
            ctx.logger.info("cloud job start failed", metadata: ["job": "\(start.cloud.jobName)", "reason": "\(e.reason)"])
            return await cloud.recordError(key, error: e, now: now)
        }
    }

    /// Stops cloud jobs. A `CloudUnavailable` error throws (the reconcile is retried with backoff and
    /// the status is not written, so the stop is planned again); other errors are reported as a
    /// Warning event, since retrying cannot fix them.
    static func stopCloud(
        _ attempts: [CloudAttempt], _ pipeline: MLPipeline, _ ctx: ReconcileContext<MLPipeline>, cloud: CloudWork, context: CloudCallContext?
    ) async throws {
        guard let context else { return }
        for attempt in attempts {
            guard let backend = cloud.backends[attempt.backend] else { continue }
            do {
                try await backend.stop(attempt, context: context)
                await ctx.event(pipeline, reason: "CloudJobStopped", note: "stopped \(attempt.backend) job \(attempt.jobName) (step \(attempt.step), attempt \(attempt.attempt))")
            } catch {
                let e = CloudBackendError.classify(error)
                if e.kind == .unavailable { throw e }
                await ctx.event(pipeline, type: .warning, reason: "CloudJobStopFailed", note: "could not stop \(attempt.backend) job \(attempt.jobName): \(e)".clipped())
            }
        }
    }

    /// A deleted run: stop every unfinished cloud job, then remove the finalizer.
    static func cleanUp(_ pipeline: MLPipeline, _ ctx: ReconcileContext<MLPipeline>, cloud: CloudWork) async throws -> ReconcileAction {
        guard CleanupFinalizer.isPresent(on: pipeline) else { return .awaitChange }
        // The cache can lag behind our own removal: confirm on a fresh read.
        guard let fresh = try await ctx.api.getOptional(pipeline.name), CleanupFinalizer.isPresent(on: fresh) else { return .awaitChange }
        let attempts = RunPlanner.unfinishedCloudAttempts(fresh, nameLimits: cloud.nameLimits).map { $0.attempt }
        if !attempts.isEmpty {
            let context = await callContext(fresh, ctx, cloud: cloud)
            try await stopCloud(attempts, fresh, ctx, cloud: cloud, context: context)
        }
        try await CleanupFinalizer.remove(from: fresh, api: ctx.api)
        await cloud.retain(prefix: cloud.prefix(fresh), keep: [])
        return .awaitChange
    }
}
