import Foundation

/// One metric and statistic of a CloudWatch `GetMetricData` call (a `MetricStat` query).
public struct CloudWatchMetricStat: Sendable, Hashable {
    /// Metric namespace.
    public var namespace: String
    /// Metric name.
    public var metricName: String
    /// Dimensions (name, value), sorted by name.
    public var dimensions: [(name: String, value: String)]
    /// Period of each data point in seconds.
    public var periodSeconds: Int
    /// `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount`, `p90`, …
    public var stat: String

    /// A metric stat; `dimensions` are sorted by name.
    public init(namespace: String, metricName: String, dimensions: [String: String] = [:], periodSeconds: Int = 60, stat: String = "Average") {
        self.namespace = namespace
        self.metricName = metricName
        self.dimensions = dimensions.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        self.periodSeconds = periodSeconds
        self.stat = stat
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.namespace == b.namespace && a.metricName == b.metricName && a.periodSeconds == b.periodSeconds && a.stat == b.stat
            && a.dimensions.map(\.name) == b.dimensions.map(\.name) && a.dimensions.map(\.value) == b.dimensions.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(namespace)
        hasher.combine(metricName)
        hasher.combine(periodSeconds)
        hasher.combine(stat)
        for d in dimensions {
            hasher.combine(d.name)
            hasher.combine(d.value)
        }
    }
}

/// One `MetricDataResults` member of a `GetMetricData` answer.
public struct CloudWatchMetricDataResult: Sendable, Hashable {
    /// The query id.
    public var id: String
    /// The label CloudWatch gave the series.
    public var label: String?
    /// Data point times, paired with `values`.
    public var timestamps: [Date]
    /// Data point values.
    public var values: [Double]
    /// `Complete`, `PartialData`, `InternalError` or `Forbidden`.
    public var statusCode: String?
    /// Messages of this result (`Code: Value`).
    public var messages: [String]

    /// A result.
    public init(id: String, label: String? = nil, timestamps: [Date] = [], values: [Double] = [], statusCode: String? = nil, messages: [String] = []) {
        self.id = id
        self.label = label
        self.timestamps = timestamps
        self.values = values
        self.statusCode = statusCode
        self.messages = messages
    }
}

/// Building and reading CloudWatch `GetMetricData` (query protocol, API version 2010-08-01).
public enum CloudWatchMetricData {
    /// The form parameters of one `MetricStat` query `id` between `start` and `end`, oldest first.
    public static func parameters(id: String, stat: CloudWatchMetricStat, start: Date, end: Date, nextToken: String? = nil) -> [String: String] {
        let q = "MetricDataQueries.member.1"
        var p: [String: String] = [
            "\(q).Id": id,
            "\(q).ReturnData": "true",
            "\(q).MetricStat.Metric.Namespace": stat.namespace,
            "\(q).MetricStat.Metric.MetricName": stat.metricName,
            "\(q).MetricStat.Period": String(stat.periodSeconds),
            "\(q).MetricStat.Stat": stat.stat,
            "StartTime": iso(start),
            "EndTime": iso(end),
            "ScanBy": "TimestampAscending",
        ]
        for (i, d) in stat.dimensions.enumerated() {
            p["\(q).MetricStat.Metric.Dimensions.member.\(i + 1).Name"] = d.name
            p["\(q).MetricStat.Metric.Dimensions.member.\(i + 1).Value"] = d.value
        }
        if let nextToken { p["NextToken"] = nextToken }
        return p
    }

    /// The results and `NextToken` of a `GetMetricDataResponse`. Throws `AWSError` (`InvalidResponse`)
    /// when the XML is malformed, a timestamp or value does not parse, or the two lists differ in length.
    public static func parse(_ xml: String) throws -> (results: [CloudWatchMetricDataResult], nextToken: String?) {
        let root = try AWSXMLElement.parse(xml)
        guard root.name == "GetMetricDataResponse", let result = root.child("GetMetricDataResult") else {
            throw AWSError(code: "InvalidResponse", message: "not a GetMetricDataResponse: <\(root.name)>", kind: .unavailable)
        }
        var out: [CloudWatchMetricDataResult] = []
        for member in result.child("MetricDataResults")?.all("member") ?? [] {
            let id = member.value("Id") ?? ""
            let times = try (member.child("Timestamps")?.all("member") ?? []).map { m -> Date in
                let text = m.text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard let d = parseTime(text) else { throw invalid("timestamp \"\(text)\" of \(id)") }
                return d
            }
            let values = try (member.child("Values")?.all("member") ?? []).map { m -> Double in
                let text = m.text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard let v = Double(text) else { throw invalid("value \"\(text)\" of \(id)") }
                return v
            }
            guard times.count == values.count else {
                throw invalid("\(times.count) timestamps but \(values.count) values for \(id)")
            }
            let messages = (member.child("Messages")?.all("member") ?? []).map { m in
                [m.value("Code"), m.value("Value")].compactMap { $0 }.joined(separator: ": ")
            }
            out.append(CloudWatchMetricDataResult(id: id, label: member.value("Label"), timestamps: times, values: values,
                                                  statusCode: member.value("StatusCode"), messages: messages))
        }
        let token = result.value("NextToken").flatMap { $0.isEmpty ? nil : $0 }
        return (out, token)
    }

    /// `2026-12-07T10:00:00Z` (fractional seconds accepted).
    static func parseTime(_ text: String) -> Date? {
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt).parse(text) { return d }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(text)
    }

    static func iso(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt).format(date)
    }

    private static func invalid(_ what: String) -> AWSError {
        AWSError(code: "InvalidResponse", message: "GetMetricData answered a bad \(what)", kind: .unavailable)
    }
}

extension AWSClient {
    /// The data points of `stat` between `start` and `end`, oldest first, following `NextToken`
    /// (at most `maxPages` pages). A result whose `StatusCode` is `Forbidden` is `accessDenied`,
    /// `InternalError` is `unavailable`.
    public func getMetricData(_ stat: CloudWatchMetricStat, start: Date, end: Date, region: String, role: String? = nil,
                              maxPages: Int = 10) async throws -> CloudWatchMetricDataResult {
        var merged = CloudWatchMetricDataResult(id: "m1")
        var token: String?
        for _ in 0..<maxPages {
            let xml = try await query(.getMetricData, region: region,
                                      parameters: CloudWatchMetricData.parameters(id: "m1", stat: stat, start: start, end: end, nextToken: token),
                                      role: role, sessionName: "sextant-metrics")
            let page = try CloudWatchMetricData.parse(xml)
            for r in page.results where r.id == "m1" {
                switch r.statusCode {
                case "Forbidden":
                    throw AWSError(code: "Forbidden", message: r.messages.joined(separator: "; "), kind: .accessDenied)
                case "InternalError":
                    throw AWSError(code: "InternalError", message: r.messages.joined(separator: "; "), kind: .unavailable)
                default: break
                }
                merged.label = r.label
                merged.statusCode = r.statusCode
                merged.timestamps += r.timestamps
                merged.values += r.values
                merged.messages += r.messages
            }
            token = page.nextToken
            if token == nil { break }
        }
        return merged
    }
}
