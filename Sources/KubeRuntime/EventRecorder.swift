import Foundation
import KubeClient
import KubeCore
import Logging
import Synchronization

/// `Normal` or `Warning`.
public enum EventType: String, Sendable {
    case normal = "Normal"
    case warning = "Warning"
}

/// Publishes events.k8s.io/v1 Events with client-go's series semantics: an event identical to one
/// published within the last 6 minutes (same object, type, reason, action and note) updates that
/// Event's `series` (count, lastObservedTime) instead of creating a new object. Best effort: failures
/// are logged, never thrown.
public final class EventRecorder: Sendable {
    struct SeriesKey: Hashable {
        var namespace: String
        var uid: String
        var kind: String
        var name: String
        var type: String
        var reason: String
        var action: String
        var note: String
    }

    struct SeriesEntry {
        var eventName: String
        var count: Int32
        var lastObserved: Date
    }

    public let reportingController: String
    public let reportingInstance: String
    public static let seriesWindow: TimeInterval = 6 * 60
    private let client: KubeClient
    private let logger: Logger
    private let cache = Mutex<[SeriesKey: SeriesEntry]>([:])
    private let now: @Sendable () -> Date

    public init(client: KubeClient, reportingController: String = "sextant", reportingInstance: String? = nil,
                logger: Logger = Logger(label: "sextant.events"), now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance ?? "\(reportingController)-\(ProcessInfo.processInfo.hostName)"
        self.logger = logger
        self.now = now
    }

    /// Records an event about `regarding`.
    public func publish(regarding: ObjectReference, related: ObjectReference? = nil, type: EventType, reason: String, action: String, note: String) async {
        let namespace = regarding.namespace ?? "default"
        let note = String(note.prefix(1024))
        let key = SeriesKey(namespace: namespace, uid: regarding.uid ?? "", kind: regarding.kind ?? "", name: regarding.name ?? "",
                            type: type.rawValue, reason: reason, action: action, note: note)
        let t = now()
        let existing: SeriesEntry? = cache.withLock { c in
            if c.count > 4096 { c = c.filter { t.timeIntervalSince($0.value.lastObserved) < Self.seriesWindow } }
            guard let e = c[key], t.timeIntervalSince(e.lastObserved) < Self.seriesWindow else { return nil }
            return e
        }
        let api = Api<Event>(client: client, namespace: namespace)
        if let existing {
            let count = existing.count + 1
            let patch: JSONValue = ["series": ["count": .int(Int64(count)), "lastObservedTime": .string(KubeTime.formatMicro(t))]]
            do {
                _ = try await api.patch(existing.eventName, .merge(patch))
                cache.withLock { $0[key] = SeriesEntry(eventName: existing.eventName, count: count, lastObserved: t) }
                return
            } catch {
                logger.debug("event series update failed; creating a new event", metadata: ["error": "\(error)"])
            }
        }
        var event = Event(metadata: ObjectMeta(name: "\(regarding.name ?? "object").\(String(UInt64(t.timeIntervalSince1970 * 1e9), radix: 16))", namespace: namespace))
        event.eventTime = KubeTime.formatMicro(t)
        event.reportingController = reportingController
        event.reportingInstance = reportingInstance
        event.reason = reason
        event.type = type.rawValue
        event.action = action
        event.note = note
        event.regarding = regarding
        event.related = related
        do {
            let created = try await api.create(event)
            cache.withLock { $0[key] = SeriesEntry(eventName: created.name, count: 1, lastObserved: t) }
        } catch {
            logger.warning("cannot record event", metadata: ["reason": "\(reason)", "kind": "\(regarding.kind ?? "")",
                                                            "namespace": "\(namespace)", "name": "\(regarding.name ?? "")", "error": "\(error)"])
        }
    }
}
