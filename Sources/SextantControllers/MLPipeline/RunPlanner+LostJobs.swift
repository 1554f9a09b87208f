import Foundation
import KubeCore
import SextantAPI

extension RunPlanner {
    /// Seconds after an attempt's start from which a Job missing from the cache counts as lost
    /// rather than not yet seen. Re-creating is idempotent (AlreadyExists adopts), so the grace only
    /// saves requests while a fresh Job reaches the cache.
    static let lostJobGraceSeconds: TimeInterval = 10

    /// A running Job attempt whose Job does not exist — the run was restored into a new cluster
    /// (`sextant restore`), or the Job was deleted behind the controller's back — gets its Job made
    /// again under the same deterministic name, so the run completes instead of waiting forever.
    static func recreateLostJob(
        _ step: PipelineStep, attempt: AttemptStatus, pipeline: MLPipeline, outputs: [String: OutputValues],
        obs: RunObservation, plan: inout RunPlan
    ) {
        guard let job = attempt.job, obs.jobs[job] == nil else { return }
        let started = attempt.startedAt.flatMap(KubeTime.parse) ?? .distantPast
        guard obs.now.timeIntervalSince(started) >= lostJobGraceSeconds,
              let resolved = try? ResolvedStep(step, context: TemplateContext(pipeline: pipeline, outputs: outputs)) else { return }
        plan.createJobs.append(RunPlan.JobToCreate(step: step.name, attempt: attempt.attempt, resolved: resolved))
        plan.event("JobRecreated", "step \(step.name) attempt \(attempt.attempt): Job \(job) does not exist; created it again")
    }
}
