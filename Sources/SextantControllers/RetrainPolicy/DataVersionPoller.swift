import Foundation
import SextantAPI

/// The outcome of asking for a policy's data version.
struct DataPollResult: Sendable {
    /// The latest version read (kept from the last successful poll between polls).
    var observation: DataVersionObservation?
    /// Why the last poll failed (nil after a successful one). Never holds a secret.
    var error: String?
    /// When the source is polled next.
    var nextPoll: Date
    /// True when this call read the source.
    var polled: Bool
}

/// Polls each policy's `dataChange` source at its `pollIntervalSeconds` (with up to 10 % jitter),
/// not once per reconcile: between polls it answers from the last result. A changed source (URI or
/// format) is polled at once. Nothing is polled for a policy without a data trigger.
actor DataVersionPoller {
    private struct Entry {
        var source: String
        var observation: DataVersionObservation?
        var error: String?
        var next: Date
    }

    private let reader: DataVersionReader
    private let jitter: @Sendable () -> Double
    private var entries: [String: Entry] = [:]
    /// Source reads made (tests and metrics).
    private(set) var reads = 0

    /// A poller over `reader`; `jitter` returns a number in [0, 1).
    init(reader: DataVersionReader, jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.reader = reader
        self.jitter = jitter
    }

    /// The version of `dataset` at `uri` for the policy `key` (its uid), read when due.
    func poll(key: String, dataset: String, uri: String, format: String, intervalSeconds: Int64, now: Date) async -> DataPollResult {
        let source = "\(dataset)\n\(format)\n\(uri)"
        if let e = entries[key], e.source == source, now < e.next {
            return DataPollResult(observation: e.observation, error: e.error, nextPoll: e.next, polled: false)
        }
        reads += 1
        var entry = entries[key].flatMap { $0.source == source ? $0 : nil }
            ?? Entry(source: source, observation: nil, error: nil, next: now)
        do {
            let version = try await reader.version(of: uri, format: format)
            entry.observation = DataVersionObservation(dataset: dataset, version: version, observedAt: now)
            entry.error = nil
        } catch {
            entry.error = String(describing: error)
        }
        entry.next = TriggerPollTiming.next(after: now, intervalSeconds: intervalSeconds, jitter: jitter())
        entries[key] = entry
        return DataPollResult(observation: entry.observation, error: entry.error, nextPoll: entry.next, polled: true)
    }

    /// Drops the state of a policy (deleted, or its data trigger removed).
    func forget(key: String) {
        entries[key] = nil
    }
}
