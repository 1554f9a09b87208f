import Foundation
import KubeCore
import SextantAPI

/// The one planner path of every cloud step (SageMaker, AWS Batch, Vertex AI, Azure ML, ...):
/// pure, keyed by `"<step>/<attempt>"`, fed with what the controller observed through the backend.
extension RunPlanner {
    /// Why an attempt failed, and whether a retry could help.
    struct Failure {
        var reason: String
        var message: String
        var finishedAt: String?
        /// `CloudInvalidRequest`: retrying the same request cannot succeed.
        var terminal = false
        /// What the attempt cost, added to the step's cost.
        var cost: Cost?
    }

    /// The key of a cloud attempt in `RunObservation.cloudJobs`: `"<step>/<attempt>"`.
    public static func cloudKey(_ step: String, _ attempt: Int) -> String { "\(step)/\(attempt)" }

    /// The default job name limit for a backend whose limit was not given (SageMaker's 63).
    static let defaultNameLimit = 63

    /// The attempt as the backend needs it, from the resolved step.
    static func cloudAttempt(
        _ resolved: ResolvedStep, attempt: Int, pipeline: MLPipeline, nameLimits: [String: Int], recordedID: String? = nil
    ) -> CloudAttempt? {
        guard let backend = resolved.cloudBackend else { return nil }
        let name = pipeline.metadata.name ?? ""
        let uid = pipeline.metadata.uid ?? ""
        let step = resolved.step
        return CloudAttempt(
            backend: backend, namespace: pipeline.metadata.namespace ?? "", pipeline: name, pipelineUID: uid,
            step: step.name, attempt: attempt,
            jobName: CloudAttempt.jobName(pipeline: name, step: step.name, attempt: attempt, uid: uid, limit: nameLimits[backend] ?? defaultNameLimit),
            block: resolved.cloudBlock ?? .null, spot: step.spot ?? false, timeoutSeconds: step.timeoutSeconds,
            declaredOutputs: step.outputs, recordedID: recordedID,
            environment: Dictionary(TrackingPlanner.stepEnvironment(pipeline, step: step.name).map { ($0.name, $0.value) },
                                    uniquingKeysWith: { _, last in last }))
    }

    /// The attempt of a step that already started, resolved again against the upstream outputs in
    /// `status` (they cannot change once a step started, so the block is the one it started with).
    static func cloudAttempt(
        of step: PipelineStep, attempt: AttemptStatus, pipeline: MLPipeline, status: MLPipelineStatus?, nameLimits: [String: Int]
    ) -> CloudAttempt? {
        var outputs: [String: OutputValues] = [:]
        for s in status?.steps ?? [] where s.phase == StepPhase.succeeded { outputs[s.name] = s.outputs ?? OutputValues() }
        guard let resolved = try? ResolvedStep(step, context: TemplateContext(pipeline: pipeline, outputs: outputs)) else { return nil }
        return cloudAttempt(resolved, attempt: attempt.attempt, pipeline: pipeline, nameLimits: nameLimits, recordedID: attempt.cloudJob?.id)
    }

    /// The cloud attempts of `pipeline` that have not finished, by key: what the controller polls,
    /// and what it stops when the run is deleted.
    public static func unfinishedCloudAttempts(_ pipeline: MLPipeline, nameLimits: [String: Int]) -> [(key: String, attempt: CloudAttempt)] {
        let byName = Dictionary(pipeline.spec.steps.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var result: [(String, CloudAttempt)] = []
        for s in pipeline.status?.steps ?? [] {
            guard let step = byName[s.name] else { continue }
            for a in s.attempts ?? [] where a.cloudJob != nil && !StepPhase.terminal.contains(a.phase) {
                if let cloud = cloudAttempt(of: step, attempt: a, pipeline: pipeline, status: pipeline.status, nameLimits: nameLimits) {
                    result.append((cloudKey(s.name, a.attempt), cloud))
                }
            }
        }
        return result
    }

    /// True while any cloud attempt of the run has not finished: the run then keeps the finalizer
    /// `ml.sextant.dev/cleanup`.
    public static func hasUnfinishedCloudWork(_ status: MLPipelineStatus?) -> Bool {
        (status?.steps ?? []).contains { s in
            (s.attempts ?? []).contains { $0.cloudJob != nil && !StepPhase.terminal.contains($0.phase) }
        }
    }

    /// Follows the running cloud attempt `last` of `step`: records the job's id and URL, enforces
    /// the step's deadline, maps the job's state. Returns the failure of the attempt, if it failed;
    /// marks step and attempt Succeeded itself.
    static func followCloud(
        _ step: PipelineStep, _ s: inout StepStatus, _ last: inout AttemptStatus,
        pipeline: MLPipeline, status: MLPipelineStatus, obs: RunObservation, plan: inout RunPlan
    ) -> Failure? {
        guard var ref = last.cloudJob else { return nil }
        let now = obs.now
        let nowText = KubeTime.format(now)
        let key = cloudKey(step.name, last.attempt)
        let o = obs.cloudJobs[key]
        if let job = o?.job {
            if let id = job.id { ref.id = id }
            if let url = job.url { ref.url = url }
            last.cloudJob = ref
        }
        guard obs.cloudBackends.contains(ref.backend) else {
            // Started by a controller that had this backend; this one cannot follow or stop it.
            return Failure(
                reason: MLPipelineReason.backendUnavailable,
                message: "no \(ref.backend) backend is configured in this controller; the job \(ref.id ?? "") is no longer followed (it may still be running)",
                finishedAt: nowText)
        }
        let pollIn = max(1, o?.nextPollAt.map { $0.timeIntervalSince(now) } ?? 10)
        let current = last
        let attempt = { cloudAttempt(of: step, attempt: current, pipeline: pipeline, status: status, nameLimits: obs.cloudNameLimits) }
        let startAgain = { () -> RunPlan.CloudJobToStart? in
            guard let resolved = try? ResolvedStep(step, context: TemplateContext(pipeline: pipeline, outputs: outputs(status))),
                  let a = cloudAttempt(resolved, attempt: current.attempt, pipeline: pipeline, nameLimits: obs.cloudNameLimits, recordedID: current.cloudJob?.id)
            else { return nil }
            return RunPlan.CloudJobToStart(step: step.name, attempt: current.attempt, resolved: resolved, cloud: a)
        }
        let finished = o?.job.map { $0.state == .succeeded || $0.state == .failed || $0.state == .stopped } ?? false

        if let timeout = step.timeoutSeconds, let started = last.startedAt.flatMap(KubeTime.parse), !finished {
            let deadline = started.addingTimeInterval(TimeInterval(timeout))
            if deadline <= now {
                if let a = attempt() { plan.stopCloudJobs.append(a) }
                return Failure(
                    reason: MLPipelineReason.deadlineExceeded,
                    message: "the attempt ran longer than timeoutSeconds (\(timeout)s); its \(ref.backend) job was stopped", finishedAt: nowText)
            }
            plan.requeue(in: deadline.timeIntervalSince(now))
        }
        if let error = o?.error {
            guard error.kind == .unavailable else {
                return Failure(reason: error.reason, message: error.message, finishedAt: nowText, terminal: error.kind == .invalidRequest)
            }
            last.message = "\(error.reason): \(error.message); retrying in \(Int(pollIn.rounded(.up)))s".clipped()
            // A start that failed is tried again (it adopts what may have been created) once due.
            if ref.id == nil, o?.job == nil, pollIn <= 1, let start = startAgain() {
                plan.startCloudJobs.append(start)
            }
            plan.requeue(in: pollIn)
            return nil
        }
        guard let job = o?.job else {
            if ref.id == nil, let start = startAgain() {
                // Recorded as started but its start was never confirmed (a restart, a lost status
                // write): start again, which adopts the job of the same name instead of making one.
                plan.startCloudJobs.append(start)
            }
            plan.requeue(in: 10)
            return nil
        }
        switch job.state {
        case .running, .stopping:
            if let p = job.providerStatus { last.message = "\(ref.backend) job \(p)".clipped() }
            plan.requeue(in: pollIn)
            return nil
        case .failed:
            return Failure(reason: job.reason ?? "Failed", message: job.message ?? "the \(ref.backend) job failed", finishedAt: job.finishedAt.map(KubeTime.format) ?? nowText, cost: o?.cost)
        case .stopped:
            return Failure(reason: job.reason ?? "Stopped", message: job.message ?? "the \(ref.backend) job was stopped outside Sextant", finishedAt: job.finishedAt.map(KubeTime.format) ?? nowText, cost: o?.cost)
        case .succeeded:
            let finishedAt = job.finishedAt.map(KubeTime.format) ?? nowText
            if let e = o?.outputsError {
                return Failure(reason: e.reason, message: e.message, finishedAt: finishedAt, cost: o?.cost)
            }
            guard let out = o?.outputs else {
                plan.requeue(in: 1)  // the controller reads the outputs on its next pass
                return nil
            }
            let wantsArtifacts = step.outputs?.artifacts ?? []
            let wantsMetrics = step.outputs?.metrics ?? []
            let missing = wantsArtifacts.filter { out.artifacts?[$0] == nil }.map { "artifact \($0)" }
                + wantsMetrics.filter { out.metrics?[$0] == nil }.map { "metric \($0)" }
            guard missing.isEmpty else {
                return Failure(reason: MLPipelineReason.missingOutputs, message: "missing declared outputs: \(missing.joined(separator: ", "))", finishedAt: finishedAt, cost: o?.cost)
            }
            // Keep only declared outputs, as for container steps.
            let artifacts = out.artifacts?.filter { wantsArtifacts.contains($0.key) }
            let metrics = out.metrics?.filter { wantsMetrics.contains($0.key) }
            last.phase = StepPhase.succeeded
            last.finishedAt = finishedAt
            last.reason = "Completed"
            last.message = nil
            s.phase = StepPhase.succeeded
            s.outputs = (artifacts?.isEmpty ?? true) && (metrics?.isEmpty ?? true)
                ? nil : OutputValues(artifacts: (artifacts?.isEmpty ?? true) ? nil : artifacts, metrics: (metrics?.isEmpty ?? true) ? nil : metrics)
            s.cost = CostEstimator.add(s.cost, o?.cost)
            plan.event("StepSucceeded", "step \(step.name) succeeded (attempt \(last.attempt), \(ref.backend) job \(ref.id ?? ""))")
            return nil
        }
    }

    /// Outputs of the Succeeded steps in `status`.
    static func outputs(_ status: MLPipelineStatus) -> [String: OutputValues] {
        var o: [String: OutputValues] = [:]
        for s in status.steps ?? [] where s.phase == StepPhase.succeeded { o[s.name] = s.outputs ?? OutputValues() }
        return o
    }
}
