import Foundation
import KubeCore
import SextantAPI

/// The pure state machine of an MLPipeline run: from the stored status and what was observed
/// (Jobs, pods, cache), computes the next status and the side effects. No I/O.
public enum RunPlanner {
    static let terminalRun: Set<String> = [PipelinePhase.succeeded, PipelinePhase.failed, PipelinePhase.cancelled]

    /// The next status and actions for `pipeline`.
    public static func plan(_ pipeline: MLPipeline, _ obs: RunObservation) -> RunPlan {
        var status = pipeline.status ?? MLPipelineStatus()
        let generation = pipeline.metadata.generation
        status.observedGeneration = generation
        var plan = RunPlan(status: status)
        if let phase = status.phase, terminalRun.contains(phase) { return plan }
        let now = obs.now
        let nowText = KubeTime.format(now)

        let graph: PipelineGraph
        do {
            graph = try obs.graphs?.graph(for: pipeline) ?? PipelineGraph(validating: pipeline.spec)
        } catch {
            let e = (error as? SextantAPIError) ?? .invalidPipeline(reason: "InvalidSpec", message: String(describing: error))
            status.phase = PipelinePhase.failed
            status.finishedAt = status.finishedAt ?? nowText
            var conditions = status.conditions ?? []
            conditions.set(type: "Ready", status: ConditionStatus.false, reason: e.reason, message: e.message.clipped(), observedGeneration: generation, now: now)
            conditions.set(type: "Succeeded", status: ConditionStatus.false, reason: e.reason, message: e.message.clipped(), observedGeneration: generation, now: now)
            status.conditions = conditions
            plan.status = status
            plan.event(e.reason, e.message.clipped(), warning: true)
            return plan
        }

        var steps: [String: StepStatus] = Dictionary((status.steps ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for step in graph.steps where steps[step.name] == nil {
            steps[step.name] = StepStatus(name: step.name, phase: StepPhase.pending)
        }
        if status.startedAt == nil {
            status.startedAt = nowText
            plan.event("Started", "run started with \(graph.steps.count) steps")
        }
        let startedAt = status.startedAt.flatMap(KubeTime.parse) ?? now
        let jobName = { (step: String, attempt: Int) in
            DerivedName.job(pipeline: pipeline.metadata.name ?? "", step: step, attempt: attempt)
        }
        var outputs: [String: OutputValues] {
            var o: [String: OutputValues] = [:]
            for (n, s) in steps where s.phase == StepPhase.succeeded { o[n] = s.outputs ?? OutputValues() }
            return o
        }

        // 1. Follow attempts that exist.
        for step in graph.steps {
            guard var s = steps[step.name] else { continue }
            let limit = step.retry?.retryLimit ?? 0
            // Adopt Jobs a previous incarnation created but did not record.
            if s.phase == StepPhase.pending, let j = obs.jobs[jobName(step.name, 0)] {
                s.phase = StepPhase.running
                s.attempts = [AttemptStatus(attempt: 0, job: j.name, startedAt: j.startedAt ?? nowText, phase: StepPhase.running)]
            }
            if s.phase == StepPhase.running || s.phase == StepPhase.retrying, var attempts = s.attempts, var last = attempts.last {
                while let next = obs.jobs[jobName(step.name, last.attempt + 1)] {
                    if !StepPhase.terminal.contains(last.phase) {
                        last.phase = StepPhase.failed
                        last.finishedAt = last.finishedAt ?? nowText
                    }
                    attempts[attempts.count - 1] = last
                    last = AttemptStatus(attempt: last.attempt + 1, job: next.name, startedAt: next.startedAt ?? nowText, phase: StepPhase.running)
                    attempts.append(last)
                    s.phase = StepPhase.running
                }
                s.attempts = attempts
            }
            if s.phase == StepPhase.running, var attempts = s.attempts, var last = attempts.last, last.job != nil || last.cloudJob != nil {
                var failure: Failure?
                if let job = last.job {
                    recreateLostJob(step, attempt: last, pipeline: pipeline, outputs: outputs, obs: obs, plan: &plan)
                    failure = followJob(step, job: job, &s, &last, obs: obs, plan: &plan)
                } else {
                    failure = followCloud(step, &s, &last, pipeline: pipeline, status: status, obs: obs, plan: &plan)
                }
                if let failure {
                    last.phase = StepPhase.failed
                    last.finishedAt = failure.finishedAt ?? nowText
                    last.reason = failure.reason
                    last.message = failure.message.clipped()
                    s.cost = CostEstimator.add(s.cost, failure.cost)
                    if last.attempt < limit && !failure.terminal {
                        s.phase = StepPhase.retrying
                        let delay = step.retry?.delaySeconds(beforeRetry: last.attempt) ?? 0
                        plan.event("StepRetrying", "step \(step.name) attempt \(last.attempt) failed (\(failure.reason)); retrying in \(delay)s", warning: true)
                    } else {
                        s.phase = StepPhase.failed
                        plan.event("StepFailed", "step \(step.name) failed after \(last.attempt + 1) attempt(s): \(failure.reason): \(failure.message)".clipped(), warning: true)
                    }
                }
                attempts[attempts.count - 1] = last
                s.attempts = attempts
            }
            steps[step.name] = s
        }

        let cancelling = pipeline.spec.cancel == true
        let deadline = pipeline.spec.timeoutSeconds.map { startedAt.addingTimeInterval(TimeInterval($0)) }
        let timedOut = deadline.map { $0 <= now } ?? false

        if cancelling || timedOut {
            // 2a. Stop everything that has not finished.
            let reason = cancelling ? MLPipelineReason.cancelled : MLPipelineReason.runTimeout
            for step in graph.steps {
                guard var s = steps[step.name], !StepPhase.terminal.contains(s.phase) else { continue }
                if var attempts = s.attempts, var last = attempts.last, !StepPhase.terminal.contains(last.phase) {
                    if let job = last.job { plan.deleteJobs.append(job) }
                    if last.cloudJob != nil, let a = cloudAttempt(of: step, attempt: last, pipeline: pipeline, status: status, nameLimits: obs.cloudNameLimits) {
                        // Never start (adopt) what is being stopped in the same pass.
                        plan.startCloudJobs.removeAll { $0.step == step.name }
                        plan.stopCloudJobs.append(a)
                    }
                    last.phase = StepPhase.cancelled
                    last.finishedAt = nowText
                    last.reason = reason
                    attempts[attempts.count - 1] = last
                    s.attempts = attempts
                }
                s.phase = StepPhase.cancelled
                steps[step.name] = s
            }
        } else {
            // 2b. Retries whose backoff has passed.
            for step in graph.steps {
                guard var s = steps[step.name], s.phase == StepPhase.retrying, let last = s.attempts?.last else { continue }
                let delay = TimeInterval(step.retry?.delaySeconds(beforeRetry: last.attempt) ?? 0)
                let retryAt = (last.finishedAt.flatMap(KubeTime.parse) ?? now).addingTimeInterval(delay)
                guard retryAt <= now else {
                    plan.requeue(in: retryAt.timeIntervalSince(now))
                    continue
                }
                start(step, attempt: last.attempt + 1, status: &s, outputs: outputs, pipeline: pipeline, jobName: jobName, now: nowText, plan: &plan, obs: obs)
                steps[step.name] = s
            }
            // 2c. Skip what can never run, then start (or take from the cache) what is ready.
            var progressed = true
            while progressed {
                progressed = false
                for name in graph.stepsToSkip(phases: steps.mapValues(\.phase)) {
                    steps[name]?.phase = StepPhase.skipped
                    plan.event("StepSkipped", "step \(name) skipped: a dependency did not succeed")
                }
                for name in graph.readySteps(phases: steps.mapValues(\.phase), parallelism: pipeline.spec.parallelism) {
                    guard let step = graph.byName[name], var s = steps[name] else { continue }
                    start(step, attempt: 0, status: &s, outputs: outputs, pipeline: pipeline, jobName: jobName, now: nowText, plan: &plan, obs: obs)
                    if s.phase == StepPhase.succeeded || s.phase == StepPhase.failed { progressed = true }
                    steps[name] = s
                }
            }
            if let deadline { plan.requeue(in: deadline.timeIntervalSince(now)) }
        }

        // 3. Run phase, conditions, progress, lineage.
        let ordered = graph.steps.compactMap { steps[$0.name] }
        status.steps = ordered
        let succeeded = ordered.filter { $0.phase == StepPhase.succeeded }.count
        status.progress = "\(succeeded)/\(ordered.count)"
        status.lineage = lineage(pipeline, previous: status.lineage)
        status.cost = CostEstimator.sum(ordered.compactMap { s in s.cost.map { (s.name, $0) } })
        var conditions = status.conditions ?? []
        func finish(_ phase: String, ready: Bool, reason: String, message: String) {
            status.phase = phase
            status.finishedAt = status.finishedAt ?? nowText
            conditions.set(type: "Ready", status: ready ? ConditionStatus.true : ConditionStatus.false, reason: reason, message: message.clipped(), observedGeneration: generation, now: now)
            conditions.set(type: "Succeeded", status: ready ? ConditionStatus.true : ConditionStatus.false, reason: reason, message: message.clipped(), observedGeneration: generation, now: now)
        }
        if ordered.allSatisfy({ StepPhase.terminal.contains($0.phase) }) {
            if succeeded == ordered.count, pipeline.spec.register != nil, status.lineage?.modelVersion == nil {
                plan.needsRegistration = true
                status.phase = PipelinePhase.running
                conditions.set(type: "Ready", status: ConditionStatus.false, reason: MLPipelineReason.registering, message: "registering the model version", observedGeneration: generation, now: now)
                conditions.set(type: "Succeeded", status: ConditionStatus.unknown, reason: MLPipelineReason.registering, message: "registering the model version", observedGeneration: generation, now: now)
            } else if succeeded == ordered.count {
                finish(PipelinePhase.succeeded, ready: true, reason: MLPipelineReason.succeeded, message: "all \(ordered.count) steps succeeded")
                plan.event("Succeeded", "run succeeded" + (status.lineage?.modelVersion.map { "; registered ModelVersion \($0)" } ?? ""))
            } else if cancelling {
                finish(PipelinePhase.cancelled, ready: false, reason: MLPipelineReason.cancelled, message: "the run was cancelled")
                plan.event("Cancelled", "run cancelled", warning: true)
            } else if timedOut {
                finish(PipelinePhase.failed, ready: false, reason: MLPipelineReason.runTimeout, message: "the run exceeded timeoutSeconds")
                plan.event("RunTimeout", "run exceeded timeoutSeconds", warning: true)
            } else {
                let failed = ordered.filter { $0.phase == StepPhase.failed }
                let detail = failed.map { s in "\(s.name) (\(s.attempts?.last?.reason ?? "Failed"): \(s.attempts?.last?.message ?? ""))" }.joined(separator: "; ")
                finish(PipelinePhase.failed, ready: false, reason: failed.first?.attempts?.last?.reason == MLPipelineReason.backendUnavailable ? MLPipelineReason.backendUnavailable : MLPipelineReason.stepFailed, message: "failed steps: \(detail)")
                plan.event("Failed", "run failed: \(detail)".clipped(), warning: true)
            }
        } else {
            status.phase = PipelinePhase.running
            let message = "\(succeeded)/\(ordered.count) steps succeeded"
            conditions.set(type: "Ready", status: ConditionStatus.false, reason: MLPipelineReason.running, message: message, observedGeneration: generation, now: now)
            conditions.set(type: "Succeeded", status: ConditionStatus.unknown, reason: MLPipelineReason.running, message: message, observedGeneration: generation, now: now)
        }
        status.conditions = conditions
        plan.status = status
        return plan
    }

    /// Starts attempt `attempt` of a step: cache hit, a cloud job (or BackendUnavailable when the
    /// controller has no backend for its kind), or a Job.
    static func start(
        _ step: PipelineStep, attempt: Int, status s: inout StepStatus, outputs: [String: OutputValues],
        pipeline: MLPipeline, jobName: (String, Int) -> String, now: String, plan: inout RunPlan, obs: RunObservation
    ) {
        let resolved: ResolvedStep
        do {
            resolved = try ResolvedStep(step, context: TemplateContext(pipeline: pipeline, outputs: outputs))
        } catch {
            let e = (error as? SextantAPIError) ?? .invalidReference(String(describing: error))
            s.phase = StepPhase.failed
            s.attempts = (s.attempts ?? []) + [AttemptStatus(attempt: attempt, finishedAt: now, phase: StepPhase.failed, reason: e.reason, message: e.message.clipped())]
            plan.event("StepFailed", "step \(step.name): \(e.message)".clipped(), warning: true)
            return
        }
        if attempt == 0, step.cache?.enabled == true {
            let key = resolved.cacheKey
            s.cacheKey = key
            if let hit = obs.cacheLookup(key, step.cache?.maxAgeSeconds) {
                s.phase = StepPhase.succeeded
                s.cached = true
                s.cachedFrom = hit.from
                s.outputs = hit.outputs
                plan.event("CacheHit", "step \(step.name) reused the result of \(hit.from)")
                return
            }
        }
        if let backend = resolved.cloudBackend {
            guard obs.cloudBackends.contains(backend),
                  let cloud = cloudAttempt(resolved, attempt: attempt, pipeline: pipeline, nameLimits: obs.cloudNameLimits) else {
                let message = "no \(backend) backend is configured in this controller; the step was not started"
                s.phase = StepPhase.failed
                s.attempts = (s.attempts ?? []) + [AttemptStatus(
                    attempt: attempt, cloudJob: CloudJobRef(backend: backend), finishedAt: now,
                    phase: StepPhase.failed, reason: MLPipelineReason.backendUnavailable, message: message)]
                plan.event(MLPipelineReason.backendUnavailable, "step \(step.name): \(message)", warning: true)
                return
            }
            plan.startCloudJobs.append(RunPlan.CloudJobToStart(step: step.name, attempt: attempt, resolved: resolved, cloud: cloud))
            s.phase = StepPhase.running
            s.attempts = (s.attempts ?? []) + [AttemptStatus(attempt: attempt, cloudJob: CloudJobRef(backend: backend), startedAt: now, phase: StepPhase.running)]
            plan.event(attempt == 0 ? "StepStarted" : "StepRetry", "step \(step.name) attempt \(attempt) started as \(backend) job \(cloud.jobName)")
            plan.requeue(in: 10)
            return
        }
        let name = jobName(step.name, attempt)
        plan.createJobs.append(RunPlan.JobToCreate(step: step.name, attempt: attempt, resolved: resolved))
        s.phase = StepPhase.running
        s.attempts = (s.attempts ?? []) + [AttemptStatus(attempt: attempt, job: name, startedAt: now, phase: StepPhase.running)]
        plan.event(attempt == 0 ? "StepStarted" : "StepRetry", "step \(step.name) attempt \(attempt) started as Job \(name)")
        plan.requeue(in: 30)
    }

    /// Follows the running Job attempt `last`: Succeeded with its outputs, or its failure.
    static func followJob(_ step: PipelineStep, job: String, _ s: inout StepStatus, _ last: inout AttemptStatus, obs: RunObservation, plan: inout RunPlan) -> Failure? {
        guard let j = obs.jobs[job] else {
            plan.requeue(in: 5)  // created, not yet in the cache
            return nil
        }
        let cost = containerCost(j, pricing: obs.pricing)
        switch j.outcome {
        case .running:
            plan.requeue(in: 30)
            return nil
        case .succeeded:
            guard let message = j.terminationMessage else {
                plan.requeue(in: 1)  // the pod's terminated state is not in the cache yet
                return nil
            }
            do {
                let out = try OutputsParser.parse(message, declared: step.outputs)
                last.phase = StepPhase.succeeded
                last.finishedAt = j.finishedAt ?? KubeTime.format(obs.now)
                last.reason = "Completed"
                s.phase = StepPhase.succeeded
                s.outputs = (out.artifacts == nil && out.metrics == nil) ? nil : out
                s.cost = CostEstimator.add(s.cost, cost)
                plan.event("StepSucceeded", "step \(step.name) succeeded (attempt \(last.attempt))")
                return nil
            } catch let e as SextantAPIError {
                return Failure(reason: e.reason, message: e.message, finishedAt: j.finishedAt, cost: cost)
            } catch {
                return Failure(reason: "InvalidOutputs", message: String(describing: error), finishedAt: j.finishedAt, cost: cost)
            }
        case .failed:
            return Failure(reason: j.reason ?? "Failed", message: j.message ?? "the Job failed", finishedAt: j.finishedAt, cost: cost)
        }
    }

    /// The cost of a finished Job attempt: run time × requested resources × Kubernetes prices.
    static func containerCost(_ j: JobObservation, pricing: PricingTable) -> Cost? {
        guard let resources = j.resources, let start = j.startedAt.flatMap(KubeTime.parse),
              let end = j.finishedAt.flatMap(KubeTime.parse) else { return nil }
        return CostEstimator.container(resources, seconds: Int64(end.timeIntervalSince(start).rounded()), pricing: pricing)
    }

    /// Datasets as used, images used, and the registered version.
    static func lineage(_ pipeline: MLPipeline, previous: Lineage?) -> Lineage {
        let images = Set(pipeline.spec.steps.compactMap { $0.container?.image ?? $0.sagemaker?.image ?? $0.vertexAI?.image ?? $0.azureML?.environment })
        let datasets = pipeline.spec.datasets
        return Lineage(datasets: (datasets?.isEmpty ?? true) ? nil : datasets, images: images.isEmpty ? nil : images.sorted(), modelVersion: previous?.modelVersion)
    }
}
