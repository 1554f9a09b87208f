import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import SextantAPI

extension ModelVersionController {
    /// The canaries of one model (`CanaryDecision`), with the analysis queries run against Prometheus.
    static func decideCanaries(_ group: [ModelVersion], namespace: String, now: Date, ctx: ReconcileContext<ModelVersion>) async -> CanaryDecision {
        let deployments = ctx.cache(Deployment.self)
        return await CanaryDecision.decide(
            group: group, now: now,
            isAvailable: { v in ServingResources.isAvailable(deployments?.get(namespace: namespace, name: v.name)) },
            measure: { query, v in await measureCanary(query, candidate: v, namespace: namespace, now: now) })
    }

    /// `{{model}}`, `{{version}}` (the ModelVersion's name, as in the pod label
    /// `ml.sextant.dev/model-version`) and `{{namespace}}` substituted.
    static func canaryQuery(_ query: String, model: String, version: String, namespace: String) -> String {
        query.replacingOccurrences(of: "{{model}}", with: model)
            .replacingOccurrences(of: "{{version}}", with: version)
            .replacingOccurrences(of: "{{namespace}}", with: namespace)
    }

    /// The analysis value at `now`: the query evaluated at that instant through the metric
    /// trigger's Prometheus source (`query_range` with start = end).
    static func measureCanary(_ query: PrometheusQuery, candidate v: ModelVersion, namespace: String, now: Date) async -> RolloutMachine.Measurement {
        let text = canaryQuery(query.query, model: v.spec.model, version: v.name, namespace: namespace)
        let source = PrometheusMetricSource(url: query.url, query: text, http: MetricHTTP())
        let t = Date(timeIntervalSince1970: floor(now.timeIntervalSince1970))
        do {
            let samples = try await source.samples(in: MetricWindow(start: t, end: t, step: 1))
            guard let last = samples.last else { return .none("the query matched nothing") }
            return .value(last.value)
        } catch ControllerError.metricQuery(let reason, let message) {
            return .none("\(reason): \(message)")
        } catch {
            return .none("\(error)")
        }
    }

    /// The version's Deployment as the canary needs it: the traffic label on the pods of the
    /// versions the stable Service may select, and the candidate's (or a rolled-back version's)
    /// replicas; `replicasSet` tells whether the canary decided the replicas (then they are
    /// written even when an HPA otherwise owns them).
    static func canaryShaped(
        _ deployment: Deployment, for v: ModelVersion, stage: String, stable: StableTarget?, canary: CanaryDecision,
        namespace: String, ctx: ReconcileContext<ModelVersion>
    ) -> (deployment: Deployment, replicasSet: Bool) {
        let inStableTraffic = stage == Promotion.Stage.production || v.name == stable?.chosen.name || v.name == stable?.target.name
            || canary.servesCanary(v.name) || canary.isRolledBack(v.name)
        var productionReplicas = 1
        if let p = canary.active?.production {
            // Production's replicas now: with an HPA, the ones it last set on the Deployment.
            let live = ctx.cache(Deployment.self)?.get(namespace: namespace, name: p.name)?.spec?.replicas
            productionReplicas = live.map(Int.init) ?? p.spec.serving.map { Int(ServingScaling.initialReplicas($0)) } ?? 1
        }
        let replicas = canary.replicas(for: v, productionReplicas: productionReplicas)
        return (CanaryTraffic.shape(deployment, replicas: replicas, stableTraffic: inStableTraffic), replicas != nil)
    }

    /// Creates, updates or deletes the model's `HTTPRoute`: while a gateway canary runs it splits
    /// between the stable Service and the candidate's; otherwise it points at the stable Service
    /// when the Production version has a `gateway`, and is deleted when none has.
    static func applyRoute(
        _ stable: StableTarget?, canary: CanaryDecision, model: String, namespace: String, group: [ModelVersion],
        ctx: ReconcileContext<ModelVersion>, log: Logger
    ) async {
        guard group.contains(where: { $0.spec.serving?.gateway != nil }) else { return }
        let api = DynamicApi(client: ctx.client, resource: CanaryTraffic.httpRoute, namespaced: true, namespace: namespace)
        do {
            let existing: JSONValue?
            do { existing = try await api.get(model) } catch where error.isNotFound { existing = nil }
            if let e = existing, e[path: ["metadata", "labels", SextantLabels.managedBy]]?.stringValue != SextantLabels.managedByValue { return }
            let gateway = canary.canaryGateway ?? stable?.target.spec.serving?.gateway
            guard let stable, let gateway else {
                if existing != nil {
                    try await api.delete(model)
                    log.info("no Production version with a gateway; deleted the HTTPRoute", metadata: ["route": "\(model)"])
                }
                return
            }
            let port = stable.chosen.spec.serving.map(ServingResources.port) ?? ServingResources.defaultPort
            let active = canary.progressingCandidate
            let backends = CanaryTraffic.backends(
                model: model, port: port, candidate: canary.canaryGateway != nil ? active?.candidate.name : nil,
                candidatePort: active?.candidate.spec.serving.map(ServingResources.port), percent: active?.state.trafficPercent ?? 0)
            let desired = CanaryTraffic.route(model: model, namespace: namespace, gateway: gateway, backends: backends, owners: stable.owners)
            guard let live = existing else {
                _ = try await api.create(desired)
                return
            }
            let hashPath = ["metadata", "annotations", ServingResources.specHashAnnotation]
            let sameOwners = Set((try? (live[path: ["metadata", "ownerReferences"]] ?? .array([])).decode(as: [OwnerReference].self)) ?? [])
                == Set(stable.owners)
            if live[path: hashPath] == desired[path: hashPath] && sameOwners { return }
            _ = try await api.patch(model, .merge(CanaryTraffic.routeUpdatePatch(desired)))
        } catch {
            log.warning("HTTPRoute \(model) could not be written: \(error)")
            if let target = stable?.target {
                await ctx.event(target, type: .warning, reason: "RouteFailed", note: "HTTPRoute \(model) (gateway.networking.k8s.io/v1) could not be written: \(error)")
            }
        }
    }
}
