import Foundation
import KubeCore

/// The pure decisions of `sextant restore`. A restore runs in three passes over the items in
/// dependency order (RetrainPolicy → MLPipeline → ModelVersion):
/// 1. create what is missing, marked with `RestoreMarker` and with references among the restored
///    objects rewritten to the new uids (`objectToCreate`);
/// 2. write the backed-up status through `/status` on what this restore created or an interrupted
///    one left marked (`restoredStatus`), once every new uid is known;
/// 3. remove the marker, which hands the object to the controllers.
/// An object that exists without the marker is left as it is, so a second restore changes nothing.
public enum RestorePlanner {
    /// What to do with one backed-up object.
    public enum Decision: Sendable, Equatable {
        /// It does not exist: create it (then write its status, then unmark it).
        case create
        /// It exists with the marker: an earlier restore stopped before finishing it; write its status and unmark it.
        case resume
        /// It exists and is not marked: leave it (restored before, or made in this cluster).
        case leave
    }

    /// Items in restore order: kind rank, then namespace, then name.
    public static func ordered(_ items: [BackupItem]) -> [BackupItem] {
        items.sorted { ($0.kind.restoreRank, $0.namespace, $0.name) < ($1.kind.restoreRank, $1.namespace, $1.name) }
    }

    /// The decision for an item, given the live object of the same kind, namespace and name (nil = none).
    public static func decide(live: JSONValue?) -> Decision {
        guard let live else { return .create }
        let annotations = live[path: ["metadata", "annotations"]]?.objectValue
        return annotations?[RestoreMarker.annotation] != nil ? .resume : .leave
    }

    /// The object to POST: no status, the marker annotation (value `marker`), ownerReferences among
    /// the restored objects pointing at their new uids (`uids`: source uid → new uid), references to
    /// owners outside the backup dropped (the garbage collector would delete the object for an
    /// owner that does not exist), and the registering run's uid annotation rewritten. Returns the
    /// object and one note per dropped reference.
    public static func objectToCreate(_ item: BackupItem, uids: [String: String], marker: String) -> (object: JSONValue, notes: [String]) {
        var object = item.object
        object["status"] = nil
        var notes: [String] = []
        if let refs = object[path: ["metadata", "ownerReferences"]]?.arrayValue {
            var kept: [JSONValue] = []
            for ref in refs {
                if let old = ref["uid"]?.stringValue, let new = uids[old] {
                    var rewritten = ref
                    rewritten["uid"] = .string(new)
                    kept.append(rewritten)
                } else {
                    notes.append("\(item.reference): dropped ownerReference to \(ref["kind"]?.stringValue ?? "?") \(ref["name"]?.stringValue ?? "?"): the owner is not in the backup")
                }
            }
            object[path: ["metadata", "ownerReferences"]] = kept.isEmpty ? nil : .array(kept)
        }
        var annotations = object[path: ["metadata", "annotations"]]?.objectValue ?? [:]
        annotations[RestoreMarker.annotation] = .string(marker)
        if let old = annotations[SextantLabels.pipelineUID]?.stringValue, let new = uids[old] {
            annotations[SextantLabels.pipelineUID] = .string(new)
        }
        object[path: ["metadata", "annotations"]] = .object(annotations)
        return (object, notes)
    }

    /// The live object with the backed-up status, for a PUT to `/status`; nil when the backup has
    /// no status. `observedGeneration` (of the status and of each condition) becomes the live
    /// generation where it was current in the source cluster, and is removed where it lagged, so the
    /// controller looks at the object again; run uids in `status.active[]` are rewritten.
    public static func restoredStatus(_ item: BackupItem, live: JSONValue, uids: [String: String]) -> JSONValue? {
        guard var status = item.object["status"], status.objectValue != nil else { return nil }
        let liveGeneration = live[path: ["metadata", "generation"]]?.intValue
        func carried(_ observed: JSONValue?) -> JSONValue? {
            guard let observed = observed?.intValue else { return nil }
            if let source = item.sourceGeneration, let liveGeneration, observed == source { return .int(liveGeneration) }
            return nil
        }
        status["observedGeneration"] = carried(status["observedGeneration"])
        if let conditions = status["conditions"]?.arrayValue {
            status["conditions"] = .array(conditions.map { c in
                var c = c
                c["observedGeneration"] = carried(c["observedGeneration"])
                return c
            })
        }
        if let active = status["active"]?.arrayValue {
            status["active"] = .array(active.map { ref in
                var ref = ref
                if let old = ref["uid"]?.stringValue { ref["uid"] = uids[old].map(JSONValue.string) }
                return ref
            })
        }
        var out = live
        out["status"] = status
        return out
    }

    /// The merge patch that removes the marker.
    public static let unmarkPatch: JSONValue = ["metadata": ["annotations": [RestoreMarker.annotation: nil]]]
}
