import Foundation
import KubeCore
import MLflowClient
import SextantAPI

/// What to send to the MLflow run of a pipeline run: the difference between what the status says
/// happened and what the run already holds (`TrackingLedger`).
public struct TrackingWork: Sendable, Hashable {
    /// Params not logged yet (a param is logged once; MLflow rejects another value).
    public var params: [MLflowKeyValue] = []
    /// Step metrics (`<step>.<metric>`) not logged yet.
    public var metrics: [MLflowMetric] = []
    /// Tags that are missing or have another value (images, datasets, registered version).
    public var tags: [MLflowKeyValue] = []
    /// Dataset inputs not logged yet.
    public var datasets: [MLflowDatasetInput] = []
    /// The end status to set, once the pipeline run is final.
    public var endStatus: MLflowRunStatus?
    /// End time (ms since the epoch) with `endStatus`.
    public var endTime: Int64?
    /// Events to record (things not sent, and why).
    public var events: [RunPlan.PlannedEvent] = []
    /// Keys of `events` (not said twice).
    public var skippedKeys: Set<String> = []

    /// True when nothing is to be sent.
    public var isEmpty: Bool { params.isEmpty && metrics.isEmpty && tags.isEmpty && datasets.isEmpty && endStatus == nil }
}

/// The pure decisions of experiment tracking: run identity, what to log and when, the steps'
/// environment. No I/O (the `RunTracker` executes them).
public enum TrackingPlanner {
    /// The tag that finds a pipeline run's MLflow run again after a restart.
    public static let uidTag = "sextant.uid"

    /// Tags set when the run is created: `sextant.namespace`, `sextant.name`, `sextant.uid`.
    public static func identityTags(_ pipeline: MLPipeline) -> [MLflowKeyValue] {
        [
            MLflowKeyValue(key: "sextant.namespace", value: pipeline.metadata.namespace ?? ""),
            MLflowKeyValue(key: "sextant.name", value: pipeline.metadata.name ?? ""),
            MLflowKeyValue(key: uidTag, value: pipeline.metadata.uid ?? ""),
        ]
    }

    /// MLflow's end status of a final pipeline phase: Succeeded → FINISHED, Failed → FAILED,
    /// Cancelled → KILLED; nil while the run goes on.
    public static func endStatus(phase: String?) -> MLflowRunStatus? {
        switch phase {
        case PipelinePhase.succeeded: return .finished
        case PipelinePhase.failed: return .failed
        case PipelinePhase.cancelled: return .killed
        default: return nil
        }
    }

    /// `name@digest` of a dataset input.
    static func datasetKey(_ d: MLflowDataset) -> String { "\(d.name)@\(d.digest)" }

    /// The dataset inputs of the run (spec.datasets; the version is MLflow's digest).
    public static func datasetInputs(_ pipeline: MLPipeline) -> [MLflowDatasetInput] {
        (pipeline.spec.datasets ?? []).map { d in
            let scheme = d.uri.range(of: "://").map { String(d.uri[..<$0.lowerBound]) } ?? "local"
            return MLflowDatasetInput(
                dataset: MLflowDataset(name: d.name, digest: d.version ?? "unversioned", sourceType: scheme, uri: d.uri),
                tags: [MLflowKeyValue(key: "mlflow.data.context", value: "training")])
        }
    }

    /// The image of each step (container, SageMaker, Vertex AI), as `sextant.image.<step>` tags.
    static func imageTags(_ pipeline: MLPipeline) -> [MLflowKeyValue] {
        pipeline.spec.steps.compactMap { step in
            guard let image = step.container?.image ?? step.sagemaker?.image ?? step.vertexAI?.image else { return nil }
            return MLflowKeyValue(key: "sextant.image.\(step.name)", value: image)
        }
    }

    /// Milliseconds since the epoch of a Kubernetes timestamp.
    public static func millis(_ time: String?) -> Int64? {
        time.flatMap(KubeTime.parse).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }

    /// What to send now, from the pipeline's status and what the run holds. Params are sent once
    /// (one whose value differs in MLflow is not sent: a Warning says so); each succeeded step's
    /// metrics once as `<step>.<metric>` (a non-finite value is not sent: MLflow would store 0);
    /// tags when missing or changed; the end status once the run is final.
    public static func work(for pipeline: MLPipeline, ledger: TrackingLedger, now: Date) -> TrackingWork {
        var work = TrackingWork()
        let nowMillis = Int64((now.timeIntervalSince1970 * 1000).rounded())
        for (key, value) in (pipeline.spec.params ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let logged = ledger.params[key] {
                let skip = "param:\(key)"
                if logged != value && !ledger.skipped.contains(skip) {
                    work.skippedKeys.insert(skip)
                    work.events.append(.init(warning: true, reason: "TrackingParamConflict",
                                             note: "MLflow run already has param \(key)=\(logged.clipped(80)); MLflow rejects a changed param, so \(value.clipped(80)) was not logged"))
                }
                continue
            }
            work.params.append(MLflowKeyValue(key: key, value: value))
        }
        for input in datasetInputs(pipeline) where !ledger.datasets.contains(datasetKey(input.dataset)) {
            work.datasets.append(input)
        }
        var tags = imageTags(pipeline)
        for d in pipeline.spec.datasets ?? [] {
            tags.append(MLflowKeyValue(key: "sextant.dataset.\(d.name)", value: d.version.map { "\(d.uri)@\($0)" } ?? d.uri))
        }
        if let version = pipeline.status?.lineage?.modelVersion {
            tags.append(MLflowKeyValue(key: "sextant.modelVersion", value: version))
        }
        work.tags = tags.filter { ledger.tags[$0.key] != $0.value }
        for step in pipeline.status?.steps ?? [] where step.phase == StepPhase.succeeded {
            let at = millis(step.attempts?.last?.finishedAt) ?? nowMillis
            for (name, value) in (step.outputs?.metrics ?? [:]).sorted(by: { $0.key < $1.key }) {
                let key = "\(step.name).\(name)"
                guard !ledger.metricKeys.contains(key) else { continue }
                guard value.isFinite else {
                    let skip = "metric:\(key)"
                    if !ledger.skipped.contains(skip) {
                        work.skippedKeys.insert(skip)
                        work.events.append(.init(warning: true, reason: "TrackingMetricSkipped",
                                                 note: "metric \(key) = \(value) was not logged: MLflow stores a non-numeric value as 0"))
                    }
                    continue
                }
                work.metrics.append(MLflowMetric(key: key, value: value, timestamp: at, step: 0))
            }
        }
        if let end = endStatus(phase: pipeline.status?.phase), ledger.status != end {
            work.endStatus = end
            work.endTime = millis(pipeline.status?.finishedAt) ?? nowMillis
        }
        return work
    }

    /// The environment every step of `pipeline` gets for tracking: `MLFLOW_TRACKING_URI`,
    /// `MLFLOW_EXPERIMENT_ID` and `MLFLOW_RUN_ID` (those known so far), and `WANDB_PROJECT`,
    /// `WANDB_ENTITY`, `WANDB_RUN_GROUP` (the pipeline's name) and `WANDB_TAGS`. No credentials.
    public static func stepEnvironment(_ pipeline: MLPipeline, step: String) -> [(name: String, value: String)] {
        var env: [(name: String, value: String)] = []
        if let mlflow = pipeline.spec.tracking?.mlflow {
            env.append(("MLFLOW_TRACKING_URI", mlflow.trackingURI))
            if let id = pipeline.status?.tracking?.mlflow?.experimentId { env.append(("MLFLOW_EXPERIMENT_ID", id)) }
            if let id = pipeline.status?.tracking?.mlflow?.runId { env.append(("MLFLOW_RUN_ID", id)) }
        }
        if let wandb = pipeline.spec.tracking?.wandb {
            env.append(("WANDB_PROJECT", wandb.project))
            if let entity = wandb.entity { env.append(("WANDB_ENTITY", entity)) }
            env.append(("WANDB_RUN_GROUP", pipeline.metadata.name ?? ""))
            env.append(("WANDB_TAGS", wandbTags(pipeline, step: step)))
        }
        return env
    }

    /// `sextant,<namespace>,<step>`: W&B tags (comma-separated, each at most 64 characters).
    static func wandbTags(_ pipeline: MLPipeline, step: String) -> String {
        ["sextant", pipeline.metadata.namespace ?? "", step].filter { !$0.isEmpty }.map { String($0.prefix(64)) }.joined(separator: ",")
    }

    /// `status.tracking.wandb` of a pipeline with `spec.tracking.wandb`: the group is the pipeline's name.
    public static func wandbStatus(_ pipeline: MLPipeline) -> WandbTrackingStatus? {
        pipeline.spec.tracking?.wandb == nil ? nil : WandbTrackingStatus(group: pipeline.metadata.name)
    }
}

extension TrackingPlanner {
    /// The `Tracked` condition's reason when the run is up to date.
    public static let syncedReason = "Synced"

    /// The start of the `Tracked` message once the MLflow run has been ended: `MLflow run <id> ended `.
    static func endedPrefix(_ runID: String) -> String { "MLflow run \(runID) ended " }

    /// True when `pipeline` needs tracking work: it has `spec.tracking.mlflow` and is not a final run
    /// whose MLflow run has been ended (`Tracked` True, `Synced`, "… ended …").
    public static func needsSync(_ pipeline: MLPipeline) -> Bool {
        guard pipeline.spec.tracking?.mlflow != nil else { return false }
        guard endStatus(phase: pipeline.status?.phase) != nil else { return true }
        guard let tracked = pipeline.status?.conditions?.first(where: { $0.type == "Tracked" }),
              tracked.status == ConditionStatus.true, tracked.reason == syncedReason,
              let runID = pipeline.status?.tracking?.mlflow?.runId else { return true }
        return !tracked.message.hasPrefix(endedPrefix(runID))
    }
}
