import Foundation
import KubeCore

/// Turns live objects into backup items: keeps what a user or the controller wrote (spec, status,
/// labels, annotations, finalizers, ownerReferences) and drops what the API server owns.
public enum BackupBuilder {
    /// Metadata fields kept in a backup; everything else (`uid`, `resourceVersion`, `generation`,
    /// `creationTimestamp`, `deletion*`, `managedFields`, `selfLink`, `generateName`) is server-owned
    /// or meaningless in another cluster.
    public static let keptMetadata: Set<String> = ["name", "namespace", "labels", "annotations", "ownerReferences", "finalizers"]

    /// The backup item of one live object; nil when it lacks a name or namespace.
    public static func item(kind: BackupKind, live: JSONValue) -> BackupItem? {
        guard let meta = live["metadata"]?.objectValue, let name = meta["name"]?.stringValue,
              let namespace = meta["namespace"]?.stringValue else { return nil }
        var kept = meta.filter { keptMetadata.contains($0.key) }
        if var annotations = kept["annotations"]?.objectValue {
            annotations[RestoreMarker.annotation] = nil
            kept["annotations"] = annotations.isEmpty ? nil : .object(annotations)
        }
        var object: [String: JSONValue] = [
            "apiVersion": .string(SextantGroup.apiVersion), "kind": .string(kind.rawValue), "metadata": .object(kept),
        ]
        object["spec"] = live["spec"]
        object["status"] = live["status"]
        return BackupItem(kind: kind, namespace: namespace, name: name, sourceUID: meta["uid"]?.stringValue,
                          sourceGeneration: meta["generation"]?.intValue,
                          sourceCreationTimestamp: meta["creationTimestamp"]?.stringValue, object: .object(object))
    }

    /// A backup of `objects`, in restore order (kind, then namespace, then name).
    public static func document(_ objects: [(BackupKind, JSONValue)], namespaces: [String]?, createdAt: Date) -> BackupDocument {
        let items = objects.compactMap { item(kind: $0.0, live: $0.1) }
        return BackupDocument(createdAt: KubeTime.format(createdAt), namespaces: namespaces, items: RestorePlanner.ordered(items))
    }
}
