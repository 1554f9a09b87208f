import Foundation

/// A Kubernetes kind with a typed Swift model. The static properties tell a client where the
/// collection lives (`/apis/<group>/<version>/namespaces/<ns>/<plural>`), so `Api<Job>` needs no
/// further configuration.
public protocol Resource: Codable, Sendable {
    /// API group; empty for the core group (`v1`).
    static var group: String { get }
    /// API version within the group (`v1`, `v1alpha1`).
    static var version: String { get }
    /// Kind (`Job`).
    static var kind: String { get }
    /// Lower-case plural resource name used in URLs (`jobs`).
    static var plural: String { get }
    /// Whether objects live in namespaces.
    static var namespaced: Bool { get }
    /// The object's metadata.
    var metadata: ObjectMeta { get set }
}

extension Resource {
    /// `v1` for the core group, `group/version` otherwise.
    public static var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// The collection this kind is served from.
    public static var groupVersionResource: GroupVersionResource {
        GroupVersionResource(group: group, version: version, resource: plural)
    }
    /// `metadata.name`, or the empty string.
    public var name: String { metadata.name ?? "" }
    /// `metadata.namespace`.
    public var namespace: String? { metadata.namespace }
    /// `metadata.uid`, or the empty string.
    public var uid: String { metadata.uid ?? "" }
    /// `metadata.resourceVersion`.
    public var resourceVersion: String? { metadata.resourceVersion }
    /// True once a delete was requested (`deletionTimestamp` set).
    public var isBeingDeleted: Bool { metadata.deletionTimestamp != nil }
    /// An ownerReference pointing at this object (controller: true, blockOwnerDeletion: true by default).
    public func ownerReference(controller: Bool = true, blockOwnerDeletion: Bool = true) -> OwnerReference {
        OwnerReference(
            apiVersion: Self.apiVersion, kind: Self.kind, name: name, uid: uid,
            controller: controller, blockOwnerDeletion: blockOwnerDeletion)
    }
    /// The key `namespace/name` (or `name` for cluster-scoped objects).
    public var objectKey: ObjectKey { ObjectKey(namespace: metadata.namespace, name: name) }
}

/// A resource whose model has a `status` that is written through the `/status` subresource.
public protocol HasStatus: Resource {
    associatedtype StatusType: Codable & Sendable & Equatable
    var status: StatusType? { get set }
}

/// A kind with a status whose watch events may be decoded against a cached copy: the server
/// moves `metadata.generation` with every change but metadata and status (a custom resource with
/// the status subresource), and the type decodes `metadata` and `status` as they are sent (no
/// view that trims them). A MODIFIED event at the cached generation then needs only its metadata
/// and status decoded (`WatchReuse(keepingSpecOf:)` in KubeClient).
public protocol StatusChangesKeepGeneration: HasStatus {}

/// Identifies one object within a kind: namespace (nil when cluster-scoped) and name.
public struct ObjectKey: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public var namespace: String?
    public var name: String

    public init(namespace: String?, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// `namespace/name` or `name`.
    public var description: String {
        if let namespace, !namespace.isEmpty { return "\(namespace)/\(name)" }
        return name
    }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool { lhs.description < rhs.description }
}

/// A typed list as returned by a list call (`JobList`).
public struct ResourceList<R: Resource>: Codable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [R]

    public init(metadata: ListMeta = ListMeta(), items: [R]) {
        self.apiVersion = R.apiVersion
        self.kind = R.kind + "List"
        self.metadata = metadata
        self.items = items
    }

    enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, items }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        metadata = try c.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        items = try c.decodeIfPresent([R].self, forKey: .items) ?? []
    }
}

/// An untyped object of any kind, for `DynamicApi` and generic code: the JSON plus its metadata.
public struct DynamicObject: Sendable, Hashable {
    public var json: JSONValue

    public init(_ json: JSONValue) { self.json = json }

    /// Decoded `metadata` (empty when absent or malformed).
    public var metadata: ObjectMeta {
        get { (try? json["metadata"]?.decode(as: ObjectMeta.self)) ?? ObjectMeta() }
        set { json["metadata"] = try? JSONValue(encoding: newValue) }
    }
}
