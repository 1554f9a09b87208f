import Foundation
import KubeClient
import KubeCore
import Logging
import Synchronization

/// What a reconciler asks the controller to do after a successful pass.
public enum ReconcileAction: Sendable, Hashable {
    /// Nothing until the object (or something mapped to it) changes.
    case awaitChange
    /// Reconcile again after this delay (also when nothing changes), e.g. to poll external state.
    case requeue(after: Duration)
}

/// Caches of secondary kinds, by type.
final class CacheSet: Sendable {
    private let caches = Mutex<[ObjectIdentifier: any Sendable]>([:])

    func store<C: Resource>(_ type: C.Type) -> Store<C>? {
        caches.withLock { $0[ObjectIdentifier(C.self)] as? Store<C> }
    }

    func storeOrCreate<C: Resource>(_ type: C.Type) -> Store<C> {
        caches.withLock { c in
            if let s = c[ObjectIdentifier(C.self)] as? Store<C> { return s }
            let s = Store<C>()
            c[ObjectIdentifier(C.self)] = s
            return s
        }
    }
}

/// Everything a reconciler needs besides the object: the client, typed Apis, the caches of the
/// primary and watched kinds, an event recorder and a logger with kind/namespace/name metadata.
public struct ReconcileContext<R: Resource>: Sendable {
    public let controllerName: String
    public let client: KubeClient
    /// The primary kind in the object's namespace.
    public let api: Api<R>
    /// The cache of the primary kind.
    public let store: Store<R>
    public let recorder: EventRecorder
    public let logger: Logger
    /// How often this key failed in a row before this pass (0 on the first try).
    public let retries: Int
    let caches: CacheSet

    /// The cache of a kind registered with `owns` or `watches`, nil otherwise.
    public func cache<C: Resource>(_ type: C.Type) -> Store<C>? { caches.store(type) }

    /// Cached objects of kind `C` whose ownerReferences point at `owner`.
    public func owned<C: Resource>(_ type: C.Type, by owner: R) -> [C] {
        caches.store(type)?.owned(by: owner.uid) ?? []
    }

    /// An Api for another kind in the object's namespace.
    public func api<C: Resource>(_ type: C.Type) -> Api<C> { Api<C>(client: client, namespace: api.namespace) }

    /// Records an events.k8s.io/v1 Event on `object`: queued for the recorder, never waits for the
    /// API server (best effort; never throws).
    public func event(_ object: R, type: EventType = .normal, reason: String, action: String = "Reconcile", note: String) async {
        recorder.publish(regarding: object.objectReference, type: type, reason: reason, action: action, note: note)
    }
}

extension ReconcileContext where R: HasStatus, R.StatusType: Equatable {
    /// Writes `object`'s status after `mutate` changed it (through `/status`, only when it differs);
    /// on 409 Conflict re-reads the object and applies `mutate` again. Returns the stored object,
    /// which also replaces the older cached copy (write-through, `Store.applyWritten`): the next
    /// reconcile plans from what was written even if the watch has not delivered it yet.
    @discardableResult
    public func updateStatus(_ object: R, mutate: @Sendable (inout R.StatusType?) -> Void) async throws -> R {
        let stored = try await StatusUpdater.update(api, object, mutate: mutate)
        writeThrough(stored)
        return stored
    }
}

extension ReconcileContext {
    /// Puts the answer of this reconciler's own write of the primary object into the cache when it
    /// is newer than the cached copy (see `Store.applyWritten`), without managedFields as the
    /// reflector caches objects.
    public func writeThrough(_ stored: R) {
        var copy = stored
        copy.metadata.managedFields = nil
        store.applyWritten(copy)
    }
}

extension ReconcileContext {
    /// Runs `apply` while the object lives and `cleanup` once it is deleted, keeping `finalizer` on
    /// the object in between (added and removed with JSON patches that touch only
    /// `metadata.finalizers`).
    public func finalize(
        _ object: R, finalizer: String,
        apply: (R) async throws -> ReconcileAction,
        cleanup: (R) async throws -> ReconcileAction
    ) async throws -> ReconcileAction {
        try await Finalizer.run(api: api, object: object, finalizer: finalizer, apply: apply, cleanup: cleanup)
    }
}
