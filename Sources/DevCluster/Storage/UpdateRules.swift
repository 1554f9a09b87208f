import Foundation
import KubeCore

extension DevStore {
    /// kube-apiserver's checks of an update against the stored object, before the server-owned
    /// metadata is copied over:
    /// - a `metadata.uid` in the body is a precondition (`rest.defaultUpdatedObjectInfo.Preconditions`):
    ///   409 `Precondition failed: UID in precondition: X, UID in object meta: Y`;
    /// - `ValidateObjectMetaAccessorUpdate`: a `deletionTimestamp` the stored object does not have is
    ///   immutable (422), and no finalizer may be added once the object is being deleted (422).
    static func checkUpdatePreconditions(_ info: ResourceInfo, name: String, new: JSONValue, old: JSONValue) throws {
        let oldUID = old[path: ["metadata", "uid"]]?.stringValue ?? ""
        if let uid = new[path: ["metadata", "uid"]]?.stringValue, !uid.isEmpty, uid != oldUID {
            throw APIErrors.conflict(info, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(oldUID)")
        }
        var causes: [StatusCause] = []
        if old[path: ["metadata", "deletionTimestamp"]] == nil, let requested = new[path: ["metadata", "deletionTimestamp"]], !requested.isNull {
            causes.append(APIErrors.invalidValue("metadata.deletionTimestamp", requested, "field is immutable"))
        }
        if old[path: ["metadata", "deletionTimestamp"]] != nil {
            let before = Set(old[path: ["metadata", "finalizers"]]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let added = (new[path: ["metadata", "finalizers"]]?.arrayValue?.compactMap(\.stringValue) ?? []).filter { !before.contains($0) }
            if !added.isEmpty {
                let list = added.map { "\"\($0)\"" }.joined(separator: ", ")
                causes.append(APIErrors.forbiddenField("metadata.finalizers",
                                                       "no new finalizers can be added if the object is being deleted, found new finalizers []string{\(list)}"))
            }
        }
        if !causes.isEmpty { throw APIErrors.invalid(info, name, causes) }
    }

    /// `metadata.generation` + 1 when an object is first marked for deletion (kube-apiserver's
    /// `markAsDeleting` / `rest.BeforeDelete`: only objects that have a generation).
    static func bumpGenerationForDeletion(_ object: inout JSONValue) {
        guard object[path: ["metadata", "deletionTimestamp"]] == nil,
              let generation = object[path: ["metadata", "generation"]]?.intValue, generation > 0 else { return }
        object[path: ["metadata", "generation"]] = .int(generation + 1)
    }
}
