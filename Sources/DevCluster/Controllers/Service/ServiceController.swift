import Foundation
import KubeCore
import Logging

/// Keeps Services usable on one machine (the ClusterIP is allocated by the store at creation): maintains the
/// Service's Endpoints (when the store serves them) and, with the local executor, gives the Service
/// a host listener (`ServiceProxies`) that relays each connection to one of its ready pods in turn,
/// annotating the Service with `dev.sextant.dev/host-endpoint: 127.0.0.1:<listener port>` while at
/// least one pod is ready. The backends follow pods becoming ready or unready.
struct ServiceController: Sendable {
    let store: any ObjectStore
    let executor: WorkloadExecutor
    let logger: Logger
    let proxies: ServiceProxies

    var loop: ControllerLoop {
        let store = store
        return ControllerLoop(
            name: "service", store: store,
            sources: [
                .primary(WorkloadResource.services),
                ControllerLoop.Source(resource: WorkloadResource.pods) { event in
                    // Every Service of the pod's namespace whose selector matches it.
                    guard let ns = event.object.namespace,
                        let services = try? await store.list(WorkloadResource.services, namespace: ns, labelSelector: nil).items
                    else { return [] }
                    let labels = event.object.labels
                    return services.filter { ServiceController.selects($0, labels: labels) }.compactMap(ObjectKey.init(object:))
                },
            ],
            logger: logger, reconcile: reconcile)
    }

    static func selector(_ service: JSONValue) -> [String: String]? {
        guard let object = service[path: ["spec", "selector"]]?.objectValue, !object.isEmpty else { return nil }
        return object.compactMapValues(\.stringValue)
    }

    static func selects(_ service: JSONValue, labels: [String: String]) -> Bool {
        guard let selector = selector(service) else { return false }
        return selector.allSatisfy { labels[$0.key] == $0.value }
    }

    func reconcile(_ key: ObjectKey) async throws -> Duration? {
        var service: JSONValue
        do {
            service = try await store.get(WorkloadResource.services, namespace: key.namespace, name: key.name)
        } catch where StoreErrors.isNotFound(error) {
            // The Service is gone: so are its Endpoints (as the endpoints controller does).
            if await store.resources().contains(WorkloadResource.endpoints) {
                _ = try? await store.delete(WorkloadResource.endpoints, namespace: key.namespace, name: key.name, options: DeleteOptions())
            }
            await proxies.remove(key)
            return nil
        }
        guard !service.isDeleting, let selector = Self.selector(service) else {
            await proxies.remove(key)
            return nil
        }
        let pods = try await store.list(WorkloadResource.pods, namespace: key.namespace, labelSelector: nil).items
            .filter { pod in !pod.isDeleting && selector.allSatisfy { pod.labels[$0.key] == $0.value } }
            .sorted { ($0.name ?? "") < ($1.name ?? "") }
        let ready = pods.filter { PodPhase.of($0) == PodPhase.running && $0.hasTrueCondition("Ready") }
        if executor == .local {
            let backends = ready.compactMap { $0.annotations[WorkloadAnnotations.hostPort].flatMap(Int.init) }
            let previous = service.annotations[WorkloadAnnotations.hostEndpoint].flatMap { $0.split(separator: ":").last.flatMap { Int($0) } }
            let port = try await proxies.route(key, backends: backends, preferredPort: previous)
            let endpoint = backends.isEmpty ? nil : "127.0.0.1:\(port)"
            if service.annotations[WorkloadAnnotations.hostEndpoint] != endpoint {
                var updated = service
                updated[path: ["metadata", "annotations", WorkloadAnnotations.hostEndpoint]] = endpoint.map { .string($0) }
                if updated[path: ["metadata", "annotations"]]?.objectValue?.isEmpty == true {
                    updated[path: ["metadata", "annotations"]] = nil
                }
                service = try await store.update(WorkloadResource.services, namespace: key.namespace, updated)
                logger.info("service host endpoint", metadata: ["kind": "Service", "namespace": "\(key.namespace ?? "")", "name": "\(key.name)", "endpoint": "\(endpoint ?? "none")"])
            }
        }
        if await store.resources().contains(WorkloadResource.endpoints) {
            try await writeEndpoints(service: service, pods: pods, ready: ready)
        }
        return nil
    }

    private func writeEndpoints(service: JSONValue, pods: [JSONValue], ready: [JSONValue]) async throws {
        guard let name = service.name else { return }
        let readyNames = Set(ready.compactMap(\.name))
        func address(_ pod: JSONValue) -> JSONValue {
            ["ip": .string(PodStatusLogic.hostIP), "nodeName": .string(KubeletContext.nodeName),
             "targetRef": ["kind": "Pod", "name": .string(pod.name ?? ""), "namespace": .string(pod.namespace ?? ""), "uid": .string(pod.uid ?? "")]]
        }
        let ports: [JSONValue] = (service[path: ["spec", "ports"]]?.arrayValue ?? []).map { port in
            var p: JSONValue = ["port": port["targetPort"]?.intValue.map { .int($0) } ?? port["port"] ?? 0, "protocol": port["protocol"] ?? "TCP"]
            if let n = port["name"] { p["name"] = n }
            return p
        }
        var subset: JSONValue = ["ports": .array(ports)]
        let readyAddresses = pods.filter { readyNames.contains($0.name ?? "") }.map(address)
        let notReady = pods.filter { !readyNames.contains($0.name ?? "") }.map(address)
        if !readyAddresses.isEmpty { subset["addresses"] = .array(readyAddresses) }
        if !notReady.isEmpty { subset["notReadyAddresses"] = .array(notReady) }
        let subsets: JSONValue = pods.isEmpty ? .array([]) : [subset]
        let ns = service.namespace
        do {
            var existing = try await store.get(WorkloadResource.endpoints, namespace: ns, name: name)
            guard existing["subsets"] != subsets else { return }
            existing["subsets"] = subsets
            _ = try await store.update(WorkloadResource.endpoints, namespace: ns, existing)
        } catch where StoreErrors.isNotFound(error) {
            var metadata: JSONValue = ["name": .string(name)]
            if let ns { metadata["namespace"] = .string(ns) }
            if !service.labels.isEmpty { metadata["labels"] = .stringObject(service.labels) }
            _ = try await store.create(WorkloadResource.endpoints, namespace: ns, ["apiVersion": "v1", "kind": "Endpoints", "metadata": metadata, "subsets": subsets])
        }
    }
}
