import KubeCore

/// One entry of the model registry (`mv`). See docs/api.md.
public struct ModelVersion: Codable, Sendable, Hashable {
    /// `ml.sextant.dev/v1alpha1`.
    public var apiVersion: String?
    /// `ModelVersion`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The version and what should happen to it.
    public var spec: ModelVersionSpec
    /// Effective stage, serving and registry state.
    public var status: ModelVersionStatus?

    /// A model version.
    public init(metadata: ObjectMeta, spec: ModelVersionSpec, status: ModelVersionStatus? = nil) {
        self.apiVersion = SextantGroup.apiVersion
        self.kind = "ModelVersion"
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// Model stages.
public enum ModelStage {
    public static let none = "None"
    public static let staging = "Staging"
    public static let production = "Production"
    public static let archived = "Archived"
    /// Every stage.
    public static let all = [none, staging, production, archived]
}

/// The desired state of a model version.
public struct ModelVersionSpec: Codable, Sendable, Hashable {
    /// Model name (DNS-1123 label).
    public var model: String
    /// Version number, unique per model in a namespace.
    public var version: Int64
    /// The trained artifact.
    public var artifact: ArtifactRef
    /// Framework (`xgboost`, `pytorch`, ...).
    public var framework: String?
    /// Metrics of the version.
    public var metrics: [String: Double]?
    /// The run that produced it.
    public var source: ModelSource?
    /// Requested stage.
    public var stage: String?
    /// Promotion rules.
    public var promotion: PromotionSpec?
    /// How to serve it.
    public var serving: ServingSpec?
    /// Mirrors in other registries.
    public var registries: RegistriesSpec?
    /// The model card: what the version is for and who owns it.
    public var card: ModelCard?

    /// A model version spec.
    public init(
        model: String, version: Int64, artifact: ArtifactRef, framework: String? = nil, metrics: [String: Double]? = nil,
        source: ModelSource? = nil, stage: String? = nil, promotion: PromotionSpec? = nil,
        serving: ServingSpec? = nil, registries: RegistriesSpec? = nil, card: ModelCard? = nil
    ) {
        self.model = model
        self.version = version
        self.artifact = artifact
        self.framework = framework
        self.metrics = metrics
        self.source = source
        self.stage = stage
        self.promotion = promotion
        self.serving = serving
        self.registries = registries
        self.card = card
    }
}

/// A model card (`spec.card`): shown by `kubectl describe` and `sextant lineage`; with
/// `promotion.requireCard` a version without one cannot be promoted (`CardMissing`).
public struct ModelCard: Codable, Sendable, Hashable {
    /// What the model does.
    public var description: String?
    /// What it is meant to be used for (and not).
    public var intendedUse: String?
    /// Known limitations, biases, failure modes.
    public var limitations: String?
    /// Who answers for it (people or teams).
    public var owners: [String]?
    /// License of the model.
    public var license: String?

    /// A model card.
    public init(description: String? = nil, intendedUse: String? = nil, limitations: String? = nil, owners: [String]? = nil, license: String? = nil) {
        self.description = description
        self.intendedUse = intendedUse
        self.limitations = limitations
        self.owners = owners
        self.license = license
    }

    /// The fields `promotion.requireCard` needs (description, intendedUse, owners) that are unset or empty.
    public var missingRequiredFields: [String] {
        var missing: [String] = []
        if (description ?? "").isEmpty { missing.append("description") }
        if (intendedUse ?? "").isEmpty { missing.append("intendedUse") }
        if (owners ?? []).filter({ !$0.isEmpty }).isEmpty { missing.append("owners") }
        return missing
    }

    /// The required fields of a card, for a version that has none.
    public static let requiredFields = ["description", "intendedUse", "owners"]
}

/// A model artifact.
public struct ArtifactRef: Codable, Sendable, Hashable {
    /// Location.
    public var uri: String
    /// Content digest (`sha256:...`).
    public var digest: String?

    /// An artifact reference.
    public init(uri: String, digest: String? = nil) {
        self.uri = uri
        self.digest = digest
    }
}

/// The pipeline step that produced a version.
public struct ModelSource: Codable, Sendable, Hashable {
    /// MLPipeline name.
    public var pipeline: String?
    /// Step name.
    public var step: String?

    /// A source.
    public init(pipeline: String? = nil, step: String? = nil) {
        self.pipeline = pipeline
        self.step = step
    }
}

/// Rules a version must pass before a requested stage takes effect.
public struct PromotionSpec: Codable, Sendable, Hashable {
    /// Metric thresholds.
    public var gates: [MetricGate]?
    /// Comparison with the current Production version.
    public var compareToProduction: ProductionComparison?
    /// Require the `ml.sextant.dev/approved-by` annotation.
    public var requireApproval: Bool?
    /// Require a model card (`spec.card` with a description, intended use and owners).
    public var requireCard: Bool?

    /// A promotion spec.
    public init(gates: [MetricGate]? = nil, compareToProduction: ProductionComparison? = nil, requireApproval: Bool? = nil, requireCard: Bool? = nil) {
        self.gates = gates
        self.compareToProduction = compareToProduction
        self.requireApproval = requireApproval
        self.requireCard = requireCard
    }
}

/// A metric threshold.
public struct MetricGate: Codable, Sendable, Hashable {
    /// Metric name.
    public var metric: String
    /// Inclusive lower bound.
    public var min: Double?
    /// Inclusive upper bound.
    public var max: Double?

    /// A gate.
    public init(metric: String, min: Double? = nil, max: Double? = nil) {
        self.metric = metric
        self.min = min
        self.max = max
    }
}

/// Comparison with the Production version (higher is better).
public struct ProductionComparison: Codable, Sendable, Hashable {
    /// Metric compared.
    public var metric: String
    /// Required improvement over Production.
    public var minImprovement: Double?

    /// A comparison.
    public init(metric: String, minImprovement: Double? = nil) {
        self.metric = metric
        self.minImprovement = minImprovement
    }
}

/// How a version is served.
public struct ServingSpec: Codable, Sendable, Hashable {
    /// Server image.
    public var image: String
    /// Entrypoint.
    public var command: [String]?
    /// Arguments.
    public var args: [String]?
    /// Replicas.
    public var replicas: Int?
    /// Container port.
    public var port: Int?
    /// Environment.
    public var env: [ContainerEnvVar]?
    /// Compute resources.
    public var resources: ComputeResources?
    /// Progressive delivery when this version becomes Production.
    public var canary: CanarySpec?
    /// Gateway API route of the model (canary traffic by backend weights).
    public var gateway: ServingGateway?
    /// A HorizontalPodAutoscaler on the Deployment; `replicas` is then ignored (see ServingScaling.swift).
    public var autoscaling: ServingAutoscaling?
    /// A PodDisruptionBudget over the serving pods.
    public var disruptionBudget: ServingDisruptionBudget?
    /// `zone`: spread the serving pods over `topology.kubernetes.io/zone`.
    public var topologySpread: String?

    /// A serving spec.
    public init(
        image: String, command: [String]? = nil, args: [String]? = nil, replicas: Int? = nil, port: Int? = nil,
        env: [ContainerEnvVar]? = nil, resources: ComputeResources? = nil, canary: CanarySpec? = nil, gateway: ServingGateway? = nil,
        autoscaling: ServingAutoscaling? = nil, disruptionBudget: ServingDisruptionBudget? = nil, topologySpread: String? = nil
    ) {
        self.image = image
        self.command = command
        self.args = args
        self.replicas = replicas
        self.port = port
        self.env = env
        self.resources = resources
        self.canary = canary
        self.gateway = gateway
        self.autoscaling = autoscaling
        self.disruptionBudget = disruptionBudget
        self.topologySpread = topologySpread
    }
}

/// Mirrors of a version in other registries.
public struct RegistriesSpec: Codable, Sendable, Hashable {
    /// SageMaker Model Registry.
    public var sagemaker: SageMakerRegistry?
    /// MLflow Model Registry.
    public var mlflow: MLflowRegistry?
    /// Azure ML model versions.
    public var azureML: AzureMLRegistry?
    /// Vertex AI Model Registry versions.
    public var vertexAI: VertexAIRegistry?

    /// Registries.
    public init(sagemaker: SageMakerRegistry? = nil, mlflow: MLflowRegistry? = nil, azureML: AzureMLRegistry? = nil,
                vertexAI: VertexAIRegistry? = nil) {
        self.sagemaker = sagemaker
        self.mlflow = mlflow
        self.azureML = azureML
        self.vertexAI = vertexAI
    }
}

/// A Vertex AI Model Registry model (versions of it, uploaded with `models.upload`).
public struct VertexAIRegistry: Codable, Sendable, Hashable {
    /// Google Cloud project id.
    public var project: String
    /// Vertex AI region (`europe-west4`).
    public var location: String
    /// Display name of the model; its id is derived from it (`VertexAIRegistry.modelID`).
    public var displayName: String
    /// The serving container image of every version (`containerSpec.imageUri`).
    public var servingImage: String

    /// A Vertex AI registry.
    public init(project: String, location: String, displayName: String, servingImage: String) {
        self.project = project
        self.location = location
        self.displayName = displayName
        self.servingImage = servingImage
    }
}

/// An Azure ML workspace's model (versions of it).
public struct AzureMLRegistry: Codable, Sendable, Hashable {
    /// Azure subscription id.
    public var subscriptionId: String
    /// Resource group of the workspace.
    public var resourceGroup: String
    /// Azure ML workspace.
    public var workspace: String
    /// Model name in the workspace.
    public var name: String

    /// An Azure ML registry.
    public init(subscriptionId: String, resourceGroup: String, workspace: String, name: String) {
        self.subscriptionId = subscriptionId
        self.resourceGroup = resourceGroup
        self.workspace = workspace
        self.name = name
    }
}

/// A SageMaker model package group.
public struct SageMakerRegistry: Codable, Sendable, Hashable {
    /// AWS region.
    public var region: String
    /// Model package group.
    public var modelPackageGroup: String

    /// A SageMaker registry.
    public init(region: String, modelPackageGroup: String) {
        self.region = region
        self.modelPackageGroup = modelPackageGroup
    }
}

/// An MLflow registered model.
public struct MLflowRegistry: Codable, Sendable, Hashable {
    /// Tracking server URI.
    public var trackingURI: String
    /// Registered model name.
    public var name: String

    /// An MLflow registry.
    public init(trackingURI: String, name: String) {
        self.trackingURI = trackingURI
        self.name = name
    }
}
