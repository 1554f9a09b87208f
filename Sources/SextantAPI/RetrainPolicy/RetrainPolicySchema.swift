import KubeCore

extension RetrainPolicy {
    /// The OpenAPI schema of `spec`.
    public static let specSchema: SchemaNode = .object(
        "When to create a new MLPipeline run from a template: a cron schedule, a dataset version change, a metric past a threshold, or a change of the `ml.sextant.dev/trigger` annotation.",
        required: ["pipeline"],
        [
            ("pipeline", .object("The MLPipeline each trigger creates (owned by this policy, labelled `ml.sextant.dev/retrain-policy`).", required: ["spec"], [
                ("metadata", .object("Labels and annotations of created runs.", [
                    ("labels", .stringMap("Labels.")),
                    ("annotations", .stringMap("Annotations.")),
                ])),
                ("spec", MLPipeline.templateSpecSchema),
            ])),
            ("schedule", .string("5-field cron expression or @hourly/@daily/@weekly/@monthly.").minLength(1)),
            ("timeZone", .string("IANA time zone of the schedule.").defaulted("UTC")),
            ("triggers", .object("Triggers besides the schedule.", [
                ("dataChange", .object("Run when the version of a dataset of the template changes; the new version is pinned in the created run.", required: ["dataset"], [
                    ("dataset", .string("Dataset name in the template.").dns1123Label()),
                    ("pollIntervalSeconds", .integer("How often to check the version.").minimum(10).defaulted(600)),
                    ("format", .string("How the version is read at the dataset's URI: `object` (the object's version: S3 VersionId else ETag, GCS generation, HTTP ETag else Last-Modified, Blob versionId else ETag, file SHA-256), `delta` (latest `_delta_log` commit version) or `dvc` (the `md5` in the `.dvc` file).").oneOf(DataChangeFormat.all).defaulted(.string(DataChangeFormat.object))),
                ])),
                ("metric", metricTriggerSchema),
            ])),
            ("concurrencyPolicy", .string("What to do when a trigger fires while a run is active.").oneOf(ConcurrencyPolicy.all).defaulted("Forbid")),
            ("minIntervalSeconds", .integer("No two triggered runs closer than this.").minimum(0)),
            ("startingDeadlineSeconds", .integer("A missed schedule older than this is skipped.").minimum(0)),
            ("suspend", .boolean("Stop creating runs.").defaulted(false)),
            ("successfulRunsHistoryLimit", .int32("Succeeded runs kept.").minimum(0).defaulted(3)),
            ("failedRunsHistoryLimit", .int32("Failed runs kept.").minimum(0).defaulted(1)),
        ])

    /// The OpenAPI schema of `status`.
    public static let statusSchema: SchemaNode = .object(
        "The observed state of the policy, written by the controller.",
        [
            ("observedGeneration", CommonSchemas.observedGeneration),
            ("lastTriggerTime", .time("When the last run was created.")),
            ("lastTrigger", .object("Why the last run was created.", required: ["reason"], [
                ("reason", .string("`Schedule`, `DataChange`, `Metric` or `Manual`.").oneOf(TriggerReason.all)),
                ("detail", .string("Schedule time, dataset version or metric value.")),
            ])),
            ("nextScheduleTime", .time("Next scheduled time.")),
            ("active", .array("Runs not yet finished.", of: .object("A run.", required: ["name"], [
                ("name", .string("MLPipeline name.")),
                ("uid", .string("Its uid.")),
            ]))),
            ("lastSuccessfulRun", .string("The last run that succeeded.")),
            ("observedDataVersion", .string("Last seen version of the watched dataset.")),
            ("metricBreachedSince", .time("Since when the metric has been past its threshold.")),
            ("runsCreated", .integer("Number of runs created.")),
            ("observedTrigger", .string("The `ml.sextant.dev/trigger` annotation value the last manual trigger handled.")),
            ("conditions", CommonSchemas.conditions("`Ready`, `Suspended` and `TriggerHealthy`.")),
            ("metric", metricStatusSchema),
        ])
}

extension MLPipeline {
    /// `specSchema` without the immutability transition rule (a template may be edited).
    static var templateSpecSchema: SchemaNode {
        specSchema.validations(specRules.filter { !$0.rule.contains("oldSelf") })
    }
}
