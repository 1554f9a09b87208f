import KubeCore

/// An Amazon SageMaker training job (CreateTrainingJob).
public struct SageMakerStep: Codable, Sendable, Hashable {
    /// AWS region.
    public var region: String
    /// Execution role ARN.
    public var roleArn: String
    /// Training image.
    public var image: String
    /// Instance type (`ml.m5.xlarge`).
    public var instanceType: String
    /// Number of instances.
    public var instanceCount: Int?
    /// EBS volume size.
    public var volumeSizeGB: Int?
    /// Hyperparameters.
    public var hyperParameters: [String: String]?
    /// Input channels.
    public var inputs: [SageMakerInput]?
    /// Output location.
    public var outputS3Uri: String
    /// `StoppingCondition.MaxRuntimeInSeconds`.
    public var maxRuntimeSeconds: Int64?
    /// `StoppingCondition.MaxWaitTimeInSeconds` for spot training (default 2 × max runtime).
    public var maxWaitSeconds: Int64?
    /// Checkpoint location.
    public var checkpointS3Uri: String?
    /// Container environment.
    public var environment: [String: String]?

    /// A SageMaker step.
    public init(
        region: String, roleArn: String, image: String, instanceType: String, instanceCount: Int? = nil,
        volumeSizeGB: Int? = nil, hyperParameters: [String: String]? = nil, inputs: [SageMakerInput]? = nil,
        outputS3Uri: String, maxRuntimeSeconds: Int64? = nil, maxWaitSeconds: Int64? = nil,
        checkpointS3Uri: String? = nil, environment: [String: String]? = nil
    ) {
        self.region = region
        self.roleArn = roleArn
        self.image = image
        self.instanceType = instanceType
        self.instanceCount = instanceCount
        self.volumeSizeGB = volumeSizeGB
        self.hyperParameters = hyperParameters
        self.inputs = inputs
        self.outputS3Uri = outputS3Uri
        self.maxRuntimeSeconds = maxRuntimeSeconds
        self.maxWaitSeconds = maxWaitSeconds
        self.checkpointS3Uri = checkpointS3Uri
        self.environment = environment
    }
}

/// A SageMaker input channel.
public struct SageMakerInput: Codable, Sendable, Hashable {
    /// Channel name (`train`).
    public var channel: String
    /// S3 prefix of the channel data.
    public var s3Uri: String

    /// An input channel.
    public init(channel: String, s3Uri: String) {
        self.channel = channel
        self.s3Uri = s3Uri
    }
}

/// An AWS Batch job (SubmitJob): one container, or a multi-node parallel job with `nodes`.
/// Spot is not a step setting here: on Batch it is a property of the job queue's compute environment.
public struct AWSBatchStep: Codable, Sendable, Hashable {
    /// AWS region.
    public var region: String
    /// Job queue name or ARN.
    public var jobQueue: String
    /// Job definition `name[:revision]` or ARN.
    public var jobDefinition: String
    /// Command override.
    public var command: [String]?
    /// Environment added to the container(s).
    public var environment: [String: String]?
    /// vCPUs (`resourceRequirements` VCPU).
    public var vcpus: Int?
    /// Memory in MiB (`resourceRequirements` MEMORY).
    public var memoryMiB: Int?
    /// GPUs (`resourceRequirements` GPU).
    public var gpus: Int?
    /// Nodes of a multi-node parallel job (at least 2); unset = one container.
    public var nodes: Int?
    /// S3 prefix where `SEXTANT_OUTPUTS_URI` points (`<outputS3Uri>/<job name>/sextant-outputs.json`).
    public var outputS3Uri: String?

    /// An AWS Batch step.
    public init(
        region: String, jobQueue: String, jobDefinition: String, command: [String]? = nil,
        environment: [String: String]? = nil, vcpus: Int? = nil, memoryMiB: Int? = nil, gpus: Int? = nil,
        nodes: Int? = nil, outputS3Uri: String? = nil
    ) {
        self.region = region
        self.jobQueue = jobQueue
        self.jobDefinition = jobDefinition
        self.command = command
        self.environment = environment
        self.vcpus = vcpus
        self.memoryMiB = memoryMiB
        self.gpus = gpus
        self.nodes = nodes
        self.outputS3Uri = outputS3Uri
    }
}

/// A Google Vertex AI CustomJob.
public struct VertexAIStep: Codable, Sendable, Hashable {
    /// GCP project.
    public var project: String
    /// Region (`europe-west4`).
    public var location: String
    /// Container image.
    public var image: String
    /// Entrypoint.
    public var command: [String]?
    /// Arguments.
    public var args: [String]?
    /// Machine type (`n1-standard-8`).
    public var machineType: String
    /// Accelerator type (`NVIDIA_TESLA_T4`).
    public var acceleratorType: String?
    /// Accelerators per replica.
    public var acceleratorCount: Int?
    /// Number of replicas.
    public var replicaCount: Int?
    /// Service account the job runs as.
    public var serviceAccount: String?
    /// `baseOutputDirectory.outputUriPrefix`.
    public var baseOutputDirectory: String?
    /// Environment of the training container (`containerSpec.env`); the controller adds
    /// `SEXTANT_PIPELINE`, `SEXTANT_STEP`, `SEXTANT_ATTEMPT` and `SEXTANT_OUTPUTS_URI`.
    public var environment: [String: String]?

    /// A Vertex AI step.
    public init(
        project: String, location: String, image: String, command: [String]? = nil, args: [String]? = nil,
        machineType: String, acceleratorType: String? = nil, acceleratorCount: Int? = nil,
        replicaCount: Int? = nil, serviceAccount: String? = nil, baseOutputDirectory: String? = nil,
        environment: [String: String]? = nil
    ) {
        self.project = project
        self.location = location
        self.image = image
        self.command = command
        self.args = args
        self.machineType = machineType
        self.acceleratorType = acceleratorType
        self.acceleratorCount = acceleratorCount
        self.replicaCount = replicaCount
        self.serviceAccount = serviceAccount
        self.baseOutputDirectory = baseOutputDirectory
        self.environment = environment
    }
}

/// An Azure Machine Learning command job.
public struct AzureMLStep: Codable, Sendable, Hashable {
    /// Azure subscription.
    public var subscriptionId: String
    /// Resource group.
    public var resourceGroup: String
    /// Workspace name.
    public var workspace: String
    /// Compute target.
    public var compute: String
    /// Environment (image reference).
    public var environment: String
    /// Command line.
    public var command: String
    /// Number of nodes.
    public var instanceCount: Int?
    /// Environment variables of the job (`environmentVariables`); the controller adds SEXTANT_*.
    public var environmentVariables: [String: String]?
    /// Blob prefix (`az://account/container/path`, `abfss://container@account.dfs.core.windows.net/path`
    /// or `https://account.blob.core.windows.net/container/path`) where SEXTANT_OUTPUTS_URI points.
    public var outputUri: String?
    /// VM size of the compute cluster (`Standard_NC6s_v3`), for the cost estimate; read from the compute when unset.
    public var vmSize: String?
    /// `experimentName` of the job; default `sextant-<namespace>-<pipeline>`.
    public var experimentName: String?
    /// `distribution.distributionType` when `instanceCount` > 1: `PyTorch` (default), `Mpi` or `TensorFlow`.
    public var distribution: String?

    /// An Azure ML step.
    public init(subscriptionId: String, resourceGroup: String, workspace: String, compute: String, environment: String, command: String,
                instanceCount: Int? = nil, environmentVariables: [String: String]? = nil, outputUri: String? = nil, vmSize: String? = nil,
                experimentName: String? = nil, distribution: String? = nil) {
        self.subscriptionId = subscriptionId
        self.resourceGroup = resourceGroup
        self.workspace = workspace
        self.compute = compute
        self.environment = environment
        self.command = command
        self.instanceCount = instanceCount
        self.environmentVariables = environmentVariables
        self.outputUri = outputUri
        self.vmSize = vmSize
        self.experimentName = experimentName
        self.distribution = distribution
    }
}
