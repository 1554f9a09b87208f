import KubeCore

/// One run of a DAG of steps (`mlp`). See docs/api.md.
public struct MLPipeline: Codable, Sendable, Hashable {
    /// `ml.sextant.dev/v1alpha1`.
    public var apiVersion: String?
    /// `MLPipeline`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// What to run.
    public var spec: MLPipelineSpec
    /// What happened (written by the controller through `/status`).
    public var status: MLPipelineStatus?

    /// A pipeline with the given metadata and spec.
    public init(metadata: ObjectMeta, spec: MLPipelineSpec, status: MLPipelineStatus? = nil) {
        self.apiVersion = SextantGroup.apiVersion
        self.kind = "MLPipeline"
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The desired run: parameters, inputs, steps and what to register on success.
public struct MLPipelineSpec: Codable, Sendable, Hashable {
    /// Free-form string parameters, referenced as `{{params.N}}`.
    public var params: [String: String]?
    /// Input datasets, referenced as `{{datasets.N.uri}}` / `{{datasets.N.version}}`.
    public var datasets: [Dataset]?
    /// Maximum number of steps running at once; nil means no limit.
    public var parallelism: Int?
    /// Deadline of the whole run in seconds.
    public var timeoutSeconds: Int64?
    /// When true, running steps are stopped and the run becomes `Cancelled`.
    public var cancel: Bool?
    /// Pod settings applied to every container step.
    public var podDefaults: PodDefaults?
    /// The steps of the DAG.
    public var steps: [PipelineStep]
    /// A ModelVersion to create when the run succeeds.
    public var register: RegisterSpec? {
        get { boxedRegister?.value }
        set { boxedRegister = newValue.map(Boxed.init) }
    }
    /// Experiment tracking (MLflow, W&B).
    public var tracking: TrackingSpec? {
        get { boxedTracking?.value }
        set { boxedTracking = newValue.map(Boxed.init) }
    }
    // Boxed (`Boxed`): `register` alone is 416 bytes inline, in every cached pipeline. JSON keys are the public names.
    private var boxedRegister: Boxed<RegisterSpec>?
    private var boxedTracking: Boxed<TrackingSpec>?

    enum CodingKeys: String, CodingKey {
        case params, datasets, parallelism, timeoutSeconds, cancel, podDefaults, steps
        case boxedRegister = "register", boxedTracking = "tracking"
    }

    /// A spec with the given fields.
    public init(
        params: [String: String]? = nil, datasets: [Dataset]? = nil, parallelism: Int? = nil,
        timeoutSeconds: Int64? = nil, cancel: Bool? = nil, podDefaults: PodDefaults? = nil,
        steps: [PipelineStep], register: RegisterSpec? = nil, tracking: TrackingSpec? = nil
    ) {
        self.params = params
        self.datasets = datasets
        self.parallelism = parallelism
        self.timeoutSeconds = timeoutSeconds
        self.cancel = cancel
        self.podDefaults = podDefaults
        self.steps = steps
        self.register = register
        self.tracking = tracking
    }
}

/// An input dataset of a run.
public struct Dataset: Codable, Sendable, Hashable {
    /// Name used in templates.
    public var name: String
    /// Location of the data.
    public var uri: String
    /// Version (object version, snapshot id, commit).
    public var version: String?

    /// A dataset.
    public init(name: String, uri: String, version: String? = nil) {
        self.name = name
        self.uri = uri
        self.version = version
    }
}

/// Pod settings shared by all container steps.
public struct PodDefaults: Codable, Sendable, Hashable {
    /// Service account of the step pods.
    public var serviceAccountName: String?
    /// Node selector of the step pods.
    public var nodeSelector: [String: String]?
    /// Tolerations (core/v1 Toleration objects).
    public var tolerations: [JSONValue]?
    /// Image pull secrets (`{name: ...}` objects).
    public var imagePullSecrets: [JSONValue]?

    /// Pod defaults.
    public init(serviceAccountName: String? = nil, nodeSelector: [String: String]? = nil, tolerations: [JSONValue]? = nil, imagePullSecrets: [JSONValue]? = nil) {
        self.serviceAccountName = serviceAccountName
        self.nodeSelector = nodeSelector
        self.tolerations = tolerations
        self.imagePullSecrets = imagePullSecrets
    }
}

/// What a successful run registers as a ModelVersion.
public struct RegisterSpec: Codable, Sendable, Hashable {
    /// Model name (DNS-1123 label); the version is named `<model>-v<N>`.
    public var model: String
    /// Artifact URI, usually a template such as `{{steps.train.outputs.artifacts.model}}`.
    public var artifact: String
    /// Step whose metrics are copied into the ModelVersion.
    public var metricsFrom: String?
    /// Desired stage of the new version.
    public var stage: String?
    /// Copied into `ModelVersion.spec.promotion`.
    public var promotion: PromotionSpec?
    /// Copied into `ModelVersion.spec.serving`.
    public var serving: ServingSpec?
    /// Copied into `ModelVersion.spec.framework`.
    public var framework: String?

    /// A register block.
    public init(
        model: String, artifact: String, metricsFrom: String? = nil, stage: String? = nil,
        promotion: PromotionSpec? = nil, serving: ServingSpec? = nil, framework: String? = nil
    ) {
        self.model = model
        self.artifact = artifact
        self.metricsFrom = metricsFrom
        self.stage = stage
        self.promotion = promotion
        self.serving = serving
        self.framework = framework
    }
}
