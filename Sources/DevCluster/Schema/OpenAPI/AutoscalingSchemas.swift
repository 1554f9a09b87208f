import KubeCore

/// The OpenAPI schemas of `autoscaling/v2` HorizontalPodAutoscaler (every spec field of the real
/// type; the metric sources and `behavior` are described as free-form objects, so they are kept
/// as sent and not checked field by field).
enum AutoscalingSchemas {
    static let hpaDefinition = "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"

    /// The kind's definition, its parts inlined (the per-group v3 documents carry only the kinds'
    /// own definitions besides the shared meta and core ones).
    static let definitions: [String: JSONValue] = [
        hpaDefinition: S.kind("autoscaling", "v2", "HorizontalPodAutoscaler", "HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler, which automatically manages the replica count of any resource implementing the scale subresource based on the metrics specified.", [
            "spec": spec,
            "status": S.free("status is the current information about the autoscaler."),
        ]),
    ]

    static let spec = S.object("spec is the specification for the behaviour of the autoscaler. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status.", required: ["scaleTargetRef", "maxReplicas"], [
        "scaleTargetRef": S.object(ColumnText.scaleTargetRef, required: ["kind", "name"], [
            "apiVersion": S.string("apiVersion is the API version of the referent"),
            "kind": S.string("kind is the kind of the referent; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
            "name": S.string("name is the name of the referent; More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names"),
        ]),
        "minReplicas": S.int(ColumnText.minReplicas),
        "maxReplicas": S.int(ColumnText.maxReplicas),
        "metrics": S.list(metricSpec, ColumnText.metrics),
        "behavior": S.free("behavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively). If not set, the default HPAScalingRules for scale up and scale down are used."),
    ])

    static let metricSpec = S.object("MetricSpec specifies how to scale based on a single metric (only `type` and one other matching field should be set at once).", required: ["type"], [
        "type": S.string("type is the type of metric source.  It should be one of \"ContainerResource\", \"External\", \"Object\", \"Pods\" or \"Resource\", each mapping to a matching field in the object."),
        "resource": S.free("resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing each pod in the current scale target (e.g. CPU or memory)."),
        "containerResource": S.free("containerResource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing a single container in each pod of the current scale target (e.g. CPU or memory)."),
        "pods": S.free("pods refers to a metric describing each pod in the current scale target (for example, transactions-processed-per-second)."),
        "object": S.free("object refers to a metric describing a single kubernetes object (for example, hits-per-second on an Ingress object)."),
        "external": S.free("external refers to a global metric that is not associated with any Kubernetes object."),
    ])

    /// The API documentation strings the printer columns reuse (as kube-apiserver's printers do).
    enum ColumnText {
        static let scaleTargetRef = "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count."
        static let metrics = "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond. If not set, the default metric will be set to 80% average CPU utilization."
        static let minReplicas = "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available."
        static let maxReplicas = "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas."
        static let currentReplicas = "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."
    }
}
