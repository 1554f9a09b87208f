import Foundation
import KubeCore

extension AzureClient {
    /// The Log Analytics query API's base URL: `https://api.loganalytics.azure.com`, or
    /// `AZURE_LOG_ANALYTICS_ENDPOINT` (sovereign clouds, tests).
    public static func logAnalyticsBase(environment: [String: String]) -> String {
        let value = environment["AZURE_LOG_ANALYTICS_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.loganalytics.azure.com"
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    /// The token scope of the Log Analytics query API.
    public static let logAnalyticsScope = "https://api.loganalytics.io/.default"

    /// Runs KQL `query` over [`start`, `end`] in workspace `workspaceId` with the Log Analytics query
    /// API: `POST {base}/v1/workspaces/{workspaceId}/query` with `{"query", "timespan": "start/end"}`
    /// (https://learn.microsoft.com/azure/azure-monitor/logs/api/request-format). Returns the answer
    /// body: `{"tables": [{"name", "columns": [{name, type}], "rows": [[…]]}]}`
    /// (https://learn.microsoft.com/azure/azure-monitor/logs/api/response-format). Needs the
    /// `Log Analytics Reader` role on the workspace. Errors are `AzureError`.
    public func logAnalyticsQuery(base: String, workspaceId: String, query: String, start: Date, end: Date) async throws -> Data {
        let id = workspaceId.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-"))) ?? workspaceId
        guard let url = URL(string: base + "/v1/workspaces/\(id)/query") else {
            throw AzureError.invalidArgument("not a URL: \(base)/v1/workspaces/\(id)/query")
        }
        let body = JSONValue.object([
            "query": .string(query),
            "timespan": .string("\(KubeTime.format(start))/\(KubeTime.format(end))"),
        ]).data()
        let request = AzureHTTPRequest(method: "POST", url: url, headers: [("Content-Type", "application/json")], body: body)
        return try await send(request, scope: Self.logAnalyticsScope, label: "Log Analytics query (workspace \(workspaceId))").body
    }
}
