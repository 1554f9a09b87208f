import Foundation
import KubeClient

/// One occurrence of an event as a reconciler reports it, before correlation.
public struct EventOccurrence: Sendable, Hashable {
    public var namespace: String
    public var regardingUID: String
    public var regardingKind: String
    public var regardingName: String
    public var type: String
    public var reason: String
    public var action: String
    public var note: String

    public init(namespace: String, regardingUID: String, regardingKind: String, regardingName: String,
                type: String, reason: String, action: String, note: String) {
        self.namespace = namespace
        self.regardingUID = regardingUID
        self.regardingKind = regardingKind
        self.regardingName = regardingName
        self.type = type
        self.reason = reason
        self.action = action
        self.note = note
    }

    /// The object the event is about (client-go's spam key: source plus involved object).
    var objectKey: String { "\(namespace)/\(regardingKind)/\(regardingName)/\(regardingUID)" }
    /// Everything but the note (client-go's aggregate key).
    var aggregateKey: String { "\(objectKey)/\(type)/\(reason)/\(action)" }
    /// Everything (client-go's event key: an identical event).
    var eventKey: String { "\(aggregateKey)/\(note)" }
}

/// Why the correlator dropped an occurrence.
public enum EventDropReason: String, Sendable, Hashable {
    /// The object's spam-filter token bucket was empty (client-go: burst 25, then one per 5 minutes).
    case spam
}

/// What to do with an occurrence.
public enum EventDecision: Sendable, Hashable {
    /// Create a new Event named `eventName` with `note` (the note is rewritten when aggregated).
    case create(eventName: String, note: String)
    /// Bump the existing Event `eventName`'s series to `count` (a PATCH; no new object).
    case patch(eventName: String, count: Int32)
    /// Do not send anything.
    case drop(EventDropReason)
}

/// client-go's `EventCorrelator` as a pure value (no I/O; the caller supplies the clock):
/// - aggregation: more than `maxSimilarEvents` occurrences with the same object, type, reason and
///   action but different notes within `aggregateWindow` become one Event whose note starts with
///   "(combined from similar events): ";
/// - deduplication: an occurrence identical to one seen within `seriesWindow` bumps that Event's
///   count instead of creating an object;
/// - spam filter: per object, a token bucket of `spamBurst` tokens refilled at `spamQPS`; an
///   occurrence without a token is dropped (repeats count too, as in client-go).
public struct EventCorrelator: Sendable {
    /// Tunables; the defaults are client-go's.
    public struct Options: Sendable, Hashable {
        public var maxSimilarEvents = 10
        public var aggregateWindow: TimeInterval = 600
        public var seriesWindow: TimeInterval = 6 * 60
        public var spamBurst = 25
        public var spamQPS = 1.0 / 300
        /// Bound on remembered keys of each table (client-go's LRU size).
        public var maxKeys = 4096

        public init() {}
    }

    struct Aggregate: Sendable {
        var notes: Set<String>
        var lastSeen: Date
    }

    struct Series: Sendable {
        var eventName: String
        var count: Int32
        var lastObserved: Date
    }

    public static let aggregatePrefix = "(combined from similar events): "
    public let options: Options
    private var aggregates: [String: Aggregate] = [:]
    private var series: [String: Series] = [:]
    private var spam: [String: TokenBucket] = [:]

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Correlates one occurrence at `now`; `name` makes the Event name used when a new Event is
    /// needed. A `.create` is remembered at once (call `forget` if the create fails).
    public mutating func observe(_ occurrence: EventOccurrence, now: Date, name: () -> String) -> EventDecision {
        prune(now: now)
        var bucket = spam[occurrence.objectKey] ?? TokenBucket(rate: options.spamQPS, burst: options.spamBurst)
        let delay = bucket.reserve(now: now.timeIntervalSinceReferenceDate)
        if delay > 0 {
            // Give the token back: a dropped occurrence must not push the next one further out.
            bucket = bucket.refunding()
            spam[occurrence.objectKey] = bucket
            return .drop(.spam)
        }
        spam[occurrence.objectKey] = bucket

        var note = occurrence.note
        var key = occurrence.eventKey
        let aggregateKey = occurrence.aggregateKey
        var aggregate = aggregates[aggregateKey].flatMap { now.timeIntervalSince($0.lastSeen) <= options.aggregateWindow ? $0 : nil }
            ?? Aggregate(notes: [], lastSeen: now)
        aggregate.lastSeen = now
        if aggregate.notes.count >= options.maxSimilarEvents {
            note = Self.aggregatePrefix + occurrence.note
            key = aggregateKey
        } else {
            aggregate.notes.insert(occurrence.note)
        }
        aggregates[aggregateKey] = aggregate

        if var existing = series[key], now.timeIntervalSince(existing.lastObserved) <= options.seriesWindow {
            existing.count += 1
            existing.lastObserved = now
            series[key] = existing
            return .patch(eventName: existing.eventName, count: existing.count)
        }
        let eventName = name()
        series[key] = Series(eventName: eventName, count: 1, lastObserved: now)
        return .create(eventName: eventName, note: note)
    }

    /// Forgets the Event `eventName` (its create or patch failed; the next occurrence creates anew).
    public mutating func forget(eventName: String) {
        series = series.filter { $0.value.eventName != eventName }
    }

    /// Number of remembered series (for tests and bounds).
    public var seriesCount: Int { series.count }

    private mutating func prune(now: Date) {
        if series.count > options.maxKeys {
            series = series.filter { now.timeIntervalSince($0.value.lastObserved) <= options.seriesWindow }
            if series.count > options.maxKeys { series.removeAll() }
        }
        if aggregates.count > options.maxKeys {
            aggregates = aggregates.filter { now.timeIntervalSince($0.value.lastSeen) <= options.aggregateWindow }
            if aggregates.count > options.maxKeys { aggregates.removeAll() }
        }
        if spam.count > options.maxKeys {
            // A full bucket is the default state: forgetting it changes nothing.
            spam = spam.filter { !$0.value.isFull(now: now.timeIntervalSinceReferenceDate) }
            if spam.count > options.maxKeys { spam.removeAll() }
        }
    }
}
