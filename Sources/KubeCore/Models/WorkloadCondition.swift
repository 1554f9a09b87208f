import Foundation

/// The condition shape shared by the built-in kinds' statuses: `batch/v1.JobCondition`,
/// `apps/v1.DeploymentCondition`, `v1.PodCondition` and `CustomResourceDefinitionCondition`.
/// They differ only in which timestamps they carry (`lastProbeTime` for Jobs and Pods,
/// `lastUpdateTime` for Deployments); absent timestamps are omitted from the JSON, so each kind
/// encodes exactly as before. (Custom resources use the metav1 `Condition` instead.)
public struct WorkloadCondition: Codable, Sendable, Hashable {
    public var type: String
    /// `True`, `False` or `Unknown` (see `ConditionStatus`).
    public var status: String
    public var reason: String?
    public var message: String?
    /// Jobs and Pods: when the condition was last probed.
    public var lastProbeTime: String?
    /// Deployments: when the condition was last updated.
    public var lastUpdateTime: String?
    public var lastTransitionTime: String?

    public init(type: String, status: String, reason: String? = nil, message: String? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }
}

/// `batch/v1.JobCondition` (`Complete`, `Failed`, `Suspended`, ...).
public typealias JobCondition = WorkloadCondition
/// `apps/v1.DeploymentCondition` (`Available`, `Progressing`, `ReplicaFailure`).
public typealias DeploymentCondition = WorkloadCondition
/// `v1.PodCondition` (`PodScheduled`, `Initialized`, `ContainersReady`, `Ready`).
public typealias PodCondition = WorkloadCondition
/// `CustomResourceDefinitionCondition` (`Established`, `NamesAccepted`).
public typealias CRDCondition = WorkloadCondition
