import Foundation

extension GCPClient {
    /// Cloud Monitoring's base URL: `https://monitoring.googleapis.com`, or
    /// `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`.
    public var monitoringBase: String { endpoints.base(api: "monitoring", default: "https://monitoring.googleapis.com") }

    /// Evaluates PromQL `query` over [`start`, `end`] every `stepSeconds` with Cloud Monitoring's
    /// Prometheus-compatible API (Managed Service for Prometheus):
    /// `GET /v1/projects/{project}/location/global/prometheus/api/v1/query_range`
    /// (https://cloud.google.com/monitoring/api/ref_v3/rest/v1/projects.location.prometheus.api.v1/query_range).
    /// Returns the answer body, which has the open-source Prometheus API's shape
    /// (`{"status": "success", "data": {"resultType": "matrix", "result": [...]}}`). Needs
    /// `monitoring.timeSeries.list` (role `roles/monitoring.viewer`). Errors are `GCPError`.
    public func prometheusQueryRange(project: String, query: String, start: Date, end: Date, stepSeconds: Int64) async throws -> Data {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func encode(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s }
        let url = monitoringBase + "/v1/projects/\(encode(project))/location/global/prometheus/api/v1/query_range"
            + "?query=\(encode(query))&start=\(Int64(start.timeIntervalSince1970))&end=\(Int64(end.timeIntervalSince1970))"
            + "&step=\(stepSeconds)s"
        return try await send("GET", url).body
    }
}
