import Foundation
import KubeCore
import Logging

/// The emulated Job controller: one pod at a time per Job (up to `parallelism`), status and
/// conditions as kube-controller-manager writes them.
struct JobController: Sendable {
    let store: any ObjectStore
    let options: WorkloadControllers.Options
    let logger: Logger

    var loop: ControllerLoop {
        ControllerLoop(
            name: "job", store: store,
            sources: [.primary(WorkloadResource.jobs), .owned(WorkloadResource.pods, ownerKind: "Job")],
            logger: logger, reconcile: reconcile)
    }

    func reconcile(_ key: ObjectKey) async throws -> Duration? {
        var job: JSONValue
        do {
            job = try await store.get(WorkloadResource.jobs, namespace: key.namespace, name: key.name)
        } catch where StoreErrors.isNotFound(error) {
            return nil
        }
        if job.isDeleting { return nil }
        var defaulted = job
        JobDefaults.apply(to: &defaulted)
        if defaulted["spec"] != job["spec"] {
            job = try await store.update(WorkloadResource.jobs, namespace: key.namespace, defaulted)
        }
        guard let uid = job.uid else { return nil }
        let pods = try await store.list(
            WorkloadResource.pods, namespace: key.namespace,
            labelSelector: "\(JobDefaults.controllerUIDLabel)=\(uid)"
        ).items.filter { $0.controllerUID(kind: "Job") == uid }
        let plan = JobLogic.desiredPlan(for: job, pods: pods, now: options.now())
        var log = logger
        log[metadataKey: "kind"] = "Job"
        log[metadataKey: "namespace"] = "\(key.namespace ?? "")"
        log[metadataKey: "name"] = "\(key.name)"
        for name in plan.podsToDelete {
            do {
                try await store.delete(WorkloadResource.pods, namespace: key.namespace, name: name, options: DeleteOptions(propagationPolicy: PropagationPolicy.background))
                log.info("deleted pod", metadata: ["pod": "\(name)"])
            } catch where StoreErrors.isNotFound(error) {}
        }
        for _ in 0..<plan.podsToCreate {
            try await createPod(for: job, log: log)
        }
        if plan.status != (job["status"] ?? .emptyObject) {
            var updated = job
            updated["status"] = plan.status
            _ = try await store.updateStatus(WorkloadResource.jobs, namespace: key.namespace, updated)
        }
        return plan.requeueAfter
    }

    private func createPod(for job: JSONValue, log: Logger) async throws {
        for attempt in 0..<3 {
            guard let pod = JobLogic.pod(for: job, suffix: NameSuffix.random()) else { return }
            do {
                let created = try await store.create(WorkloadResource.pods, namespace: job.namespace, pod)
                log.info("created pod", metadata: ["pod": "\(created.name ?? "")"])
                return
            } catch where StoreErrors.isConflict(error) && attempt < 2 {
                continue  // name taken: another suffix
            }
        }
    }
}
