import KubeCore

/// An Amazon CloudWatch metric read with `GetMetricData` (one `MetricStat`).
public struct CloudWatchMetricQuery: Codable, Sendable, Hashable {
    /// AWS region, e.g. `eu-west-1`.
    public var region: String
    /// Metric namespace, e.g. `Sextant/Monitoring`.
    public var namespace: String
    /// Metric name.
    public var metricName: String
    /// Dimensions (name → value) that select one metric.
    public var dimensions: [String: String]?
    /// Statistic: `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or a percentile such as `p90`.
    public var statistic: String?
    /// Aggregation period of each data point.
    public var periodSeconds: Int64?

    /// A CloudWatch metric.
    public init(region: String, namespace: String, metricName: String, dimensions: [String: String]? = nil, statistic: String? = nil,
                periodSeconds: Int64? = nil) {
        self.region = region
        self.namespace = namespace
        self.metricName = metricName
        self.dimensions = dimensions
        self.statistic = statistic
        self.periodSeconds = periodSeconds
    }
}

/// A PromQL query against Google Cloud Monitoring (Managed Service for Prometheus HTTP API).
public struct CloudMonitoringMetricQuery: Codable, Sendable, Hashable {
    /// Project ID whose metrics are queried.
    public var project: String
    /// PromQL returning one series.
    public var query: String

    /// A Cloud Monitoring query.
    public init(project: String, query: String) {
        self.project = project
        self.query = query
    }
}

/// A KQL query against an Azure Monitor Log Analytics workspace (the Log Analytics query API).
public struct AzureMonitorMetricQuery: Codable, Sendable, Hashable {
    /// Workspace (customer) ID, a GUID.
    public var workspaceId: String
    /// KQL returning rows of (time, value) or one value.
    public var query: String

    /// An Azure Monitor query.
    public init(workspaceId: String, query: String) {
        self.workspaceId = workspaceId
        self.query = query
    }
}
