import KubeCore

/// The observed state of a model version.
public struct ModelVersionStatus: Codable, Sendable, Hashable {
    /// The generation this status describes.
    public var observedGeneration: Int64?
    /// Effective stage.
    public var stage: String?
    /// When the effective stage last changed to Staging or Production.
    public var promotedAt: String?
    /// Gate results.
    public var gates: [GateResult]?
    /// In-cluster URL of the version's Service.
    public var endpoint: String?
    /// Name of the serving Deployment.
    public var deployment: String?
    /// Ready replicas of the Deployment.
    public var readyReplicas: Int?
    /// Mirror state per registry.
    public var registries: [RegistryStatus]?
    /// Where the version came from.
    public var lineage: ModelLineage?
    /// Stage transitions (bounded).
    public var history: [StageTransition]?
    /// `Promoted`, `Serving`, `Ready`, `Mirrored`.
    public var conditions: [Condition]?
    /// Training and serving cost.
    public var cost: ModelVersionCost?
    /// The canary rollout (`spec.serving.canary`).
    public var rollout: RolloutStatus?

    /// A status.
    public init(
        observedGeneration: Int64? = nil, stage: String? = nil, promotedAt: String? = nil, gates: [GateResult]? = nil,
        endpoint: String? = nil, deployment: String? = nil, readyReplicas: Int? = nil, registries: [RegistryStatus]? = nil,
        lineage: ModelLineage? = nil, history: [StageTransition]? = nil, conditions: [Condition]? = nil,
        cost: ModelVersionCost? = nil, rollout: RolloutStatus? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.stage = stage
        self.promotedAt = promotedAt
        self.gates = gates
        self.endpoint = endpoint
        self.deployment = deployment
        self.readyReplicas = readyReplicas
        self.registries = registries
        self.lineage = lineage
        self.history = history
        self.conditions = conditions
        self.cost = cost
        self.rollout = rollout
    }
}

/// Cost of a model version.
public struct ModelVersionCost: Codable, Sendable, Hashable {
    /// The producing run's estimated training cost in US dollars.
    public var estimatedUSD: Double?
    /// Cost of serving it per hour (replicas × requests × Kubernetes prices).
    public var servingUSDPerHour: Double?
    /// Why a figure is missing.
    public var message: String?

    /// A cost record.
    public init(estimatedUSD: Double? = nil, servingUSDPerHour: Double? = nil, message: String? = nil) {
        self.estimatedUSD = estimatedUSD
        self.servingUSDPerHour = servingUSDPerHour
        self.message = message
    }
}

/// The result of one gate.
public struct GateResult: Codable, Sendable, Hashable {
    /// Metric name.
    public var metric: String
    /// Observed value (absent when the metric is missing).
    public var value: Double?
    /// Whether the gate passed.
    public var passed: Bool
    /// Explanation.
    public var message: String?

    /// A gate result.
    public init(metric: String, value: Double? = nil, passed: Bool, message: String? = nil) {
        self.metric = metric
        self.value = value
        self.passed = passed
        self.message = message
    }
}

/// The mirror of a version in one registry.
public struct RegistryStatus: Codable, Sendable, Hashable {
    /// `sagemaker` or `mlflow`.
    public var registry: String
    /// Id in that registry (model package ARN, MLflow version).
    public var id: String?
    /// Where a person sees the mirror (console or UI URL).
    public var url: String?
    /// True when the mirror matches the version's generation and effective stage.
    public var synced: Bool?
    /// Stage or approval status there.
    public var stage: String?
    /// When it was last synchronized.
    public var syncedAt: String?
    /// The generation of the version the mirror was last synchronized with.
    public var observedGeneration: Int64?
    /// Last error, if any.
    public var message: String?

    /// A registry status.
    public init(
        registry: String, id: String? = nil, url: String? = nil, synced: Bool? = nil, stage: String? = nil, syncedAt: String? = nil,
        observedGeneration: Int64? = nil, message: String? = nil
    ) {
        self.registry = registry
        self.id = id
        self.url = url
        self.synced = synced
        self.stage = stage
        self.syncedAt = syncedAt
        self.observedGeneration = observedGeneration
        self.message = message
    }
}

/// Lineage of a version.
public struct ModelLineage: Codable, Sendable, Hashable {
    /// MLPipeline name.
    public var pipeline: String?
    /// Step name.
    public var step: String?
    /// Datasets used by the run.
    public var datasets: [Dataset]?
    /// Images used by the run.
    public var images: [String]?

    /// A lineage record.
    public init(pipeline: String? = nil, step: String? = nil, datasets: [Dataset]? = nil, images: [String]? = nil) {
        self.pipeline = pipeline
        self.step = step
        self.datasets = datasets
        self.images = images
    }
}

/// One change of effective stage.
public struct StageTransition: Codable, Sendable, Hashable {
    /// Previous stage.
    public var from: String?
    /// New stage.
    public var to: String
    /// When.
    public var at: String
    /// CamelCase reason.
    public var reason: String?
    /// Approver, when approval was required.
    public var approvedBy: String?

    /// A transition.
    public init(from: String? = nil, to: String, at: String, reason: String? = nil, approvedBy: String? = nil) {
        self.from = from
        self.to = to
        self.at = at
        self.reason = reason
        self.approvedBy = approvedBy
    }
}
