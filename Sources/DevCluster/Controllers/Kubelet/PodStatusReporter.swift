import Foundation
import KubeCore
import Logging

/// Owns the container states of one running pod and writes the pod's `status` after every
/// change (read-modify-write; a 409 re-reads, a 404 means the pod is gone).
actor PodStatusReporter {
    private let store: any ObjectStore
    private let key: ObjectKey
    private let uid: String
    private let restartPolicy: String
    private let startTime: Date
    private let podIP: String
    private let now: @Sendable () -> Date
    private let logger: Logger
    private(set) var runs: [ContainerRun]
    private var podFailure: (reason: String, message: String)?
    private(set) var gone = false

    init(store: any ObjectStore, key: ObjectKey, uid: String, restartPolicy: String, runs: [ContainerRun], podIP: String, startTime: Date,
         now: @escaping @Sendable () -> Date, logger: Logger) {
        self.store = store
        self.key = key
        self.uid = uid
        self.restartPolicy = restartPolicy
        self.runs = runs
        self.podIP = podIP
        self.now = now
        self.startTime = startTime
        self.logger = logger
    }

    /// Changes one container's state and writes the status.
    func update(_ index: Int, _ change: @Sendable (inout ContainerRun) -> Void) async {
        guard runs.indices.contains(index) else { return }
        change(&runs[index])
        await write()
    }

    /// Marks the whole pod failed (e.g. DeadlineExceeded) and writes the status.
    func fail(reason: String, message: String) async {
        podFailure = (reason, message)
        await write()
    }

    /// Writes the current state to the pod's status.
    func write() async {
        for _ in 0..<10 where !gone {
            do {
                var pod = try await store.get(WorkloadResource.pods, namespace: key.namespace, name: key.name)
                guard pod.uid == uid else { gone = true; return }
                pod["status"] = PodStatusLogic.status(
                    previous: pod["status"], containers: runs, restartPolicy: restartPolicy,
                    startTime: startTime, podIP: podIP, podFailure: podFailure, now: now())
                _ = try await store.updateStatus(WorkloadResource.pods, namespace: key.namespace, pod)
                return
            } catch {
                if StoreErrors.isNotFound(error) { gone = true; return }
                if StoreErrors.isConflict(error) { continue }
                logger.warning("cannot write pod status", metadata: ["namespace": "\(key.namespace ?? "")", "name": "\(key.name)", "error": "\(error)"])
                return
            }
        }
    }
}
