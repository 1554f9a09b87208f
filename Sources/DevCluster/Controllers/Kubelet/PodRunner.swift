import Foundation
import KubeCore
import Logging

/// Runs one pod from start to end: Pending → Running → Succeeded/Failed (or until stopped),
/// one child task per container, restarting containers as the restart policy says.
struct PodRunner: Sendable {
    let context: KubeletContext
    let pod: JSONValue
    let key: ObjectKey
    let handle: PodHandle
    /// Take over the containers' states from the pod's status (it was running when `sextant dev` stopped).
    var resume = false

    private var spec: JSONValue { pod["spec"] ?? .emptyObject }
    private var restartPolicy: String { spec["restartPolicy"]?.stringValue ?? "Always" }
    private var containers: [JSONValue] { spec["containers"]?.arrayValue ?? [] }
    private var logger: Logger {
        var l = context.logger
        l[metadataKey: "kind"] = "Pod"
        l[metadataKey: "namespace"] = "\(key.namespace ?? "")"
        l[metadataKey: "name"] = "\(key.name)"
        return l
    }

    func run() async {
        let runs = resume ? PodResume.runs(pod: pod)
            : containers.map { ContainerRun.creating(name: $0["name"]?.stringValue ?? "", image: $0["image"]?.stringValue ?? "") }
        let startTime = resume ? PodResume.startTime(pod: pod) ?? context.options.now() : context.options.now()
        let reporter = PodStatusReporter(
            store: context.store, key: key, uid: handle.uid, restartPolicy: restartPolicy, runs: runs,
            podIP: PodStatusLogic.hostIP, startTime: startTime, now: context.options.now, logger: logger)
        if !resume {
            await reporter.write()
            context.files.prepare(namespace: key.namespace, pod: key.name)
        }
        var port: Int?
        if context.executor == .local, restartPolicy == "Always", let free = HostNetwork.freePort() {
            port = free
        }
        await bind(hostPort: port)
        logger.info(resume ? "pod resumed" : "pod started", metadata: ["executor": "\(context.executor.rawValue)"])
        let hostPort = port
        let deadline = spec["activeDeadlineSeconds"]?.intValue.map { PodResume.remainingDeadline($0, startTime: startTime, now: context.options.now()) }
        let grace = handle.grace
        await withDiscardingTaskGroup { outer in
            if let deadline {
                outer.addTask {
                    do { try await Task.sleep(for: .seconds(deadline)) } catch { return }
                    handle.requestStop(.deadline, grace: grace)
                }
            }
            await withDiscardingTaskGroup { inner in
                for (index, container) in containers.enumerated() {
                    let initial = runs.indices.contains(index) && resume ? runs[index] : nil
                    inner.addTask {
                        await ContainerRunner(context: context, pod: pod, key: key, handle: handle, index: index, container: container, port: hostPort,
                                              reporter: reporter, resumed: initial).run()
                    }
                }
            }
            outer.cancelAll()
        }
        switch handle.stopReason {
        case .deadline:
            await reporter.fail(reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline")
        case .deleted:
            await finishDeletion()
        case .shutdown, nil:
            break
        }
        logger.info("pod ended", metadata: ["stop": "\(handle.stopReason.map { "\($0)" } ?? "none")"])
    }

    /// Binds the pod to the node (`spec.nodeName`) and records the host port of a serving pod.
    private func bind(hostPort: Int?) async {
        for _ in 0..<10 {
            do {
                var current = try await context.store.get(WorkloadResource.pods, namespace: key.namespace, name: key.name)
                guard current.uid == handle.uid else { return }
                let before = current
                if current[path: ["spec", "nodeName"]] == nil { current[path: ["spec", "nodeName"]] = .string(KubeletContext.nodeName) }
                if let hostPort {
                    current[path: ["metadata", "annotations", WorkloadAnnotations.hostPort]] = .string(String(hostPort))
                }
                if current == before { return }
                _ = try await context.store.update(WorkloadResource.pods, namespace: key.namespace, current)
                return
            } catch {
                if StoreErrors.isConflict(error) { continue }
                return
            }
        }
    }

    /// After the containers of a gracefully deleted pod stopped: remove it for good and its files.
    private func finishDeletion() async {
        if let current = try? await context.store.get(WorkloadResource.pods, namespace: key.namespace, name: key.name),
            current.uid == handle.uid, current.isDeleting
        {
            _ = try? await context.store.delete(WorkloadResource.pods, namespace: key.namespace, name: key.name, options: DeleteOptions(gracePeriodSeconds: 0))
        }
        context.files.remove(namespace: key.namespace, pod: key.name)
    }
}

/// Annotation keys the dev cluster writes.
public enum WorkloadAnnotations {
    /// On pods of the local executor: the host TCP port passed as `PORT`.
    public static let hostPort = "dev.sextant.dev/host-port"
    /// On Services with the local executor: `127.0.0.1:<port>` of the Service's host listener, which
    /// spreads connections over the ready backing pods (set while at least one is ready).
    public static let hostEndpoint = "dev.sextant.dev/host-endpoint"
    /// On Jobs or pod templates: `{"exitCode":N,"seconds":S,"message":"..."}` for the simulate executor.
    public static let simulate = "dev.sextant.dev/simulate"
}
