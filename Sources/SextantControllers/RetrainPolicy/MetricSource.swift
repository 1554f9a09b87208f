import Crypto
import Foundation
import SextantAPI

/// The time range one poll asks a source for. Prometheus-like sources evaluate the query at
/// `start`, `start + step`, … ≤ `end` (`query_range`); `start` is a multiple of `step`, so a window
/// asked again after a restart yields the same sample times and so the same breach start.
struct MetricWindow: Sendable, Hashable {
    var start: Date
    var end: Date
    /// Seconds between evaluations (sources with their own period, CloudWatch, use that instead).
    var step: Int64
}

/// Where a metric trigger reads its samples: one query per poll, samples of the window out.
/// Failures are `ControllerError.metricQuery(reason:message:)` (the `TriggerHealthy` reason);
/// nothing secret goes into a message.
protocol MetricSource: Sendable {
    /// The samples of the window, oldest first (empty when the query matched nothing).
    func samples(in window: MetricWindow) async throws -> [MetricSample]
}

/// When to poll and which window to ask for (pure).
///
/// Each source is polled every `pollIntervalSeconds` plus a jitter of up to 10% of it (derived from
/// the policy's uid and the last poll time). The window starts where the last one ended (`observedAt`), so no
/// sample between two polls is missed, and reaches back at most `maxPoints` steps.
enum MetricPollSchedule {
    /// Most evaluation steps one window holds (Prometheus refuses more than 11,000 points).
    static let maxPoints: Int64 = 10_000
    /// The interval of a trigger (the CRD's default 300 s, at least 10 s).
    static func interval(_ trigger: MetricTrigger) -> Int64 { max(10, trigger.pollIntervalSeconds ?? 300) }

    /// Seconds between evaluations: a fifth of `forSeconds` (so a breach spans several samples),
    /// between 1 and 60 s.
    static func step(forSeconds: Int64) -> Int64 { min(60, max(1, forSeconds / 5)) }

    /// A number in [0, 1) from the policy key and the last poll time: the share of the jitter
    /// (`TriggerPollTiming`, up to 10% of the interval). Policies created together spread out, and
    /// the same poll always gets the same jitter.
    static func jitterUnit(key: String, last: Date) -> Double {
        let digest = SHA256.hash(data: Data("\(key)/\(Int64(last.timeIntervalSince1970))".utf8))
        let word = digest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return Double(word) / (Double(UInt32.max) + 1)
    }

    /// When the poll after one at `last` is due.
    static func nextPoll(after last: Date, key: String, interval: Int64) -> Date {
        TriggerPollTiming.next(after: last, intervalSeconds: interval, jitter: jitterUnit(key: key, last: last))
    }

    /// The window of a poll at `now`: from the last observed sample (or `forSeconds + interval`
    /// back on first sight), aligned down to `step`, at most `maxPoints` steps.
    static func window(now: Date, observedAt: Date?, forSeconds: Int64, interval: Int64) -> MetricWindow {
        let step = step(forSeconds: forSeconds)
        let end = floor(now.timeIntervalSince1970)
        let earliest = end - Double(step * maxPoints)
        let wanted = observedAt.map { $0.timeIntervalSince1970 } ?? (end - Double(forSeconds + interval))
        let start = max(earliest, min(wanted, end))
        let aligned = floor(start / Double(step)) * Double(step)
        return MetricWindow(start: Date(timeIntervalSince1970: aligned), end: Date(timeIntervalSince1970: end), step: step)
    }
}

extension MetricTrigger {
    /// The name of the one source set (`prometheus`, `cloudWatch`, …), for messages.
    var sourceName: String {
        if prometheus != nil { return "prometheus" }
        if cloudWatch != nil { return "cloudWatch" }
        if cloudMonitoring != nil { return "cloudMonitoring" }
        if azureMonitor != nil { return "azureMonitor" }
        return "none"
    }

    /// How many sources are set (exactly one is valid).
    var sourceCount: Int {
        [prometheus != nil, cloudWatch != nil, cloudMonitoring != nil, azureMonitor != nil].filter { $0 }.count
    }
}
