import CloudAWS
import Foundation
import SextantAPI

/// An Amazon CloudWatch metric: `GetMetricData` with one `MetricStat` over the poll window, data
/// points oldest first (`ScanBy=TimestampAscending`). Each data point (one per `periodSeconds`) is a
/// sample; the window's `step` is not used. Credentials come from the controller's AWS chain.
struct CloudWatchMetricSource: MetricSource {
    var query: CloudWatchMetricQuery
    var client: AWSClient

    var stat: CloudWatchMetricStat {
        CloudWatchMetricStat(namespace: query.namespace, metricName: query.metricName, dimensions: query.dimensions ?? [:],
                             periodSeconds: Int(max(1, query.periodSeconds ?? 60)), stat: query.statistic ?? "Average")
    }

    func samples(in window: MetricWindow) async throws -> [MetricSample] {
        let period = Double(stat.periodSeconds)
        // Period-aligned start, so the same data points come back when a window is asked again.
        let start = Date(timeIntervalSince1970: floor(window.start.timeIntervalSince1970 / period) * period)
        do {
            let result = try await client.getMetricData(stat, start: start, end: window.end, region: query.region)
            return zip(result.timestamps, result.values).map { MetricSample(time: $0, value: $1) }
        } catch let error as AWSError {
            let reason = error.kind == .accessDenied ? "AccessDenied" : (error.code == "NetworkError" ? "Unreachable" : "QueryFailed")
            throw ControllerError.metricQuery(reason: reason, message: "CloudWatch GetMetricData \(query.namespace)/\(query.metricName) in \(query.region): \(error)")
        }
    }
}
