import KubeCore

// Contracts between the API server half of DevCluster (storage, HTTP) and the emulated
// controllers half (Job/Deployment controllers, kubelet executors, garbage collector).
// Both halves live in this module; neither imports operator code.

/// One change in the store, in resourceVersion order.
public struct StoreEvent: Sendable {
    public enum Kind: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
    }

    public var kind: Kind
    public var resource: GroupVersionResource
    /// The object after the change (for deletes: the last state, with its final resourceVersion).
    public var object: JSONValue
    public var resourceVersion: UInt64

    public init(kind: Kind, resource: GroupVersionResource, object: JSONValue, resourceVersion: UInt64) {
        self.kind = kind
        self.resource = resource
        self.object = object
        self.resourceVersion = resourceVersion
    }
}

/// A list result: the items and the store's resourceVersion at the time of the list.
public struct StoreList: Sendable {
    public var items: [JSONValue]
    public var resourceVersion: UInt64

    public init(items: [JSONValue], resourceVersion: UInt64) {
        self.items = items
        self.resourceVersion = resourceVersion
    }
}

/// In-process access to the dev cluster's objects, with the same semantics the HTTP API has
/// (defaulting, uid/resourceVersion assignment, optimistic concurrency, finalizers, events).
/// Errors are thrown as `KubeCore.Status` values carrying the HTTP code and reason a real
/// API server would return (404 NotFound, 409 Conflict/AlreadyExists, 422 Invalid, ...).
public protocol ObjectStore: Sendable {
    /// Every resource collection currently served (built-ins and established CRDs).
    func resources() async -> [GroupVersionResource]
    /// Reads one object. Throws a 404 Status when it does not exist.
    func get(_ resource: GroupVersionResource, namespace: String?, name: String) async throws -> JSONValue
    /// Lists objects, optionally in one namespace and filtered by a label selector string
    /// (`app=web,tier in (a,b)`).
    func list(_ resource: GroupVersionResource, namespace: String?, labelSelector: String?) async throws -> StoreList
    /// Creates an object (honouring `generateName`). Returns the stored object.
    func create(_ resource: GroupVersionResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue
    /// Replaces an object; when `metadata.resourceVersion` is set it must match (else 409 Conflict).
    /// The main resource ignores `status` where a status subresource exists.
    func update(_ resource: GroupVersionResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue
    /// Replaces only `status` (the `/status` subresource).
    func updateStatus(_ resource: GroupVersionResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue
    /// Deletes an object: sets `deletionTimestamp` while finalizers remain, removes it otherwise.
    /// Returns the object as it is after the call (deleted or marked for deletion).
    @discardableResult
    func delete(_ resource: GroupVersionResource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue
    /// Every change after `resourceVersion` (nil = from now), across all resources when
    /// `resource` is nil. The stream ends when the store shuts down or the consumer stops.
    func watch(_ resource: GroupVersionResource?, namespace: String?, since resourceVersion: UInt64?) async throws -> AsyncThrowingStream<StoreEvent, Error>
}

/// Serves `GET /api/v1/namespaces/NS/pods/NAME/log`. Implemented by the kubelet emulation.
public protocol PodLogProvider: Sendable {
    /// The log of one container of a pod; with `follow`, the stream stays open until the
    /// container ends. Throws a 404/400 Status when there is no such pod or log.
    func logs(namespace: String, pod: String, container: String?, follow: Bool, tailLines: Int?) async throws -> AsyncThrowingStream<[UInt8], Error>
}
