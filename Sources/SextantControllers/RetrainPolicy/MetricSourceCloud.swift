import CloudAzure
import CloudGCP
import Foundation
import KubeCore
import SextantAPI

/// Google Cloud Monitoring's Prometheus-compatible HTTP API (`GCPClient.prometheusQueryRange`,
/// `GET /v1/projects/{project}/location/global/prometheus/api/v1/query_range`); the answer has the
/// Prometheus API's shape. Token from the controller's GCP credential chain.
struct CloudMonitoringMetricSource: MetricSource {
    var query: CloudMonitoringMetricQuery
    var client: GCPClient

    func samples(in window: MetricWindow) async throws -> [MetricSample] {
        let what = "Cloud Monitoring (project \(query.project))"
        let body: Data
        do {
            body = try await client.prometheusQueryRange(project: query.project, query: query.query, start: window.start, end: window.end,
                                                         stepSeconds: window.step)
        } catch let error as GCPError {
            throw ControllerError.metricQuery(reason: MetricCloudErrors.reason(denied: error.kind == .accessDenied, network: error.status == "NetworkError"),
                                              message: "\(what): \(error)")
        }
        return try PrometheusAPI.samples(status: 200, body: body, what: what)
    }
}

/// Azure Monitor Log Analytics query API (`AzureClient.logAnalyticsQuery`,
/// `POST /v1/workspaces/{workspaceId}/query` with the KQL and the window as `timespan`).
/// Token (scope `https://api.loganalytics.io/.default`) from the controller's Azure credentials.
///
/// The first table is read: the first `datetime` column is the sample time and the last numeric
/// column (`real`, `long`, `int`, `decimal`) the value, one sample per row. Without a `datetime`
/// column the query must return one row: one sample at the window's end. Rows that share a time
/// mean several series: `AmbiguousQuery`. An answer carrying an `error` (also a partial one with
/// status 200) is `QueryFailed`: a partial result never fires.
struct AzureMonitorMetricSource: MetricSource {
    var query: AzureMonitorMetricQuery
    var client: AzureClient
    /// `https://api.loganalytics.azure.com` or `AZURE_LOG_ANALYTICS_ENDPOINT`.
    var base: String

    func samples(in window: MetricWindow) async throws -> [MetricSample] {
        let what = "Log Analytics workspace \(query.workspaceId)"
        let body: Data
        do {
            body = try await client.logAnalyticsQuery(base: base, workspaceId: query.workspaceId, query: query.query,
                                                      start: window.start, end: window.end)
        } catch let error as AzureError {
            let network: Bool
            if case .network = error { network = true } else { network = false }
            throw ControllerError.metricQuery(reason: MetricCloudErrors.reason(denied: error.kind == .accessDenied, network: network),
                                              message: "\(what): \(error)")
        }
        return try Self.samples(status: 200, body: body, end: window.end, what: what)
    }

    static func samples(status: Int, body: Data, end: Date, what: String) throws -> [MetricSample] {
        let json = try? JSONValue.parse(body)
        if status == 401 || status == 403 {
            throw ControllerError.metricQuery(reason: "AccessDenied", message: "\(what) answered \(status)\(PrometheusAPI.detail(json, body))")
        }
        guard (200..<300).contains(status), let json else {
            throw ControllerError.metricQuery(reason: "QueryFailed", message: "\(what) answered \(status)\(PrometheusAPI.detail(json, body))")
        }
        if json["error"] != nil {
            throw ControllerError.metricQuery(reason: "QueryFailed", message: "\(what): the query reported an error\(PrometheusAPI.detail(json, body))")
        }
        guard let table = json["tables"]?[0] else { return [] }
        let columns = (table["columns"]?.arrayValue ?? []).map { ($0["name"]?.stringValue ?? "", $0["type"]?.stringValue ?? "") }
        let numeric: Set<String> = ["real", "long", "int", "decimal", "double"]
        guard let valueIndex = columns.lastIndex(where: { numeric.contains($0.1) }) else {
            throw ControllerError.metricQuery(reason: "QueryFailed",
                message: "\(what): the result has no numeric column (columns: \(columns.map { "\($0.0):\($0.1)" }.joined(separator: ", ")))")
        }
        let timeIndex = columns.firstIndex { $0.1 == "datetime" }
        let rows = table["rows"]?.arrayValue ?? []
        if timeIndex == nil && rows.count > 1 {
            throw ControllerError.metricQuery(reason: "AmbiguousQuery",
                message: "\(what): the query returned \(rows.count) rows without a datetime column; return one row, or (time, value) rows of one series")
        }
        var out: [MetricSample] = []
        var seen: Set<Date> = []
        for row in rows {
            guard let v = row[valueIndex].flatMap(number) else { continue }
            let time: Date
            if let t = timeIndex {
                guard let text = row[t]?.stringValue, let parsed = parseTime(text) else { continue }
                time = parsed
            } else {
                time = end
            }
            if !seen.insert(time).inserted {
                throw ControllerError.metricQuery(reason: "AmbiguousQuery",
                    message: "\(what): several rows share the time \(KubeTime.format(time)); summarize the query to one series")
            }
            out.append(MetricSample(time: time, value: v))
        }
        return out.sorted { $0.time < $1.time }
    }

    /// A number, or a number in a string (`decimal` columns are strings).
    static func number(_ v: JSONValue) -> Double? { v.doubleValue ?? v.stringValue.flatMap(Double.init) }

    /// KQL `datetime`: `2026-12-07T10:00:00Z`, with up to 7 fractional digits (dropped).
    static func parseTime(_ text: String) -> Date? {
        var t = text
        if let dot = t.firstIndex(of: ".") {
            let tail = t[dot...].drop { $0 == "." || $0.isNumber }
            t = String(t[..<dot]) + tail
        }
        return KubeTime.parse(t)
    }
}

/// The `TriggerHealthy` reason of a cloud client error.
enum MetricCloudErrors {
    static func reason(denied: Bool, network: Bool) -> String {
        denied ? "AccessDenied" : (network ? "Unreachable" : "QueryFailed")
    }
}
