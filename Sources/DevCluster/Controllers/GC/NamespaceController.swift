import Foundation
import KubeCore
import Logging

/// Namespace lifecycle: a namespace being deleted shows phase `Terminating`, every object in it
/// is deleted, then its `kubernetes` finalizer (spec.finalizers) is removed and it goes.
struct NamespaceController: Sendable {
    static let finalizer = "kubernetes"

    let store: any ObjectStore
    let logger: Logger

    var loop: ControllerLoop {
        ControllerLoop(name: "namespace", store: store, sources: [.primary(WorkloadResource.namespaces)], logger: logger, reconcile: reconcile)
    }

    func reconcile(_ key: ObjectKey) async throws -> Duration? {
        let namespace: JSONValue
        do {
            namespace = try await store.get(WorkloadResource.namespaces, namespace: nil, name: key.name)
        } catch where StoreErrors.isNotFound(error) {
            return nil
        }
        guard namespace.isDeleting else { return nil }
        var current = namespace
        if current[path: ["status", "phase"]]?.stringValue != "Terminating" {
            current[path: ["status", "phase"]] = "Terminating"
            current = try await store.updateStatus(WorkloadResource.namespaces, namespace: nil, current)
        }
        var remaining = 0
        for resource in await store.resources() where resource != WorkloadResource.namespaces {
            guard let items = try? await store.list(resource, namespace: key.name, labelSelector: nil).items else { continue }
            for item in items where item.namespace == key.name {
                remaining += 1
                guard !item.isDeleting, let name = item.name else { continue }
                do {
                    try await store.delete(resource, namespace: key.name, name: name, options: DeleteOptions(propagationPolicy: PropagationPolicy.background))
                } catch where StoreErrors.isNotFound(error) {}
            }
        }
        if remaining > 0 { return .milliseconds(200) }
        let specFinalizers = (current[path: ["spec", "finalizers"]]?.arrayValue ?? []).compactMap(\.stringValue)
        if specFinalizers.contains(Self.finalizer) {
            current[path: ["spec", "finalizers"]] = .array(specFinalizers.filter { $0 != Self.finalizer }.map { .string($0) })
            current = try await store.update(WorkloadResource.namespaces, namespace: nil, current)
        }
        if current.finalizers.isEmpty {
            do {
                try await store.delete(WorkloadResource.namespaces, namespace: nil, name: key.name, options: DeleteOptions())
            } catch where StoreErrors.isNotFound(error) {}
        }
        logger.info("namespace emptied", metadata: ["kind": "Namespace", "name": "\(key.name)"])
        return nil
    }
}
