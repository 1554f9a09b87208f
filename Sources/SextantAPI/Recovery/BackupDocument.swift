import Foundation
import KubeCore

/// The three kinds a backup holds, in restore (dependency) order: policies own runs, runs
/// register versions.
public enum BackupKind: String, CaseIterable, Sendable, Codable, Comparable {
    case retrainPolicy = "RetrainPolicy"
    case mlPipeline = "MLPipeline"
    case modelVersion = "ModelVersion"

    /// The REST plural of the kind.
    public var plural: String {
        switch self {
        case .retrainPolicy: return RetrainPolicy.plural
        case .mlPipeline: return MLPipeline.plural
        case .modelVersion: return ModelVersion.plural
        }
    }

    /// Position in the restore order (RetrainPolicy → MLPipeline → ModelVersion).
    public var restoreRank: Int {
        switch self {
        case .retrainPolicy: return 0
        case .mlPipeline: return 1
        case .modelVersion: return 2
        }
    }

    public static func < (a: BackupKind, b: BackupKind) -> Bool { a.restoreRank < b.restoreRank }
}

/// One object of a backup: the object without server-owned fields, with its status, plus what the
/// source cluster knew about it that a restore needs (its uid, to rewrite references to it, and its
/// generation, to carry `observedGeneration` over).
public struct BackupItem: Sendable, Equatable {
    public var kind: BackupKind
    public var namespace: String
    public var name: String
    /// `metadata.uid` in the source cluster.
    public var sourceUID: String?
    /// `metadata.generation` in the source cluster.
    public var sourceGeneration: Int64?
    /// `metadata.creationTimestamp` in the source cluster (informational: the API sets a new one).
    public var sourceCreationTimestamp: String?
    /// The object (apiVersion, kind, cleaned metadata, spec, status).
    public var object: JSONValue

    public init(kind: BackupKind, namespace: String, name: String, sourceUID: String?, sourceGeneration: Int64?,
                sourceCreationTimestamp: String? = nil, object: JSONValue) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.sourceUID = sourceUID
        self.sourceGeneration = sourceGeneration
        self.sourceCreationTimestamp = sourceCreationTimestamp
        self.object = object
    }

    /// `Kind namespace/name`, for reports.
    public var reference: String { "\(kind.rawValue) \(namespace)/\(name)" }
}

/// A backup file: `{apiVersion: ml.sextant.dev/v1alpha1, kind: SextantBackup, createdAt, namespaces, items}`.
public struct BackupDocument: Sendable, Equatable {
    /// The document's `kind`.
    public static let kind = "SextantBackup"

    /// When the backup was taken (RFC 3339).
    public var createdAt: String
    /// The namespaces it covers; nil = all namespaces.
    public var namespaces: [String]?
    /// The objects, in restore order.
    public var items: [BackupItem]

    public init(createdAt: String, namespaces: [String]?, items: [BackupItem]) {
        self.createdAt = createdAt
        self.namespaces = namespaces
        self.items = items
    }

    /// The document as JSON.
    public var json: JSONValue {
        var doc: [String: JSONValue] = [
            "apiVersion": .string(SextantGroup.apiVersion), "kind": .string(Self.kind), "createdAt": .string(createdAt),
        ]
        doc["allNamespaces"] = .bool(namespaces == nil)
        if let namespaces { doc["namespaces"] = .array(namespaces.map(JSONValue.string)) }
        doc["items"] = .array(items.map { item in
            var o: [String: JSONValue] = ["kind": .string(item.kind.rawValue), "namespace": .string(item.namespace),
                                          "name": .string(item.name), "object": item.object]
            if let uid = item.sourceUID { o["sourceUID"] = .string(uid) }
            if let g = item.sourceGeneration { o["sourceGeneration"] = .int(g) }
            if let t = item.sourceCreationTimestamp { o["sourceCreationTimestamp"] = .string(t) }
            return .object(o)
        })
        return .object(doc)
    }

    /// Reads a backup document; throws `invalidBackup` naming what is wrong.
    public init(json: JSONValue) throws {
        guard json["kind"]?.stringValue == Self.kind else {
            throw SextantAPIError.invalidBackup("not a \(Self.kind) document (kind is \(json["kind"]?.stringValue ?? "missing"))")
        }
        guard json["apiVersion"]?.stringValue == SextantGroup.apiVersion else {
            throw SextantAPIError.invalidBackup("unsupported apiVersion \(json["apiVersion"]?.stringValue ?? "missing"); expected \(SextantGroup.apiVersion)")
        }
        createdAt = json["createdAt"]?.stringValue ?? ""
        namespaces = json["allNamespaces"]?.boolValue == true ? nil : json["namespaces"]?.arrayValue?.compactMap(\.stringValue)
        var items: [BackupItem] = []
        for (i, raw) in (json["items"]?.arrayValue ?? []).enumerated() {
            guard let kindText = raw["kind"]?.stringValue, let kind = BackupKind(rawValue: kindText) else {
                throw SextantAPIError.invalidBackup("items[\(i)]: kind must be one of \(BackupKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let namespace = raw["namespace"]?.stringValue, !namespace.isEmpty,
                  let name = raw["name"]?.stringValue, !name.isEmpty, let object = raw["object"], object.objectValue != nil else {
                throw SextantAPIError.invalidBackup("items[\(i)]: namespace, name and object are required")
            }
            guard object["kind"]?.stringValue == kindText,
                  object[path: ["metadata", "name"]]?.stringValue == name,
                  object[path: ["metadata", "namespace"]]?.stringValue == namespace else {
                throw SextantAPIError.invalidBackup("items[\(i)]: object does not match \(kindText) \(namespace)/\(name)")
            }
            items.append(BackupItem(kind: kind, namespace: namespace, name: name, sourceUID: raw["sourceUID"]?.stringValue,
                                    sourceGeneration: raw["sourceGeneration"]?.intValue,
                                    sourceCreationTimestamp: raw["sourceCreationTimestamp"]?.stringValue, object: object))
        }
        self.items = items
    }
}
