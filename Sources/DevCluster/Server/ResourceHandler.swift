import Foundation
import Hummingbird
import KubeCore
import Logging
import NIOCore

/// The REST verbs on one resource: get, list, watch, create, update, patch, delete,
/// deletecollection, and the status and log subresources.
struct ResourceHandler: Sendable {
    let store: DevStore
    let faults: FaultInjector
    let state: ServerState
    let logger: Logger
    let catalog: ResourceCatalog
    /// The request's user (admission policies read it); nil in tests that drive the handler directly.
    var user: UserInfo? = nil

    func handle(method: HTTPRequest.Method, target: ResourceRequest, query: Query, headers: HTTPFields, body: ByteBuffer, accept: AcceptedFormat) async throws -> Response {
        let info = target.info
        let clusterWideNamespaced = info.namespaced && target.namespace == nil
        switch (method, target.name) {
        case (.get, nil):
            if target.watchPrefix || query.bool("watch") { return try await watch(target, query: query, accept: accept) }
            return try await list(target, query: query, accept: accept)
        case (.get, let name?):
            if target.subresource == "log" { return try await podLog(target, name: name, query: query) }
            if target.subresource == "scale" { return try await scale(target, name: name, method: .get, query: query, headers: headers, body: body) }
            if let rv = try RequestOptions.resourceVersion(query), rv > 0 { try await waitForResourceVersion(rv) }
            let object = try await store.getObject(info, namespace: target.namespace, name: name)
            return render(object, info: info, accept: accept, status: .ok)
        case (.post, nil) where !clusterWideNamespaced:
            return try await create(target, query: query, headers: headers, body: body, accept: accept)
        case (.put, let name?) where target.subresource == "scale", (.patch, let name?) where target.subresource == "scale":
            return try await scale(target, name: name, method: method, query: query, headers: headers, body: body)
        case (.put, let name?):
            return try await update(target, name: name, query: query, headers: headers, body: body, accept: accept)
        case (.patch, let name?):
            return try await patch(target, name: name, query: query, headers: headers, body: body, accept: accept)
        case (.delete, let name?) where target.subresource == nil:
            return try await delete(target, name: name, query: query, body: body)
        case (.delete, nil) where !clusterWideNamespaced || !info.namespaced:
            return try await deleteCollection(target, query: query, body: body)
        default:
            throw APIErrors.methodNotAllowed
        }
    }

    // MARK: Options

    func writeOptions(_ query: Query, headers: HTTPFields, subresource: String?) -> WriteOptions {
        var opts = WriteOptions()
        opts.dryRun = query.dryRun
        opts.subresource = subresource == "status" ? "status" : nil
        opts.fieldManager = Self.fieldManager(query, headers: headers)
        opts.validateBuiltins = true
        opts.admission = user.map { AdmissionContext(user: $0) }
        if let validation = query["fieldValidation"], ["Strict", "Warn", "Ignore"].contains(validation) {
            opts.fieldValidation = validation
        }
        return opts
    }

    /// The `fieldManager` parameter, else the User-Agent's product name (kube-apiserver's default).
    static func fieldManager(_ query: Query, headers: HTTPFields) -> String {
        if let manager = query["fieldManager"], !manager.isEmpty { return manager }
        let agent = headers[.userAgent] ?? "unknown"
        return String(agent.split(separator: "/").first ?? "unknown")
    }

    func validateFieldValidation(_ query: Query) throws {
        if let v = query["fieldValidation"], !["Strict", "Warn", "Ignore", ""].contains(v) {
            throw APIErrors.badRequest("fieldValidation must be one of \"Strict\", \"Warn\", or \"Ignore\", got \"\(v)\"")
        }
    }

    // MARK: Rendering

    /// One object, as JSON or as a one-row Table when the client asked for a Table.
    func render(_ object: JSONValue, info: ResourceInfo, accept: AcceptedFormat, status: HTTPResponse.Status, warnings: [String] = []) -> Response {
        if accept.table {
            let table = TableRenderer.table(items: [object], resource: info.gvr, printerColumns: catalog.custom[info.gvr]?.printerColumns,
                                            includeObject: nil, listMeta: ["resourceVersion": object[path: ["metadata", "resourceVersion"]] ?? ""], now: Date())
            return Responses.json(table, status: status, warnings: warnings)
        }
        if accept.partialMetadata {
            return Responses.json(partialMetadata(object), status: status, warnings: warnings)
        }
        return Responses.json(object, status: status, warnings: warnings)
    }

    func partialMetadata(_ object: JSONValue) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? .emptyObject]
    }

    func listKind(_ info: ResourceInfo) -> String {
        if info.isCustom, let crd = catalog.crds.first(where: { $0[path: ["metadata", "name"]]?.stringValue == info.crdName }),
           let listKind = crd[path: ["spec", "names", "listKind"]]?.stringValue {
            return listKind
        }
        return "\(info.kind)List"
    }

    // MARK: List

    func list(_ target: ResourceRequest, query: Query, accept: AcceptedFormat) async throws -> Response {
        let info = target.info
        try RequestOptions.validateList(query, watch: false)
        let filter = try ListFilter(info: info, query: query)
        var after: String?
        var listRV: UInt64?
        var exact = false
        let all: [(key: String, object: JSONValue)]
        let rv: UInt64
        if let token = query["continue"], !token.isEmpty {
            let decoded = try ContinueToken.decode(token)
            after = decoded.lastKey
            // rv 0: the "inconsistent" token of a 410 (continue from the key, current state).
            listRV = decoded.rv == 0 ? nil : decoded.rv
        } else if let requested = try RequestOptions.resourceVersion(query), requested > 0 {
            // Not older than N (the default), or exactly N: a snapshot from the change history.
            try await waitForResourceVersion(requested)
            if query["resourceVersionMatch"] == RequestOptions.exact {
                listRV = requested
                exact = true
            }
        }
        if let listRV {
            // Later pages are served at the first page's resourceVersion, as kube-apiserver does.
            do {
                (all, rv) = try await store.listObjects(info, namespace: target.namespace, after: after, at: listRV) { filter.matches($0) }
            } catch is DevStore.ContinueExpired {
                if exact { throw RequestOptions.listTooOld }
                var status = APIErrors.expired(Self.continueExpiredMessage)
                status.metadata = ListMeta(continue: ContinueToken.encode(rv: 0, lastKey: after ?? ""))
                throw status
            }
        } else {
            (all, rv) = await store.listObjects(info, namespace: target.namespace, after: after) { filter.matches($0) }
        }
        var items = all
        var meta: JSONValue = ["resourceVersion": .string(String(listRV ?? rv))]
        if let limit = query.int("limit"), limit > 0, items.count > limit {
            let remaining = items.count - limit
            items = Array(items.prefix(limit))
            meta["continue"] = .string(ContinueToken.encode(rv: listRV ?? rv, lastKey: items[items.count - 1].key))
            if filter.isEmpty { meta["remainingItemCount"] = .int(Int64(remaining)) }
        }
        let objects = await presentAll(items.map(\.object), info: info)
        if accept.table {
            let table = TableRenderer.table(items: objects, resource: info.gvr, printerColumns: catalog.custom[info.gvr]?.printerColumns,
                                            includeObject: query["includeObject"], listMeta: meta, now: Date())
            return Responses.json(table)
        }
        if accept.partialMetadata {
            return Responses.json(["kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
                                   "items": .array(objects.map(partialMetadata))])
        }
        return Responses.json(["kind": .string(listKind(info)), "apiVersion": .string(info.apiVersion), "metadata": meta, "items": .array(objects)])
    }

    /// kube-apiserver's message for a continue token whose resourceVersion was compacted.
    static let continueExpiredMessage = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."

    func presentAll(_ objects: [JSONValue], info: ResourceInfo) async -> [JSONValue] {
        if info.storageKey == "events" && info.group == "events.k8s.io" { return objects.map(EventConversion.toEventsV1) }
        let schema = info.isCustom ? catalog.custom[info.gvr]?.schema : nil
        return objects.map { object in
            var o = object
            o["apiVersion"] = .string(info.apiVersion)
            o["kind"] = .string(info.kind)
            if let schema { SchemaValidation.applyDefaults(&o, schema: schema) }
            return o
        }
    }

    // MARK: Create / update

    func create(_ target: ResourceRequest, query: Query, headers: HTTPFields, body: ByteBuffer, accept: AcceptedFormat) async throws -> Response {
        try validateFieldValidation(query)
        try RequestOptions.checkBodyMediaType(headers[.contentType], info: target.info)
        let object = try BodyDecoding.decode(body, contentType: headers[.contentType], info: target.info)
        AuditNotes.current?.recordObjectName(object[path: ["metadata", "name"]]?.stringValue)
        try BodyDecoding.checkTypeMeta(object, info: target.info, name: nil)
        let opts = writeOptions(query, headers: headers, subresource: nil)
        let result = try await store.createObject(target.info, namespace: target.namespace, object, opts)
        AuditNotes.current?.recordObjectName(result.object[path: ["metadata", "name"]]?.stringValue)
        return render(result.object, info: target.info, accept: accept, status: .created, warnings: result.warnings)
    }

    func update(_ target: ResourceRequest, name: String, query: Query, headers: HTTPFields, body: ByteBuffer, accept: AcceptedFormat) async throws -> Response {
        try validateFieldValidation(query)
        let info = target.info
        guard target.subresource == nil || target.subresource == "status" || target.subresource == "finalize" else {
            throw APIErrors.methodNotAllowed
        }
        try RequestOptions.checkBodyMediaType(headers[.contentType], info: info)
        let object = try BodyDecoding.decode(body, contentType: headers[.contentType], info: target.info)
        try BodyDecoding.checkTypeMeta(object, info: info, name: name)
        try await faults.checkConflict(info: info, namespace: target.namespace, name: name)
        let opts = writeOptions(query, headers: headers, subresource: target.subresource)
        let result: WriteResult
        if target.subresource == "finalize" {
            result = try await store.finalizeNamespace(name: name, object, opts)
        } else {
            result = try await store.updateObject(info, namespace: target.namespace, name: name, object, opts,
                                                  allowCreate: Self.allowsCreateOnUpdate(info))
        }
        return render(result.object, info: info, accept: accept, status: result.created ? .created : .ok, warnings: result.warnings)
    }

    /// Kinds whose PUT creates a missing object (kube-apiserver's AllowCreateOnUpdate).
    static func allowsCreateOnUpdate(_ info: ResourceInfo) -> Bool {
        ["events", "leases.coordination.k8s.io", "endpoints"].contains(info.storageKey)
    }

    /// Waits (up to 3 s, as the watch cache does) until the store reached `rv`; then 504
    /// `Too large resource version`.
    func waitForResourceVersion(_ rv: UInt64) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(3))
        while true {
            let current = await store.resourceVersion()
            if current >= rv { return }
            if ContinuousClock.now >= deadline { throw RequestOptions.tooLargeResourceVersion(rv, current: current) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    // MARK: Delete

    func deleteOptions(_ query: Query, body: ByteBuffer) throws -> DeleteOptions {
        var options = DeleteOptions()
        if body.readableBytes > 0 {
            let data = Data(body.readableBytesView)
            let json = ProtobufDecoding.isEnvelope(data)
                ? try ProtobufDecoding.deleteOptions(data)
                : try BodyDecoding.decode(body, contentType: "application/json")
            options = (try? json.decode(as: DeleteOptions.self)) ?? DeleteOptions()
            if options.propagationPolicy == nil, let orphan = json["orphanDependents"]?.boolValue {
                options.propagationPolicy = orphan ? PropagationPolicy.orphan : PropagationPolicy.background
            }
        }
        if let policy = query["propagationPolicy"], !policy.isEmpty { options.propagationPolicy = policy }
        if options.gracePeriodSeconds == nil, let grace = query.int("gracePeriodSeconds") { options.gracePeriodSeconds = Int64(grace) }
        if let policy = options.propagationPolicy, ![PropagationPolicy.orphan, PropagationPolicy.background, PropagationPolicy.foreground].contains(policy) {
            let deleteOptionsInfo = ResourceInfo(group: "meta.k8s.io", version: "v1", resource: "deleteoptions", kind: "DeleteOptions", namespaced: false)
            throw APIErrors.invalid(deleteOptionsInfo, "", [StatusCause(reason: "FieldValueNotSupported", message: "Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\"", field: "propagationPolicy")])
        }
        if query.dryRun { options.dryRun = ["All"] }
        return options
    }

    func delete(_ target: ResourceRequest, name: String, query: Query, body: ByteBuffer) async throws -> Response {
        let info = target.info
        let options = try deleteOptions(query, body: body)
        let result = try await store.deleteObject(info, namespace: target.namespace, name: name, options: options, dryRun: query.dryRun,
                                                  admission: user.map { AdmissionContext(user: $0) })
        if result.removed && !Self.returnsDeletedObject(info) {
            let details = StatusDetails(name: name, group: info.group, kind: info.resource,
                                        uid: result.object[path: ["metadata", "uid"]]?.stringValue)
            return Responses.json(Responses.success(details: details), warnings: result.warnings)
        }
        return Responses.json(result.object, warnings: result.warnings)
    }

    /// Kinds whose registry sets `ReturnDeletedObject` (pkg/registry/.../storage): a completed delete
    /// of any other kind (custom resources included) answers a `Success` Status with details.
    static func returnsDeletedObject(_ info: ResourceInfo) -> Bool {
        if info.group.isEmpty {
            return ["pods", "services", "serviceaccounts", "namespaces", "persistentvolumeclaims", "persistentvolumes"].contains(info.resource)
        }
        return info.group == "storage.k8s.io" && info.resource == "storageclasses"
    }

    func deleteCollection(_ target: ResourceRequest, query: Query, body: ByteBuffer) async throws -> Response {
        let info = target.info
        let filter = try ListFilter(info: info, query: query)
        let options = try deleteOptions(query, body: body)
        let (items, _) = await store.listObjects(info, namespace: target.namespace) { filter.matches($0) }
        var deleted: [JSONValue] = []
        for item in items {
            guard let name = item.object[path: ["metadata", "name"]]?.stringValue else { continue }
            let ns = item.object[path: ["metadata", "namespace"]]?.stringValue
            if let result = try? await store.deleteObject(info, namespace: ns, name: name, options: options, dryRun: query.dryRun,
                                                          admission: user.map { AdmissionContext(user: $0) }) {
                deleted.append(result.object)
            }
        }
        let rv = await store.resourceVersion()
        return Responses.json(["kind": .string(listKind(info)), "apiVersion": .string(info.apiVersion),
                               "metadata": ["resourceVersion": .string(String(rv))], "items": .array(deleted)])
    }

    // MARK: Logs

    func podLog(_ target: ResourceRequest, name: String, query: Query) async throws -> Response {
        let namespace = target.namespace ?? "default"
        _ = try await store.getObject(target.info, namespace: namespace, name: name)
        guard let provider = state.logProvider.withLock({ $0 }) else {
            throw APIErrors.badRequest("pod \"\(name)\" has no logs: no kubelet runs in this dev cluster (started with --no-controller)")
        }
        let stream = try await provider.logs(namespace: namespace, pod: name, container: query["container"], follow: query.bool("follow"), tailLines: query.int("tailLines"))
        var headers = HTTPFields()
        headers[.contentType] = "text/plain"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            for try await chunk in stream {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        })
    }
}
