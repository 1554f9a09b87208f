import KubeCore

extension RetrainPolicy {
    /// The schema of `spec.triggers.metric`.
    static let metricTriggerSchema: SchemaNode = .object("Run when a Prometheus query has been past a threshold for `forSeconds`. Set exactly one of `below` and `above`.", required: ["prometheus"], [
        ("prometheus", .object("The query.", required: ["url", "query"], [
            ("url", .string("Prometheus base URL.").pattern("^https?://.+$")),
            ("query", .string("PromQL instant query returning one number.").minLength(1)),
        ])),
        ("below", .number("Fire when the value is below this.")),
        ("above", .number("Fire when the value is above this.")),
        ("forSeconds", .integer("How long the threshold must be crossed.").minimum(0).defaulted(0)),
        ("pollIntervalSeconds", .integer("How often to query.").minimum(10).defaulted(300)),
    ])

    /// The schema of `status.metric`.
    static let metricStatusSchema: SchemaNode = .object("The metric trigger's last poll and breach.", [
        ("value", .number("The last value the query returned.")),
        ("observedAt", .time("When that value was read.")),
        ("breachingSince", .time("Start of the current breach; absent when not breaching.")),
        ("handledBreach", .string("The breach (its start) whose trigger was handled; it does not fire again.")),
    ])
}
