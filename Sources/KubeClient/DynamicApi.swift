import Foundation
import KubeCore

/// Untyped access to any collection (custom resources, kinds without a Swift model) over `JSONValue`.
public struct DynamicApi: Sendable {
    public let client: KubeClient
    public let paths: ResourcePath
    public let namespace: String?

    public init(client: KubeClient, resource: GroupVersionResource, namespaced: Bool, namespace: String? = nil) {
        self.client = client
        self.paths = ResourcePath(resource: resource, namespaced: namespaced)
        self.namespace = namespaced ? namespace : nil
    }

    private func objectNamespace(_ object: JSONValue) -> String? {
        paths.namespaced ? (object[path: ["metadata", "namespace"]]?.stringValue ?? namespace) : nil
    }

    private func parse(_ data: Data) throws -> JSONValue {
        do { return try JSONValue.parse(data) } catch { throw KubeClientError.decoding("\(error)") }
    }

    public func get(_ name: String) async throws -> JSONValue {
        try await parse(client.send(KubeRequest(method: .GET, path: paths.path(namespace: namespace, name: name))))
    }

    /// One page; the JSON list (`items`, `metadata.continue`).
    public func list(_ options: ListOptions = ListOptions()) async throws -> JSONValue {
        try await parse(client.send(KubeRequest(method: .GET, path: paths.path(namespace: namespace), query: options.query)))
    }

    /// Every item across pages and the list resourceVersion.
    public func listAll(_ options: ListOptions = ListOptions(), pageSize: Int = 500) async throws -> (items: [JSONValue], resourceVersion: String) {
        var opts = options
        opts.limit = pageSize
        var items: [JSONValue] = []
        while true {
            let page = try await list(opts)
            items.append(contentsOf: page["items"]?.arrayValue ?? [])
            if let token = page[path: ["metadata", "continue"]]?.stringValue, !token.isEmpty {
                opts.continueToken = token
            } else {
                return (items, page[path: ["metadata", "resourceVersion"]]?.stringValue ?? "")
            }
        }
    }

    /// Watch events with `JSONValue` objects.
    public func watch(_ options: WatchOptions = WatchOptions()) async throws -> AsyncThrowingStream<TypedWatchEvent<JSONValue>, Error> {
        let lines = try await client.lines(KubeRequest(method: .GET, path: paths.path(namespace: namespace), query: options.query))
        let iterator = IteratorBox(lines.makeAsyncIterator())
        return AsyncThrowingStream {
            guard let line = try await iterator.next() else { return nil }
            let v: JSONValue
            do { v = try JSONValue.parse(line) } catch { throw KubeClientError.decoding("watch event: \(error)") }
            let object = v["object"] ?? .null
            switch v["type"]?.stringValue {
            case "ADDED": return .added(object)
            case "MODIFIED": return .modified(object)
            case "DELETED": return .deleted(object)
            case "BOOKMARK": return .bookmark(resourceVersion: object[path: ["metadata", "resourceVersion"]]?.stringValue ?? "")
            case "ERROR":
                return .error((try? object.decode(as: Status.self)) ?? Status(message: object.jsonString, code: 500))
            default: throw KubeClientError.decoding("unknown watch event \(v.jsonString.prefix(200))")
            }
        }
    }

    public func create(_ object: JSONValue, params: PatchParams = PatchParams()) async throws -> JSONValue {
        try await parse(client.send(KubeRequest(method: .POST, path: paths.path(namespace: objectNamespace(object)),
                                                query: params.query(isApply: false), body: object.data())))
    }

    public func replace(_ object: JSONValue, params: PatchParams = PatchParams()) async throws -> JSONValue {
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        return try await parse(client.send(KubeRequest(method: .PUT, path: paths.path(namespace: objectNamespace(object), name: name),
                                                       query: params.query(isApply: false), body: object.data())))
    }

    public func replaceStatus(_ object: JSONValue, params: PatchParams = PatchParams()) async throws -> JSONValue {
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        return try await parse(client.send(KubeRequest(method: .PUT, path: paths.path(namespace: objectNamespace(object), name: name, subresource: "status"),
                                                       query: params.query(isApply: false), body: object.data())))
    }

    public func patch(_ name: String, _ patch: Patch, params: PatchParams = PatchParams(), subresource: String? = nil) async throws -> JSONValue {
        var isApply = false
        if case .apply = patch { isApply = true }
        return try await parse(client.send(KubeRequest(method: .PATCH, path: paths.path(namespace: namespace, name: name, subresource: subresource),
                                                       query: params.query(isApply: isApply), body: patch.body.data(), contentType: patch.contentType)))
    }

    @discardableResult
    public func delete(_ name: String, options: DeleteOptions = DeleteOptions()) async throws -> JSONValue {
        let body: Data
        do { body = try JSONEncoder().encode(options) } catch { throw KubeClientError.decoding("\(error)") }
        return try await parse(client.send(KubeRequest(method: .DELETE, path: paths.path(namespace: namespace, name: name), body: body)))
    }
}
