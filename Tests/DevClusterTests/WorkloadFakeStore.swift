import Foundation
import KubeCore
@testable import DevCluster

/// A tiny in-memory ObjectStore for controller unit tests (equality label selectors only,
/// finalizers honoured, built-in defaults applied as the real store does, watch replays history). The real store is tested by its own suites.
actor WorkloadFakeStore: ObjectStore {
    private struct Key: Hashable { var resource: GroupVersionResource; var namespace: String?; var name: String }
    private var objects: [Key: JSONValue] = [:]
    private var rv: UInt64 = 1
    private var history: [StoreEvent] = []
    private var watchers: [UUID: (resource: GroupVersionResource?, continuation: AsyncThrowingStream<StoreEvent, Error>.Continuation)] = [:]
    let served: [GroupVersionResource] = [
        WorkloadResource.pods, WorkloadResource.jobs, WorkloadResource.deployments,
        WorkloadResource.services, WorkloadResource.namespaces, WorkloadResource.endpoints,
        GroupVersionResource(group: "", version: "v1", resource: "configmaps"),
    ]
    static let kinds = ["pods": "Pod", "jobs": "Job", "deployments": "Deployment", "services": "Service", "namespaces": "Namespace", "endpoints": "Endpoints", "configmaps": "ConfigMap"]

    func resources() async -> [GroupVersionResource] { served }

    func get(_ resource: GroupVersionResource, namespace: String?, name: String) async throws -> JSONValue {
        guard let o = objects[Key(resource: resource, namespace: namespace, name: name)] else { throw Self.notFound(name) }
        return o
    }

    func list(_ resource: GroupVersionResource, namespace: String?, labelSelector: String?) async throws -> StoreList {
        let wanted = (labelSelector ?? "").split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        let items = objects.filter { $0.key.resource == resource && (namespace == nil || $0.key.namespace == namespace) }
            .map(\.value).filter { o in wanted.allSatisfy { $0.count == 2 && o.labels[$0[0]] == $0[1] } }
            .sorted { ($0.name ?? "") < ($1.name ?? "") }
        return StoreList(items: items, resourceVersion: rv)
    }

    func create(_ resource: GroupVersionResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue {
        var o = object
        if o.name == nil, let prefix = o[path: ["metadata", "generateName"]]?.stringValue { o[path: ["metadata", "name"]] = .string(prefix + NameSuffix.random()) }
        guard let name = o.name else { throw Status(message: "name required", reason: "Invalid", code: 422) }
        let key = Key(resource: resource, namespace: namespace, name: name)
        if objects[key] != nil { throw Status(message: "exists", reason: "AlreadyExists", code: 409) }
        if let ns = namespace { o[path: ["metadata", "namespace"]] = .string(ns) }
        o[path: ["metadata", "uid"]] = .string(UUID().uuidString.lowercased())
        o[path: ["metadata", "creationTimestamp"]] = .string(KubeTime.format(Date()))
        o[path: ["metadata", "generation"]] = 1
        o["kind"] = o["kind"] ?? .string(Self.kinds[resource.resource] ?? "Object")
        o["apiVersion"] = o["apiVersion"] ?? .string(resource.apiVersion)
        if resource == WorkloadResource.namespaces { o[path: ["spec", "finalizers"]] = ["kubernetes"]; o[path: ["status", "phase"]] = "Active" }
        let services = objects.filter { $0.key.resource == WorkloadResource.services }.map(\.value)
        try BuiltinDefaults.prepareCreate(&o, resource: resource) { services }
        return store(key, o, .added)
    }

    func update(_ resource: GroupVersionResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue {
        try replace(resource, namespace: namespace, object, statusOnly: false)
    }

    func updateStatus(_ resource: GroupVersionResource, namespace: String?, _ object: JSONValue) async throws -> JSONValue {
        try replace(resource, namespace: namespace, object, statusOnly: true)
    }

    private func replace(_ resource: GroupVersionResource, namespace: String?, _ object: JSONValue, statusOnly: Bool) throws -> JSONValue {
        let key = Key(resource: resource, namespace: namespace, name: object.name ?? "")
        guard let old = objects[key] else { throw Self.notFound(key.name) }
        if let v = object[path: ["metadata", "resourceVersion"]]?.stringValue, v != old[path: ["metadata", "resourceVersion"]]?.stringValue {
            throw Status(message: "the object has been modified", reason: "Conflict", code: 409)
        }
        var new = old
        if statusOnly {
            new["status"] = object["status"]
        } else {
            new["metadata"] = object["metadata"]
            new["spec"] = object["spec"]
            if resource == WorkloadResource.services || resource == WorkloadResource.endpoints { new = object }
            for field in ["uid", "creationTimestamp", "deletionTimestamp"] { new[path: ["metadata", field]] = old[path: ["metadata", field]] }
        }
        BuiltinDefaults.prepareUpdate(&new, old: old, resource: resource)
        if old["spec"] != new["spec"] { new[path: ["metadata", "generation"]] = .int((old.generationValue ?? 1) + 1) }
        if new.isDeleting && new.finalizers.isEmpty && (new[path: ["spec", "finalizers"]]?.arrayValue ?? []).isEmpty {
            objects[key] = nil
            return emit(.deleted, resource, new)
        }
        return store(key, new, .modified)
    }

    @discardableResult
    func delete(_ resource: GroupVersionResource, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue {
        let key = Key(resource: resource, namespace: namespace, name: name)
        guard var o = objects[key] else { throw Self.notFound(name) }
        if let uid = options.preconditions?.uid, uid != o.uid { throw Status(message: "uid precondition", reason: "Conflict", code: 409) }
        var finalizers = o.finalizers
        if !o.isDeleting {
            if options.propagationPolicy == PropagationPolicy.foreground { finalizers.append("foregroundDeletion") }
            if options.propagationPolicy == PropagationPolicy.orphan { finalizers.append("orphan") }
        }
        let specFinalizers = o[path: ["spec", "finalizers"]]?.arrayValue ?? []
        if finalizers.isEmpty && specFinalizers.isEmpty {
            objects[key] = nil
            return emit(.deleted, resource, o)
        }
        if o.isDeleting { return o }
        o[path: ["metadata", "finalizers"]] = finalizers.isEmpty ? nil : .array(finalizers.map { .string($0) })
        o[path: ["metadata", "deletionTimestamp"]] = .string(KubeTime.format(Date()))
        return store(key, o, .modified)
    }

    func watch(_ resource: GroupVersionResource?, namespace: String?, since resourceVersion: UInt64?) async throws -> AsyncThrowingStream<StoreEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: StoreEvent.self)
        for event in history where event.resourceVersion > (resourceVersion ?? rv) && (resource == nil || event.resource == resource) {
            continuation.yield(event)
        }
        watchers[UUID()] = (resource, continuation)
        return stream
    }

    /// Ends every watch (as a store shutting down does).
    func shutdown() { for w in watchers.values { w.continuation.finish() }; watchers = [:] }

    /// Every object of a resource (test inspection).
    func all(_ resource: GroupVersionResource) -> [JSONValue] {
        objects.filter { $0.key.resource == resource }.map(\.value).sorted { ($0.name ?? "") < ($1.name ?? "") }
    }

    private func store(_ key: Key, _ object: JSONValue, _ kind: StoreEvent.Kind) -> JSONValue {
        var o = object
        rv += 1
        o[path: ["metadata", "resourceVersion"]] = .string(String(rv))
        objects[key] = o
        return emit(kind, key.resource, o, bump: false)
    }

    private func emit(_ kind: StoreEvent.Kind, _ resource: GroupVersionResource, _ object: JSONValue, bump: Bool = true) -> JSONValue {
        if bump { rv += 1 }
        let event = StoreEvent(kind: kind, resource: resource, object: object, resourceVersion: rv)
        history.append(event)
        for w in watchers.values where w.resource == nil || w.resource == resource { w.continuation.yield(event) }
        return object
    }

    private static func notFound(_ name: String) -> Status {
        Status(message: "\"\(name)\" not found", reason: "NotFound", code: 404)
    }
}
