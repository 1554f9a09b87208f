import Foundation
import KubeClient
import KubeCore

/// Status writes that survive concurrent updates.
public enum StatusUpdater {
    /// Applies `mutate` to the status of `object` and writes it through `/status` when it changed.
    /// On 409 Conflict the object is re-read and `mutate` applied to the fresh copy (up to
    /// `attempts` times); `mutate` must therefore express the desired status, not a delta.
    /// `object` is a copy of the stored object (from a cache, a read or an earlier write): the
    /// answer is `object` with the new status and the server's new metadata, and only the answer's
    /// `metadata` is decoded (`Api.replaceStatus(ofStoredCopy:)`).
    @discardableResult
    public static func update<R: HasStatus>(
        _ api: Api<R>, _ object: R, attempts: Int = 5, mutate: @Sendable (inout R.StatusType?) -> Void
    ) async throws -> R where R.StatusType: Equatable {
        var current = object
        var attempt = 0
        while true {
            attempt += 1
            var desired = current
            mutate(&desired.status)
            if desired.status == current.status { return current }
            do {
                return try await api.replaceStatus(ofStoredCopy: desired)
            } catch let error as KubeClientError where error.isConflict && attempt < attempts {
                current = try await api.get(current.name, namespace: current.metadata.namespace)
            }
        }
    }
}

/// Finalizer handling, kube-rs style.
public enum Finalizer {
    /// - object alive, finalizer missing: adds it (JSON patch), then runs `apply` on the patched object;
    /// - object alive, finalizer present: runs `apply`;
    /// - object deleted, finalizer present (confirmed by a fresh read): runs `cleanup`, then removes the finalizer;
    /// - object deleted, finalizer absent: nothing to do.
    public static func run<R: Resource>(
        api: Api<R>, object: R, finalizer: String,
        apply: (R) async throws -> ReconcileAction,
        cleanup: (R) async throws -> ReconcileAction
    ) async throws -> ReconcileAction {
        let finalizers = object.metadata.finalizers ?? []
        let ns = object.metadata.namespace
        if object.isBeingDeleted {
            guard finalizers.contains(finalizer) else { return .awaitChange }
            // The cache can lag behind our own finalizer removal (a later event of the deleted
            // object is still queued): confirm with a fresh read so cleanup does not run again.
            guard let fresh = try await api.getOptional(object.name, namespace: ns),
                  let index = fresh.metadata.finalizers?.firstIndex(of: finalizer) else { return .awaitChange }
            let action = try await cleanup(fresh)
            // test-then-remove: fails (422) instead of removing someone else's finalizer if the list moved.
            let patch: JSONValue = [
                ["op": "test", "path": .string("/metadata/finalizers/\(index)"), "value": .string(finalizer)],
                ["op": "remove", "path": .string("/metadata/finalizers/\(index)")],
            ]
            do {
                _ = try await api.patch(object.name, .json(patch), namespace: ns)
            } catch let e as KubeClientError where e.isNotFound {
                return .awaitChange
            }
            return action == .awaitChange ? .awaitChange : action
        }
        var current = object
        if !finalizers.contains(finalizer) {
            let patch: JSONValue
            if object.metadata.finalizers == nil {
                patch = [
                    ["op": "test", "path": "/metadata/resourceVersion", "value": .string(object.metadata.resourceVersion ?? "")],
                    ["op": "add", "path": "/metadata/finalizers", "value": [.string(finalizer)]],
                ]
            } else {
                patch = [
                    ["op": "test", "path": "/metadata/resourceVersion", "value": .string(object.metadata.resourceVersion ?? "")],
                    ["op": "add", "path": "/metadata/finalizers/-", "value": .string(finalizer)],
                ]
            }
            current = try await api.patch(object.name, .json(patch), namespace: ns)
        }
        return try await apply(current)
    }
}
