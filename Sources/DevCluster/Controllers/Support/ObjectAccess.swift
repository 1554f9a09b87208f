import Foundation
import KubeCore

/// The built-in resource collections the emulated controllers read and write.
enum WorkloadResource {
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")
    static let services = GroupVersionResource(group: "", version: "v1", resource: "services")
    static let endpoints = GroupVersionResource(group: "", version: "v1", resource: "endpoints")
    static let namespaces = GroupVersionResource(group: "", version: "v1", resource: "namespaces")
    static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
}

/// Identifies one object of a resource collection.
struct ObjectKey: Hashable, Sendable, CustomStringConvertible {
    var namespace: String?
    var name: String

    init(namespace: String?, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of a stored object (nil when it has no name).
    init?(object: JSONValue) {
        guard let name = object.name else { return nil }
        self.init(namespace: object.namespace, name: name)
    }

    var description: String { namespace.map { "\($0)/\(name)" } ?? name }
}

/// Shorthands for reading metadata of dynamically typed objects.
extension JSONValue {
    var name: String? { self[path: ["metadata", "name"]]?.stringValue }
    var namespace: String? { self[path: ["metadata", "namespace"]]?.stringValue }
    var uid: String? { self[path: ["metadata", "uid"]]?.stringValue }
    var kindName: String? { self["kind"]?.stringValue }
    var generationValue: Int64? { self[path: ["metadata", "generation"]]?.intValue }
    var isDeleting: Bool { self[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil }

    var labels: [String: String] { stringMap(self[path: ["metadata", "labels"]]) }
    var annotations: [String: String] { stringMap(self[path: ["metadata", "annotations"]]) }
    var finalizers: [String] { (self[path: ["metadata", "finalizers"]]?.arrayValue ?? []).compactMap(\.stringValue) }

    /// `metadata.ownerReferences` decoded (malformed entries skipped).
    var ownerReferences: [OwnerReference] {
        (self[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).compactMap(Self.ownerReference)
    }

    /// One `ownerReferences` entry as `JSONDecoder` reads it into `OwnerReference` (synthesized
    /// Codable), without the JSON round trip: an object with string `apiVersion`, `kind`, `name`
    /// and `uid`, and `controller`/`blockOwnerDeletion` booleans, null or absent; nil otherwise.
    static func ownerReference(_ value: JSONValue) -> OwnerReference? {
        guard case .object(let o) = value,
              case .string(let apiVersion)? = o["apiVersion"], case .string(let kind)? = o["kind"],
              case .string(let name)? = o["name"], case .string(let uid)? = o["uid"]
        else { return nil }
        func flag(_ key: String) -> Bool?? {
            switch o[key] {
            case nil, .null?: return .some(nil)
            case .bool(let b)?: return .some(b)
            default: return nil
            }
        }
        guard let controller = flag("controller"), let blockOwnerDeletion = flag("blockOwnerDeletion") else { return nil }
        return OwnerReference(apiVersion: apiVersion, kind: kind, name: name, uid: uid, controller: controller, blockOwnerDeletion: blockOwnerDeletion)
    }

    /// The uid of the controlling owner of the given kind.
    func controllerUID(kind: String) -> String? {
        ownerReferences.first { $0.controller == true && $0.kind == kind }?.uid
    }

    /// A JSON object holding string values.
    static func stringObject(_ map: [String: String]) -> JSONValue {
        .object(map.mapValues { .string($0) })
    }
}

private func stringMap(_ value: JSONValue?) -> [String: String] {
    guard let object = value?.objectValue else { return [:] }
    var out: [String: String] = [:]
    for (k, v) in object { if let s = v.stringValue { out[k] = s } }
    return out
}

/// Classifies errors thrown by the store.
enum StoreErrors {
    static func code(_ error: any Error) -> Int? { (error as? Status)?.code }
    static func isNotFound(_ error: any Error) -> Bool { code(error) == 404 }
    static func isConflict(_ error: any Error) -> Bool { code(error) == 409 }
}

/// Conditions stored as JSON.
extension JSONValue {
    /// `status.conditions` decoded.
    var statusConditions: [Condition] {
        (self[path: ["status", "conditions"]]?.arrayValue ?? []).compactMap { try? $0.decode(as: Condition.self) }
    }

    /// True when `status.conditions` has the type with status True.
    func hasTrueCondition(_ type: String) -> Bool {
        (self[path: ["status", "conditions"]]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True"
        }
    }
}

extension Array where Element == Condition {
    /// The conditions as JSON objects.
    var jsonObjects: [JSONValue] { compactMap { try? JSONValue(encoding: $0) } }
}

/// Random lowercase alphanumeric suffixes, as the apiserver's generateName uses (no vowels).
enum NameSuffix {
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func random(_ count: Int = 5) -> String {
        String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }
}

/// Optional fields as a real server serializes them: omitted when empty, never `null`.
/// (`JSONValue` is `ExpressibleByNilLiteral`, so `cond ? nil : value` yields `.null`, not nil.)
extension JSONValue {
    /// `.array(items)`, or nil (field omitted) when empty.
    static func arrayOrOmitted(_ items: [JSONValue]) -> JSONValue? {
        if items.isEmpty { return Optional<JSONValue>.none }
        return JSONValue.array(items)
    }

    /// A positive count, or nil (field omitted) for zero.
    static func countOrOmitted(_ count: Int) -> JSONValue? {
        if count <= 0 { return Optional<JSONValue>.none }
        return JSONValue.int(Int64(count))
    }
}
