import Foundation

/// `autoscaling/v2` HorizontalPodAutoscaler.
public struct HorizontalPodAutoscaler: Resource, Hashable {
    public static let group = "autoscaling"
    public static let version = "v2"
    public static let kind = "HorizontalPodAutoscaler"
    public static let plural = "horizontalpodautoscalers"
    public static let namespaced = true

    public var apiVersion: String? = "autoscaling/v2"
    public var kind: String? = "HorizontalPodAutoscaler"
    public var metadata: ObjectMeta
    public var spec: HorizontalPodAutoscalerSpec?
    /// Written by the HPA controller; not modelled.
    public var status: JSONValue?

    public init(metadata: ObjectMeta, spec: HorizontalPodAutoscalerSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `autoscaling/v2.HorizontalPodAutoscalerSpec`.
public struct HorizontalPodAutoscalerSpec: Codable, Sendable, Hashable {
    /// The scaled object (`{apiVersion: apps/v1, kind: Deployment, name}`).
    public var scaleTargetRef: CrossVersionObjectReference
    public var minReplicas: Int32?
    public var maxReplicas: Int32
    /// `MetricSpec`s as JSON (`{type: Resource, resource: {name: cpu, target: {...}}}`).
    public var metrics: [JSONValue]?
    /// `HorizontalPodAutoscalerBehavior` as JSON.
    public var behavior: JSONValue?

    public init(scaleTargetRef: CrossVersionObjectReference, minReplicas: Int32? = nil, maxReplicas: Int32, metrics: [JSONValue]? = nil) {
        self.scaleTargetRef = scaleTargetRef
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.metrics = metrics
    }
}

/// `autoscaling/v2.CrossVersionObjectReference`.
public struct CrossVersionObjectReference: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String
    public var name: String

    public init(apiVersion: String?, kind: String, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
    }
}

/// `policy/v1` PodDisruptionBudget.
public struct PodDisruptionBudget: Resource, Hashable {
    public static let group = "policy"
    public static let version = "v1"
    public static let kind = "PodDisruptionBudget"
    public static let plural = "poddisruptionbudgets"
    public static let namespaced = true

    public var apiVersion: String? = "policy/v1"
    public var kind: String? = "PodDisruptionBudget"
    public var metadata: ObjectMeta
    public var spec: PodDisruptionBudgetSpec?
    /// Written by the disruption controller; not modelled.
    public var status: JSONValue?

    public init(metadata: ObjectMeta, spec: PodDisruptionBudgetSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `policy/v1.PodDisruptionBudgetSpec`.
public struct PodDisruptionBudgetSpec: Codable, Sendable, Hashable {
    /// An int or a `"N%"` string.
    public var minAvailable: JSONValue?
    /// An int or a `"N%"` string.
    public var maxUnavailable: JSONValue?
    /// metav1.LabelSelector as JSON (`{"matchLabels": {...}}`).
    public var selector: JSONValue?
    /// `IfHealthyBudget` or `AlwaysAllow`.
    public var unhealthyPodEvictionPolicy: String?

    public init(minAvailable: JSONValue? = nil, maxUnavailable: JSONValue? = nil, selector: JSONValue? = nil) {
        self.minAvailable = minAvailable
        self.maxUnavailable = maxUnavailable
        self.selector = selector
    }
}
