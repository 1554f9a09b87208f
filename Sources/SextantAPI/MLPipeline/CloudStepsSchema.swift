import KubeCore

extension SchemaNode {
    /// `pattern`, or any string with a template (`{{params.bucket}}`): every string of a cloud block
    /// may be templated, and the resolved value is checked by the provider.
    func templatedPattern(_ regex: String) -> SchemaNode { pattern("\(regex)|\\{\\{") }
}

extension SageMakerStep {
    /// The OpenAPI schema of a SageMaker step.
    public static let schema: SchemaNode = .object(
        "Run the step as an Amazon SageMaker training job (one per attempt, deterministic name). Credentials come from the standard AWS chain, never from this object.",
        required: ["region", "roleArn", "image", "instanceType", "outputS3Uri"],
        [
            ("region", .string("AWS region (`eu-west-1`).").minLength(1)),
            ("roleArn", .string("IAM role SageMaker assumes for the job.").templatedPattern("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$")),
            ("image", .string("Training image (ECR URI).").minLength(1)),
            ("instanceType", .string("Instance type (`ml.m5.xlarge`).").templatedPattern("^ml\\..+$")),
            ("instanceCount", .int32("Number of instances.").minimum(1).defaulted(1)),
            ("volumeSizeGB", .int32("EBS volume size per instance in GB.").minimum(1).defaulted(30)),
            ("hyperParameters", .stringMap("Hyperparameters passed to the algorithm; templates are resolved.")),
            ("inputs", .array("Input channels.", of: .object("An input channel.", required: ["channel", "s3Uri"], [
                ("channel", .string("Channel name (`train`, `validation`).").minLength(1)),
                ("s3Uri", .string("S3 prefix of the channel's data.").templatedPattern("^s3://.+$")),
            ]))),
            ("outputS3Uri", .string("S3 prefix where SageMaker writes the model artifact.").templatedPattern("^s3://.+$")),
            ("maxRuntimeSeconds", .integer("StoppingCondition.MaxRuntimeInSeconds; default: the step's timeoutSeconds, else 86400.").minimum(1)),
            ("maxWaitSeconds", .integer("StoppingCondition.MaxWaitTimeInSeconds for spot training; default 2 × maxRuntimeSeconds.").minimum(1)),
            ("checkpointS3Uri", .string("CheckpointConfig.S3Uri; with spot and no value, `<outputS3Uri>/<job name>/checkpoints`.").templatedPattern("^s3://.+$")),
            ("environment", .stringMap("Environment of the training container; templates are resolved.")),
        ])
}

extension AWSBatchStep {
    /// The OpenAPI schema of an AWS Batch step.
    public static let schema: SchemaNode = .object(
        "Run the step as an AWS Batch job (SubmitJob, one per attempt, deterministic name). `spot: true` is rejected: on Batch, spot is a property of the job queue's compute environment. Credentials come from the standard AWS chain.",
        required: ["region", "jobQueue", "jobDefinition"],
        [
            ("region", .string("AWS region (`eu-west-1`).").minLength(1)),
            ("jobQueue", .string("Job queue name or ARN.").minLength(1)),
            ("jobDefinition", .string("Job definition `name[:revision]` or ARN.").minLength(1)),
            ("command", .array("Command override (containerOverrides.command); templates are resolved.", of: .string(""))),
            ("environment", .stringMap("Environment added to the container(s); templates are resolved. The controller adds SEXTANT_PIPELINE, SEXTANT_STEP, SEXTANT_ATTEMPT and SEXTANT_OUTPUTS_URI.")),
            ("vcpus", .int32("vCPUs per container (resourceRequirements VCPU).").minimum(1)),
            ("memoryMiB", .int32("Memory per container in MiB (resourceRequirements MEMORY).").minimum(1)),
            ("gpus", .int32("GPUs per container (resourceRequirements GPU).").minimum(0)),
            ("nodes", .int32("Nodes of a multi-node parallel job (distributed training), at least 2; unset = one container.").minimum(2)),
            ("outputS3Uri", .string("S3 prefix where SEXTANT_OUTPUTS_URI points (`<outputS3Uri>/<job name>/sextant-outputs.json`).").templatedPattern("^s3://.+$")),
        ])
}

extension VertexAIStep {
    /// The OpenAPI schema of a Vertex AI step.
    public static let schema: SchemaNode = .object(
        "Run the step as a Google Vertex AI CustomJob. Credentials come from workload identity or GOOGLE_APPLICATION_CREDENTIALS.",
        required: ["project", "location", "image", "machineType"],
        [
            ("project", .string("GCP project id.").minLength(1)),
            ("location", .string("Region (`europe-west4`).").minLength(1)),
            ("image", .string("Container image.").minLength(1)),
            ("command", .array("Entrypoint; templates are resolved.", of: .string(""))),
            ("args", .array("Arguments; templates are resolved.", of: .string(""))),
            ("machineType", .string("Machine type (`n1-standard-8`).").minLength(1)),
            ("acceleratorType", .string("Accelerator type (`NVIDIA_TESLA_T4`).")),
            ("acceleratorCount", .int32("Accelerators per replica.").minimum(0)),
            ("replicaCount", .int32("Number of replicas.").minimum(1).defaulted(1)),
            ("serviceAccount", .string("Service account the job runs as.")),
            ("baseOutputDirectory", .string("GCS prefix for outputs (`gs://...`), the job's `baseOutputDirectory.outputUriPrefix`: artifact `model` is `<baseOutputDirectory>/model/` (AIP_MODEL_DIR) and SEXTANT_OUTPUTS_URI is `<baseOutputDirectory>/<job name>/sextant-outputs.json`.").templatedPattern("^gs://.+$")),
            ("environment", .stringMap("Environment of the training container (containerSpec.env); templates are resolved. The controller adds SEXTANT_PIPELINE, SEXTANT_STEP, SEXTANT_ATTEMPT and SEXTANT_OUTPUTS_URI.")),
        ])
}

extension AzureMLStep {
    /// The OpenAPI schema of an Azure ML step.
    public static let schema: SchemaNode = .object(
        "Run the step as an Azure Machine Learning command job. Credentials come from workload identity or client secret environment variables.",
        required: ["subscriptionId", "resourceGroup", "workspace", "compute", "environment", "command"],
        [
            ("subscriptionId", .string("Azure subscription id.").minLength(1)),
            ("resourceGroup", .string("Resource group of the workspace.").minLength(1)),
            ("workspace", .string("Azure ML workspace.").minLength(1)),
            ("compute", .string("Compute cluster name.").minLength(1)),
            ("environment", .string("Environment: an image reference (registered as environment `sextant-<hash>` version 1), `azureml:<name>:<version>`, or an environment ARM id.").minLength(1)),
            ("command", .string("Command line; templates are resolved.").minLength(1)),
            ("instanceCount", .int32("Number of nodes (`resources.instanceCount`).").minimum(1).defaulted(1)),
            ("environmentVariables", .stringMap("Environment variables of the job; templates are resolved. The controller adds SEXTANT_PIPELINE, SEXTANT_STEP, SEXTANT_ATTEMPT and SEXTANT_OUTPUTS_URI.")),
            ("outputUri", .string("Blob prefix where SEXTANT_OUTPUTS_URI points (`<outputUri>/<job name>/sextant-outputs.json`): `az://account/container/path`, `abfss://container@account.dfs.core.windows.net/path` or `https://account.blob.core.windows.net/container/path`.").templatedPattern("^(az|abfss|abfs|https)://.+$")),
            ("vmSize", .string("VM size of the compute cluster (`Standard_NC6s_v3`) for the cost estimate; read from the compute when unset.")),
            ("experimentName", .string("Experiment of the job; default `sextant-<namespace>-<pipeline>`.")),
            ("distribution", .string("`distribution.distributionType` when instanceCount > 1 (default `PyTorch`).").oneOf(["PyTorch", "Mpi", "TensorFlow"])),
        ])
}
