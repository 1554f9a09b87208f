import KubeCore

/// A metric threshold trigger: exactly one source (`prometheus`, `cloudWatch`, `cloudMonitoring`,
/// `azureMonitor`) and exactly one of `below` and `above`.
public struct MetricTrigger: Codable, Sendable, Hashable {
    /// Prometheus query.
    public var prometheus: PrometheusQuery?
    /// Amazon CloudWatch metric (`GetMetricData`).
    public var cloudWatch: CloudWatchMetricQuery?
    /// Google Cloud Monitoring PromQL query (its Prometheus HTTP API).
    public var cloudMonitoring: CloudMonitoringMetricQuery?
    /// Azure Monitor Log Analytics KQL query.
    public var azureMonitor: AzureMonitorMetricQuery?
    /// Fire when the value is below this.
    public var below: Double?
    /// Fire when the value is above this.
    public var above: Double?
    /// How long the threshold must be crossed.
    public var forSeconds: Int64?
    /// Poll interval.
    public var pollIntervalSeconds: Int64?

    /// A metric trigger.
    public init(prometheus: PrometheusQuery? = nil, cloudWatch: CloudWatchMetricQuery? = nil, cloudMonitoring: CloudMonitoringMetricQuery? = nil,
                azureMonitor: AzureMonitorMetricQuery? = nil, below: Double? = nil, above: Double? = nil, forSeconds: Int64? = nil,
                pollIntervalSeconds: Int64? = nil) {
        self.prometheus = prometheus
        self.cloudWatch = cloudWatch
        self.cloudMonitoring = cloudMonitoring
        self.azureMonitor = azureMonitor
        self.below = below
        self.above = above
        self.forSeconds = forSeconds
        self.pollIntervalSeconds = pollIntervalSeconds
    }
}

/// A Prometheus instant query.
public struct PrometheusQuery: Codable, Sendable, Hashable {
    /// Server URL.
    public var url: String
    /// PromQL.
    public var query: String

    /// A query.
    public init(url: String, query: String) {
        self.url = url
        self.query = query
    }
}

/// The metric trigger's state (`status.metric`).
public struct RetrainMetricStatus: Codable, Sendable, Hashable {
    /// The last value the query returned.
    public var value: Double?
    /// When that value was read.
    public var observedAt: String?
    /// Start of the current breach (every sample since past the threshold); nil when not breaching.
    public var breachingSince: String?
    /// The breach (its id, the RFC 3339 start) whose trigger was handled: a run was created or the
    /// trigger was skipped (suspend, minIntervalSeconds, Forbid). It does not fire again.
    public var handledBreach: String?

    /// A metric status.
    public init(value: Double? = nil, observedAt: String? = nil, breachingSince: String? = nil, handledBreach: String? = nil) {
        self.value = value
        self.observedAt = observedAt
        self.breachingSince = breachingSince
        self.handledBreach = handledBreach
    }
}
