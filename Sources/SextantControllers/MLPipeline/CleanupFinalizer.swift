import Foundation
import KubeClient
import KubeCore

/// The finalizer `ml.sextant.dev/cleanup` of runs with cloud work: added (JSON patch of
/// `metadata.finalizers` only) before the first cloud job starts, removed once no cloud attempt
/// is unfinished, so a deleted run stops its cloud jobs first. Runs without cloud work never get it.
public enum CleanupFinalizer {
    /// The finalizer's name.
    public static let name = "ml.sextant.dev/cleanup"

    /// True when `object` carries it.
    public static func isPresent<R: Resource>(on object: R, name: String = CleanupFinalizer.name) -> Bool {
        object.metadata.finalizers?.contains(name) ?? false
    }

    /// Adds the finalizer (guarded by the object's resourceVersion, so a concurrent change of the
    /// list fails with a conflict and is retried instead of being overwritten). Returns the patched object.
    /// `name` defaults to this finalizer; other finalizers of Sextant use the same patches.
    public static func add<R: Resource>(to object: R, api: Api<R>, name: String = CleanupFinalizer.name) async throws -> R {
        guard !isPresent(on: object, name: name) else { return object }
        let guardOp: JSONValue = ["op": "test", "path": "/metadata/resourceVersion", "value": .string(object.metadata.resourceVersion ?? "")]
        let patch: JSONValue = object.metadata.finalizers == nil
            ? [guardOp, ["op": "add", "path": "/metadata/finalizers", "value": [.string(name)]]]
            : [guardOp, ["op": "add", "path": "/metadata/finalizers/-", "value": .string(name)]]
        return try await api.patch(object.name, .json(patch), namespace: object.metadata.namespace)
    }

    /// Removes the finalizer (test-then-remove at its index, so another finalizer is never removed
    /// by mistake). Returns the patched object, or nil when the object is gone.
    @discardableResult
    public static func remove<R: Resource>(from object: R, api: Api<R>, name: String = CleanupFinalizer.name) async throws -> R? {
        guard let index = object.metadata.finalizers?.firstIndex(of: name) else { return object }
        let patch: JSONValue = [
            ["op": "test", "path": .string("/metadata/finalizers/\(index)"), "value": .string(name)],
            ["op": "remove", "path": .string("/metadata/finalizers/\(index)")],
        ]
        do {
            return try await api.patch(object.name, .json(patch), namespace: object.metadata.namespace)
        } catch let e as KubeClientError where e.isNotFound {
            return nil
        }
    }
}
