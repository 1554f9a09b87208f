import Foundation

/// `apps/v1` Deployment.
public struct Deployment: HasStatus, Hashable {
    public static let group = "apps"
    public static let version = "v1"
    public static let kind = "Deployment"
    public static let plural = "deployments"
    public static let namespaced = true

    public var apiVersion: String? = "apps/v1"
    public var kind: String? = "Deployment"
    public var metadata: ObjectMeta
    public var spec: DeploymentSpec?
    public var status: DeploymentStatus?

    public init(metadata: ObjectMeta, spec: DeploymentSpec? = nil, status: DeploymentStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// `apps/v1.DeploymentSpec` subset.
public struct DeploymentSpec: Codable, Sendable, Hashable {
    public var replicas: Int32?
    /// metav1.LabelSelector as JSON (`{"matchLabels": {"app": "x"}}`).
    public var selector: JSONValue
    public var template: PodTemplateSpec
    public var strategy: JSONValue?
    public var minReadySeconds: Int32?
    public var revisionHistoryLimit: Int32?
    public var paused: Bool?

    public init(replicas: Int32? = nil, selector: JSONValue, template: PodTemplateSpec) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
    }
}

/// `apps/v1.DeploymentStatus`.
public struct DeploymentStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    public var replicas: Int32?
    public var updatedReplicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var unavailableReplicas: Int32?
    public var conditions: [DeploymentCondition]?

    public init() {}
}
