import KubeCore

extension ModelVersion {
    /// The OpenAPI schema of `spec`.
    public static let specSchema: SchemaNode = .object(
        "One version of a model: its artifact, metrics, requested stage, promotion rules, serving and registry mirrors. `(model, version)` is unique in a namespace.",
        required: ["model", "version", "artifact"],
        [
            ("model", .string("Model name (DNS-1123 label).").dns1123Label()),
            ("version", .integer("Version number, unique per model in the namespace.").minimum(1)),
            ("artifact", .object("The trained artifact.", required: ["uri"], [
                ("uri", .string("Artifact location (`s3://...`).").minLength(1)),
                ("digest", .string("Content digest (`sha256:<hex>`).").pattern("^sha256:[a-f0-9]{64}$")),
            ])),
            ("framework", .string("Framework (`xgboost`, `pytorch`, `sklearn`, ...).")),
            ("metrics", .map("Metrics of this version, used by promotion gates.", of: .number(""))),
            ("source", .object("The pipeline step that produced this version (set when a pipeline registers it).", [
                ("pipeline", .string("MLPipeline name.")),
                ("step", .string("Step name.")),
            ])),
            ("stage", .string("Requested stage. Staging and Production take effect only when the promotion rules pass; `status.stage` is the effective stage.").oneOf(ModelStage.all).defaulted("None")),
            ("promotion", promotionSchema),
            ("card", cardSchema),
            ("serving", servingSchema),
            ("registries", .object("Mirrors of this version in other model registries.", [
                ("sagemaker", .object("SageMaker Model Registry: a model package in the group, Approved when Production.", required: ["region", "modelPackageGroup"], [
                    ("region", .string("AWS region.")),
                    ("modelPackageGroup", .string("Model package group name.")),
                ])),
                ("mlflow", .object("MLflow Model Registry: a registered model version with alias `production`/`staging`.", required: ["trackingURI", "name"], [
                    ("trackingURI", .string("MLflow tracking server URL.")),
                    ("name", .string("Registered model name.")),
                ])),
                ("azureML", .object("Azure ML: a model version (= `version`) of the workspace's model, with the effective stage in its `stage` tag.", required: ["subscriptionId", "resourceGroup", "workspace", "name"], [
                    ("subscriptionId", .string("Azure subscription id.")),
                    ("resourceGroup", .string("Resource group of the workspace.")),
                    ("workspace", .string("Azure ML workspace name.")),
                    ("name", .string("Model name in the workspace.")),
                ])),
                ("vertexAI", .object("Vertex AI Model Registry: a version of the model (`models.upload` with `parentModel`), with version alias `production`/`staging` of the effective stage.", required: ["project", "location", "displayName", "servingImage"], [
                    ("project", .string("Google Cloud project id.")),
                    ("location", .string("Vertex AI region, e.g. `europe-west4`.")),
                    ("displayName", .string("Display name of the model; the model id is derived from it (lower case, `[a-z0-9_-]`).")),
                    ("servingImage", .string("Serving container image of the version (`containerSpec.imageUri`).")),
                ])),
            ])),
        ])

    /// The OpenAPI schema of `promotion` (also used by `MLPipeline.spec.register.promotion`).
    public static let promotionSchema: SchemaNode = .object("Rules a version must pass before a requested Staging or Production stage takes effect.", [
                ("gates", .array("Metric thresholds.", of: .object("A metric threshold.", required: ["metric"], [
                    ("metric", .string("Metric name.")),
                    ("min", .number("Inclusive lower bound.")),
                    ("max", .number("Inclusive upper bound.")),
                ]))),
                ("compareToProduction", .object("Comparison with the current Production version of the model (higher is better); skipped for a version that was Production before.", required: ["metric"], [
                    ("metric", .string("Metric compared.")),
                    ("minImprovement", .number("Required improvement over Production.").defaulted(0)),
                ])),
                ("requireApproval", .boolean("Require the annotation `ml.sextant.dev/approved-by` before promotion.").defaulted(false)),
                ("requireCard", .boolean("Require a model card (`spec.card` with description, intendedUse and owners) before promotion; without one the version reports `CardMissing`.").defaulted(false)),
            ])

    /// The OpenAPI schema of `card`.
    public static let cardSchema: SchemaNode = .object("The model card: what this version is for, its limits and who owns it (shown by `kubectl describe` and `sextant lineage`).", [
        ("description", .string("What the model does.")),
        ("intendedUse", .string("What it is meant to be used for, and what not.")),
        ("limitations", .string("Known limitations, biases and failure modes.")),
        ("owners", .array("People or teams who answer for it.", of: .string(""))),
        ("license", .string("License of the model.")),
    ])

    /// The OpenAPI schema of `serving` (also used by `MLPipeline.spec.register.serving`).
    public static let servingSchema: SchemaNode = .object(
        "Serve this version with a Deployment and Service named after it while its effective stage is Staging or Production.",
        required: ["image"],
        [
            ("image", .string("Model server image; gets MODEL_URI, MODEL_NAME and MODEL_VERSION.").minLength(1)),
            ("command", .array("Entrypoint of the server container.", of: .string(""))),
            ("args", .array("Arguments of the server container.", of: .string(""))),
            ("replicas", .int32("Number of server pods (ignored while `autoscaling` is set).").minimum(0).defaulted(1)),
            ("port", .int32("Container port the server listens on.").minimum(1).maximum(65535).defaulted(8080)),
            ("env", .array("Extra environment variables.", of: ContainerEnvVar.schema)),
            ("resources", ComputeResources.schema),
            ("canary", canarySchema),
            ("gateway", gatewaySchema),
            ("autoscaling", autoscalingSchema),
            ("disruptionBudget", disruptionBudgetSchema),
            ("topologySpread", topologySpreadSchema),
        ])

    /// The OpenAPI schema of `status`.
    public static let statusSchema: SchemaNode = .object(
        "The observed state of the version, written by the controller.",
        [
            ("observedGeneration", CommonSchemas.observedGeneration),
            ("stage", .string("Effective stage.").oneOf(ModelStage.all)),
            ("promotedAt", .time("When the effective stage last became Staging or Production.")),
            ("gates", .array("Result of each gate.", of: .object("A gate result.", required: ["metric", "passed"], [
                ("metric", .string("Metric name.")),
                ("value", .number("Observed value.")),
                ("passed", .boolean("Whether the gate passed.")),
                ("message", .string("Explanation.")),
            ]))),
            ("endpoint", .string("In-cluster URL of the version's Service (`http://<service>.<namespace>.svc:<port>`).")),
            ("deployment", .string("Name of the serving Deployment.")),
            ("readyReplicas", .int32("Ready replicas of the serving Deployment.")),
            ("registries", .array("Mirror state per registry.", of: .object("A registry mirror.", required: ["registry"], [
                ("registry", .string("`sagemaker`, `mlflow`, `azureML` or `vertexAI`.")),
                ("id", .string("Id in that registry (model package ARN, MLflow version, Vertex model version resource name).")),
                ("url", .string("Where a person sees the mirror (console or UI URL).")),
                ("synced", .boolean("True when the mirror matches this generation and the effective stage.")),
                ("stage", .string("Stage or approval status in that registry.")),
                ("syncedAt", .time("When it was last synchronized.")),
                ("observedGeneration", .integer("The generation the mirror was last synchronized with.")),
                ("message", .string("Last error, if any.")),
            ]))),
            ("lineage", .object("Where this version came from.", [
                ("pipeline", .string("MLPipeline name.")),
                ("step", .string("Step name.")),
                ("datasets", .array("Datasets used by the run.", of: MLPipeline.datasetSchema)),
                ("images", .array("Images used by the run.", of: .string(""))),
            ])),
            ("history", .array("Changes of the effective stage (bounded).", of: .object("A stage change.", required: ["to", "at"], [
                ("from", .string("Previous stage.")),
                ("to", .string("New stage.")),
                ("at", .time("When.")),
                ("reason", .string("CamelCase reason.")),
                ("approvedBy", .string("Approver, when approval was required.")),
            ])).maxItems(50)),
            ("cost", .object("Cost of the version: training (the producing run's estimate) and serving.", [
                ("estimatedUSD", .number("The producing run's `status.cost.estimatedUSD` (training).")),
                ("servingUSDPerHour", .number("The replicas the version's Deployment runs now (0 when the version is not served) × their requested CPU, memory and GPUs × the controller's Kubernetes prices, per hour.")),
                ("message", .string("Why a figure is missing (no producing run, no price, ...).")),
            ])),
            ("conditions", CommonSchemas.conditions("`Promoted`, `Serving`, `Ready` and `Mirrored` (when `spec.registries` is set).")),
            ("rollout", rolloutSchema),
        ])
}
