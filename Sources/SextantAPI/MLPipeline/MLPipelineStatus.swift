import KubeCore

/// Run phases.
public enum PipelinePhase {
    public static let pending = "Pending"
    public static let running = "Running"
    public static let succeeded = "Succeeded"
    public static let failed = "Failed"
    public static let cancelled = "Cancelled"
    /// Every run phase.
    public static let all = [pending, running, succeeded, failed, cancelled]
}

/// Step and attempt phases.
public enum StepPhase {
    public static let pending = "Pending"
    public static let running = "Running"
    public static let retrying = "Retrying"
    public static let succeeded = "Succeeded"
    public static let failed = "Failed"
    public static let skipped = "Skipped"
    public static let cancelled = "Cancelled"
    /// Every step phase.
    public static let all = [pending, running, retrying, succeeded, failed, skipped, cancelled]
    /// Phases after which a step never changes again.
    public static let terminal: Set<String> = [succeeded, failed, skipped, cancelled]
}

/// The observed state of a run.
public struct MLPipelineStatus: Codable, Sendable, Hashable {
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Cancelled`.
    public var phase: String?
    /// When the first step started.
    public var startedAt: String?
    /// When the run reached a final phase.
    public var finishedAt: String?
    /// The generation this status describes.
    public var observedGeneration: Int64?
    /// `Ready` and `Succeeded`.
    public var conditions: [Condition]?
    /// `succeeded/total` steps (printer column).
    public var progress: String?
    /// One entry per step, in spec order.
    public var steps: [StepStatus]?
    /// What the run used and produced.
    public var lineage: Lineage?
    /// Sum of the steps' costs.
    public var cost: Cost?
    /// Where the run is tracked (MLflow run, W&B group).
    public var tracking: TrackingStatus?

    /// A status.
    public init(
        phase: String? = nil, startedAt: String? = nil, finishedAt: String? = nil, observedGeneration: Int64? = nil,
        conditions: [Condition]? = nil, progress: String? = nil, steps: [StepStatus]? = nil,
        lineage: Lineage? = nil, cost: Cost? = nil, tracking: TrackingStatus? = nil
    ) {
        self.phase = phase
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.observedGeneration = observedGeneration
        self.conditions = conditions
        self.progress = progress
        self.steps = steps
        self.lineage = lineage
        self.cost = cost
        self.tracking = tracking
    }
}

/// The observed state of one step.
public struct StepStatus: Codable, Sendable, Hashable {
    /// Step name.
    public var name: String
    /// Step phase.
    public var phase: String
    /// One entry per attempt.
    public var attempts: [AttemptStatus]?
    /// SHA-256 of the resolved definition and inputs (cache-enabled steps).
    public var cacheKey: String?
    /// True when the result was reused from another run.
    public var cached: Bool?
    /// `<pipeline>/<step>` the result was reused from.
    public var cachedFrom: String?
    /// Parsed outputs of the successful attempt.
    public var outputs: OutputValues?
    /// Cost of this step where the backend reports it.
    public var cost: Cost?

    /// A step status.
    public init(
        name: String, phase: String, attempts: [AttemptStatus]? = nil, cacheKey: String? = nil,
        cached: Bool? = nil, cachedFrom: String? = nil, outputs: OutputValues? = nil, cost: Cost? = nil
    ) {
        self.name = name
        self.phase = phase
        self.attempts = attempts
        self.cacheKey = cacheKey
        self.cached = cached
        self.cachedFrom = cachedFrom
        self.outputs = outputs
        self.cost = cost
    }
}

/// One attempt of a step.
public struct AttemptStatus: Codable, Sendable, Hashable {
    /// Attempt number, from 0.
    public var attempt: Int
    /// The Job of a container step.
    public var job: String?
    /// The managed job of a cloud step.
    public var cloudJob: CloudJobRef?
    /// When it started.
    public var startedAt: String?
    /// When it finished.
    public var finishedAt: String?
    /// Attempt phase.
    public var phase: String
    /// CamelCase reason of the outcome.
    public var reason: String?
    /// Human-readable outcome.
    public var message: String?

    /// An attempt.
    public init(
        attempt: Int, job: String? = nil, cloudJob: CloudJobRef? = nil, startedAt: String? = nil,
        finishedAt: String? = nil, phase: String, reason: String? = nil, message: String? = nil
    ) {
        self.attempt = attempt
        self.job = job
        self.cloudJob = cloudJob
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.phase = phase
        self.reason = reason
        self.message = message
    }
}

/// A managed training job in a cloud.
public struct CloudJobRef: Codable, Sendable, Hashable {
    /// `sagemaker`, `awsBatch`, `vertexAI`, `azureML` or `airflow`.
    public var backend: String
    /// Job id or ARN.
    public var id: String?
    /// Console URL.
    public var url: String?

    /// A cloud job reference.
    public init(backend: String, id: String? = nil, url: String? = nil) {
        self.backend = backend
        self.id = id
        self.url = url
    }
}

/// Output values of a step.
public struct OutputValues: Codable, Sendable, Hashable {
    /// Artifact name → URI.
    public var artifacts: [String: String]?
    /// Metric name → value.
    public var metrics: [String: Double]?

    /// Output values.
    public init(artifacts: [String: String]? = nil, metrics: [String: Double]? = nil) {
        self.artifacts = artifacts
        self.metrics = metrics
    }
}

/// What a run consumed and produced.
public struct Lineage: Codable, Sendable, Hashable {
    /// Datasets as used.
    public var datasets: [Dataset]?
    /// Image references used, sorted.
    public var images: [String]?
    /// The registered ModelVersion.
    public var modelVersion: String?

    /// Lineage.
    public init(datasets: [Dataset]? = nil, images: [String]? = nil, modelVersion: String? = nil) {
        self.datasets = datasets
        self.images = images
        self.modelVersion = modelVersion
    }
}

/// Estimated cost of a step or run (container steps from requested resources and run time; cloud
/// steps from what the backend reports), priced with the controller's pricing table.
public struct Cost: Codable, Sendable, Hashable {
    /// Estimated cost in US dollars; unset when a price is missing (see `message`).
    public var estimatedUSD: Double?
    /// Billable seconds.
    public var billableSeconds: Int64?
    /// Saving from spot capacity, in percent.
    public var spotSavingsPercent: Double?
    /// Why an estimate is missing or partial (e.g. no price for a machine type).
    public var message: String?

    /// A cost record.
    public init(estimatedUSD: Double? = nil, billableSeconds: Int64? = nil, spotSavingsPercent: Double? = nil, message: String? = nil) {
        self.estimatedUSD = estimatedUSD
        self.billableSeconds = billableSeconds
        self.spotSavingsPercent = spotSavingsPercent
        self.message = message
    }
}
