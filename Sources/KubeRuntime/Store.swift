import Foundation
import KubeCore
import Synchronization

/// A thread-safe cache of one kind, indexed by key, namespace, owner uid and custom index
/// functions. Filled by a `Reflector`; read by reconcilers without I/O.
public final class Store<R: Resource>: Sendable {
    /// A custom index: values under which an object is filed (e.g. a label value, a spec field).
    public typealias IndexFunction = @Sendable (R) -> [String]

    /// One cached object. The dictionary holds this reference, not the struct: a hash table keeps
    /// 25–60 % of its slots empty, and with the object inline every empty slot cost the object's
    /// whole size (an MLPipeline was 1,048 bytes inline).
    final class Entry: Sendable {
        let object: R
        init(_ object: R) { self.object = object }
    }

    struct State {
        var objects: [ObjectKey: Entry] = [:]
        var byNamespace: [String: Set<ObjectKey>] = [:]
        var byOwner: [String: Set<ObjectKey>] = [:]
        var custom: [String: [String: Set<ObjectKey>]] = [:]
        /// Keys whose cached copy came from this process's own write (`applyWritten`), with that
        /// copy's resourceVersion, until the watch delivers the same version.
        var written: [ObjectKey: String] = [:]
        var synced = false
    }

    private let state = Mutex(State())
    private let indexers: [String: IndexFunction]

    /// - Parameter indexers: named custom index functions, e.g. `["spec.modelRef": { [$0.spec.modelRef] }]`.
    public init(indexers: [String: IndexFunction] = [:]) {
        self.indexers = indexers
    }

    /// True once the first complete list was applied.
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// Waits until the first list was applied (polls; cancellable).
    public func waitForSync() async throws {
        while !hasSynced { try await Task.sleep(for: .milliseconds(20)) }
    }

    public var count: Int { state.withLock { $0.objects.count } }

    public func get(_ key: ObjectKey) -> R? { state.withLock { $0.objects[key]?.object } }

    public func get(namespace: String?, name: String) -> R? { get(ObjectKey(namespace: namespace, name: name)) }

    /// Every cached object (unordered).
    public func list() -> [R] { state.withLock { $0.objects.values.map(\.object) } }

    /// Objects of one namespace.
    public func list(namespace: String) -> [R] {
        state.withLock { s in (s.byNamespace[namespace] ?? []).compactMap { s.objects[$0]?.object } }
    }

    /// Objects with an ownerReference to this uid.
    public func owned(by uid: String) -> [R] {
        state.withLock { s in (s.byOwner[uid] ?? []).compactMap { s.objects[$0]?.object } }
    }

    /// Objects filed under `value` in the custom index `index`.
    public func byIndex(_ index: String, _ value: String) -> [R] {
        state.withLock { s in (s.custom[index]?[value] ?? []).compactMap { s.objects[$0]?.object } }
    }

    /// Inserts or replaces an object; returns the previous version.
    @discardableResult
    public func apply(_ object: R) -> R? {
        state.withLock { s in
            let key = object.objectKey
            let old = s.objects[key]?.object
            if let old { unindex(old, key: key, in: &s) }
            s.objects[key] = Entry(object)
            index(object, key: key, in: &s)
            return old
        }
    }

    /// Caches the answer of this process's own write (write-through), so a reconcile that runs
    /// before the watch delivers the write does not plan from the older copy. Applied only when an
    /// older version of the object is cached (resourceVersions compared as numbers, as etcd's and
    /// `sextant dev`'s are; an opaque one is left to the watch). Returns true when applied.
    @discardableResult
    public func applyWritten(_ object: R) -> Bool {
        state.withLock { s in
            let key = object.objectKey
            guard let old = s.objects[key]?.object, ResourceVersionOrder.isOlder(old.metadata.resourceVersion, than: object.metadata.resourceVersion)
            else { return false }
            unindex(old, key: key, in: &s)
            s.objects[key] = Entry(object)
            index(object, key: key, in: &s)
            s.written[key] = object.metadata.resourceVersion
            return true
        }
    }

    /// What `applyWatched` did with a watch event's object.
    public enum WatchedApply: Sendable {
        /// Not cached before.
        case added
        /// Replaced this cached version (a new resourceVersion, or the watch's copy of our own write).
        case updated(old: R)
        /// The same version was cached already (nothing to report).
        case unchanged
        /// Older than the cached copy (which came from our own write): ignored.
        case stale
    }

    /// Applies an object from a watch event. A version older than a written-through copy is
    /// ignored; the watch's copy of our own write is reported as an update once (handlers see
    /// every write, as without write-through).
    public func applyWatched(_ object: R) -> WatchedApply {
        state.withLock { s in
            let key = object.objectKey
            let rv = object.metadata.resourceVersion
            guard let old = s.objects[key]?.object else {
                s.objects[key] = Entry(object)
                index(object, key: key, in: &s)
                return .added
            }
            var ownWrite = false
            if let mark = s.written[key] {
                if ResourceVersionOrder.isOlder(rv, than: mark) { return .stale }
                s.written[key] = nil
                ownWrite = rv == mark
            }
            unindex(old, key: key, in: &s)
            s.objects[key] = Entry(object)
            index(object, key: key, in: &s)
            return old.metadata.resourceVersion == rv && !ownWrite ? .unchanged : .updated(old: old)
        }
    }

    /// Removes an object; returns what was cached.
    @discardableResult
    public func delete(_ object: R) -> R? {
        state.withLock { s in
            let key = object.objectKey
            s.written[key] = nil
            guard let old = s.objects.removeValue(forKey: key)?.object else { return nil }
            unindex(old, key: key, in: &s)
            return old
        }
    }

    /// Replaces the content (after a list) and marks the store synced; with `namespace`, only the
    /// objects of that namespace are replaced (one reflector per watched namespace). Returns the
    /// objects that disappeared (deleted while we were not watching).
    @discardableResult
    public func replace(_ objects: [R], namespace: String? = nil) -> [R] {
        state.withLock { s in
            let fresh = Dictionary(objects.map { ($0.objectKey, $0) }, uniquingKeysWith: { _, b in b })
            var removed: [R] = []
            for (key, entry) in s.objects where fresh[key] == nil && (namespace == nil || (entry.object.metadata.namespace ?? "") == namespace) {
                removed.append(entry.object)
            }
            for old in removed {
                s.objects[old.objectKey] = nil
                unindex(old, key: old.objectKey, in: &s)
            }
            for (key, o) in fresh {
                if let old = s.objects[key]?.object { unindex(old, key: key, in: &s) }
                s.objects[key] = Entry(o)
                index(o, key: key, in: &s)
            }
            s.written = [:]
            s.synced = true
            return removed
        }
    }

    private func index(_ o: R, key: ObjectKey, in s: inout State) {
        s.byNamespace[o.metadata.namespace ?? "", default: []].insert(key)
        for ref in o.metadata.ownerReferences ?? [] { s.byOwner[ref.uid, default: []].insert(key) }
        for (name, fn) in indexers {
            for value in fn(o) { s.custom[name, default: [:]][value, default: []].insert(key) }
        }
    }

    private func unindex(_ o: R, key: ObjectKey, in s: inout State) {
        s.byNamespace[o.metadata.namespace ?? ""]?.remove(key)
        for ref in o.metadata.ownerReferences ?? [] {
            s.byOwner[ref.uid]?.remove(key)
            if s.byOwner[ref.uid]?.isEmpty == true { s.byOwner[ref.uid] = nil }
        }
        for (name, fn) in indexers {
            for value in fn(o) {
                s.custom[name]?[value]?.remove(key)
                if s.custom[name]?[value]?.isEmpty == true { s.custom[name]?[value] = nil }
            }
        }
    }
}

/// A change the reflector applied to a store, for event handlers.
public enum StoreChange<R: Resource>: Sendable {
    case added(R)
    case updated(old: R, new: R)
    case deleted(R)

    /// The current (or last) object.
    public var object: R {
        switch self {
        case .added(let o), .deleted(let o): return o
        case .updated(_, let n): return n
        }
    }
}

/// Keeps a `Store` in sync with the API through a `Watcher`, and tells a handler what changed
/// (a relist after 410 is diffed, so deletions missed meanwhile are reported once, and unchanged
/// objects are not reported again).
public struct Reflector<R: Resource>: Sendable {
    public let watcher: Watcher<R>
    public let store: Store<R>
    private let syncedFlag = SyncFlag()

    public init(watcher: Watcher<R>, store: Store<R>) {
        self.watcher = watcher
        self.store = store
    }

    /// True once this reflector's first list reached the store.
    public var hasSynced: Bool { syncedFlag.value }

    /// Runs until cancelled.
    public func run(onChange: @escaping @Sendable (StoreChange<R>) async -> Void = { _ in }) async throws {
        let store = self.store
        let flag = syncedFlag
        let namespace = watcher.api.namespace
        try await watcher.run { event in
            switch event.strippingManagedFields() {
            case .restarted(let items):
                let before = Dictionary(store.list().map { ($0.objectKey, $0) }, uniquingKeysWith: { a, _ in a })
                let removed = store.replace(items, namespace: namespace)
                flag.set()
                for o in removed { await onChange(.deleted(o)) }
                for o in items {
                    if let old = before[o.objectKey] {
                        if old.metadata.resourceVersion != o.metadata.resourceVersion { await onChange(.updated(old: old, new: o)) }
                    } else {
                        await onChange(.added(o))
                    }
                }
            case .applied(let o):
                switch store.applyWatched(o) {
                case .added: await onChange(.added(o))
                case .updated(let old): await onChange(.updated(old: old, new: o))
                case .unchanged, .stale: break
                }
            case .deleted(let o):
                store.delete(o)
                await onChange(.deleted(o))
            }
        }
    }
}

extension WatcherEvent {
    /// The event with `metadata.managedFields` removed from its objects, as controller-runtime's
    /// `TransformStripManagedFields`: no reconciler reads them, and in a cache of thousands of
    /// objects they would be most of the memory (every write adds a manager entry with a field
    /// tree). An update sent from a cached object keeps the server's managedFields (an absent
    /// `managedFields` leaves them unchanged).
    public func strippingManagedFields() -> WatcherEvent {
        switch self {
        case .restarted(let items): return .restarted(items.map(Self.strip))
        case .applied(let o): return .applied(Self.strip(o))
        case .deleted(let o): return .deleted(Self.strip(o))
        }
    }

    private static func strip(_ object: R) -> R {
        guard object.metadata.managedFields != nil else { return object }
        var copy = object
        copy.metadata.managedFields = nil
        return copy
    }
}

/// Orders resourceVersions where that is possible. Kubernetes calls them opaque; etcd's (and
/// `sextant dev`'s) are increasing integers, which is what write-through relies on. Anything else
/// is treated as unordered.
public enum ResourceVersionOrder {
    /// True when both parse as unsigned integers and `a` < `b`.
    public static func isOlder(_ a: String?, than b: String?) -> Bool {
        guard let a, let b, let x = UInt64(a), let y = UInt64(b) else { return false }
        return x < y
    }
}

/// A set-once flag.
final class SyncFlag: Sendable {
    private let flag = Mutex(false)
    var value: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
