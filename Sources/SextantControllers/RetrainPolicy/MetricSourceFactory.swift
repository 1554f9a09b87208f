import CloudAWS
import CloudAzure
import CloudGCP
import Foundation
import Logging
import SextantAPI

/// Builds the `MetricSource` of a trigger from the controller's clients. A cloud whose client is
/// not configured answers `SourceUnavailable` (TriggerHealthy=False), never a crash.
struct MetricSourceFactory: Sendable {
    var http: MetricHTTP
    /// CloudWatch (the controller's AWS credential chain, `AWS_ENDPOINT_URL*` honoured).
    var aws: AWSClient?
    /// Cloud Monitoring (the GCP credential chain, `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING` honoured).
    var gcp: GCPClient?
    /// Log Analytics (Azure credentials from `AZURE_*`).
    var azure: AzureClient?
    /// Log Analytics' base URL (`https://api.loganalytics.azure.com` or `AZURE_LOG_ANALYTICS_ENDPOINT`).
    var logAnalyticsBase: String

    init(http: MetricHTTP = MetricHTTP(), aws: AWSClient? = nil, gcp: GCPClient? = nil, azure: AzureClient? = nil,
         logAnalyticsBase: String = "https://api.loganalytics.azure.com") {
        self.http = http
        self.aws = aws
        self.gcp = gcp
        self.azure = azure
        self.logAnalyticsBase = logAnalyticsBase
    }

    /// The source of `trigger`'s one metric source.
    func source(for trigger: MetricTrigger) throws -> any MetricSource {
        if let p = trigger.prometheus {
            return PrometheusMetricSource(url: p.url, query: p.query, http: http)
        }
        if let c = trigger.cloudWatch {
            guard let aws else { throw unavailable("cloudWatch", "no AWS client") }
            return CloudWatchMetricSource(query: c, client: aws)
        }
        if let g = trigger.cloudMonitoring {
            guard let gcp else { throw unavailable("cloudMonitoring", "no GCP client") }
            return CloudMonitoringMetricSource(query: g, client: gcp)
        }
        if let a = trigger.azureMonitor {
            guard let azure else { throw unavailable("azureMonitor", "no Azure client") }
            return AzureMonitorMetricSource(query: a, client: azure, base: logAnalyticsBase)
        }
        throw ControllerError.metricQuery(reason: "InvalidTrigger", message: "no metric source is set")
    }

    /// What is wrong with a metric trigger's spec (the CRD checks it too), or nil.
    static func specProblem(_ trigger: MetricTrigger) -> String? {
        if trigger.sourceCount != 1 {
            return "spec.triggers.metric needs exactly one of prometheus, cloudWatch, cloudMonitoring, azureMonitor"
        }
        if (trigger.below == nil) == (trigger.above == nil) {
            return "spec.triggers.metric needs exactly one of below or above"
        }
        if let p = trigger.prometheus, p.query.isEmpty || p.url.isEmpty {
            return "spec.triggers.metric.prometheus needs url and query"
        }
        if let g = trigger.cloudMonitoring, g.query.isEmpty || g.project.isEmpty {
            return "spec.triggers.metric.cloudMonitoring needs project and query"
        }
        if let a = trigger.azureMonitor, a.query.isEmpty || a.workspaceId.isEmpty {
            return "spec.triggers.metric.azureMonitor needs workspaceId and query"
        }
        if let c = trigger.cloudWatch, c.region.isEmpty || c.namespace.isEmpty || c.metricName.isEmpty {
            return "spec.triggers.metric.cloudWatch needs region, namespace and metricName"
        }
        return nil
    }

    private func unavailable(_ source: String, _ why: String) -> ControllerError {
        ControllerError.metricQuery(reason: "SourceUnavailable", message: "\(source): \(why) in this controller")
    }
}

extension MetricSourceFactory {
    /// The factory `sextant controller` and `sextant dev` use: the AWS, GCP and Azure credential
    /// chains and endpoint overrides of `environment` (clients are made once; credentials are
    /// looked up at the first query of that cloud).
    static func standard(environment: [String: String], logger: Logger) -> MetricSourceFactory {
        MetricSourceFactory(
            aws: AWSClient(environment: environment, logger: logger),
            gcp: GCPClient(environment: environment, logger: logger),
            azure: AzureClient(environment: environment, logger: logger),
            logAnalyticsBase: AzureClient.logAnalyticsBase(environment: environment))
    }
}
