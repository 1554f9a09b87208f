import Foundation
import KubeCore
import Logging

extension PodOwnerController {
    /// The emulated Deployment controller (pods owned directly by the Deployment; decisions in
    /// `DeploymentLogic`). `spec.paused` stops pod changes; status is still written.
    static func deployments(store: any ObjectStore, now: @escaping @Sendable () -> Date, logger: Logger) -> PodOwnerController {
        PodOwnerController(name: "deployment", kind: "Deployment", resource: WorkloadResource.deployments, store: store, logger: logger) { deployment, pods in
            let plan = DeploymentLogic.desiredPlan(for: deployment, pods: pods, now: now())
            let paused = deployment[path: ["spec", "paused"]]?.boolValue == true
            // Look again for the progress deadline while a rollout is under way.
            let progressing = (plan.status["conditions"]?.arrayValue ?? []).contains {
                $0["type"]?.stringValue == "Progressing" && $0["reason"]?.stringValue == "ReplicaSetUpdated"
            }
            return PodOwnerPlan(
                status: plan.status, podsToCreate: paused ? 0 : plan.podsToCreate,
                newPod: { DeploymentLogic.pod(for: deployment, hash: plan.templateHash, suffix: $0) },
                podsToDelete: paused ? [] : plan.podsToDelete, requeueAfter: progressing ? .seconds(5) : nil)
        }
    }
}
