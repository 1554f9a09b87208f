import Foundation
import KubeCore

/// Graceful deletion of pods, as the pod registry strategy (`CheckGracefulDelete`) and the
/// generic registry's `BeforeDelete` decide it: a scheduled, non-terminal pod is only marked
/// (`deletionTimestamp` = now + grace, `deletionGracePeriodSeconds` = grace); the kubelet stops
/// its containers (SIGTERM, SIGKILL after the grace period) and then deletes it with grace 0.
enum PodGracefulDeletion {
    /// The grace period of a delete of `pod`: the request's `gracePeriodSeconds`, else the pod's
    /// `terminationGracePeriodSeconds` (30 by default); 0 for pods not bound to a node or
    /// already Succeeded/Failed (nothing runs them).
    static func gracePeriod(pod: JSONValue, requested: Int64?) -> Int64 {
        if pod[path: ["spec", "nodeName"]]?.stringValue?.isEmpty ?? true { return 0 }
        if PodPhase.isTerminal(pod) { return 0 }
        let period = requested ?? pod[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 30
        return max(0, period)
    }

    /// The pod as a graceful delete leaves it, or nil when the delete proceeds at once (grace 0:
    /// the object goes unless finalizers hold it). A pod already being deleted only has its
    /// grace period shortened (never lengthened); otherwise it is returned unchanged.
    static func marked(_ pod: JSONValue, requested: Int64?, now: Date) -> JSONValue? {
        let grace = gracePeriod(pod: pod, requested: requested)
        guard grace > 0 else { return nil }
        let current = pod[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue
        if pod.isDeleting, let current, current <= grace { return pod }
        var marked = pod
        marked[path: ["metadata", "deletionTimestamp"]] = .string(KubeTime.format(now.addingTimeInterval(Double(grace))))
        marked[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(grace)
        return marked
    }
}
