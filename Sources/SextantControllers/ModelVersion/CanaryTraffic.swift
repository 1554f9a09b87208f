import Foundation
import KubeCore
import SextantAPI

/// How a canary's traffic share becomes Kubernetes objects (pure).
///
/// - Replica ratio (no `gateway`): the candidate runs ⌈Production replicas × percent / 100⌉ pods
///   (at least 1) and the stable model Service selects the pods of both versions through the
///   `ml.sextant.dev/traffic: stable` label, which the pods of the Production version and of the
///   candidate carry.
/// - `gateway`: an `HTTPRoute` named after the model sends `100 − percent` to the stable Service
///   (Production) and `percent` to the candidate's own Service; the candidate keeps its replicas.
enum CanaryTraffic {
    /// Pod label shared by the versions the stable Service may select during a canary.
    static let trafficLabel = "ml.sextant.dev/traffic"
    static let trafficStable = "stable"
    /// Gateway API HTTPRoute resource.
    static let httpRoute = GroupVersionResource(group: "gateway.networking.k8s.io", version: "v1", resource: "httproutes")

    /// Candidate replicas for a replica-ratio step: ⌈production × percent / 100⌉, at least 1.
    static func candidateReplicas(production: Int, percent: Int) -> Int {
        let p = min(100, max(0, percent))
        return max(1, (max(0, production) * p + 99) / 100)
    }

    /// Backend weights (stable, candidate) of an HTTPRoute step: exact percents.
    static func weights(percent: Int) -> (stable: Int, candidate: Int) {
        let p = min(100, max(0, percent))
        return (100 - p, p)
    }

    /// The selector of the stable Service while it spreads traffic over Production and the candidate.
    static func sharedSelector(model: String) -> [String: String] {
        [SextantLabels.model: model, trafficLabel: trafficStable]
    }

    /// The version's Deployment with the traffic label on its pods (when `stableTraffic`) and
    /// `replicas` (when set); the spec hash follows.
    static func shape(_ deployment: Deployment, replicas: Int?, stableTraffic: Bool) -> Deployment {
        guard var spec = deployment.spec else { return deployment }
        var d = deployment
        if let replicas { spec.replicas = Int32(replicas) }
        if stableTraffic {
            var labels = spec.template.metadata?.labels ?? [:]
            labels[trafficLabel] = trafficStable
            var meta = spec.template.metadata ?? ObjectMeta()
            meta.labels = labels
            spec.template.metadata = meta
        }
        d.spec = spec
        var annotations = d.metadata.annotations ?? [:]
        annotations[ServingResources.specHashAnnotation] = ServingResources.hash(spec)
        d.metadata.annotations = annotations
        return d
    }

    /// The stable Service selecting the pods of Production and the candidate.
    static func sharedStableService(_ service: KubeService, model: String) -> KubeService {
        guard var spec = service.spec else { return service }
        var s = service
        spec.selector = sharedSelector(model: model)
        s.spec = spec
        var annotations = s.metadata.annotations ?? [:]
        annotations[ServingResources.specHashAnnotation] = ServingResources.hash(spec)
        s.metadata.annotations = annotations
        return s
    }

    /// A backend of the route: a Service and its weight.
    struct Backend: Sendable, Hashable {
        var service: String
        var port: Int
        var weight: Int
    }

    /// The backends of the route: the stable Service alone, or split with the candidate's Service.
    static func backends(model: String, port: Int, candidate: String?, candidatePort: Int?, percent: Int) -> [Backend] {
        guard let candidate else { return [Backend(service: model, port: port, weight: 100)] }
        let w = weights(percent: percent)
        return [Backend(service: model, port: port, weight: w.stable),
                Backend(service: candidate, port: candidatePort ?? port, weight: w.candidate)]
    }

    /// The `HTTPRoute` named after the model (gateway.networking.k8s.io/v1).
    static func route(
        model: String, namespace: String, gateway: ServingGateway, backends: [Backend], owners: [OwnerReference]
    ) -> JSONValue {
        let parents: [JSONValue] = gateway.parentRefs.map { ref in
            var p: JSONValue = ["name": .string(ref.name)]
            if let ns = ref.namespace { p["namespace"] = .string(ns) }
            if let section = ref.sectionName { p["sectionName"] = .string(section) }
            return p
        }
        var spec: JSONValue = [
            "parentRefs": .array(parents),
            "rules": [["backendRefs": .array(backends.map { b in
                ["name": .string(b.service), "port": .int(Int64(b.port)), "weight": .int(Int64(b.weight))]
            })]],
        ]
        if let hosts = gateway.hostnames, !hosts.isEmpty { spec["hostnames"] = .array(hosts.map { .string($0) }) }
        let labels: JSONValue = [SextantLabels.model: .string(model), SextantLabels.managedBy: .string(SextantLabels.managedByValue)]
        let ownerJSON = (try? JSONValue(encoding: owners)) ?? .array([])
        return [
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": [
                "name": .string(model), "namespace": .string(namespace), "labels": labels,
                "annotations": [ServingResources.specHashAnnotation: .string(ServingResources.hash(spec))],
                "ownerReferences": ownerJSON,
            ],
            "spec": spec,
        ]
    }

    /// The merge patch that makes a stored route the `desired` one: metadata the controller owns
    /// and the whole spec, with `hostnames: null` when the gateway lists none any more (a merge
    /// patch leaves absent keys as they are; arrays are replaced whole, so a removed hostname goes).
    static func routeUpdatePatch(_ desired: JSONValue) -> JSONValue {
        var spec = desired["spec"] ?? .null
        if spec["hostnames"] == nil { spec["hostnames"] = .null }
        return [
            "metadata": [
                "annotations": desired[path: ["metadata", "annotations"]] ?? .null,
                "labels": desired[path: ["metadata", "labels"]] ?? .null,
                "ownerReferences": desired[path: ["metadata", "ownerReferences"]] ?? .null,
            ],
            "spec": spec,
        ]
    }

    /// The (service, weight) pairs of a route object as stored (for tests and messages).
    static func routeWeights(_ route: JSONValue) -> [String: Int] {
        var result: [String: Int] = [:]
        for rule in route[path: ["spec", "rules"]]?.arrayValue ?? [] {
            for ref in rule["backendRefs"]?.arrayValue ?? [] {
                if let name = ref["name"]?.stringValue { result[name] = Int(ref["weight"]?.intValue ?? 1) }
            }
        }
        return result
    }
}
