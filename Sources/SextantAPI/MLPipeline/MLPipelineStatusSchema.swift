import KubeCore

extension MLPipeline {
    /// The OpenAPI schema of `status`.
    public static let statusSchema: SchemaNode = .object(
        "The observed state of the run, written by the controller.",
        [
            ("phase", .string("`Pending`, `Running`, `Succeeded`, `Failed` or `Cancelled`.").oneOf(PipelinePhase.all)),
            ("startedAt", .time("When the run started.")),
            ("finishedAt", .time("When the run reached a final phase.")),
            ("observedGeneration", CommonSchemas.observedGeneration),
            ("conditions", CommonSchemas.conditions("`Ready` (True when Succeeded), `Succeeded` (Unknown while running, True/False at the end) and, with `spec.tracking.mlflow`, `Tracked` (True reason `Synced`; False with the reason while the tracking server cannot be reached or refuses a call).")),
            ("progress", .string("Succeeded steps over total steps (`2/3`).")),
            ("steps", .array("One entry per step, in spec order.", of: stepStatusSchema)),
            ("lineage", .object("What the run used and produced.", [
                ("datasets", .array("Datasets as used (uri and version).", of: datasetSchema)),
                ("images", .array("Image references used by the steps.", of: .string(""))),
                ("modelVersion", .string("The ModelVersion registered by this run.")),
            ])),
            ("cost", costSchema),
            ("tracking", trackingStatusSchema),
        ])

    static let costSchema: SchemaNode = .object(
        "Estimated cost: container steps from requested resources × run time, cloud steps from what the backend reports, priced with the controller's pricing table; a run's cost is the sum of its steps'.",
        [
            ("estimatedUSD", .number("Estimated cost in US dollars; unset when a price is missing.")),
            ("billableSeconds", .integer("Billable seconds.")),
            ("spotSavingsPercent", .number("Saving from spot capacity, in percent.")),
            ("message", .string("Why the estimate is missing or partial (e.g. no price for a machine type).")),
        ])

    static let stepStatusSchema: SchemaNode = .object(
        "The observed state of one step.", required: ["name", "phase"],
        [
            ("name", .string("Step name.")),
            ("phase", .string("`Pending`, `Running`, `Retrying`, `Succeeded`, `Failed`, `Skipped` or `Cancelled`.").oneOf(StepPhase.all)),
            ("attempts", .array("One entry per attempt, oldest first.", of: attemptSchema)),
            ("cacheKey", .string("SHA-256 of the resolved definition and inputs (cache-enabled steps).")),
            ("cached", .boolean("True when the result was reused from an earlier run.")),
            ("cachedFrom", .string("`<pipeline>/<step>` the result was reused from.")),
            ("outputs", .object("Outputs of the successful attempt.", [
                ("artifacts", .stringMap("Artifact name to URI.")),
                ("metrics", .map("Metric name to value.", of: .number(""))),
            ])),
            ("cost", costSchema),
        ])

    static let attemptSchema: SchemaNode = .object(
        "One attempt of a step.", required: ["attempt", "phase"],
        [
            ("attempt", .int32("Attempt number, from 0.")),
            ("job", .string("The Job of a container step.")),
            ("cloudJob", .object("The managed job of a cloud step.", required: ["backend"], [
                ("backend", .string("`sagemaker`, `awsBatch`, `vertexAI`, `azureML` or `airflow`.")),
                ("id", .string("Job id or ARN.")),
                ("url", .string("Console URL.")),
            ])),
            ("startedAt", .time("When the attempt started.")),
            ("finishedAt", .time("When the attempt finished.")),
            ("phase", .string("Attempt phase.").oneOf(StepPhase.all)),
            ("reason", .string("CamelCase reason of the outcome.")),
            ("message", .string("Human-readable outcome.")),
        ])
}
