import Foundation
import KubeCore
import Logging

/// Options of the object store.
public struct StoreOptions: Sendable {
    /// Where the durable log lives; nil keeps everything in memory (unit tests).
    public var dataDirectory: URL?
    /// How many change events are kept for watches; a watch from an older resourceVersion gets 410.
    public var historyLimit: Int
    /// When true (a garbage collector runs), `Orphan`/`Foreground` deletes add the `orphan` /
    /// `foregroundDeletion` finalizers for the collector to process, as kube-apiserver does. When
    /// false, such deletes proceed like `Background` (nobody would ever remove the finalizer).
    public var garbageCollectorRunning: Bool

    public init(dataDirectory: URL? = nil, historyLimit: Int = 10_000, garbageCollectorRunning: Bool = false) {
        self.dataDirectory = dataDirectory
        self.historyLimit = historyLimit
        self.garbageCollectorRunning = garbageCollectorRunning
    }
}

/// What a watcher receives: changes in order, and bookmarks carrying a resourceVersion up to
/// which everything has been delivered.
enum WatchItem: Sendable {
    case change(StoreEvent, previous: JSONValue?)
    case bookmark(UInt64)
    /// All synthetic ADDED events of the initial state have been sent (sendInitialEvents).
    case initialEventsEnd(UInt64)
}

/// The dev cluster's object store: in-memory maps, one global resourceVersion counter, a
/// bounded change history for watches and a durable append-only log. All API semantics of
/// writes (defaulting, concurrency, finalizers, status subresource) live here, so in-process
/// controllers get exactly what HTTP clients get.
public actor DevStore: ObjectStore {
    var objects: [String: [String: JSONValue]] = [:]
    /// `objects` by label, for lists with an equality selector (kept in step by `commit`).
    var labelIndex = LabelIndex()
    var currentRV: UInt64 = 0
    /// History of changes with resourceVersion > compactedRV.
    var history: [StoreEvent] = []
    var historyPrevious: [JSONValue?] = []
    var compactedRV: UInt64 = 0
    var watchers: [Int: Watcher] = [:]
    var nextWatcherID = 0
    var catalog: ResourceCatalog
    /// Custom objects as last validated, for updates that leave fields unchanged.
    var validationMemo = ValidationMemo()
    let log: DurableLog?
    let options: StoreOptions
    let logger: Logger

    struct Watcher {
        var storageKey: String?
        var namespace: String?
        var continuation: AsyncStream<WatchItem>.Continuation
    }

    /// Opens the store, replaying the durable log of `options.dataDirectory`.
    public init(options: StoreOptions = StoreOptions(), logger: Logger = Logger(label: "sextant.dev.store")) throws {
        if let dir = options.dataDirectory {
            let (log, replayed, rv) = try DurableLog.open(directory: dir)
            self.init(log: log, objects: replayed, resourceVersion: rv, options: options, logger: logger)
        } else {
            self.init(log: nil, objects: [:], resourceVersion: 0, options: options, logger: logger)
        }
    }

    /// Opens the store on a log already replayed (tests inject a log over a simulated file).
    init(log: DurableLog?, objects: [String: [String: JSONValue]], resourceVersion: UInt64, options: StoreOptions, logger: Logger) {
        self.options = options
        self.logger = logger
        self.log = log
        self.objects = objects
        self.labelIndex = LabelIndex(objects: objects)
        self.currentRV = resourceVersion
        self.compactedRV = resourceVersion
        self.catalog = ResourceCatalog(crds: Array((objects[ResourceCatalog.crdStorageKey] ?? [:]).values))
    }

    /// Waits until every write committed so far is durable (group commit: the log fsyncs the
    /// writes queued together once). Writes are acknowledged only after this returns.
    public func awaitDurable() async throws {
        guard let log else { return }
        try await log.waitDurable(currentRV)
    }

    /// Creates the namespaces every cluster has (`default`, `kube-system`, ...) if missing.
    public func bootstrap() async throws {
        guard let info = catalog.info(GroupVersionResource(group: "", version: "v1", resource: "namespaces")) else { return }
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] where objects[info.storageKey]?[name] == nil {
            _ = try createObject(info, namespace: nil, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]], WriteOptions(fieldManager: "kube-apiserver"))
        }
        try bootstrapRBAC()
        try await awaitDurable()
    }

    /// The current catalog of served resources.
    func resourceCatalog() -> ResourceCatalog { catalog }

    /// The latest resourceVersion handed out.
    public func resourceVersion() -> UInt64 { currentRV }

    static func objectKey(namespace: String?, name: String) -> String {
        if let namespace, !namespace.isEmpty { return "\(namespace)/\(name)" }
        return name
    }

    // MARK: Reads

    func getObject(_ info: ResourceInfo, namespace: String?, name: String) throws -> JSONValue {
        let key = Self.objectKey(namespace: info.namespaced ? namespace : nil, name: name)
        guard let object = objects[info.storageKey]?[key] else { throw APIErrors.notFound(info, name) }
        return present(object, info)
    }

    /// Objects of a resource (all namespaces when `namespace` is nil), sorted by key, as
    /// kube-apiserver lists them; `after` skips keys up to and including it (continue tokens).
    func listObjects(_ info: ResourceInfo, namespace: String?, after: String? = nil, filter: (JSONValue) -> Bool) -> (items: [(key: String, object: JSONValue)], rv: UInt64) {
        listObjects(info, objects[info.storageKey] ?? [:], namespace: namespace, after: after, filter: filter)
    }

    /// The list as it was at resourceVersion `rv` (a consistent snapshot for `continue`), rebuilt
    /// by undoing the retained history after `rv`. Throws 410 Expired when `rv` is older than the
    /// history (compacted, or from before a restart).
    func listObjects(_ info: ResourceInfo, namespace: String?, after: String?, at rv: UInt64, filter: (JSONValue) -> Bool) throws -> (items: [(key: String, object: JSONValue)], rv: UInt64) {
        guard rv >= compactedRV else { throw ContinueExpired(compactedRV: compactedRV) }
        var snapshot = objects[info.storageKey] ?? [:]
        for index in history.indices.reversed() {
            let event = history[index]
            if event.resourceVersion <= rv { break }
            guard Self.matches(event, storageKey: info.storageKey, namespace: nil),
                  let name = event.object[path: ["metadata", "name"]]?.stringValue else { continue }
            let key = Self.objectKey(namespace: event.object[path: ["metadata", "namespace"]]?.stringValue, name: name)
            snapshot[key] = historyPrevious[index]
        }
        return (listObjects(info, snapshot, namespace: namespace, after: after, filter: filter).items, rv)
    }

    private func listObjects(_ info: ResourceInfo, _ all: [String: JSONValue], namespace: String?, after: String?, filter: (JSONValue) -> Bool) -> (items: [(key: String, object: JSONValue)], rv: UInt64) {
        let prefix = namespace.flatMap { info.namespaced && !$0.isEmpty ? "\($0)/" : nil }
        var items: [(key: String, object: JSONValue)] = []
        for (key, object) in all {
            if let prefix, !key.hasPrefix(prefix) { continue }
            if let after, key <= after { continue }
            if filter(object) { items.append((key, object)) }
        }
        items.sort { $0.key < $1.key }
        return (items, currentRV)
    }

    /// The stored form seen through `info`'s group/version (apiVersion rewritten; events converted).
    func present(_ object: JSONValue, _ info: ResourceInfo) -> JSONValue {
        var out = object
        if info.storageKey == "events" && info.group == "events.k8s.io" {
            return EventConversion.toEventsV1(object)
        }
        out["apiVersion"] = .string(info.apiVersion)
        out["kind"] = .string(info.kind)
        // Defaults apply when an object is read from storage too (a default added to the CRD
        // after the object was stored shows on read), as the apiextensions-apiserver decoder does.
        if info.isCustom, let schema = catalog.custom[info.gvr]?.schema { SchemaValidation.applyDefaults(&out, schema: schema) }
        return out
    }

    // MARK: Watch

    /// Starts a watch. `since == nil` starts now; with `initialState` the current matching
    /// objects come first as ADDED. Throws 410 Expired when `since` is older than the history.
    func startWatch(storageKey: String?, namespace: String?, since: UInt64?, initialState: Bool) throws -> (Int, AsyncStream<WatchItem>) {
        if let since, since < compactedRV {
            throw APIErrors.expired("too old resource version: \(since) (\(compactedRV))")
        }
        let (stream, continuation) = AsyncStream<WatchItem>.makeStream()
        let ns = namespace.flatMap { $0.isEmpty ? nil : $0 }
        if initialState, let storageKey {
            let prefix = ns.map { "\($0)/" }
            let info = catalog.primary(storageKey: storageKey)
            for (key, object) in (objects[storageKey] ?? [:]).sorted(by: { $0.key < $1.key }) {
                if let prefix, !key.hasPrefix(prefix) { continue }
                let rv = Self.rv(of: object) ?? currentRV
                let gvr = info?.gvr ?? GroupVersionResource(group: "", version: "v1", resource: storageKey)
                continuation.yield(.change(StoreEvent(kind: .added, resource: gvr, object: object, resourceVersion: rv), previous: nil))
            }
            continuation.yield(.initialEventsEnd(currentRV))
        } else if let since {
            let start = history.firstIndex { $0.resourceVersion > since } ?? history.endIndex
            for index in start..<history.endIndex where Self.matches(history[index], storageKey: storageKey, namespace: ns) {
                continuation.yield(.change(history[index], previous: historyPrevious[index]))
            }
        }
        let id = nextWatcherID
        nextWatcherID += 1
        watchers[id] = Watcher(storageKey: storageKey, namespace: ns, continuation: continuation)
        return (id, stream)
    }

    /// Sends a bookmark with the current resourceVersion to one watcher (in order with its events).
    func bookmark(_ id: Int) {
        watchers[id]?.continuation.yield(.bookmark(currentRV))
    }

    /// Ends one watch.
    func stopWatch(_ id: Int) {
        watchers.removeValue(forKey: id)?.continuation.finish()
    }

    /// Makes every resourceVersion up to now too old for a new watch (fault injection / tests).
    public func compact() {
        compactedRV = currentRV
        history.removeAll()
        historyPrevious.removeAll()
        logger.warning("history compacted", metadata: ["resourceVersion": "\(currentRV)"])
    }

    /// Number of open watches.
    public func watcherCount() -> Int { watchers.count }

    static func matches(_ event: StoreEvent, storageKey: String?, namespace: String?) -> Bool {
        if let storageKey, ResourceInfoKey.storageKey(of: event) != storageKey { return false }
        if let namespace, event.object[path: ["metadata", "namespace"]]?.stringValue != namespace { return false }
        return true
    }

    /// A continue token whose resourceVersion is no longer in the history.
    struct ContinueExpired: Error {
        var compactedRV: UInt64
    }

    static func rv(of object: JSONValue) -> UInt64? {
        object[path: ["metadata", "resourceVersion"]]?.stringValue.flatMap { UInt64($0) }
    }

    /// Records a change: history, watchers. Called after the change is durable.
    func publish(_ event: StoreEvent, previous: JSONValue?) {
        history.append(event)
        historyPrevious.append(previous)
        if history.count > options.historyLimit {
            let drop = history.count - options.historyLimit
            compactedRV = history[drop - 1].resourceVersion
            // Events at or below compactedRV are never read again (watches and snapshots start
            // above it), so they are dropped in chunks: one removeFirst per write shifted the
            // whole history (10,000 events) on every write.
            if drop >= max(1, options.historyLimit / 8) {
                history.removeFirst(drop)
                historyPrevious.removeFirst(drop)
            }
        }
        var gone: [Int] = []
        for (id, watcher) in watchers where Self.matches(event, storageKey: watcher.storageKey, namespace: watcher.namespace) {
            if case .terminated = watcher.continuation.yield(.change(event, previous: previous)) {
                gone.append(id)
            }
        }
        for id in gone { watchers[id] = nil }
    }

    /// Ends every open watch (their HTTP streams finish).
    public func endAllWatches() {
        for watcher in watchers.values { watcher.continuation.finish() }
        watchers.removeAll()
    }

    /// Closes the log and ends every watch.
    public func shutdown() {
        endAllWatches()
        log?.close()
    }
}

/// Maps a store event back to its storage key (events carry the primary GVR of the collection).
enum ResourceInfoKey {
    static func storageKey(of event: StoreEvent) -> String {
        let r = event.resource
        if r.resource == "events" && (r.group.isEmpty || r.group == "events.k8s.io") { return "events" }
        return r.group.isEmpty ? r.resource : "\(r.resource).\(r.group)"
    }
}
