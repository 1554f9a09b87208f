import Foundation
import KubeCore

/// What the Deployment controller should do: pure function of the Deployment, its pods and the time.
struct DeploymentPlan: Sendable, Equatable {
    var status: JSONValue
    var podsToCreate: Int
    var podsToDelete: [String]
    /// The template hash new pods carry.
    var templateHash: String
}

/// The Deployment controller's rollout logic, without I/O. Pods are owned by the Deployment
/// directly (no ReplicaSets); each template revision is told apart by `pod-template-hash`.
enum DeploymentLogic {
    /// A stable hash of the pod template (FNV-1a over its canonical JSON), in the apiserver's
    /// name-safe alphabet.
    static func templateHash(_ template: JSONValue) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in template.jsonString.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var out = ""
        var value = hash
        repeat {
            out.append(alphabet[Int(value % UInt32(alphabet.count))])
            value /= UInt32(alphabet.count)
        } while value > 0
        return out
    }

    static func desiredPlan(for deployment: JSONValue, pods: [JSONValue], now: Date) -> DeploymentPlan {
        let spec = deployment["spec"] ?? .emptyObject
        let name = deployment.name ?? ""
        let replicas = Int(spec["replicas"]?.intValue ?? 1)
        let hash = templateHash(spec["template"] ?? .emptyObject)
        let live = pods.filter { !$0.isDeleting }
        let finished = live.filter(PodPhase.isTerminal)
        let current = live.filter { !PodPhase.isTerminal($0) }
        let isNew = { (pod: JSONValue) in pod.labels[DeploymentDefaults.templateHashLabel] == hash }
        let newPods = current.filter(isNew)
        let oldPods = current.filter { !isNew($0) }
        let isReady = { (pod: JSONValue) in pod.hasTrueCondition("Ready") }
        // Prefer deleting pods that are not ready, then the newest.
        let byDeletionPreference = { (pods: [JSONValue]) in
            pods.sorted { a, b in
                if isReady(a) != isReady(b) { return !isReady(a) }
                return (a[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "") > (b[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "")
            }.compactMap(\.name)
        }
        let strategy = spec[path: ["strategy", "type"]]?.stringValue ?? "RollingUpdate"
        let rolling = spec[path: ["strategy", "rollingUpdate"]]
        var maxSurge = DeploymentDefaults.resolve(rolling?["maxSurge"], total: replicas, roundUp: true, default: 1)
        var maxUnavailable = DeploymentDefaults.resolve(rolling?["maxUnavailable"], total: replicas, roundUp: false, default: 0)
        if strategy == "Recreate" { maxSurge = 0; maxUnavailable = replicas }
        if maxSurge == 0, maxUnavailable == 0 { maxUnavailable = 1 }

        var delete = finished.compactMap(\.name)
        var create = 0
        if strategy == "Recreate" {
            if !oldPods.isEmpty {
                delete += oldPods.compactMap(\.name)
            } else {
                create = max(0, replicas - newPods.count)
            }
        } else {
            if newPods.count < replicas {
                let room = replicas + maxSurge - current.count
                create = max(0, min(replicas - newPods.count, room))
            }
            let readyCount = current.filter(isReady).count
            var removable = max(0, readyCount - (replicas - maxUnavailable))
            for pod in oldPods where !isReady(pod) { delete += [pod.name].compactMap { $0 } }
            for pod in oldPods.filter(isReady) where removable > 0 {
                if let n = pod.name { delete.append(n); removable -= 1 }
            }
        }
        if newPods.count > replicas {
            delete += byDeletionPreference(newPods).prefix(newPods.count - replicas)
        }

        let available = current.filter(isReady).count
        let updated = newPods.count
        let total = current.count
        let complete = updated == replicas && available >= replicas && oldPods.isEmpty && total == replicas
        let previous = deployment["status"] ?? .emptyObject
        var status: JSONValue = .emptyObject
        status["observedGeneration"] = deployment[path: ["metadata", "generation"]] ?? 1
        func count(_ key: String, _ n: Int) { status[key] = .countOrOmitted(n) }
        count("replicas", total)
        count("updatedReplicas", updated)
        count("readyReplicas", available)
        count("availableReplicas", available)
        count("unavailableReplicas", max(0, total - available, replicas - available))
        let progressed = ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"].contains { previous[$0] != status[$0] }
        var conditions = previous["conditions"]?.arrayValue ?? []
        let minAvailable = max(0, replicas - maxUnavailable)
        if available >= minAvailable {
            setCondition(&conditions, "Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.", now: now, touch: false)
        } else {
            setCondition(&conditions, "Available", false, "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now: now, touch: false)
        }
        let rsName = "\(name)-\(hash)"
        if complete {
            setCondition(&conditions, "Progressing", true, "NewReplicaSetAvailable", "ReplicaSet \"\(rsName)\" has successfully progressed.", now: now, touch: progressed)
        } else {
            let last = conditions.first { $0["type"]?.stringValue == "Progressing" }?["lastUpdateTime"]?.stringValue.flatMap(KubeTime.parse)
            let deadline = Double(spec["progressDeadlineSeconds"]?.intValue ?? 600)
            if !progressed, let last, now.timeIntervalSince(last) > deadline {
                setCondition(&conditions, "Progressing", false, "ProgressDeadlineExceeded", "ReplicaSet \"\(rsName)\" has timed out progressing.", now: now, touch: false)
            } else {
                let stillExceeded = conditions.contains { $0["reason"]?.stringValue == "ProgressDeadlineExceeded" } && !progressed
                if !stillExceeded {
                    setCondition(&conditions, "Progressing", true, "ReplicaSetUpdated", "ReplicaSet \"\(rsName)\" is progressing.", now: now, touch: progressed)
                }
            }
        }
        status["conditions"] = .array(conditions)
        return DeploymentPlan(status: status, podsToCreate: create, podsToDelete: delete, templateHash: hash)
    }

    /// Sets a DeploymentCondition (with lastUpdateTime, refreshed when `touch` or on change).
    static func setCondition(_ conditions: inout [JSONValue], _ type: String, _ status: Bool, _ reason: String, _ message: String, now: Date, touch: Bool) {
        let value = status ? "True" : "False"
        let stamp = JSONValue.string(KubeTime.format(now))
        var condition: JSONValue = ["type": .string(type), "status": .string(value), "reason": .string(reason), "message": .string(message)]
        if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
            let old = conditions[index]
            let same = old["status"]?.stringValue == value
            let unchanged = same && old["reason"]?.stringValue == reason && old["message"]?.stringValue == message
            condition["lastTransitionTime"] = same ? (old["lastTransitionTime"] ?? stamp) : stamp
            condition["lastUpdateTime"] = unchanged && !touch ? (old["lastUpdateTime"] ?? stamp) : stamp
            conditions[index] = condition
        } else {
            condition["lastTransitionTime"] = stamp
            condition["lastUpdateTime"] = stamp
            conditions.append(condition)
        }
    }

    /// A pod of the Deployment's current template: `<deployment>-<hash>-<5 chars>`.
    static func pod(for deployment: JSONValue, hash: String, suffix: String) -> JSONValue? {
        guard let name = deployment.name else { return nil }
        return OwnedPod.make(owner: deployment, apiVersion: "apps/v1", kind: "Deployment", generateName: "\(name)-\(hash)-", suffix: suffix,
                             labels: [DeploymentDefaults.templateHashLabel: .string(hash)])
    }
}
