import Foundation
import KubeCore

/// How a container ended.
struct ContainerTermination: Sendable, Equatable {
    var exitCode: Int32
    var signal: Int32?
    /// `Completed`, `Error`, `DeadlineExceeded`, `StartError`, ...
    var reason: String
    var message: String?
    var startedAt: Date
    var finishedAt: Date
}

/// The kubelet's view of one container.
struct ContainerRun: Sendable, Equatable {
    enum State: Sendable, Equatable {
        case waiting(reason: String, message: String?)
        case running(startedAt: Date)
        case terminated(ContainerTermination)
    }

    var name: String
    var image: String
    var state: State
    var ready: Bool = false
    var restartCount: Int = 0
    var lastTermination: ContainerTermination?

    /// A container not created yet.
    static func creating(name: String, image: String) -> ContainerRun {
        ContainerRun(name: name, image: image, state: .waiting(reason: "ContainerCreating", message: nil))
    }

    var isTerminated: Bool {
        if case .terminated = state { return true }
        return false
    }
}

/// Pod status computation (phase, conditions, containerStatuses), without I/O.
enum PodStatusLogic {
    static let hostIP = "127.0.0.1"

    /// The pod phase for the containers' states under the pod's restart policy.
    static func phase(containers: [ContainerRun], restartPolicy: String, podFailureReason: String?) -> String {
        if podFailureReason != nil { return PodPhase.failed }
        let started = containers.contains { c in
            if case .waiting = c.state { return c.restartCount > 0 }
            return true
        }
        if !started { return PodPhase.pending }
        let terminations = containers.compactMap { c -> ContainerTermination? in
            if case .terminated(let t) = c.state { return t }
            return nil
        }
        guard terminations.count == containers.count, restartPolicy != "Always" else { return PodPhase.running }
        if terminations.allSatisfy({ $0.exitCode == 0 }) { return PodPhase.succeeded }
        return restartPolicy == "OnFailure" ? PodPhase.running : PodPhase.failed
    }

    /// The pod's whole `status` for the given container states. Conditions keep their
    /// `lastTransitionTime` from `previous` while their status does not change.
    static func status(
        previous: JSONValue?, containers: [ContainerRun], restartPolicy: String, startTime: Date,
        podIP: String, podFailure: (reason: String, message: String)?, now: Date
    ) -> JSONValue {
        let phase = phase(containers: containers, restartPolicy: restartPolicy, podFailureReason: podFailure?.reason)
        let terminal = phase == PodPhase.succeeded || phase == PodPhase.failed
        let allReady = !terminal && containers.allSatisfy(\.ready)
        let unready = containers.filter { !$0.ready }.map(\.name)
        let notReadyReason = terminal ? "PodCompleted" : "ContainersNotReady"
        let notReadyMessage: String? = terminal ? nil : "containers with unready status: [\(unready.joined(separator: " "))]"
        var conditions = previous?["conditions"]?.arrayValue ?? []
        setCondition(&conditions, type: "PodReadyToStartContainers", status: true, reason: nil, message: nil, now: now)
        setCondition(&conditions, type: "Initialized", status: true, reason: nil, message: nil, now: now)
        setCondition(&conditions, type: "Ready", status: allReady, reason: allReady ? nil : notReadyReason, message: allReady ? nil : notReadyMessage, now: now)
        setCondition(&conditions, type: "ContainersReady", status: allReady, reason: allReady ? nil : notReadyReason, message: allReady ? nil : notReadyMessage, now: now)
        setCondition(&conditions, type: "PodScheduled", status: true, reason: nil, message: nil, now: now)

        var status: JSONValue = [
            "phase": .string(phase),
            "conditions": .array(conditions),
            "hostIP": .string(hostIP),
            "hostIPs": [["ip": .string(hostIP)]],
            "podIP": .string(podIP),
            "podIPs": [["ip": .string(podIP)]],
            "startTime": .string(KubeTime.format(startTime)),
            "qosClass": "BestEffort",
            "containerStatuses": .array(containers.map(containerStatus)),
        ]
        if let podFailure {
            status["reason"] = .string(podFailure.reason)
            status["message"] = .string(podFailure.message)
        }
        return status
    }

    static func containerStatus(_ c: ContainerRun) -> JSONValue {
        var out: JSONValue = [
            "name": .string(c.name),
            "image": .string(c.image),
            "imageID": .string(c.image.isEmpty ? "" : "sextant-dev://\(c.image)"),
            "ready": .bool(c.ready),
            "restartCount": .int(Int64(c.restartCount)),
            "started": .bool({ if case .running = c.state { return true } else { return false } }()),
            "lastState": c.lastTermination.map { ["terminated": terminated($0)] } ?? .emptyObject,
        ]
        switch c.state {
        case .waiting(let reason, let message):
            var waiting: JSONValue = ["reason": .string(reason)]
            if let message { waiting["message"] = .string(message) }
            out["state"] = ["waiting": waiting]
        case .running(let startedAt):
            out["state"] = ["running": ["startedAt": .string(KubeTime.format(startedAt))]]
            out["containerID"] = .string("sextant-dev://\(c.name)")
        case .terminated(let t):
            out["state"] = ["terminated": terminated(t)]
            out["containerID"] = .string("sextant-dev://\(c.name)")
        }
        return out
    }

    static func terminated(_ t: ContainerTermination) -> JSONValue {
        var out: JSONValue = [
            "exitCode": .int(Int64(t.exitCode)),
            "reason": .string(t.reason),
            "startedAt": .string(KubeTime.format(t.startedAt)),
            "finishedAt": .string(KubeTime.format(t.finishedAt)),
            "containerID": "sextant-dev://terminated",
        ]
        if let signal = t.signal { out["signal"] = .int(Int64(signal)) }
        if let message = t.message, !message.isEmpty { out["message"] = .string(message) }
        return out
    }

    /// Sets a pod condition (PodCondition shape: lastProbeTime null, reason/message omitted when empty).
    static func setCondition(_ conditions: inout [JSONValue], type: String, status: Bool, reason: String?, message: String?, now: Date) {
        let value = status ? "True" : "False"
        var condition: JSONValue = ["type": .string(type), "status": .string(value), "lastProbeTime": .null]
        if let reason { condition["reason"] = .string(reason) }
        if let message { condition["message"] = .string(message) }
        if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
            let old = conditions[index]
            let unchanged = old["status"]?.stringValue == value
            condition["lastTransitionTime"] = unchanged ? (old["lastTransitionTime"] ?? .string(KubeTime.format(now))) : .string(KubeTime.format(now))
            conditions[index] = condition
        } else {
            condition["lastTransitionTime"] = .string(KubeTime.format(now))
            conditions.append(condition)
        }
    }

    /// The `reason` of a terminated container.
    static func terminationReason(exitCode: Int32, deadlineExceeded: Bool) -> String {
        if deadlineExceeded { return "DeadlineExceeded" }
        return exitCode == 0 ? "Completed" : "Error"
    }

    /// Kubernetes' limits on termination messages.
    static let messageFileLimit = 4096
    static let fallbackLogBytes = 2048
    static let fallbackLogLines = 80

    /// The termination message: the message file's content (at most 4096 bytes), or with
    /// `FallbackToLogsOnError` the log's tail (80 lines / 2048 bytes) when the file is empty
    /// and the container failed.
    static func terminationMessage(file: Data?, log: Data?, policy: String?, exitCode: Int32) -> String? {
        if let file, !file.isEmpty {
            return String(decoding: file.prefix(messageFileLimit), as: UTF8.self)
        }
        guard policy == "FallbackToLogsOnError", exitCode != 0, let log, !log.isEmpty else { return nil }
        return logTail(log, lines: fallbackLogLines, bytes: fallbackLogBytes)
    }

    /// The last `lines` lines of a log, at most `bytes` bytes (cut at the front).
    static func logTail(_ log: Data, lines: Int, bytes: Int) -> String {
        var text = Substring(String(decoding: log, as: UTF8.self))
        if text.hasSuffix("\n") { text = text.dropLast() }
        let split = text.split(separator: "\n", omittingEmptySubsequences: false)
        var tail = split.suffix(lines).joined(separator: "\n")
        let utf8 = Array(tail.utf8)
        if utf8.count > bytes { tail = String(decoding: utf8.suffix(bytes), as: UTF8.self) }
        return tail
    }
}
