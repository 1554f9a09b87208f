import Foundation
import KubeCore
import Logging
import Synchronization

/// The garbage collector: deletes dependents whose owners (by ownerReference uid) are gone
/// (background), deletes the blocking dependents of owners being deleted in the foreground
/// before removing their `foregroundDeletion` finalizer, and for owners deleted with the
/// `orphan` finalizer strips the references from the dependents before removing it.
///
/// It lists every resource at start (and after a watch ends), then follows one watch over all
/// resources, keeping an in-memory owner graph.
struct GarbageCollector: Sendable {
    let store: any ObjectStore
    let logger: Logger
    /// `dependent uid/owner uid` pairs already reported as OwnerRefInvalidNamespace.
    private let reported = ReportedReferences()

    init(store: any ObjectStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func run() async {
        while !Task.isCancelled {
            do {
                try await syncAndWatch()
            } catch is CancellationError {
                return
            } catch {
                logger.debug("garbage collector watch ended", metadata: ["error": "\(error)"])
            }
            do { try await Task.sleep(for: .milliseconds(300)) } catch { return }
        }
    }

    private func syncAndWatch() async throws {
        var index = OwnerIndex()
        var since: UInt64?
        var objects: [(JSONValue, GroupVersionResource)] = []
        for resource in await store.resources() {
            guard let list = try? await store.list(resource, namespace: nil, labelSelector: nil) else { continue }
            since = min(since ?? list.resourceVersion, list.resourceVersion)
            for item in list.items {
                index.upsert(item, resource: resource)
                objects.append((item, resource))
            }
        }
        for (object, _) in objects {
            await process(object, deleted: false, index: index)
        }
        let events = try await store.watch(nil, namespace: nil, since: since)
        for try await event in events {
            guard let uid = event.object.uid else { continue }
            if event.kind == .deleted {
                let owners = event.object.ownerReferences
                index.remove(uid: uid)
                await process(event.object, deleted: true, index: index)
                // An owner waiting for its dependents may now be free to go.
                for owner in owners {
                    if let node = index.node(owner.uid), node.deleting { await handleDeletingOwner(node, index: index) }
                }
            } else {
                index.upsert(event.object, resource: event.resource)
                await process(event.object, deleted: false, index: index)
            }
        }
    }

    private func process(_ object: JSONValue, deleted: Bool, index: OwnerIndex) async {
        guard let uid = object.uid else { return }
        if deleted {
            for dependent in index.dependents(of: uid) { await collect(dependent, index: index) }
            return
        }
        guard let node = index.node(uid) else { return }
        if node.deleting { await handleDeletingOwner(node, index: index) }
        if !node.owners.isEmpty { await collect(node, index: index) }
    }

    /// Foreground and orphan deletion of an owner.
    private func handleDeletingOwner(_ owner: OwnerIndex.Node, index: OwnerIndex) async {
        let dependents = index.dependents(of: owner.uid)
        if owner.finalizers.contains(GCLogic.orphanFinalizer) {
            for dependent in dependents {
                await mutate(dependent) { object in
                    let refs = (object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).filter { $0["uid"]?.stringValue != owner.uid }
                    object[path: ["metadata", "ownerReferences"]] = .arrayOrOmitted(refs)
                }
            }
            await removeFinalizer(GCLogic.orphanFinalizer, from: owner)
            return
        }
        guard owner.finalizers.contains(GCLogic.foregroundFinalizer) else { return }
        var blocking = 0
        for dependent in dependents {
            let blocks = dependent.owners.contains { $0.uid == owner.uid && $0.blockOwnerDeletion == true }
            if blocks { blocking += 1 }
            if !dependent.deleting {
                let policy = index.dependents(of: dependent.uid).isEmpty ? PropagationPolicy.background : PropagationPolicy.foreground
                await delete(dependent, propagation: policy)
            }
        }
        if blocking == 0 {
            await removeFinalizer(GCLogic.foregroundFinalizer, from: owner)
        }
    }

    /// Background collection of one dependent.
    private func collect(_ node: OwnerIndex.Node, index: OwnerIndex) async {
        for owner in GCLogic.invalidNamespaceOwners(node, index: index) where reported.insert("\(node.uid)/\(owner.uid)") {
            await reportInvalidNamespace(node, owner: owner, index: index)
        }
        var decision = GCLogic.decide(node, index: index)
        // Confirm absent owners with a read before acting (the index may lag a moment).
        if decision != .keep {
            for owner in node.owners where index.node(owner.uid) == nil {
                guard let resource = index.resource(for: owner) else { continue }
                if let found = try? await store.get(resource, namespace: node.namespace, name: owner.name), found.uid == owner.uid {
                    decision = .keep
                }
            }
        }
        switch decision {
        case .keep:
            return
        case .removeReferences(let uids):
            await mutate(node) { object in
                let refs = (object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).filter { !uids.contains($0["uid"]?.stringValue ?? "") }
                object[path: ["metadata", "ownerReferences"]] = .arrayOrOmitted(refs)
            }
        case .delete(let propagation):
            await delete(node, propagation: propagation)
        }
    }

    /// The graph builder's Warning event on the dependent:
    /// `ownerRef [v1/Kind, namespace: ns, name: n, uid: u] does not exist in namespace "ns"`.
    private func reportInvalidNamespace(_ node: OwnerIndex.Node, owner: OwnerReference, index: OwnerIndex) async {
        let namespace = node.namespace ?? "default"
        let now = KubeTime.format(Date())
        let dependentKind = index.kind(of: node.resource)
        let message = "ownerRef [\(owner.apiVersion)/\(owner.kind), namespace: \(node.namespace ?? ""), name: \(owner.name), uid: \(owner.uid)] does not exist in namespace \"\(node.namespace ?? "")\""
        let event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(node.name).\(UInt64(Date().timeIntervalSince1970 * 1_000_000))"), "namespace": .string(namespace)],
            "involvedObject": [
                "apiVersion": .string(dependentKind.apiVersion), "kind": .string(dependentKind.kind), "namespace": .string(node.namespace ?? ""),
                "name": .string(node.name), "uid": .string(node.uid),
            ],
            "reason": "OwnerRefInvalidNamespace", "message": .string(message), "type": "Warning",
            "source": ["component": "garbage-collector-controller"], "reportingComponent": "garbage-collector-controller",
            "firstTimestamp": .string(now), "lastTimestamp": .string(now), "count": 1,
        ]
        _ = try? await store.create(GroupVersionResource(group: "", version: "v1", resource: "events"), namespace: namespace, event)
        logger.warning("invalid owner reference", metadata: ["namespace": "\(node.namespace ?? "")", "name": "\(node.name)", "message": "\(message)"])
    }

    private func delete(_ node: OwnerIndex.Node, propagation: String) async {
        do {
            try await store.delete(node.resource, namespace: node.namespace, name: node.name, options: DeleteOptions(
                propagationPolicy: propagation, preconditions: DeleteOptions.Preconditions(uid: node.uid)))
            logger.info("garbage collected", metadata: ["resource": "\(node.resource)", "namespace": "\(node.namespace ?? "")", "name": "\(node.name)", "propagation": "\(propagation)"])
        } catch {
            if !StoreErrors.isNotFound(error), !StoreErrors.isConflict(error) {
                logger.warning("garbage collection failed", metadata: ["resource": "\(node.resource)", "name": "\(node.name)", "error": "\(error)"])
            }
        }
    }

    private func removeFinalizer(_ finalizer: String, from node: OwnerIndex.Node) async {
        await mutate(node) { object in
            let rest = object.finalizers.filter { $0 != finalizer }
            object[path: ["metadata", "finalizers"]] = .arrayOrOmitted(rest.map { .string($0) })
        }
    }

    /// Read-modify-write of one object (409 re-reads; gone or replaced objects are skipped).
    private func mutate(_ node: OwnerIndex.Node, _ change: (inout JSONValue) -> Void) async {
        for _ in 0..<10 {
            do {
                var object = try await store.get(node.resource, namespace: node.namespace, name: node.name)
                guard object.uid == node.uid else { return }
                let before = object
                change(&object)
                if object == before { return }
                _ = try await store.update(node.resource, namespace: node.namespace, object)
                return
            } catch {
                if StoreErrors.isConflict(error) { continue }
                if !StoreErrors.isNotFound(error) {
                    logger.warning("garbage collector update failed", metadata: ["resource": "\(node.resource)", "name": "\(node.name)", "error": "\(error)"])
                }
                return
            }
        }
    }
}

/// Pairs already reported (each invalid reference gets one event).
final class ReportedReferences: Sendable {
    private let seen = Mutex<Set<String>>([])

    /// True the first time `key` is inserted.
    func insert(_ key: String) -> Bool { seen.withLock { $0.insert(key).inserted } }
}
