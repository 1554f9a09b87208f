import Foundation
import KubeCore
import KubeRuntime
import SextantAPI

/// Experiment tracking in the reconcile: the MLflow run is made before the steps start (their env
/// carries its id) and recorded in status at once; what the steps produce is sent before each
/// status write. A tracking failure only sets `Tracked=False` and a requeue: the run goes on.
extension MLPipelineController {
    /// The condition type.
    static let trackedCondition = "Tracked"

    /// Before planning: when the pipeline tracks to MLflow and has no run id yet, finds or creates
    /// the run and writes its ids to status immediately. Returns the pipeline to plan from.
    static func ensureTrackingRun(_ pipeline: MLPipeline, _ ctx: ReconcileContext<MLPipeline>, tracker: RunTracker?,
                                  events: inout [RunPlan.PlannedEvent]) async throws -> MLPipeline {
        guard let tracker, TrackingPlanner.needsSync(pipeline), pipeline.status?.tracking?.mlflow?.runId == nil else {
            return withWandbStatus(pipeline)
        }
        let outcome = await tracker.sync(pipeline, ensureRunOnly: true)
        events += outcome.events
        var current = withWandbStatus(pipeline)
        let generation = pipeline.metadata.generation
        let now = Date()
        if outcome.learnedRunID {
            current = try await ctx.updateStatus(current) { status in
                var s = status ?? MLPipelineStatus()
                apply(outcome, to: &s, generation: generation, now: now)
                status = s
            }
        } else {
            var s = current.status ?? MLPipelineStatus()
            apply(outcome, to: &s, generation: generation, now: now)
            current.status = s
        }
        return current
    }

    /// Before the status write: sends what the MLflow run lacks and folds the outcome into `plan`.
    static func syncTracking(_ pipeline: MLPipeline, plan: inout RunPlan, tracker: RunTracker?) async {
        var planned = pipeline
        planned.status = plan.status
        guard let tracker, TrackingPlanner.needsSync(planned) else { return }
        let outcome = await tracker.sync(planned)
        apply(outcome, to: &plan.status, generation: pipeline.metadata.generation, now: Date())
        plan.events += outcome.events
        if let retry = outcome.retryAfter { plan.requeue(in: retry) }
    }

    /// `status.tracking.mlflow` and the `Tracked` condition from `outcome`.
    static func apply(_ outcome: TrackingOutcome, to status: inout MLPipelineStatus, generation: Int64?, now: Date) {
        if let mlflow = outcome.mlflow {
            var tracking = status.tracking ?? TrackingStatus()
            tracking.mlflow = mlflow
            status.tracking = tracking
        }
        if let condition = outcome.condition {
            var conditions = status.conditions ?? []
            conditions.set(type: trackedCondition, status: condition.status, reason: condition.reason,
                           message: condition.message, observedGeneration: generation, now: now)
            status.conditions = conditions
        }
    }

    /// `status.tracking.wandb.group` for a pipeline with `spec.tracking.wandb`.
    static func withWandbStatus(_ pipeline: MLPipeline) -> MLPipeline {
        guard let wandb = TrackingPlanner.wandbStatus(pipeline), pipeline.status?.tracking?.wandb != wandb else { return pipeline }
        var p = pipeline
        var status = p.status ?? MLPipelineStatus()
        var tracking = status.tracking ?? TrackingStatus()
        tracking.wandb = wandb
        status.tracking = tracking
        p.status = status
        return p
    }
}
