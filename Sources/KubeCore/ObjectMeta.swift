import Foundation

/// `metav1.ObjectMeta`: the metadata every persisted object has.
public struct ObjectMeta: Codable, Sendable, Hashable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: String?
    public var deletionTimestamp: String?
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?
    public var managedFields: [JSONValue]?

    public init(
        name: String? = nil, generateName: String? = nil, namespace: String? = nil,
        labels: [String: String]? = nil, annotations: [String: String]? = nil,
        ownerReferences: [OwnerReference]? = nil, finalizers: [String]? = nil
    ) {
        self.name = name
        self.generateName = generateName
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.finalizers = finalizers
    }

    /// The ownerReference with `controller: true`, if any.
    public var controllerReference: OwnerReference? {
        ownerReferences?.first { $0.controller == true }
    }
}

extension ObjectMeta {
    /// A decoder `userInfo` key: with `true`, `managedFields` is not decoded (left nil). KubeClient
    /// sets it for typed objects, as controller-runtime strips them from its caches: no reconciler
    /// reads them, and decoding their field trees was most of a controller's CPU (every write adds
    /// a manager entry). An update sent without `managedFields` leaves the server's unchanged.
    public static let skipManagedFieldsKey = CodingUserInfoKey(rawValue: "dev.sextant.skipManagedFields")

    enum CodingKeys: String, CodingKey {
        case name, generateName, namespace, uid, resourceVersion, generation, creationTimestamp, deletionTimestamp
        case deletionGracePeriodSeconds, labels, annotations, ownerReferences, finalizers, managedFields
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        generateName = try c.decodeIfPresent(String.self, forKey: .generateName)
        namespace = try c.decodeIfPresent(String.self, forKey: .namespace)
        uid = try c.decodeIfPresent(String.self, forKey: .uid)
        resourceVersion = try c.decodeIfPresent(String.self, forKey: .resourceVersion)
        generation = try c.decodeIfPresent(Int64.self, forKey: .generation)
        creationTimestamp = try c.decodeIfPresent(String.self, forKey: .creationTimestamp)
        deletionTimestamp = try c.decodeIfPresent(String.self, forKey: .deletionTimestamp)
        deletionGracePeriodSeconds = try c.decodeIfPresent(Int64.self, forKey: .deletionGracePeriodSeconds)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels)
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
        ownerReferences = try c.decodeIfPresent([OwnerReference].self, forKey: .ownerReferences)
        finalizers = try c.decodeIfPresent([String].self, forKey: .finalizers)
        let skip = Self.skipManagedFieldsKey.map { decoder.userInfo[$0] as? Bool == true } ?? false
        managedFields = skip ? nil : try c.decodeIfPresent([JSONValue].self, forKey: .managedFields)
    }
}

/// `metav1.OwnerReference`: links a dependent to its owner for garbage collection.
public struct OwnerReference: Codable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil, blockOwnerDeletion: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// `metav1.ListMeta`.
public struct ListMeta: Codable, Sendable, Hashable {
    public var resourceVersion: String?
    public var `continue`: String?
    public var remainingItemCount: Int64?

    public init(resourceVersion: String? = nil, continue: String? = nil, remainingItemCount: Int64? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
        self.remainingItemCount = remainingItemCount
    }
}

/// Identifies a resource collection: `apps/v1 deployments`, `v1 pods` (empty group), ...
public struct GroupVersionResource: Sendable, Hashable, Codable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var resource: String

    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    /// `v1` for the core group, `group/version` otherwise.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var description: String { group.isEmpty ? "\(version)/\(resource)" : "\(group)/\(version)/\(resource)" }
}
