import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

/// Serving edge cases around a canary: a failed candidate after Production is deleted, the
/// HTTPRoute's hostnames, and the serving cost with an HPA. Pure, no I/O.
@Suite("Canary serving edge cases")
struct CanaryServingTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func version(_ name: String, _ number: Int64, stage: String?, rollout: RolloutStatus? = nil) -> ModelVersion {
        var meta = ObjectMeta(name: name, namespace: "ml")
        meta.generation = 2
        meta.creationTimestamp = KubeTime.format(t0.addingTimeInterval(-1000 + Double(number)))
        var status = ModelVersionStatus(observedGeneration: 2, stage: stage)
        status.rollout = rollout
        return ModelVersion(metadata: meta, spec: ModelVersionSpec(
            model: "churn", version: number, artifact: ArtifactRef(uri: "s3://m/\(number)"), stage: "Production",
            serving: ServingSpec(image: "srv:1", canary: CanarySpec(trafficPercent: [50], stepSeconds: 60))), status: status)
    }

    @Test("a failed candidate stays held when the Production version is deleted: no Production, nothing served, retried only on a spec change")
    func failedCandidateWithoutProduction() async {
        let failed = RolloutStatus(phase: "Failed", trafficPercent: 0, step: 0, startedAt: KubeTime.format(t0.addingTimeInterval(-600)),
                                   analysis: [AnalysisSample(at: KubeTime.format(t0.addingTimeInterval(-540)), passed: false)])
        let candidate = version("churn-v2", 2, stage: "Staging", rollout: failed)
        let d = await CanaryDecision.decide(group: [candidate], now: t0, isAvailable: { _ in true }, measure: { _, _ in .value(0) })
        #expect(d.outcomes["churn-v2"]?.stage == "Staging", "keeps the effective stage it had")
        #expect(d.outcomes["churn-v2"]?.reason == "CanaryFailed")
        #expect(d.outcomes["churn-v2"]?.promoted == false)
        #expect(d.isRolledBack("churn-v2"))
        #expect(d.rollouts["churn-v2"] == nil, "status.rollout stays Failed")
        #expect(d.active == nil)
        // A spec change (new generation) tries again: with no Production it takes effect at once.
        var changed = candidate
        changed.metadata.generation = 3
        let again = await CanaryDecision.decide(group: [changed], now: t0, isAvailable: { _ in true }, measure: { _, _ in .value(0) })
        #expect(again.outcomes["churn-v2"]?.stage == "Production")
        #expect(!again.isRolledBack("churn-v2"))
    }

    @Test("the route update patch replaces the hostnames and removes them when the gateway lists none")
    func routePatchHostnames() {
        let backends = CanaryTraffic.backends(model: "churn", port: 8080, candidate: nil, candidatePort: nil, percent: 0)
        let one = CanaryTraffic.route(model: "churn", namespace: "ml", gateway: ServingGateway(parentRefs: [GatewayParentRef(name: "public")], hostnames: ["a.example.com"]),
                                      backends: backends, owners: [])
        let none = CanaryTraffic.route(model: "churn", namespace: "ml", gateway: ServingGateway(parentRefs: [GatewayParentRef(name: "public")]),
                                       backends: backends, owners: [])
        let stored: JSONValue = ["spec": ["hostnames": ["a.example.com", "b.example.com"], "rules": []]]
        #expect(MergePatch.apply(CanaryTraffic.routeUpdatePatch(one), to: stored)[path: ["spec", "hostnames"]] == ["a.example.com"])
        #expect(MergePatch.apply(CanaryTraffic.routeUpdatePatch(none), to: stored)[path: ["spec", "hostnames"]] == nil)
        #expect(MergePatch.apply(CanaryTraffic.routeUpdatePatch(none), to: stored)[path: ["spec", "parentRefs"]] == [["name": "public"]])
    }

    @Test("servingUSDPerHour prices the replicas the Deployment runs now (an HPA's), not the spec's")
    func servingCostUsesCurrentReplicas() {
        var serving = ServingSpec(image: "srv", replicas: 1, resources: ResourceRequirements(requests: ["cpu": "1"]))
        serving.autoscaling = ServingAutoscaling(minReplicas: 2, maxReplicas: 10)
        let mv = ModelVersion(metadata: ObjectMeta(name: "m-v1", namespace: "ml"), spec: ModelVersionSpec(
            model: "m", version: 1, artifact: ArtifactRef(uri: "s3://m"), serving: serving))
        let pricing = PricingTable(kubernetes: .init(cpuCoreHourUSD: 0.05))
        #expect(ModelVersionStatusBuilder.cost(for: mv, pipeline: nil, pricing: pricing, replicas: 7)?.servingUSDPerHour == 0.35)
        #expect(ModelVersionStatusBuilder.cost(for: mv, pipeline: nil, pricing: pricing, replicas: 0)?.servingUSDPerHour == 0)
        // No Deployment yet: the replicas it is created with (minReplicas with an HPA).
        #expect(ModelVersionStatusBuilder.cost(for: mv, pipeline: nil, pricing: pricing)?.servingUSDPerHour == 0.1)
    }

    @Test("a version that is not served (archived, superseded, not promoted) prices no replicas, even though its spec asks for some")
    func unservedVersionCostsNothing() {
        let serving = ServingSpec(image: "srv", replicas: 3, resources: ResourceRequirements(requests: ["cpu": "1"]))
        let mv = ModelVersion(metadata: ObjectMeta(name: "m-v1", namespace: "ml"), spec: ModelVersionSpec(
            model: "m", version: 1, artifact: ArtifactRef(uri: "s3://m"), serving: serving))
        let pricing = PricingTable(kubernetes: .init(cpuCoreHourUSD: 0.05))
        let unserved = ModelVersionStatusBuilder.pricedReplicas(served: false, deployment: nil)
        #expect(unserved == 0)
        #expect(ModelVersionStatusBuilder.cost(for: mv, pipeline: nil, pricing: pricing, replicas: unserved)?.servingUSDPerHour == 0)
        var running = ServingResources.deployment(for: mv, serving: serving)
        running.spec?.replicas = 2
        #expect(ModelVersionStatusBuilder.pricedReplicas(served: true, deployment: running) == 2)
        #expect(ModelVersionStatusBuilder.pricedReplicas(served: true, deployment: nil) == nil, "a served version whose Deployment is not read yet prices what it is created with")
    }
}
