import Foundation
import KubeCore
import NIOHTTP1

/// Builds resource URLs: `/api/v1/namespaces/ns/pods/name/status`, `/apis/batch/v1/jobs`.
public struct ResourcePath: Sendable, Hashable {
    public var resource: GroupVersionResource
    public var namespaced: Bool

    public init(resource: GroupVersionResource, namespaced: Bool) {
        self.resource = resource
        self.namespaced = namespaced
    }

    /// The path of the collection or of one object (`name`) and its subresource.
    public func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var p = resource.group.isEmpty ? "/api/\(resource.version)" : "/apis/\(resource.group)/\(resource.version)"
        if namespaced, let namespace, !namespace.isEmpty { p += "/namespaces/\(KubeClient.escape(namespace))" }
        p += "/\(resource.resource)"
        if let name { p += "/\(KubeClient.escape(name))" }
        if let subresource { p += "/\(subresource)" }
        return p
    }
}

/// Typed access to one kind, in one namespace or across all (`namespace == nil`).
///
/// ```swift
/// let jobs = Api<Job>(client: client, namespace: "ml")
/// let job = try await jobs.get("train-1")
/// try await jobs.patchStatus("train-1", .merge(["status": ["active": 1]]))
/// for try await event in try await jobs.watch() { ... }
/// ```
public struct Api<R: Resource>: Sendable {
    public let client: KubeClient
    /// nil: all namespaces (list/watch) or a cluster-scoped kind.
    public let namespace: String?
    let paths: ResourcePath

    public init(client: KubeClient, namespace: String? = nil) {
        self.client = client
        self.namespace = R.namespaced ? namespace : nil
        self.paths = ResourcePath(resource: R.groupVersionResource, namespaced: R.namespaced)
    }

    /// An Api over all namespaces (or a cluster-scoped kind).
    public static func all(_ client: KubeClient) -> Api<R> { Api(client: client, namespace: nil) }

    /// The same kind in another namespace.
    public func inNamespace(_ namespace: String?) -> Api<R> { Api(client: client, namespace: namespace) }

    private func ns(_ object: R? = nil) -> String? {
        guard R.namespaced else { return nil }
        return object?.metadata.namespace ?? namespace
    }

    private func objectPath(_ name: String, namespace: String? = nil, subresource: String? = nil) throws -> String {
        let n = R.namespaced ? (namespace ?? self.namespace) : nil
        if R.namespaced, n == nil {
            throw KubeClientError.config("\(R.kind) is namespaced: give the Api a namespace or set metadata.namespace")
        }
        return paths.path(namespace: n, name: name, subresource: subresource)
    }

    private func encode(_ object: R) throws -> Data {
        var o = object
        if R.namespaced, o.metadata.namespace == nil { o.metadata.namespace = namespace }
        // Straight to bytes; JSONEncoder for what the streaming encoder does not take.
        if let data = try? StreamingJSONEncoder.encode(o) { return data }
        do {
            let encoder = JSONEncoder()
            return try encoder.encode(o)
        } catch {
            throw KubeClientError.decoding("cannot encode \(R.kind): \(error)")
        }
    }

    // MARK: Reads

    /// Reads one object. Throws `.api` with isNotFound when missing.
    public func get(_ name: String, namespace: String? = nil) async throws -> R {
        try await client.send(KubeRequest(method: .GET, path: objectPath(name, namespace: namespace)), as: R.self)
    }

    /// Reads one object, nil when it does not exist.
    public func getOptional(_ name: String, namespace: String? = nil) async throws -> R? {
        do { return try await get(name, namespace: namespace) } catch let e as KubeClientError where e.isNotFound { return nil }
    }

    /// One page of a list.
    public func list(_ options: ListOptions = ListOptions()) async throws -> ResourceList<R> {
        try await client.send(KubeRequest(method: .GET, path: paths.path(namespace: namespace), query: options.query), as: ResourceList<R>.self)
    }

    /// Every object, following `continue` tokens page by page (`pageSize` per request). Returns the
    /// items and the list's resourceVersion. A 410 on a continue token (expired) restarts the list.
    public func listAll(_ options: ListOptions = ListOptions(), pageSize: Int = 500) async throws -> (items: [R], resourceVersion: String) {
        var items: [R] = []
        var opts = options
        opts.limit = pageSize
        var restarts = 0
        while true {
            let page: ResourceList<R>
            do {
                page = try await list(opts)
            } catch let e as KubeClientError where e.isGone && opts.continueToken != nil && restarts < 3 {
                restarts += 1
                items = []
                opts.continueToken = nil
                continue
            }
            items.append(contentsOf: page.items)
            if let token = page.metadata.continue, !token.isEmpty {
                opts.continueToken = token
            } else {
                return (items, page.metadata.resourceVersion ?? "")
            }
        }
    }

    /// Opens a watch. The stream ends when the server closes it (timeout) and throws on transport
    /// errors; ERROR events (410 Gone) are yielded as `.error`. Use a `Watcher` for a watch that
    /// never stops. With `reuse`, a MODIFIED event is built from the caller's cached copy where
    /// that copy has the same resourceVersion (or, for kinds with a status, the same generation:
    /// then only metadata and status are decoded); see `WatchReuse`.
    public func watch(_ options: WatchOptions = WatchOptions(), reuse: WatchReuse<R>? = nil) async throws -> AsyncThrowingStream<TypedWatchEvent<R>, Error> {
        let lines = try await client.lines(KubeRequest(method: .GET, path: paths.path(namespace: namespace), query: options.query))
        let iterator = IteratorBox(lines.makeAsyncIterator())
        let decoder = reuse?.decoder() ?? KubeClient.decoder()
        return AsyncThrowingStream {
            guard let line = try await iterator.next() else { return nil }
            do {
                return try decoder.decode(TypedWatchEvent<R>.self, from: line)
            } catch {
                throw KubeClientError.decoding("watch event of \(R.kind): \(error)")
            }
        }
    }

    // MARK: Writes

    /// Creates an object (in `metadata.namespace` or the Api's namespace).
    public func create(_ object: R, params: PatchParams = PatchParams()) async throws -> R {
        let n = ns(object)
        if R.namespaced, n == nil { throw KubeClientError.config("\(R.kind) is namespaced: no namespace for create") }
        return try await client.send(KubeRequest(method: .POST, path: paths.path(namespace: n), query: params.query(isApply: false),
                                                 body: encode(object)), as: R.self)
    }

    /// Creates an object like `create` but does not decode the answer (for callers that do not
    /// read it: decoding a Job or an Event costs more CPU than sending it).
    public func createDiscardingAnswer(_ object: R, params: PatchParams = PatchParams()) async throws {
        let n = ns(object)
        if R.namespaced, n == nil { throw KubeClientError.config("\(R.kind) is namespaced: no namespace for create") }
        _ = try await client.send(KubeRequest(method: .POST, path: paths.path(namespace: n), query: params.query(isApply: false),
                                              body: encode(object)))
    }

    /// Replaces an object (PUT). With `metadata.resourceVersion` set, a stale object fails with 409 Conflict.
    public func replace(_ object: R, params: PatchParams = PatchParams()) async throws -> R {
        try await client.send(KubeRequest(method: .PUT, path: objectPath(object.name, namespace: ns(object)), query: params.query(isApply: false),
                                          body: encode(object)), as: R.self)
    }

    /// Alias of `replace`.
    public func update(_ object: R, params: PatchParams = PatchParams()) async throws -> R {
        try await replace(object, params: params)
    }

    /// Patches an object. Apply patches need `params.fieldManager`.
    public func patch(_ name: String, _ patch: Patch, params: PatchParams = PatchParams(), namespace: String? = nil) async throws -> R {
        try await send(patch: patch, params: params, path: objectPath(name, namespace: namespace))
    }

    private func send(patch: Patch, params: PatchParams, path: String) async throws -> R {
        var isApply = false
        if case .apply = patch {
            isApply = true
            guard params.fieldManager != nil else { throw KubeClientError.config("server-side apply needs a fieldManager") }
        }
        return try await client.send(KubeRequest(method: .PATCH, path: path, query: params.query(isApply: isApply),
                                                 body: patch.body.data(), contentType: patch.contentType), as: R.self)
    }

    /// Deletes an object. Returns the object when it still exists (finalizers pending), nil when gone.
    @discardableResult
    public func delete(_ name: String, options: DeleteOptions = DeleteOptions(), namespace: String? = nil) async throws -> R? {
        let body: Data
        do { body = try JSONEncoder().encode(options) } catch { throw KubeClientError.decoding("\(error)") }
        let data = try await client.send(KubeRequest(method: .DELETE, path: objectPath(name, namespace: namespace), body: body))
        if let value = try? JSONValue.parse(data), value["kind"]?.stringValue == R.kind {
            return try? value.decode(as: R.self)
        }
        return nil
    }

    /// Deletes every object matching the options (`deletecollection`).
    public func deleteCollection(_ options: ListOptions = ListOptions(), delete: DeleteOptions = DeleteOptions()) async throws {
        let body: Data
        do { body = try JSONEncoder().encode(delete) } catch { throw KubeClientError.decoding("\(error)") }
        _ = try await client.send(KubeRequest(method: .DELETE, path: paths.path(namespace: namespace), query: options.query, body: body))
    }

    // MARK: Status subresource

    /// Reads through `/status`.
    public func getStatus(_ name: String, namespace: String? = nil) async throws -> R {
        try await client.send(KubeRequest(method: .GET, path: objectPath(name, namespace: namespace, subresource: "status")), as: R.self)
    }

    /// Replaces the status (PUT `/status`); 409 Conflict when `metadata.resourceVersion` is stale.
    public func replaceStatus(_ object: R, params: PatchParams = PatchParams()) async throws -> R {
        try await client.send(KubeRequest(method: .PUT, path: objectPath(object.name, namespace: ns(object), subresource: "status"),
                                          query: params.query(isApply: false), body: encode(object)), as: R.self)
    }

    /// Replaces the status like `replaceStatus` for a caller that changed nothing but the status of
    /// a copy of the stored object: answers the stored object as `object` with the answer's
    /// `metadata` (new resourceVersion, managedFields left out), decoding only `metadata` from the
    /// answer. A successful status PUT with a resourceVersion precondition stores exactly that: the
    /// server keeps its spec and metadata, which are those of the version the copy was taken from.
    /// Without a resourceVersion in `object`, or when the answer's uid or generation differ from
    /// `object`'s, the whole answer is decoded as `replaceStatus` does.
    public func replaceStatus(ofStoredCopy object: R, params: PatchParams = PatchParams()) async throws -> R {
        let data = try await client.send(KubeRequest(method: .PUT, path: objectPath(object.name, namespace: ns(object), subresource: "status"),
                                                     query: params.query(isApply: false), body: encode(object)))
        let decoder = KubeClient.decoder()
        if let rv = object.metadata.resourceVersion, !rv.isEmpty,
           let answer = try? decoder.decode(MetadataOnly.self, from: data),
           answer.metadata.uid == object.metadata.uid, answer.metadata.generation == object.metadata.generation,
           answer.metadata.name == object.metadata.name {
            var stored = object
            stored.metadata = answer.metadata
            return stored
        }
        do {
            return try decoder.decode(R.self, from: data)
        } catch {
            throw KubeClientError.decoding("\(R.self) from status of \(object.name): \(error)")
        }
    }

    /// Patches the status (`/status`).
    public func patchStatus(_ name: String, _ patch: Patch, params: PatchParams = PatchParams(), namespace: String? = nil) async throws -> R {
        try await send(patch: patch, params: params, path: objectPath(name, namespace: namespace, subresource: "status"))
    }
}

/// The `metadata` of an answer, everything else left undecoded.
struct MetadataOnly: Decodable {
    var metadata: ObjectMeta
}
