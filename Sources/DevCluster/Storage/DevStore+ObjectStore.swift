import Foundation
import KubeCore

/// The in-process `ObjectStore` API used by the emulated controllers: the same semantics
/// as HTTP writes, with field manager `kube-controller-manager`.
extension DevStore {
    static let controllerManager = "kube-controller-manager"

    public func resources() async -> [GroupVersionResource] {
        catalog.infos.map(\.gvr)
    }

    public func get(_ resource: GroupVersionResource, namespace: String?, name: String) async throws -> JSONValue {
        try getObject(try catalog.require(resource), namespace: namespace, name: name)
    }

    public func list(_ resource: GroupVersionResource, namespace: String?, labelSelector: String?) async throws -> StoreList {
        let info = try catalog.require(resource)
        let selector: ParsedLabelSelector?
        do {
            selector = try labelSelector.map { try ParsedLabelSelector.parse($0) }
        } catch {
            throw APIErrors.badRequest("unable to parse requirement: \(error)")
        }
        if let selector, let keys = labelIndex.candidates(storageKey: info.storageKey, selector: selector) {
            // An equality requirement: only the objects filed under it (LabelIndex), not a scan.
            let prefix = namespace.flatMap { info.namespaced && !$0.isEmpty ? "\($0)/" : nil }
            let stored = objects[info.storageKey] ?? [:]
            let items = keys.sorted().compactMap { key -> JSONValue? in
                if let prefix, !key.hasPrefix(prefix) { return nil }
                guard let object = stored[key], selector.matches(Self.labels(of: object)) else { return nil }
                return present(object, info)
            }
            return StoreList(items: items, resourceVersion: currentRV)
        }
        let (items, rv) = listObjects(info, namespace: namespace) { object in
            guard let selector else { return true }
            return selector.matches(Self.labels(of: object))
        }
        return StoreList(items: items.map { present($0.object, info) }, resourceVersion: rv)
    }

    public func create(_ resource: GroupVersionResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue {
        let info = try catalog.require(resource)
        let stored = try createObject(info, namespace: namespace, object, WriteOptions(fieldManager: Self.controllerManager)).object
        try await awaitDurable()
        return stored
    }

    public func update(_ resource: GroupVersionResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue {
        let info = try catalog.require(resource)
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let stored = try updateObject(info, namespace: namespace, name: name, object, WriteOptions(fieldManager: Self.controllerManager)).object
        try await awaitDurable()
        return stored
    }

    public func updateStatus(_ resource: GroupVersionResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue {
        let info = try catalog.require(resource)
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        var opts = WriteOptions(fieldManager: Self.controllerManager)
        opts.subresource = info.hasStatus ? "status" : nil
        let stored = try updateObject(info, namespace: namespace, name: name, object, opts).object
        try await awaitDurable()
        return stored
    }

    @discardableResult
    public func delete(_ resource: GroupVersionResource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue {
        let info = try catalog.require(resource)
        let stored = try deleteObject(info, namespace: namespace, name: name, options: options).object
        try await awaitDurable()
        return stored
    }

    public func watch(_ resource: GroupVersionResource?, namespace: String?, since resourceVersion: UInt64?) async throws -> AsyncThrowingStream<StoreEvent, Error> {
        let storageKey = try resource.map { try catalog.require($0).storageKey }
        let (_, stream) = try startWatch(storageKey: storageKey, namespace: namespace, since: resourceVersion, initialState: false)
        let box = WatchIteratorBox(stream.makeAsyncIterator())
        // When the consumer drops the stream, the inner stream goes too and the store forgets
        // the watcher at its next event (yield reports `.terminated`).
        return AsyncThrowingStream<StoreEvent, Error>(unfolding: { await box.nextChange() })
    }

    static func labels(of object: JSONValue) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in object[path: ["metadata", "labels"]]?.objectValue ?? [:] {
            if let s = v.stringValue { out[k] = s }
        }
        return out
    }
}

/// Holds the iterator of a store-internal watch for `AsyncThrowingStream(unfolding:)`, which
/// calls `nextChange()` serially (never concurrently), hence `@unchecked Sendable`.
final class WatchIteratorBox: @unchecked Sendable {
    private var iterator: AsyncStream<WatchItem>.Iterator

    init(_ iterator: AsyncStream<WatchItem>.Iterator) {
        self.iterator = iterator
    }

    /// The next change, skipping bookmarks; nil when the watch ended.
    func nextChange() async -> StoreEvent? {
        while let item = await iterator.next() {
            if case .change(let event, _) = item { return event }
        }
        return nil
    }
}
