import Foundation
import KubeCore

/// What the kubelet emulation takes over from a pod that was running when `sextant dev` stopped.
///
/// Simulated containers have no process: their schedule is their start time plus the script's
/// `seconds`, so after a restart they resume and end when they would have ended. Local-executor
/// processes ended with the server; such a pod is failed with `lostReason`.
enum PodResume {
    /// The container reason of a local-executor container whose process ended with the server.
    static let lostReason = "DevClusterRestarted"
    static let lostMessage = "the container's host process ended when sextant dev stopped while it was running (local executor); it is not restarted"

    /// The container runs recorded in the pod's status, in the order of `spec.containers`
    /// (containers without a status are not created yet).
    static func runs(pod: JSONValue) -> [ContainerRun] {
        let statuses = pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []
        return (pod[path: ["spec", "containers"]]?.arrayValue ?? []).map { container in
            let name = container["name"]?.stringValue ?? ""
            var run = ContainerRun.creating(name: name, image: container["image"]?.stringValue ?? "")
            guard let status = statuses.first(where: { $0["name"]?.stringValue == name }) else { return run }
            run.ready = status["ready"]?.boolValue ?? false
            run.restartCount = Int(status["restartCount"]?.intValue ?? 0)
            run.lastTermination = status[path: ["lastState", "terminated"]].flatMap(termination)
            if let started = status[path: ["state", "running", "startedAt"]]?.stringValue.flatMap(KubeTime.parse) {
                run.state = .running(startedAt: started)
            } else if let terminated = status[path: ["state", "terminated"]].flatMap(termination) {
                run.state = .terminated(terminated)
            } else if let reason = status[path: ["state", "waiting", "reason"]]?.stringValue {
                run.state = .waiting(reason: reason, message: status[path: ["state", "waiting", "message"]]?.stringValue)
            }
            return run
        }
    }

    static func termination(_ t: JSONValue) -> ContainerTermination? {
        guard let code = t["exitCode"]?.intValue else { return nil }
        let started = t["startedAt"]?.stringValue.flatMap(KubeTime.parse) ?? Date(timeIntervalSince1970: 0)
        return ContainerTermination(
            exitCode: Int32(clamping: code), signal: t["signal"]?.intValue.map { Int32(clamping: $0) },
            reason: t["reason"]?.stringValue ?? "", message: t["message"]?.stringValue,
            startedAt: started, finishedAt: t["finishedAt"]?.stringValue.flatMap(KubeTime.parse) ?? started)
    }

    /// The pod's `status.startTime`.
    static func startTime(pod: JSONValue) -> Date? {
        pod[path: ["status", "startTime"]]?.stringValue.flatMap(KubeTime.parse)
    }

    /// The start of a resumed container: the precise time the kubelet recorded (on the
    /// container's log) when it is within the second the status shows, else the status' time.
    static func preciseStart(recorded: Date?, status: Date) -> Date {
        guard let recorded else { return status }
        return abs(recorded.timeIntervalSince(status)) < 1 ? recorded : status
    }

    /// Seconds of `activeDeadlineSeconds` left for a pod started at `startTime`.
    static func remainingDeadline(_ deadline: Int64, startTime: Date, now: Date) -> Double {
        max(0, Double(deadline) - now.timeIntervalSince(startTime))
    }

    /// The status of a local-executor pod whose running containers were lost with the server:
    /// each running container terminated (137, `lostReason`), the pod Failed.
    static func lostStatus(pod: JSONValue, now: Date) -> JSONValue {
        var status = pod["status"] ?? .emptyObject
        let statuses = (status["containerStatuses"]?.arrayValue ?? []).map { container -> JSONValue in
            guard let running = container[path: ["state", "running"]] else { return container }
            var s = container
            s["state"] = ["terminated": [
                "exitCode": 137, "reason": .string(lostReason), "message": .string(lostMessage),
                "startedAt": running["startedAt"] ?? .string(KubeTime.format(now)), "finishedAt": .string(KubeTime.format(now)),
                "containerID": "sextant-dev://terminated",
            ]]
            s["ready"] = false
            s["started"] = false
            return s
        }
        status["containerStatuses"] = .array(statuses)
        status["phase"] = .string(PodPhase.failed)
        status["reason"] = .string(lostReason)
        status["message"] = .string(lostMessage)
        return status
    }
}
