import Foundation

/// `events.k8s.io/v1` Event.
public struct Event: Resource, Hashable {
    public static let group = "events.k8s.io"
    public static let version = "v1"
    public static let kind = "Event"
    public static let plural = "events"
    public static let namespaced = true

    public var apiVersion: String? = "events.k8s.io/v1"
    public var kind: String? = "Event"
    public var metadata: ObjectMeta
    /// MicroTime of the first observation.
    public var eventTime: String?
    public var series: EventSeries?
    public var reportingController: String?
    public var reportingInstance: String?
    /// What happened (`Created`, `Failed`), CamelCase.
    public var reason: String?
    /// `Normal` or `Warning`.
    public var type: String?
    /// The action taken or failed (`Reconcile`, `Create`).
    public var action: String?
    public var note: String?
    public var regarding: ObjectReference?
    public var related: ObjectReference?
    public var deprecatedCount: Int32?
    public var deprecatedFirstTimestamp: String?
    public var deprecatedLastTimestamp: String?
    public var deprecatedSource: JSONValue?

    public init(metadata: ObjectMeta) { self.metadata = metadata }
}

/// `events.k8s.io/v1.EventSeries`: repeated occurrences of one event.
public struct EventSeries: Codable, Sendable, Hashable {
    public var count: Int32
    /// MicroTime of the last observation.
    public var lastObservedTime: String

    public init(count: Int32, lastObservedTime: String) {
        self.count = count
        self.lastObservedTime = lastObservedTime
    }
}

/// `v1.ObjectReference`.
public struct ObjectReference: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var namespace: String?
    public var name: String?
    public var uid: String?
    public var resourceVersion: String?
    public var fieldPath: String?

    public init(apiVersion: String? = nil, kind: String? = nil, namespace: String? = nil, name: String? = nil, uid: String? = nil, resourceVersion: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.resourceVersion = resourceVersion
    }
}

extension Resource {
    /// A reference to this object for Events (`regarding`).
    public var objectReference: ObjectReference {
        ObjectReference(apiVersion: Self.apiVersion, kind: Self.kind, namespace: metadata.namespace,
                        name: metadata.name, uid: metadata.uid, resourceVersion: metadata.resourceVersion)
    }
}
