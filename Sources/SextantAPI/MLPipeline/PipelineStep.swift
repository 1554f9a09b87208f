import KubeCore

/// One node of the DAG: exactly one of `container`, `sagemaker`, `awsBatch`, `vertexAI`, `azureML`, `airflow`.
public struct PipelineStep: Codable, Sendable, Hashable {
    /// Unique step name (DNS-1123 label).
    public var name: String
    /// Steps that must succeed before this one starts.
    public var dependsOn: [String]?
    /// Run as a Kubernetes Job.
    public var container: ContainerStep?
    /// Run as an Amazon SageMaker training job.
    public var sagemaker: SageMakerStep? {
        get { boxedSagemaker?.value }
        set { boxedSagemaker = newValue.map(Boxed.init) }
    }
    /// Run as an AWS Batch job.
    public var awsBatch: AWSBatchStep? {
        get { boxedAWSBatch?.value }
        set { boxedAWSBatch = newValue.map(Boxed.init) }
    }
    /// Run as a Google Vertex AI CustomJob.
    public var vertexAI: VertexAIStep? {
        get { boxedVertexAI?.value }
        set { boxedVertexAI = newValue.map(Boxed.init) }
    }
    /// Run as an Azure ML command job.
    public var azureML: AzureMLStep? {
        get { boxedAzureML?.value }
        set { boxedAzureML = newValue.map(Boxed.init) }
    }
    /// Run as an Apache Airflow DAG run.
    public var airflow: AirflowStep? {
        get { boxedAirflow?.value }
        set { boxedAirflow = newValue.map(Boxed.init) }
    }
    // The cloud step kinds are boxed (`Boxed`): a step sets at most one, and held inline they
    // made every step 1,000 bytes in cached pipelines. JSON keys are the public names.
    private var boxedSagemaker: Boxed<SageMakerStep>?
    private var boxedAWSBatch: Boxed<AWSBatchStep>?
    private var boxedVertexAI: Boxed<VertexAIStep>?
    private var boxedAzureML: Boxed<AzureMLStep>?
    private var boxedAirflow: Boxed<AirflowStep>?
    /// Retries of failed attempts.
    public var retry: RetryPolicy?
    /// Deadline of one attempt in seconds.
    public var timeoutSeconds: Int64?
    /// Use spot / preemptible capacity where the backend supports it.
    public var spot: Bool?
    /// Declared outputs.
    public var outputs: StepOutputs?
    /// Reuse of earlier identical results.
    public var cache: CachePolicy?

    enum CodingKeys: String, CodingKey {
        case name, dependsOn, container
        case boxedSagemaker = "sagemaker", boxedAWSBatch = "awsBatch", boxedVertexAI = "vertexAI"
        case boxedAzureML = "azureML", boxedAirflow = "airflow"
        case retry, timeoutSeconds, spot, outputs, cache
    }

    /// A step.
    public init(
        name: String, dependsOn: [String]? = nil, container: ContainerStep? = nil,
        sagemaker: SageMakerStep? = nil, vertexAI: VertexAIStep? = nil, azureML: AzureMLStep? = nil,
        retry: RetryPolicy? = nil, timeoutSeconds: Int64? = nil, spot: Bool? = nil,
        outputs: StepOutputs? = nil, cache: CachePolicy? = nil, awsBatch: AWSBatchStep? = nil, airflow: AirflowStep? = nil
    ) {
        self.name = name
        self.airflow = airflow
        self.dependsOn = dependsOn
        self.container = container
        self.sagemaker = sagemaker
        self.awsBatch = awsBatch
        self.vertexAI = vertexAI
        self.azureML = azureML
        self.retry = retry
        self.timeoutSeconds = timeoutSeconds
        self.spot = spot
        self.outputs = outputs
        self.cache = cache
    }

    /// The step kinds that are set (`container`, `sagemaker`, `awsBatch`, `vertexAI`, `azureML`, `airflow`).
    public var kinds: [String] {
        var k: [String] = []
        if container != nil { k.append("container") }
        if sagemaker != nil { k.append("sagemaker") }
        if awsBatch != nil { k.append("awsBatch") }
        if vertexAI != nil { k.append("vertexAI") }
        if azureML != nil { k.append("azureML") }
        if airflow != nil { k.append("airflow") }
        return k
    }
}

/// A container step: one Job per attempt.
public struct ContainerStep: Codable, Sendable, Hashable {
    /// Container image.
    public var image: String
    /// Entrypoint.
    public var command: [String]?
    /// Arguments.
    public var args: [String]?
    /// Environment variables.
    public var env: [ContainerEnvVar]?
    /// Working directory.
    public var workingDir: String?
    /// Image pull policy.
    public var imagePullPolicy: String?
    /// Compute resources.
    public var resources: ComputeResources?
    /// Where the step writes its outputs JSON (default `/dev/termination-log`).
    public var terminationMessagePath: String?
    /// Labels and annotations copied onto the Job's pod template.
    public var podMetadata: PodMetadata?

    /// A container step.
    public init(
        image: String, command: [String]? = nil, args: [String]? = nil, env: [ContainerEnvVar]? = nil,
        workingDir: String? = nil, imagePullPolicy: String? = nil, resources: ComputeResources? = nil,
        terminationMessagePath: String? = nil, podMetadata: PodMetadata? = nil
    ) {
        self.image = image
        self.command = command
        self.args = args
        self.env = env
        self.workingDir = workingDir
        self.imagePullPolicy = imagePullPolicy
        self.resources = resources
        self.terminationMessagePath = terminationMessagePath
        self.podMetadata = podMetadata
    }
}

/// An environment variable of a step: core/v1 `EnvVar` (a literal `value`, whose templates are
/// resolved, or a `valueFrom` passed through unchanged). The CRD schema is `ContainerEnvVar.schema`.
public typealias ContainerEnvVar = EnvVar

/// Requests and limits of a step's container: core/v1 `ResourceRequirements` (quantities given as
/// strings or numbers; written in canonical form). The CRD schema is `ComputeResources.schema`.
public typealias ComputeResources = ResourceRequirements

/// Labels and annotations for a pod template.
public struct PodMetadata: Codable, Sendable, Hashable {
    /// Labels.
    public var labels: [String: String]?
    /// Annotations.
    public var annotations: [String: String]?

    /// Pod metadata.
    public init(labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.labels = labels
        self.annotations = annotations
    }
}

/// Retries of a failed attempt.
public struct RetryPolicy: Codable, Sendable, Hashable {
    /// Number of retries after the first attempt.
    public var limit: Int?
    /// Delay between attempts.
    public var backoff: Backoff?

    /// A retry policy.
    public init(limit: Int? = nil, backoff: Backoff? = nil) {
        self.limit = limit
        self.backoff = backoff
    }
}

/// Exponential backoff: `min(initialSeconds * factor^n, maxSeconds)`.
public struct Backoff: Codable, Sendable, Hashable {
    /// Delay before the first retry.
    public var initialSeconds: Int64?
    /// Multiplier per retry.
    public var factor: Double?
    /// Upper bound of the delay.
    public var maxSeconds: Int64?

    /// A backoff.
    public init(initialSeconds: Int64? = nil, factor: Double? = nil, maxSeconds: Int64? = nil) {
        self.initialSeconds = initialSeconds
        self.factor = factor
        self.maxSeconds = maxSeconds
    }
}

/// Declared outputs of a step.
public struct StepOutputs: Codable, Sendable, Hashable {
    /// Artifact names (values are URIs).
    public var artifacts: [String]?
    /// Metric names (values are numbers).
    public var metrics: [String]?

    /// Declared outputs.
    public init(artifacts: [String]? = nil, metrics: [String]? = nil) {
        self.artifacts = artifacts
        self.metrics = metrics
    }
}

/// Step result caching.
public struct CachePolicy: Codable, Sendable, Hashable {
    /// Whether a previous identical result may be reused.
    public var enabled: Bool?
    /// Maximum age of a reusable result; nil means no limit.
    public var maxAgeSeconds: Int64?

    /// A cache policy.
    public init(enabled: Bool? = nil, maxAgeSeconds: Int64? = nil) {
        self.enabled = enabled
        self.maxAgeSeconds = maxAgeSeconds
    }
}
