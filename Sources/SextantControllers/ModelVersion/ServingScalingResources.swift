import KubeCore
import SextantAPI

/// The desired HorizontalPodAutoscaler, PodDisruptionBudget and topology spread of a version's
/// serving (`spec.serving.autoscaling`, `disruptionBudget`, `topologySpread`). Pure builders.
///
/// Replicas with an HPA: the Deployment is created with `minReplicas` pods and its `replicas`
/// is never written again (`deploymentUpdatePatch` drops it, and the spec hash leaves it out), so
/// the controller cannot undo what the HPA decides. This follows the Kubernetes advice to leave
/// `spec.replicas` out of what is applied to a Deployment an HPA scales.
enum ServingScaling {
    /// The node label `topologySpread: zone` spreads over.
    static let zoneKey = "topology.kubernetes.io/zone"

    /// The HPA named after the version, scaling its Deployment on CPU utilization; nil without
    /// `autoscaling` or when the block is invalid (`scalingProblems`).
    static func horizontalPodAutoscaler(for mv: ModelVersion, serving: ServingSpec) -> HorizontalPodAutoscaler? {
        guard let a = serving.autoscaling, serving.scalingProblems.isEmpty else { return nil }
        let metric: JSONValue = [
            "type": "Resource",
            "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": .int(Int64(a.effectiveTargetCPUUtilizationPercent))]],
        ]
        let spec = HorizontalPodAutoscalerSpec(
            scaleTargetRef: CrossVersionObjectReference(apiVersion: Deployment.apiVersion, kind: Deployment.kind, name: mv.name),
            minReplicas: Int32(a.effectiveMinReplicas), maxReplicas: Int32(a.maxReplicas), metrics: [metric])
        return HorizontalPodAutoscaler(metadata: metadata(for: mv, hashing: spec), spec: spec)
    }

    /// The PDB named after the version over its serving pods; nil without `disruptionBudget` or
    /// when the block is invalid.
    static func podDisruptionBudget(for mv: ModelVersion, serving: ServingSpec) -> PodDisruptionBudget? {
        guard let b = serving.disruptionBudget, serving.scalingProblems.isEmpty else { return nil }
        let selector = ServingResources.selector(model: mv.spec.model, version: mv.name)
        let spec = PodDisruptionBudgetSpec(
            minAvailable: b.minAvailable?.json, maxUnavailable: b.maxUnavailable?.json,
            selector: ["matchLabels": .object(selector.mapValues { .string($0) })])
        return PodDisruptionBudget(metadata: metadata(for: mv, hashing: spec), spec: spec)
    }

    /// The pods' topologySpreadConstraints for `topologySpread`: maxSkew 1 over the zone label,
    /// `ScheduleAnyway` (a preference: a cluster without zone labels, or a zone out of capacity,
    /// still schedules the pods, where `DoNotSchedule` would leave them Pending and block the
    /// rollout), counting only the pods of this version.
    static func topologySpreadConstraints(model: String, version: String, serving: ServingSpec) -> [JSONValue]? {
        guard let t = serving.topologySpread, let key = ServingTopologySpread.topologyKey(t) else { return nil }
        let selector = ServingResources.selector(model: model, version: version)
        return [[
            "maxSkew": 1,
            "topologyKey": .string(key),
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": ["matchLabels": .object(selector.mapValues { .string($0) })],
        ]]
    }

    /// The replicas the Deployment is created with: `minReplicas` with autoscaling, else `replicas`.
    static func initialReplicas(_ serving: ServingSpec) -> Int32 {
        if let a = serving.autoscaling { return Int32(a.effectiveMinReplicas) }
        return Int32(serving.replicas ?? 1)
    }

    /// Whether the controller writes the Deployment's `replicas` after creation (not with an HPA).
    static func ownsReplicas(_ serving: ServingSpec) -> Bool { serving.autoscaling == nil }

    /// The merge patch that updates a serving Deployment, from the desired object's JSON patch:
    /// without `spec.replicas` when the HPA owns them, and with an explicit `null` for a removed
    /// topology spread (a merge patch leaves absent keys as they are).
    static func deploymentUpdatePatch(_ patch: JSONValue, serving: ServingSpec) -> JSONValue {
        var p = patch
        if !ownsReplicas(serving) { p[path: ["spec", "replicas"]] = nil }
        if p[path: ["spec", "template", "spec", "topologySpreadConstraints"]] == nil, p["spec"] != nil {
            p[path: ["spec", "template", "spec", "topologySpreadConstraints"]] = .null
        }
        return p
    }

    /// The merge patch that updates a PDB: the field not set is removed (policy/v1 rejects both).
    static func budgetUpdatePatch(_ patch: JSONValue) -> JSONValue {
        var p = patch
        for field in ["minAvailable", "maxUnavailable"] where p[path: ["spec", field]] == nil {
            p[path: ["spec", field]] = .null
        }
        return p
    }

    private static func metadata<T: Encodable>(for mv: ModelVersion, hashing spec: T) -> ObjectMeta {
        var meta = ObjectMeta(
            name: mv.name, namespace: mv.namespace, labels: ServingResources.labels(model: mv.spec.model, version: mv.name),
            ownerReferences: [mv.ownerReference()])
        meta.annotations = [ServingResources.specHashAnnotation: ServingResources.hash(spec)]
        return meta
    }
}
