import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

/// A canary on versions with `autoscaling`: the replica-ratio share follows the replicas the
/// HPA gives Production, and the candidate has no HPA of its own until it is promoted.
@Suite("Canary with autoscaling")
struct CanaryAutoscalingTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let canary = CanarySpec(trafficPercent: [10, 50], stepSeconds: 60)
    let scaling = ServingAutoscaling(minReplicas: 2, maxReplicas: 8)

    func version(_ name: String, _ number: Int64, stage: String? = nil, canary: CanarySpec? = nil, gateway: Bool = false,
                 rollout: RolloutStatus? = nil) -> ModelVersion {
        var meta = ObjectMeta(name: name, namespace: "ml")
        meta.generation = 1
        meta.creationTimestamp = KubeTime.format(t0.addingTimeInterval(-1000 + Double(number)))
        var status: ModelVersionStatus?
        if stage != nil || rollout != nil {
            status = ModelVersionStatus(observedGeneration: 1, stage: stage, promotedAt: stage == "Production" ? KubeTime.format(t0.addingTimeInterval(-500)) : nil)
            status?.rollout = rollout
        }
        var serving = ServingSpec(image: "srv:1", canary: canary)
        serving.autoscaling = scaling
        if gateway { serving.gateway = ServingGateway(parentRefs: [GatewayParentRef(name: "public")]) }
        return ModelVersion(metadata: meta, spec: ModelVersionSpec(
            model: "churn", version: number, artifact: ArtifactRef(uri: "s3://m/\(number)"), stage: "Production", serving: serving), status: status)
    }

    func decide(_ group: [ModelVersion]) async -> CanaryDecision {
        await CanaryDecision.decide(group: group, now: t0, isAvailable: { _ in true }, measure: { _, _ in .value(0) })
    }

    @Test("replica ratio: the candidate's share is of the replicas the HPA runs Production with now, and the candidate has no HPA")
    func shareFollowsProductionHPA() async {
        let started = RolloutStatus(phase: "Progressing", trafficPercent: 50, step: 1, startedAt: KubeTime.format(t0.addingTimeInterval(-70)),
                                    analysis: [AnalysisSample(at: KubeTime.format(t0.addingTimeInterval(-10)), passed: true)])
        let candidate = version("churn-v2", 2, stage: "None", canary: canary, rollout: started)
        let d = await decide([version("churn-v1", 1, stage: "Production"), candidate])
        #expect(d.rollouts["churn-v2"]??.phase == "Progressing")
        // The HPA scaled Production 2 → 6 → 3: the 50 % share follows, below the candidate's own minReplicas.
        #expect(d.replicas(for: candidate, productionReplicas: 2) == 1)
        #expect(d.replicas(for: candidate, productionReplicas: 6) == 3)
        #expect(d.replicas(for: candidate, productionReplicas: 3) == 2)
        #expect(d.suspendsAutoscaling("churn-v2"))
        #expect(!d.suspendsAutoscaling("churn-v1"), "Production keeps its HPA")
        #expect(d.replicas(for: version("churn-v1", 1, stage: "Production"), productionReplicas: 6) == nil, "Production's replicas stay the HPA's")
    }

    @Test("gateway: weights split the traffic, so the candidate keeps its own HPA and replicas")
    func gatewayKeepsHPA() async {
        let candidate = version("churn-v2", 2, canary: canary, gateway: true)
        let d = await decide([version("churn-v1", 1, stage: "Production", gateway: true), candidate])
        #expect(d.servesCanary("churn-v2"))
        #expect(!d.suspendsAutoscaling("churn-v2"))
        #expect(d.replicas(for: candidate, productionReplicas: 6) == nil)
    }

    @Test("on promotion the candidate starts with Production's replicas within its own bounds; its HPA takes over after")
    func promotionHandsOverReplicas() async {
        let lastStep = RolloutStatus(phase: "Progressing", trafficPercent: 50, step: 1, startedAt: KubeTime.format(t0.addingTimeInterval(-120)),
                                     analysis: [AnalysisSample(at: KubeTime.format(t0.addingTimeInterval(-60)), passed: true)])
        let candidate = version("churn-v2", 2, stage: "None", canary: canary, rollout: lastStep)
        let d = await decide([version("churn-v1", 1, stage: "Production"), candidate])
        #expect(d.rollouts["churn-v2"]??.phase == "Succeeded")
        #expect(d.outcomes["churn-v2"]?.stage == "Production")
        #expect(!d.suspendsAutoscaling("churn-v2"))
        #expect(d.replicas(for: candidate, productionReplicas: 5) == 5)
        #expect(d.replicas(for: candidate, productionReplicas: 12) == 8, "capped at maxReplicas")
        #expect(d.replicas(for: candidate, productionReplicas: 1) == 2, "raised to minReplicas")
        // Without autoscaling the promoted version keeps its spec's replicas.
        var fixed = candidate
        fixed.spec.serving?.autoscaling = nil
        let e = await decide([version("churn-v1", 1, stage: "Production"), fixed])
        #expect(e.replicas(for: fixed, productionReplicas: 5) == nil)
    }

    @Test("a rolled-back candidate is kept at zero replicas, also with autoscaling")
    func rollbackHasNoHPA() async {
        let failed = RolloutStatus(phase: "Failed", trafficPercent: 0, step: 0, startedAt: KubeTime.format(t0.addingTimeInterval(-600)))
        let candidate = version("churn-v2", 2, stage: "None", canary: canary, rollout: failed)
        let d = await decide([version("churn-v1", 1, stage: "Production"), candidate])
        #expect(d.isRolledBack("churn-v2"))
        #expect(d.replicas(for: candidate, productionReplicas: 6) == 0)
    }
}
