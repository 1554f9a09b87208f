import Foundation
import KubeCore
import Logging

/// The emulated Deployment controller (pods owned directly by the Deployment; see DeploymentLogic).
struct DeploymentController: Sendable {
    let store: any ObjectStore
    let options: WorkloadControllers.Options
    let logger: Logger

    var loop: ControllerLoop {
        ControllerLoop(
            name: "deployment", store: store,
            sources: [.primary(WorkloadResource.deployments), .owned(WorkloadResource.pods, ownerKind: "Deployment")],
            logger: logger, reconcile: reconcile)
    }

    func reconcile(_ key: ObjectKey) async throws -> Duration? {
        var deployment: JSONValue
        do {
            deployment = try await store.get(WorkloadResource.deployments, namespace: key.namespace, name: key.name)
        } catch where StoreErrors.isNotFound(error) {
            return nil
        }
        if deployment.isDeleting { return nil }
        var defaulted = deployment
        DeploymentDefaults.apply(to: &defaulted)
        if defaulted["spec"] != deployment["spec"] {
            deployment = try await store.update(WorkloadResource.deployments, namespace: key.namespace, defaulted)
        }
        guard let uid = deployment.uid else { return nil }
        var log = logger
        log[metadataKey: "kind"] = "Deployment"
        log[metadataKey: "namespace"] = "\(key.namespace ?? "")"
        log[metadataKey: "name"] = "\(key.name)"
        let pods = try await store.list(WorkloadResource.pods, namespace: key.namespace, labelSelector: nil)
            .items.filter { $0.controllerUID(kind: "Deployment") == uid }
        let plan = DeploymentLogic.desiredPlan(for: deployment, pods: pods, now: options.now())
        if deployment[path: ["spec", "paused"]]?.boolValue != true {
            for name in plan.podsToDelete {
                do {
                    try await store.delete(WorkloadResource.pods, namespace: key.namespace, name: name, options: DeleteOptions())
                    log.info("deleted pod", metadata: ["pod": "\(name)"])
                } catch where StoreErrors.isNotFound(error) {}
            }
            for _ in 0..<plan.podsToCreate {
                guard let pod = DeploymentLogic.pod(for: deployment, hash: plan.templateHash, suffix: NameSuffix.random()) else { break }
                let created = try await store.create(WorkloadResource.pods, namespace: key.namespace, pod)
                log.info("created pod", metadata: ["pod": "\(created.name ?? "")"])
            }
        }
        if plan.status != (deployment["status"] ?? .emptyObject) {
            var updated = deployment
            updated["status"] = plan.status
            _ = try await store.updateStatus(WorkloadResource.deployments, namespace: key.namespace, updated)
        }
        // Look again for the progress deadline while a rollout is under way.
        let progressing = (plan.status["conditions"]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Progressing" && $0["reason"]?.stringValue == "ReplicaSetUpdated"
        }
        return progressing ? .seconds(5) : nil
    }
}
