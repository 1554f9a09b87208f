import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import SextantAPI

extension ModelVersionController {
    /// Creates `desired`, or merge-patches its labels, annotations, ownerReferences and spec when the
    /// spec hash annotation (or, with `compareOwners`, the owners) differ. Fields the server filled in
    /// (a Service's clusterIP) are left alone. `updatePatch` adjusts the merge patch of an update
    /// (fields written only at creation, explicit nulls for removed fields). Returns the live object.
    @discardableResult
    static func ensure<R: Resource>(
        _ desired: R, api: Api<R>, cached: Store<R>?, compareOwners: Bool = false,
        updatePatch: (JSONValue) -> JSONValue = { $0 }
    ) async throws -> R {
        let name = desired.name
        var existing = cached?.get(namespace: desired.namespace, name: name)
        if existing == nil {
            existing = try await api.getOptional(name)
        }
        guard let live = existing else {
            do {
                return try await api.create(desired)
            } catch where error.isAlreadyExists {
                return try await api.get(name)
            }
        }
        let wantedHash = desired.metadata.annotations?[ServingResources.specHashAnnotation]
        let sameSpec = live.metadata.annotations?[ServingResources.specHashAnnotation] == wantedHash
        let sameOwners = !compareOwners || Set(live.metadata.ownerReferences ?? []) == Set(desired.metadata.ownerReferences ?? [])
        let sameLabels = (desired.metadata.labels ?? [:]).allSatisfy { live.metadata.labels?[$0.key] == $0.value }
        if sameSpec && sameOwners && sameLabels { return live }
        let json = try JSONValue(encoding: desired)
        var patch: JSONValue = [
            "metadata": [
                "labels": json[path: ["metadata", "labels"]] ?? .null,
                "annotations": json[path: ["metadata", "annotations"]] ?? .null,
                "ownerReferences": json[path: ["metadata", "ownerReferences"]] ?? .null,
            ],
        ]
        if var spec = json["spec"] {
            // A merge patch keeps map keys it does not name: remove the selector and pod-label keys
            // the desired object no longer has (a stable Service leaving a canary's shared selector).
            let old = try JSONValue(encoding: live)
            for path in [["selector"], ["template", "metadata", "labels"]] {
                let gone = Set(old[path: ["spec"] + path]?.objectValue?.keys.map { $0 } ?? [])
                    .subtracting(spec[path: path]?.objectValue?.keys.map { $0 } ?? [])
                for key in gone where spec[path: path]?.objectValue != nil {
                    spec[path: path + [key]] = JSONValue.null
                }
            }
            patch["spec"] = spec
        }
        return try await api.patch(name, .merge(updatePatch(patch)))
    }
}
