import AsyncHTTPClient
import CloudHTTP
import Foundation
import KubeCore
import SextantAPI

/// A Prometheus server's HTTP API: `GET /api/v1/query_range` over the poll window.
///
/// `query_range` rather than `query`: a breach must hold over `forSeconds` for every sample, and
/// instant queries would only see the value at each poll (a dip between two polls would go
/// unnoticed, and a restart would lose what happened while the controller was down). The range
/// evaluates the query every `step` seconds from the last observed sample.
struct PrometheusMetricSource: MetricSource {
    var url: String
    var query: String
    var http: MetricHTTP

    func samples(in window: MetricWindow) async throws -> [MetricSample] {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let target = base + "/api/v1/query_range?" + MetricHTTP.form([
            ("query", query), ("start", String(Int64(window.start.timeIntervalSince1970))),
            ("end", String(Int64(window.end.timeIntervalSince1970))), ("step", String(window.step)),
        ])
        let response = try await http.send(method: "GET", url: target, headers: [("accept", "application/json")], body: nil,
                                            what: "Prometheus at \(base)")
        return try PrometheusAPI.samples(status: response.status, body: response.body, what: "Prometheus at \(base)")
    }
}

/// Reading answers of the Prometheus HTTP API (Prometheus itself and Google Cloud Monitoring's
/// Prometheus-compatible endpoint), https://prometheus.io/docs/prometheus/latest/querying/api/.
enum PrometheusAPI {
    /// The samples of a `query_range` (matrix) or `query` (vector/scalar) answer of one series.
    /// `{"status":"error","errorType":…,"error":…}` and non-2xx answers are `QueryFailed`
    /// (`AccessDenied` for 401/403); more than one series is `AmbiguousQuery`.
    static func samples(status: Int, body: Data, what: String) throws -> [MetricSample] {
        let json = try? JSONValue.parse(body)
        if status == 401 || status == 403 {
            throw ControllerError.metricQuery(reason: "AccessDenied", message: "\(what) answered \(status)\(detail(json, body))")
        }
        guard (200..<300).contains(status), let json, json["status"]?.stringValue == "success" else {
            throw ControllerError.metricQuery(reason: "QueryFailed", message: "\(what) answered \(status)\(detail(json, body))")
        }
        let data = json["data"]
        let result = data?["result"]
        switch data?["resultType"]?.stringValue {
        case "scalar":
            return result.flatMap(sample).map { [$0] } ?? []
        case "matrix", "vector":
            let series = result?.arrayValue ?? []
            if series.count > 1 {
                let labels = series.prefix(3).map { labelText($0["metric"]) }.joined(separator: ", ")
                throw ControllerError.metricQuery(reason: "AmbiguousQuery",
                    message: "the query returned \(series.count) series (\(labels)\(series.count > 3 ? ", …" : "")); aggregate it to one, e.g. with avg() or a label matcher")
            }
            guard let one = series.first else { return [] }
            if let values = one["values"]?.arrayValue { return values.compactMap(sample) }
            return one["value"].flatMap(sample).map { [$0] } ?? []
        default:
            throw ControllerError.metricQuery(reason: "QueryFailed", message: "\(what) answered a result type \(data?["resultType"]?.stringValue ?? "none") that is not a number series")
        }
    }

    /// `[<unix time>, "<value>"]`; nil for anything else (NaN and ±Inf parse and are dropped later).
    static func sample(_ pair: JSONValue) -> MetricSample? {
        guard let items = pair.arrayValue, items.count == 2, let t = items[0].doubleValue,
              let v = items[1].stringValue.flatMap(Double.init) ?? items[1].doubleValue else { return nil }
        return MetricSample(time: Date(timeIntervalSince1970: t), value: v)
    }

    /// `: <errorType>: <error>` of an error answer, else the start of the body.
    static func detail(_ json: JSONValue?, _ body: Data) -> String {
        if let error = json?["error"]?.stringValue {
            let type = json?["errorType"]?.stringValue.map { "\($0): " } ?? ""
            return ": \(type)\(error.prefix(500))"
        }
        if let message = json?["error"]?["message"]?.stringValue { return ": \(message.prefix(500))" }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "" : ": \(text)"
    }

    static func labelText(_ metric: JSONValue?) -> String {
        let labels = (metric?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value.stringValue ?? "")\"" }
        return "{" + labels.joined(separator: ",") + "}"
    }
}

/// The HTTP calls of the metric sources (AsyncHTTPClient, a bounded time per call).
struct MetricHTTP: Sendable {
    var client: HTTPClient
    var timeout: Duration

    init(client: HTTPClient = .cloud, timeout: Duration = .seconds(15)) {
        self.client = client
        self.timeout = timeout
    }

    /// Sends a request; a connection failure or timeout is `Unreachable`.
    func send(method: String, url: String, headers: [(String, String)], body: Data?, what: String) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: url)
        request.method = method == "POST" ? .POST : .GET
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(Array(body)) }
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            let buffer = try await response.body.collect(upTo: 8 << 20)
            return (Int(response.status.code), Data(buffer.readableBytesView))
        } catch {
            throw ControllerError.metricQuery(reason: "Unreachable", message: "\(what): \(error)")
        }
    }

    /// `a=1&b=2`, each value percent-encoded for a query string or form body.
    static func form(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
    }
}
