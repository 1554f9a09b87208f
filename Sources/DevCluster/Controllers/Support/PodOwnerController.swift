import Foundation
import KubeCore
import Logging

/// What a controller of pods (Job, Deployment) decided for one owner: a pure function's output.
struct PodOwnerPlan: Sendable {
    /// The owner's new `status` (written through `/status` when it differs).
    var status: JSONValue
    /// How many pods to create, each from `newPod(suffix)`.
    var podsToCreate: Int
    /// Builds one new pod named with a random suffix (nil: nothing to create).
    var newPod: @Sendable (String) -> JSONValue?
    /// Names of pods to delete.
    var podsToDelete: [String]
    /// When to look again if nothing else triggers it.
    var requeueAfter: Duration?
}

/// The shared reconcile of the emulated Job and Deployment controllers: watch the owners and
/// their pods, read the owner, list the pods it controls (by controller ownerReference uid),
/// let `plan` decide, delete/create pods, and write only `status` (never `spec`: an owner's
/// `metadata.generation` moves only with its users' changes).
struct PodOwnerController: Sendable {
    /// The controller's name in logs ("job").
    var name: String
    /// The owner kind in ownerReferences ("Job").
    var kind: String
    var resource: GroupVersionResource
    var store: any ObjectStore
    var logger: Logger
    /// The label selector narrowing the pod list for an owner uid (nil: all pods of the namespace).
    var podSelector: @Sendable (_ ownerUID: String) -> String? = { _ in nil }
    /// How pods are deleted.
    var deleteOptions = DeleteOptions()
    /// The decision, from the owner and the pods it controls.
    var plan: @Sendable (_ owner: JSONValue, _ pods: [JSONValue]) -> PodOwnerPlan

    var loop: ControllerLoop {
        ControllerLoop(
            name: name, store: store,
            sources: [.primary(resource), .owned(WorkloadResource.pods, ownerKind: kind)],
            logger: logger, reconcile: reconcile)
    }

    func reconcile(_ key: ObjectKey) async throws -> Duration? {
        let owner: JSONValue
        do {
            owner = try await store.get(resource, namespace: key.namespace, name: key.name)
        } catch where StoreErrors.isNotFound(error) {
            return nil
        }
        guard !owner.isDeleting, let uid = owner.uid else { return nil }
        var log = logger
        log[metadataKey: "kind"] = "\(kind)"
        log[metadataKey: "namespace"] = "\(key.namespace ?? "")"
        log[metadataKey: "name"] = "\(key.name)"
        let pods = try await store.list(WorkloadResource.pods, namespace: key.namespace, labelSelector: podSelector(uid))
            .items.filter { $0.controllerUID(kind: kind) == uid }
        let decision = plan(owner, pods)
        for pod in decision.podsToDelete {
            do {
                try await store.delete(WorkloadResource.pods, namespace: key.namespace, name: pod, options: deleteOptions)
                log.info("deleted pod", metadata: ["pod": "\(pod)"])
            } catch where StoreErrors.isNotFound(error) {}
        }
        for _ in 0..<decision.podsToCreate {
            try await createPod(decision, namespace: key.namespace, log: log)
        }
        if decision.status != (owner["status"] ?? .emptyObject) {
            var updated = owner
            updated["status"] = decision.status
            _ = try await store.updateStatus(resource, namespace: key.namespace, updated)
        }
        return decision.requeueAfter
    }

    /// Creates one pod; a name already taken (409) is retried with another suffix.
    private func createPod(_ decision: PodOwnerPlan, namespace: String?, log: Logger) async throws {
        for attempt in 0..<3 {
            guard let pod = decision.newPod(NameSuffix.random()) else { return }
            do {
                let created = try await store.create(WorkloadResource.pods, namespace: namespace, pod)
                log.info("created pod", metadata: ["pod": "\(created.name ?? "")"])
                return
            } catch where StoreErrors.isConflict(error) && attempt < 2 {
                continue
            }
        }
    }
}

/// Pods that controllers create from their owner's pod template.
enum OwnedPod {
    /// A pod of `owner`'s `spec.template`, named `<generateName><suffix>`, with the template's
    /// labels and annotations plus `labels`/`annotations` (template values win for annotations),
    /// and a controller ownerReference (`blockOwnerDeletion: true`). The store applies the pod
    /// defaults at creation. Nil when the owner has no name, uid or template.
    static func make(owner: JSONValue, apiVersion: String, kind: String, generateName: String, suffix: String,
                     labels extraLabels: [String: JSONValue], annotations extraAnnotations: [String: JSONValue] = [:]) -> JSONValue? {
        guard let name = owner.name, let uid = owner.uid, let template = owner[path: ["spec", "template"]] else { return nil }
        let labels = (template[path: ["metadata", "labels"]]?.objectValue ?? [:]).merging(extraLabels) { _, extra in extra }
        let annotations = extraAnnotations.merging(template[path: ["metadata", "annotations"]]?.objectValue ?? [:]) { _, own in own }
        var metadata: JSONValue = [
            "name": .string(generateName + suffix),
            "generateName": .string(generateName),
            "labels": .object(labels),
            "ownerReferences": [[
                "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid),
                "controller": true, "blockOwnerDeletion": true,
            ]],
        ]
        if let ns = owner.namespace { metadata["namespace"] = .string(ns) }
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template["spec"] ?? .emptyObject]
    }
}
