import Foundation
import SextantAPI

/// When to poll each cloud job next (pure; the controller holds one per controller instance).
///
/// Per attempt key it keeps the last observation, the current interval and the next poll time.
/// The interval starts at `initialInterval`, grows by `factor` (± `jitter`) each time a poll sees
/// nothing new or a call fails, is capped at `maxInterval`, and resets to `initialInterval` when
/// the job's state changes. So a 2-hour training job costs about 70 describe calls, not 720.
public struct CloudPollSchedule: Sendable {
    /// What is known of one attempt.
    public struct Entry: Sendable, Hashable {
        /// The last observation (job, outputs, cost, error).
        public var observation: CloudAttemptObservation
        /// The current interval in seconds.
        public var interval: TimeInterval
        /// When it is due.
        public var nextPoll: Date
    }

    /// First interval, and the interval after a change (seconds).
    public var initialInterval: TimeInterval
    /// Growth per unchanged poll.
    public var factor: Double
    /// Cap of the interval (seconds).
    public var maxInterval: TimeInterval
    /// Relative jitter: the interval is multiplied by a factor in [1 − jitter, 1 + jitter].
    public var jitter: Double
    /// Entries by attempt key.
    public private(set) var entries: [String: Entry] = [:]

    /// A schedule (defaults: 10 s, × 1.5, ≤ 120 s, ± 10 %).
    public init(initialInterval: TimeInterval = 10, factor: Double = 1.5, maxInterval: TimeInterval = 120, jitter: Double = 0.1) {
        self.initialInterval = initialInterval
        self.factor = factor
        self.maxInterval = maxInterval
        self.jitter = jitter
    }

    /// The entry of `key`.
    public func entry(_ key: String) -> Entry? { entries[key] }

    /// True when `key` has never been polled or its next poll time has come.
    public func isDue(_ key: String, now: Date) -> Bool {
        guard let e = entries[key] else { return true }
        return e.nextPoll <= now
    }

    /// Records a successful observation of the job at `now`; `random` in [0, 1] picks the jitter.
    /// Returns the entry (its `nextPoll` is when to look again).
    @discardableResult
    public mutating func record(_ key: String, job: CloudJobObservation, now: Date, random: Double) -> Entry {
        let previous = entries[key]
        let changed = previous.map { Self.differs($0.observation.job, job) } ?? true
        let interval = changed ? initialInterval : grown(previous?.interval)
        var observation = previous?.observation ?? CloudAttemptObservation()
        if changed { observation.outputs = nil; observation.outputsError = nil; observation.cost = nil }
        observation.job = job
        observation.error = nil
        return store(key, observation, interval: interval, now: now, random: random)
    }

    /// Records a failed call (the last observation is kept); the interval grows as for no change.
    @discardableResult
    public mutating func recordError(_ key: String, error: CloudBackendError, now: Date, random: Double) -> Entry {
        let previous = entries[key]
        var observation = previous?.observation ?? CloudAttemptObservation()
        observation.error = error
        return store(key, observation, interval: previous == nil ? initialInterval : grown(previous?.interval), now: now, random: random)
    }

    /// Records the outputs (or why they could not be read) and the cost of a finished job.
    public mutating func recordResult(_ key: String, outputs: OutputValues?, outputsError: CloudBackendError?, cost: Cost?) {
        guard var e = entries[key] else { return }
        e.observation.outputs = outputs
        e.observation.outputsError = outputsError
        e.observation.cost = cost
        entries[key] = e
    }

    /// Forgets every key with `prefix` that `keep` does not contain (finished attempts, deleted runs).
    public mutating func retain(prefix: String, keep: Set<String>) {
        for key in entries.keys where key.hasPrefix(prefix) && !keep.contains(key) { entries[key] = nil }
    }

    private func grown(_ interval: TimeInterval?) -> TimeInterval {
        min(maxInterval, (interval ?? initialInterval) * factor)
    }

    private mutating func store(_ key: String, _ observation: CloudAttemptObservation, interval: TimeInterval, now: Date, random: Double) -> Entry {
        let r = min(max(random, 0), 1)
        let jittered = min(maxInterval * (1 + jitter), interval * (1 + jitter * (2 * r - 1)))
        var o = observation
        let next = now.addingTimeInterval(jittered)
        o.nextPollAt = next
        let entry = Entry(observation: o, interval: interval, nextPoll: next)
        entries[key] = entry
        return entry
    }

    /// A change worth polling faster for: state, provider status, id, URL, reason or message.
    static func differs(_ a: CloudJobObservation?, _ b: CloudJobObservation) -> Bool {
        guard let a else { return true }
        return a.state != b.state || a.providerStatus != b.providerStatus || a.id != b.id || a.url != b.url
            || a.reason != b.reason || a.message != b.message
    }
}
