import Foundation
import KubeClient
import KubeCore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// `Normal` or `Warning`.
public enum EventType: String, Sendable {
    case normal = "Normal"
    case warning = "Warning"
}

/// Publishes events.k8s.io/v1 Events off the reconcile path, as client-go's broadcaster does:
/// `publish` only enqueues (a bounded queue; when it is full the event is dropped and
/// `sextant_events_dropped_total{reason="queue_full"}` counts it), and `run()` — a `Service` the
/// `ControllerManager` runs — correlates (`EventCorrelator`: repeats become a PATCH of the Event's
/// series count, storms are aggregated, spam is dropped) and sends them with a token budget of its
/// own, so Events never spend the reconcilers' client-side rate limit nor block a reconcile.
/// Best effort: failures are logged, never thrown.
public final class EventRecorder: ServiceLifecycle.Service, Sendable {
    /// Queue and budget of a recorder.
    public struct Options: Sendable {
        /// Events waiting to be sent; more are dropped.
        public var queueCapacity = 1000
        /// The recorder's own client-side rate limit (separate from the reconcilers').
        public var qps: Double = 50
        public var burst = 100
        public var correlator = EventCorrelator.Options()

        public init() {}
    }

    struct Pending: Sendable {
        var regarding: ObjectReference
        var related: ObjectReference?
        var occurrence: EventOccurrence
        var time: Date
    }

    public let reportingController: String
    public let reportingInstance: String
    private let client: KubeClient
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let stream: AsyncStream<Pending>
    private let continuation: AsyncStream<Pending>.Continuation
    private let correlator: Mutex<EventCorrelator>
    private let started = Mutex(false)
    private let dropped = Atomic<Int>(0)
    private let sent = Atomic<Int>(0)

    public init(client: KubeClient, reportingController: String = "sextant", reportingInstance: String? = nil,
                options: Options = Options(), logger: Logger = Logger(label: "sextant.events"),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client.withRateLimit(qps: options.qps, burst: options.burst)
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance ?? "\(reportingController)-\(ProcessInfo.processInfo.hostName)"
        self.logger = logger
        self.now = now
        self.correlator = Mutex(EventCorrelator(options: options.correlator))
        (stream, continuation) = AsyncStream<Pending>.makeStream(bufferingPolicy: .bufferingOldest(max(1, options.queueCapacity)))
    }

    /// Events dropped so far (queue full or spam filter).
    public var droppedCount: Int { dropped.load(ordering: .relaxed) }
    /// Events created or patched so far.
    public var sentCount: Int { sent.load(ordering: .relaxed) }

    /// Queues an event about `regarding`; returns at once (never waits for the API server).
    public func publish(regarding: ObjectReference, related: ObjectReference? = nil, type: EventType, reason: String, action: String, note: String) {
        let occurrence = EventOccurrence(
            namespace: regarding.namespace ?? "default", regardingUID: regarding.uid ?? "", regardingKind: regarding.kind ?? "",
            regardingName: regarding.name ?? "", type: type.rawValue, reason: reason, action: action, note: String(note.prefix(1024)))
        if case .dropped = continuation.yield(Pending(regarding: regarding, related: related, occurrence: occurrence, time: now())) {
            drop("queue_full")
        }
    }

    /// Sends queued events until cancelled. Only one `run` consumes the queue; a second call idles.
    public func run() async throws {
        let first = started.withLock { s in
            defer { s = true }
            return !s
        }
        ControllerMetrics.initializeEvents()
        guard first else {
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
            return
        }
        for await pending in stream {
            await send(pending)
        }
    }

    private func drop(_ reason: String) {
        dropped.add(1, ordering: .relaxed)
        Counter(label: "sextant_events_dropped_total", dimensions: [("reason", reason)]).increment()
    }

    private func send(_ pending: Pending) async {
        let occurrence = pending.occurrence
        let t = pending.time
        let decision = correlator.withLock { c in
            c.observe(occurrence, now: t) { "\(occurrence.regardingName.isEmpty ? "object" : occurrence.regardingName).\(String(UInt64(t.timeIntervalSince1970 * 1e9), radix: 16))" }
        }
        let api = Api<Event>(client: client, namespace: occurrence.namespace)
        switch decision {
        case .drop(let reason):
            drop(reason.rawValue)
        case .patch(let eventName, let count):
            let patch: JSONValue = ["series": ["count": .int(Int64(count)), "lastObservedTime": .string(KubeTime.formatMicro(t))]]
            do {
                _ = try await api.patch(eventName, .merge(patch))
                sent.add(1, ordering: .relaxed)
            } catch {
                // The Event is gone (expired, deleted): start over with a new one.
                logger.debug("event series update failed; creating a new event", metadata: ["error": "\(error)"])
                correlator.withLock { $0.forget(eventName: eventName) }
                let retry = correlator.withLock { c in c.observe(occurrence, now: t) { "\(eventName)-\(count)" } }
                if case .create(let name, let note) = retry { await create(pending, name: name, note: note, api: api) }
            }
        case .create(let eventName, let note):
            await create(pending, name: eventName, note: note, api: api)
        }
    }

    private func create(_ pending: Pending, name: String, note: String, api: Api<Event>) async {
        let occurrence = pending.occurrence
        var event = Event(metadata: ObjectMeta(name: name, namespace: occurrence.namespace))
        event.eventTime = KubeTime.formatMicro(pending.time)
        event.reportingController = reportingController
        event.reportingInstance = reportingInstance
        event.reason = occurrence.reason
        event.type = occurrence.type
        event.action = occurrence.action
        event.note = note
        event.regarding = pending.regarding
        event.related = pending.related
        do {
            try await api.createDiscardingAnswer(event)
            sent.add(1, ordering: .relaxed)
        } catch {
            correlator.withLock { $0.forget(eventName: name) }
            logger.warning("cannot record event", metadata: [
                "reason": "\(occurrence.reason)", "kind": "\(occurrence.regardingKind)",
                "namespace": "\(occurrence.namespace)", "name": "\(occurrence.regardingName)", "error": "\(error)"])
        }
    }
}
