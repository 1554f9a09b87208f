import KubeCore

extension MLPipeline {
    /// CEL rules of `spec` (the dev server supports exactly these shapes).
    static let specRules: [ValidationRule] = [
        ValidationRule(
            // The step names are bound once: the apiserver's static cost estimate of the direct form
            // (steps × dependsOn × steps name comparisons) is over its per-rule limit.
            "cel.bind(names, self.steps.map(t, t.name), self.steps.all(s, !has(s.dependsOn) || s.dependsOn.all(d, d in names)))",
            message: "every dependsOn entry must name a step of this pipeline"),
        ValidationRule(
            immutableSpecRule,
            message: "spec is immutable after creation except spec.cancel", reason: "FieldValueForbidden"),
    ]

    /// Transition rule: every field but `cancel` keeps its value.
    static let immutableSpecRule: String = {
        let optional = ["params", "datasets", "parallelism", "timeoutSeconds", "podDefaults", "register", "tracking"]
        let parts = ["self.steps == oldSelf.steps"] + optional.map {
            "has(self.\($0)) == has(oldSelf.\($0)) && (!has(self.\($0)) || self.\($0) == oldSelf.\($0))"
        }
        return parts.joined(separator: " && ")
    }()

    /// The OpenAPI schema of `spec`.
    public static let specSchema: SchemaNode = .object(
        "The run: parameters, input datasets and a DAG of steps. Immutable after creation except `cancel`.",
        required: ["steps"],
        [
            ("params", .stringMap("String parameters referenced as `{{params.NAME}}` in command, args, env values and cloud step fields.")),
            ("datasets", .array("Input datasets, referenced as `{{datasets.NAME.uri}}` and `{{datasets.NAME.version}}` and recorded in `status.lineage`.", of: datasetSchema)),
            ("parallelism", .int32("Maximum number of steps running at once. Unset means no limit.").minimum(1)),
            ("timeoutSeconds", .integer("Deadline of the whole run in seconds, counted from `status.startedAt`. When it passes, running Jobs are deleted, unfinished steps become `Cancelled` and the run fails with reason `RunTimeout`.").minimum(1)),
            ("cancel", .boolean("Set to true to stop the run: running steps are stopped, pending ones never start, and the run phase becomes `Cancelled`. The only field that may change after creation.").defaulted(false)),
            ("podDefaults", podDefaultsSchema),
            ("steps", .array("The steps of the DAG. Names are unique, every `dependsOn` entry names a step, and the graph has no cycle.", of: PipelineStep.schema)
                .minItems(1).maxItems(200)
                .validations([ValidationRule("self.all(s, self.exists_one(t, t.name == s.name))", message: "step names must be unique")])),
            ("register", registerSchema),
            ("tracking", trackingSchema),
        ]
    ).validations(specRules)

    static let datasetSchema: SchemaNode = .object(
        "An input dataset.", required: ["name", "uri"],
        [
            ("name", .string("Name used in templates (`{{datasets.NAME.uri}}`).").dns1123Label()),
            ("uri", .string("Location of the data (`s3://...`, `gs://...`, `https://...`).").minLength(1)),
            ("version", .string("Version of the data as used by this run (object version, snapshot id, commit).")),
        ])

    static let podDefaultsSchema: SchemaNode = .object(
        "Pod settings applied to the Job of every container step.",
        [
            ("serviceAccountName", .string("Service account the step pods run as.")),
            ("nodeSelector", .stringMap("Node labels the step pods must be scheduled on.")),
            ("tolerations", .array("Tolerations of the step pods (core/v1 Toleration).", of: .opaqueObject(""))),
            ("imagePullSecrets", .array("Secrets used to pull step images (`{name: ...}`).", of: .opaqueObject(""))),
        ])

    static let registerSchema: SchemaNode = .object(
        "On success, create a ModelVersion `<model>-v<N>` with N one above the highest existing version of the model, with `spec.source` and `spec.metrics` filled in.",
        required: ["model", "artifact"],
        [
            ("model", .string("Model name (DNS-1123 label).").dns1123Label()),
            ("artifact", .string("Artifact URI of the new version, usually `{{steps.STEP.outputs.artifacts.NAME}}`.").minLength(1)),
            ("metricsFrom", .string("Step whose output metrics are copied into the ModelVersion.").dns1123Label()),
            ("stage", .string("Desired stage of the new version.").oneOf(ModelStage.all)),
            ("promotion", ModelVersion.promotionSchema),
            ("serving", ModelVersion.servingSchema),
            ("framework", .string("Framework recorded on the ModelVersion (`xgboost`, `pytorch`, ...).")),
        ])
}

extension PipelineStep {
    /// The OpenAPI schema of one step.
    public static let schema: SchemaNode = .object(
        "One step of the DAG: exactly one of `container`, `sagemaker`, `awsBatch`, `vertexAI`, `azureML`, `airflow`.",
        required: ["name"],
        [
            ("name", .string("Step name, unique in the pipeline (DNS-1123 label).").dns1123Label()),
            ("dependsOn", .array("Steps that must succeed before this one starts. If one fails, this step is `Skipped`.", of: .string("")).maxItems(200)),
            ("container", ContainerStep.schema),
            ("sagemaker", SageMakerStep.schema),
            ("awsBatch", AWSBatchStep.schema),
            ("vertexAI", VertexAIStep.schema),
            ("azureML", AzureMLStep.schema),
            ("airflow", AirflowStep.schema),
            ("retry", RetryPolicy.schema),
            ("timeoutSeconds", .integer("Deadline of one attempt in seconds (the Job's `activeDeadlineSeconds`). An attempt past it fails with reason `DeadlineExceeded` and may be retried.").minimum(1)),
            ("spot", .boolean("Use spot/preemptible capacity where the backend supports it (SageMaker managed spot, Vertex AI SPOT, Azure ML low priority). Rejected on awsBatch steps: there spot is a property of the job queue's compute environment.")),
            ("outputs", StepOutputs.schema),
            ("cache", CachePolicy.schema),
        ]
    ).validations([
        ValidationRule(
            "[has(self.container), has(self.sagemaker), has(self.awsBatch), has(self.vertexAI), has(self.azureML), has(self.airflow)].filter(x, x).size() == 1",
            message: "exactly one of container, sagemaker, awsBatch, vertexAI, azureML, airflow must be set"),
        ValidationRule(
            "!has(self.awsBatch) || !has(self.spot) || !self.spot",
            message: PipelineGraph.awsBatchSpotMessage),
    ])
}

extension ContainerStep {
    /// The OpenAPI schema of a container step.
    public static let schema: SchemaNode = .object(
        "Run the step as a Kubernetes Job (one Job per attempt, named `<pipeline>-<step>-<attempt>`).",
        required: ["image"],
        [
            ("image", .string("Container image.").minLength(1)),
            ("command", .array("Entrypoint. Templates are resolved.", of: .string(""))),
            ("args", .array("Arguments. Templates are resolved.", of: .string(""))),
            ("env", .array("Environment variables; `value` templates are resolved. The controller adds SEXTANT_PIPELINE, SEXTANT_STEP, SEXTANT_ATTEMPT and SEXTANT_OUTPUTS_PATH.", of: ContainerEnvVar.schema)),
            ("workingDir", .string("Working directory of the container.")),
            ("imagePullPolicy", .string("Image pull policy.").oneOf(["Always", "IfNotPresent", "Never"])),
            ("resources", ComputeResources.schema),
            ("terminationMessagePath", .string("Where the step writes its outputs JSON (`{\"artifacts\": {...}, \"metrics\": {...}}`); exported as SEXTANT_OUTPUTS_PATH.").defaulted("/dev/termination-log")),
            ("podMetadata", .object("Labels and annotations copied onto the Job's pod template.", [
                ("labels", .stringMap("Pod labels.")),
                ("annotations", .stringMap("Pod annotations.")),
            ])),
        ])
}

extension ContainerEnvVar {
    /// The OpenAPI schema of an environment variable.
    public static let schema: SchemaNode = .object(
        "An environment variable.", required: ["name"],
        [
            ("name", .string("Variable name.").minLength(1)),
            ("value", .string("Literal value; templates are resolved.")),
            ("valueFrom", .opaqueObject("Source of the value (core/v1 EnvVarSource: secretKeyRef, configMapKeyRef, fieldRef).")),
        ])
}

extension ComputeResources {
    /// The OpenAPI schema of compute resources.
    public static let schema: SchemaNode = .object(
        "Compute resources of the container.",
        [
            ("requests", .map("Minimum resources (`cpu`, `memory`, ...).", of: .quantity(""))),
            ("limits", .map("Maximum resources (`cpu`, `memory`, `nvidia.com/gpu`, ...).", of: .quantity(""))),
        ])
}

extension RetryPolicy {
    /// The OpenAPI schema of retries.
    public static let schema: SchemaNode = .object(
        "Retries of a failed attempt (Job failed, deadline exceeded, invalid or missing outputs, cloud job failed). Each attempt keeps its own Job and status entry.",
        [
            ("limit", .int32("Number of retries after the first attempt.").minimum(0).maximum(20).defaulted(0)),
            ("backoff", .object("Delay before retry n (from 0): `min(initialSeconds * factor^n, maxSeconds)`.", [
                ("initialSeconds", .integer("Delay before the first retry.").minimum(0).defaulted(10)),
                ("factor", .number("Multiplier applied per retry.").with("minimum", .int(1)).defaulted(2)),
                ("maxSeconds", .integer("Upper bound of the delay.").minimum(0).defaulted(600)),
            ])),
        ])
}

extension StepOutputs {
    /// The OpenAPI schema of declared outputs.
    public static let schema: SchemaNode = .object(
        "Declared outputs. The step writes `{\"artifacts\": {NAME: URI}, \"metrics\": {NAME: NUMBER}}` to $SEXTANT_OUTPUTS_PATH; a missing declared output fails the attempt with `MissingOutputs`.",
        [
            ("artifacts", .array("Artifact names, referenced as `{{steps.STEP.outputs.artifacts.NAME}}`.", of: .string(""))),
            ("metrics", .array("Metric names, referenced as `{{steps.STEP.outputs.metrics.NAME}}`.", of: .string(""))),
        ])
}

extension CachePolicy {
    /// The OpenAPI schema of caching.
    public static let schema: SchemaNode = .object(
        "Reuse of a Succeeded step with the same cache key (SHA-256 of the resolved definition and inputs) from any MLPipeline of the namespace.",
        [
            ("enabled", .boolean("Whether an earlier identical result may be reused.").defaulted(false)),
            ("maxAgeSeconds", .integer("Maximum age of a reusable result. Unset means no limit.").minimum(0)),
        ])
}
