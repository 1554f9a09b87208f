import Foundation
import KubeCore
import Logging

extension PodOwnerController {
    /// The emulated Job controller: pods up to `parallelism` per Job, status and conditions as
    /// kube-controller-manager writes them (decisions in `JobLogic`).
    static func jobs(store: any ObjectStore, now: @escaping @Sendable () -> Date, logger: Logger) -> PodOwnerController {
        PodOwnerController(
            name: "job", kind: "Job", resource: WorkloadResource.jobs, store: store, logger: logger,
            podSelector: { "\(JobDefaults.controllerUIDLabel)=\($0)" },
            deleteOptions: DeleteOptions(propagationPolicy: PropagationPolicy.background)
        ) { job, pods in
            let plan = JobLogic.desiredPlan(for: job, pods: pods, now: now())
            return PodOwnerPlan(
                status: plan.status, podsToCreate: plan.podsToCreate, newPod: { JobLogic.pod(for: job, suffix: $0) },
                podsToDelete: plan.podsToDelete, requeueAfter: plan.requeueAfter)
        }
    }
}
