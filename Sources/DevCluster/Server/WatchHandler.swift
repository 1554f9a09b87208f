import Foundation
import Hummingbird
import KubeCore
import NIOCore

extension ResourceHandler {
    /// Seconds between bookmarks when `allowWatchBookmarks=true` (kube-apiserver sends them about once a minute;
    /// shorter here so tests see them).
    static let bookmarkInterval: Duration = .seconds(5)
    /// Default watch duration when `timeoutSeconds` is not given (kube-apiserver: 30–60 minutes).
    static let defaultWatchTimeout = 1800

    /// A watch as a chunked stream of JSON lines (`{"type":"ADDED","object":{...}}`).
    func watch(_ target: ResourceRequest, query: Query, accept: AcceptedFormat) async throws -> Response {
        let info = target.info
        try RequestOptions.validateList(query, watch: true)
        let filter = try ListFilter(info: info, query: query)
        let rvParam = query["resourceVersion"] ?? ""
        let sendInitial = query["sendInitialEvents"] == "true"
        let initial = rvParam.isEmpty || rvParam == "0" || sendInitial
        var since: UInt64?
        if !initial {
            guard let rv = UInt64(rvParam) else {
                throw APIErrors.badRequest("resourceVersion: Invalid value: \"\(rvParam)\": strconv.ParseUint: parsing \"\(rvParam)\": invalid syntax")
            }
            since = rv
        }
        let timeout = max(1, query.int("timeoutSeconds") ?? Self.defaultWatchTimeout)
        let bookmarks = query.bool("allowWatchBookmarks")
        let eventLimit = await faults.watchEventLimit()
        let store = self.store
        let renderer = self
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-cache, private"

        let started: (Int, AsyncStream<WatchItem>)
        do {
            started = try await store.startWatch(storageKey: info.storageKey, namespace: target.namespace, since: since, initialState: initial)
        } catch let status as Status {
            // Like the watch cache: 200, then one ERROR event carrying the 410 Status.
            let line = Self.line(type: "ERROR", object: (try? JSONValue(encoding: status)) ?? .null)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: line))
        }
        let (id, stream) = started
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await Task.sleep(for: .seconds(timeout))
                        await store.stopWatch(id)
                    }
                    if bookmarks {
                        group.addTask {
                            while !Task.isCancelled {
                                try await Task.sleep(for: Self.bookmarkInterval)
                                await store.bookmark(id)
                            }
                        }
                    }
                    var sent = 0
                    for await item in stream {
                        guard let line = renderer.watchLine(item, filter: filter, accept: accept, bookmarks: bookmarks, sendInitial: sendInitial) else { continue }
                        try await writer.write(line)
                        sent += 1
                        if let eventLimit, sent >= eventLimit {
                            await renderer.faults.record("watch stream cut after \(sent) events", metadata: ["resource": "\(info.qualifiedResource)"])
                            break
                        }
                    }
                    group.cancelAll()
                }
            } catch {
                // The client went away or the watch was cut; fall through to clean up.
            }
            await store.stopWatch(id)
            try? await writer.finish(nil)
        })
    }

    /// The wire line for one watch item, or nil when the selectors hide it.
    func watchLine(_ item: WatchItem, filter: ListFilter, accept: AcceptedFormat, bookmarks: Bool, sendInitial: Bool) -> ByteBuffer? {
        let info = filter.info
        switch item {
        case .change(let event, let previous):
            let now = filter.matches(event.object)
            let before = previous.map { filter.matches($0) } ?? false
            let type: String
            switch event.kind {
            case .added:
                guard now else { return nil }
                type = "ADDED"
            case .modified:
                if now && before { type = "MODIFIED" } else if now { type = "ADDED" } else if before { type = "DELETED" } else { return nil }
            case .deleted:
                guard now || before else { return nil }
                type = "DELETED"
            }
            return Self.line(type: type, object: watchObject(event.object, info: info, accept: accept))
        case .bookmark(let rv):
            guard bookmarks else { return nil }
            return Self.line(type: "BOOKMARK", object: bookmarkObject(rv, info: info, initialEnd: false))
        case .initialEventsEnd(let rv):
            guard bookmarks && sendInitial else { return nil }
            return Self.line(type: "BOOKMARK", object: bookmarkObject(rv, info: info, initialEnd: true))
        }
    }

    func watchObject(_ stored: JSONValue, info: ResourceInfo, accept: AcceptedFormat) -> JSONValue {
        var object = stored
        if info.storageKey == "events" && info.group == "events.k8s.io" {
            object = EventConversion.toEventsV1(stored)
        } else {
            object["apiVersion"] = .string(info.apiVersion)
            object["kind"] = .string(info.kind)
            if info.isCustom, let schema = catalog.custom[info.gvr]?.schema { SchemaValidation.applyDefaults(&object, schema: schema) }
        }
        if accept.table {
            return TableRenderer.table(items: [object], resource: info.gvr, printerColumns: catalog.custom[info.gvr]?.printerColumns,
                                       includeObject: nil, listMeta: ["resourceVersion": object[path: ["metadata", "resourceVersion"]] ?? ""], now: Date())
        }
        if accept.partialMetadata { return partialMetadata(object) }
        return object
    }

    func bookmarkObject(_ rv: UInt64, info: ResourceInfo, initialEnd: Bool) -> JSONValue {
        var metadata: JSONValue = ["resourceVersion": .string(String(rv))]
        if initialEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        return ["kind": .string(info.kind), "apiVersion": .string(info.apiVersion), "metadata": metadata]
    }

    static func line(type: String, object: JSONValue) -> ByteBuffer {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2048)
        bytes.append(contentsOf: "{\"type\":\"\(type)\",\"object\":".utf8)
        object.write(into: &bytes)
        bytes.append(contentsOf: "}\n".utf8)
        return ByteBuffer(bytes: bytes)
    }
}
