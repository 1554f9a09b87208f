import Foundation
import KubeCore
import Logging

/// What the kubelet parts share.
struct KubeletContext: Sendable {
    static let nodeName = "sextant-dev"

    var store: any ObjectStore
    var executor: WorkloadExecutor
    var files: PodFiles
    var options: WorkloadControllers.Options
    var logger: Logger
}

/// The emulated kubelet: one node running every pod. Watches pods; starts a `PodRunner` (a
/// child task of its task group) for each pod that has not run yet, stops it when the pod is
/// deleted, and on shutdown stops all of them, waiting until every host process is gone.
struct Kubelet: Sendable {
    let context: KubeletContext
    let registry: PodRegistry

    private struct Start: Sendable {
        var key: ObjectKey
        var pod: JSONValue
        var handle: PodHandle
        /// The pod was running when `sextant dev` stopped: its simulated containers resume.
        var resume = false
    }

    func run() async {
        let (starts, startContinuation) = AsyncStream.makeStream(of: Start.self)
        let loop = ControllerLoop(name: "kubelet", store: context.store, sources: [.primary(WorkloadResource.pods)], logger: context.logger) { key in
            try await reconcile(key) { startContinuation.yield($0) }
        }
        await withDiscardingTaskGroup { group in
            group.addTask {
                await loop.run()
                startContinuation.finish()
            }
            for await start in starts {
                group.addTask { await runPod(start) }
            }
            group.cancelAll()
        }
    }

    private func runPod(_ start: Start) async {
        let shutdownGrace = context.options.shutdownGracePeriod
        await withTaskCancellationHandler {
            await PodRunner(context: context, pod: start.pod, key: start.key, handle: start.handle, resume: start.resume).run()
        } onCancel: {
            start.handle.requestStop(.shutdown, grace: shutdownGrace)
        }
        registry.remove(start.key, start.handle)
    }

    private func reconcile(_ key: ObjectKey, start: (Start) -> Void) async throws -> Duration? {
        let pod: JSONValue
        do {
            pod = try await context.store.get(WorkloadResource.pods, namespace: key.namespace, name: key.name)
        } catch where StoreErrors.isNotFound(error) {
            if let handle = registry.handle(key) {
                // Removed while running (a forced delete): immediate cleanup, with the kubelet's
                // minimum grace period of 1 s. (After a graceful delete the stop is already under way.)
                handle.requestStop(.deleted, grace: .seconds(1))
            } else {
                context.files.remove(namespace: key.namespace, pod: key.name)
            }
            return nil
        }
        guard let uid = pod.uid else { return nil }
        let running = registry.handle(key)
        if let running, running.uid != uid {
            // An older pod of the same name is still stopping; look again when it is gone.
            running.requestStop(.deleted, grace: running.grace)
            return .milliseconds(200)
        }
        if pod.isDeleting {
            if let running {
                let seconds = pod[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue
                running.requestStop(.deleted, grace: seconds.map { .seconds(max(1, $0)) } ?? running.grace)
            } else if pod.finalizers.isEmpty {
                _ = try? await context.store.delete(WorkloadResource.pods, namespace: key.namespace, name: key.name, options: DeleteOptions(gracePeriodSeconds: 0))
                context.files.remove(namespace: key.namespace, pod: key.name)
            }
            return nil
        }
        if running != nil || PodPhase.isTerminal(pod) { return nil }
        let restartPolicy = pod[path: ["spec", "restartPolicy"]]?.stringValue ?? "Always"
        let wasRunning = PodPhase.of(pod) == PodPhase.running && restartPolicy != "Always"
        if wasRunning, context.executor == .local {
            // It was running when `sextant dev` stopped: its host process ended with the server.
            var updated = pod
            updated["status"] = PodResume.lostStatus(pod: pod, now: context.options.now())
            _ = try await context.store.updateStatus(WorkloadResource.pods, namespace: pod.namespace, updated)
            return nil
        }
        let grace = pod[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 30
        guard let handle = registry.register(key, uid: uid, grace: .seconds(grace)) else { return .milliseconds(200) }
        // Simulated containers have no process to lose: they keep their schedule.
        start(Start(key: key, pod: pod, handle: handle, resume: wasRunning))
        return nil
    }
}
