import KubeCore

extension RetrainPolicy {
    /// The schema of `spec.triggers.metric`.
    static let metricTriggerSchema: SchemaNode = .object(
        "Run when a metric has been past a threshold for `forSeconds` (every sample in that time), once per breach; the trigger re-arms only after the value has come back. Set exactly one source and exactly one of `below` and `above`.",
        [
            ("prometheus", .object("A Prometheus server's HTTP API (`/api/v1/query_range`).", required: ["url", "query"], [
                ("url", .string("Prometheus base URL.").pattern("^https?://.+$")),
                ("query", .string("PromQL returning one series.").minLength(1)),
            ])),
            ("cloudWatch", .object("An Amazon CloudWatch metric, read with `GetMetricData`.", required: ["region", "namespace", "metricName"], [
                ("region", .string("AWS region.").minLength(1)),
                ("namespace", .string("Metric namespace.").minLength(1)),
                ("metricName", .string("Metric name.").minLength(1)),
                ("dimensions", .stringMap("Dimensions (name to value) selecting one metric.")),
                ("statistic", .string("`Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or a percentile such as `p90`.").defaulted("Average")),
                ("periodSeconds", .integer("Aggregation period of each data point (1, 5, 10, 30 or a multiple of 60).").minimum(1).defaulted(60)),
            ])),
            ("cloudMonitoring", .object("A PromQL query against Google Cloud Monitoring's Prometheus HTTP API.", required: ["project", "query"], [
                ("project", .string("Project ID.").minLength(1)),
                ("query", .string("PromQL returning one series.").minLength(1)),
            ])),
            ("azureMonitor", .object("A KQL query against an Azure Monitor Log Analytics workspace (also Application Insights).", required: ["workspaceId", "query"], [
                ("workspaceId", .string("Log Analytics workspace ID.").minLength(1)),
                ("query", .string("KQL returning rows of (datetime, number), or one number.").minLength(1)),
            ])),
            ("below", .number("Fire when the value is below this.")),
            ("above", .number("Fire when the value is above this.")),
            ("forSeconds", .integer("How long every sample must be past the threshold.").minimum(0).defaulted(0)),
            ("pollIntervalSeconds", .integer("How often to query (plus a jitter of up to 10%).").minimum(10).defaulted(300)),
        ]
    ).validations([
        ValidationRule(
            "[has(self.prometheus), has(self.cloudWatch), has(self.cloudMonitoring), has(self.azureMonitor)].filter(x, x).size() == 1",
            message: "exactly one of prometheus, cloudWatch, cloudMonitoring, azureMonitor must be set"),
        ValidationRule("has(self.below) != has(self.above)", message: "exactly one of below and above must be set"),
    ])

    /// The schema of `status.metric`.
    static let metricStatusSchema: SchemaNode = .object("The metric trigger's last poll and breach.", [
        ("value", .number("The last value the query returned.")),
        ("observedAt", .time("When that value was read.")),
        ("breachingSince", .time("Start of the current breach; absent when not breaching.")),
        ("handledBreach", .string("The breach (its start) whose trigger was handled; it does not fire again.")),
    ])
}
