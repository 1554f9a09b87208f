import Foundation
import KubeCore

/// The garbage collector's graph: every object by uid, and the dependents of each owner uid.
struct OwnerIndex: Sendable {
    struct Node: Sendable, Equatable {
        var resource: GroupVersionResource
        var namespace: String?
        var name: String
        var uid: String
        var owners: [OwnerReference]
        var deleting: Bool
        var finalizers: [String]
    }

    private(set) var nodes: [String: Node] = [:]
    private var dependents: [String: Set<String>] = [:]
    /// `apiVersion/kind` → resource, learnt from the objects seen (to look owners up).
    private(set) var resourceOfKind: [String: GroupVersionResource] = [:]

    /// Records an object's current state.
    mutating func upsert(_ object: JSONValue, resource: GroupVersionResource) {
        guard let uid = object.uid, let name = object.name else { return }
        remove(uid: uid)
        let node = Node(
            resource: resource, namespace: object.namespace, name: name, uid: uid,
            owners: object.ownerReferences, deleting: object.isDeleting, finalizers: object.finalizers)
        nodes[uid] = node
        for owner in node.owners { dependents[owner.uid, default: []].insert(uid) }
        if let kind = object.kindName {
            resourceOfKind["\(object["apiVersion"]?.stringValue ?? resource.apiVersion)/\(kind)"] = resource
        }
    }

    /// Forgets a deleted object (its own dependents' back-links stay until they change).
    mutating func remove(uid: String) {
        guard let old = nodes.removeValue(forKey: uid) else { return }
        for owner in old.owners {
            dependents[owner.uid]?.remove(uid)
            if dependents[owner.uid]?.isEmpty == true { dependents[owner.uid] = nil }
        }
    }

    /// The objects that name `uid` as an owner.
    func dependents(of uid: String) -> [Node] {
        (dependents[uid] ?? []).compactMap { nodes[$0] }.sorted { $0.name < $1.name }
    }

    func node(_ uid: String) -> Node? { nodes[uid] }

    /// The apiVersion and kind of a resource, as learnt from its objects.
    func kind(of resource: GroupVersionResource) -> (apiVersion: String, kind: String) {
        for (key, value) in resourceOfKind where value == resource {
            if let slash = key.lastIndex(of: "/") { return (String(key[..<slash]), String(key[key.index(after: slash)...])) }
        }
        return (resource.apiVersion, "")
    }

    func resource(for owner: OwnerReference) -> GroupVersionResource? {
        resourceOfKind["\(owner.apiVersion)/\(owner.kind)"]
    }
}

/// What to do with a dependent whose owners may be gone (pure; mirrors kube-controller-manager).
enum GCDecision: Sendable, Equatable {
    /// Owners still exist: leave it.
    case keep
    /// Some owners exist: drop the references to these absent (or foreground-deleting) owners.
    case removeReferences([String])
    /// No owner left: delete it with this propagation policy.
    case delete(propagation: String)
}

enum GCLogic {
    static let foregroundFinalizer = "foregroundDeletion"
    static let orphanFinalizer = "orphan"

    /// Owner references that name an object of another namespace (an owner is looked up in the
    /// dependent's namespace, so for a namespaced dependent such an owner is absent), or a
    /// namespaced owner of a cluster-scoped dependent (never resolvable). kube-controller-manager
    /// reports each with a Warning event `OwnerRefInvalidNamespace`.
    static func invalidNamespaceOwners(_ node: OwnerIndex.Node, index: OwnerIndex) -> [OwnerReference] {
        node.owners.filter { owner in
            guard let found = index.node(owner.uid), let ownerNamespace = found.namespace else { return false }
            return ownerNamespace != node.namespace
        }
    }

    /// Decides for `node` given which of its owners exist in `index`.
    static func decide(_ node: OwnerIndex.Node, index: OwnerIndex) -> GCDecision {
        guard !node.owners.isEmpty, !node.deleting else { return .keep }
        let invalid = Set(invalidNamespaceOwners(node, index: index).map(\.uid))
        // A cluster-scoped object with a namespaced owner: an error that does not resolve, left alone.
        if node.namespace == nil && !invalid.isEmpty { return .keep }
        var solid: [String] = []
        var dangling: [String] = []
        var waiting: [String] = []
        for owner in node.owners {
            guard let found = index.node(owner.uid), !invalid.contains(owner.uid) else { dangling.append(owner.uid); continue }
            if found.deleting && found.finalizers.contains(foregroundFinalizer) {
                waiting.append(owner.uid)
            } else {
                solid.append(owner.uid)
            }
        }
        if dangling.isEmpty && waiting.isEmpty { return .keep }
        if !solid.isEmpty {
            return .removeReferences(dangling + waiting)
        }
        if !waiting.isEmpty, !index.dependents(of: node.uid).isEmpty {
            return .delete(propagation: PropagationPolicy.foreground)
        }
        return .delete(propagation: PropagationPolicy.background)
    }
}
