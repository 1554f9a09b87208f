import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

/// How a canary holds back a Production request inside the promotion decision (no I/O: the
/// analysis and the Deployment's availability are closures).
@Suite("Canary promotion hold")
struct CanaryDecisionTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let canary = CanarySpec(trafficPercent: [10, 50], stepSeconds: 60, analysis: CanaryAnalysis(
        prometheus: PrometheusQuery(url: "http://prom:9090", query: "errors{model_version=\"{{version}}\"}"), maxValue: 0.01))

    func version(_ name: String, _ number: Int64, stage: String? = nil, requested: String = "Production", canary: CanarySpec? = nil,
                 generation: Int64 = 1, rollout: RolloutStatus? = nil, created: Double = 0) -> ModelVersion {
        var meta = ObjectMeta(name: name, namespace: "ml")
        meta.generation = generation
        meta.creationTimestamp = KubeTime.format(t0.addingTimeInterval(-1000 + created))
        var status: ModelVersionStatus?
        if stage != nil || rollout != nil {
            status = ModelVersionStatus(observedGeneration: generation, stage: stage, promotedAt: stage == "Production" ? KubeTime.format(t0.addingTimeInterval(-500)) : nil)
            status?.rollout = rollout
        }
        return ModelVersion(metadata: meta, spec: ModelVersionSpec(
            model: "churn", version: number, artifact: ArtifactRef(uri: "s3://m/\(number)"), stage: requested,
            serving: ServingSpec(image: "srv:1", replicas: 2, canary: canary)), status: status)
    }

    func decide(_ group: [ModelVersion], available: Bool = true, value: Double = 0.001, now: Date? = nil) async -> CanaryDecision {
        await CanaryDecision.decide(group: group, now: now ?? t0, isAvailable: { _ in available }, measure: { _, _ in .value(value) })
    }

    @Test("a canary version's fresh Production request is held: Production stays, the candidate keeps its stage and is served for the canary")
    func holdsFreshRequest() async {
        let d = await decide([version("churn-v1", 1, stage: "Production"), version("churn-v2", 2, canary: canary)])
        #expect(d.outcomes["churn-v1"]?.stage == "Production")
        #expect(d.outcomes["churn-v1"]?.promoted == true)
        #expect(d.outcomes["churn-v2"]?.stage == "None")
        #expect(d.outcomes["churn-v2"]?.promoted == false)
        #expect(d.outcomes["churn-v2"]?.reason == "CanaryProgressing")
        #expect(d.outcomes["churn-v2"]?.requestSatisfied == false)
        #expect(d.outcomes["churn-v2"]?.events.map(\.reason) == ["CanaryStarted"])
        #expect(d.servesCanary("churn-v2"))
        #expect(d.sharesStableService)
        #expect(d.rollouts["churn-v2"]??.phase == "Progressing")
        #expect(d.rollouts["churn-v2"]??.trafficPercent == 10)
        #expect(d.active?.wakeAt == t0.addingTimeInterval(60))
        let v2 = version("churn-v2", 2, canary: canary)
        #expect(d.replicas(for: v2, productionReplicas: 4) == 1)
    }

    @Test("without a canary block the request takes effect at once (Superseded previous)")
    func noCanaryIsImmediate() async {
        let d = await decide([version("churn-v1", 1, stage: "Production"), version("churn-v2", 2)])
        #expect(d.outcomes["churn-v2"]?.stage == "Production")
        #expect(d.outcomes["churn-v1"]?.stage == "Archived")
        #expect(d.outcomes["churn-v1"]?.reason == "Superseded")
        #expect(d.active == nil)
        #expect(d.holds.isEmpty)
    }

    @Test("the first Production version of a model has nothing to canary against and takes effect at once")
    func firstVersionIsImmediate() async {
        let d = await decide([version("churn-v1", 1, canary: canary)])
        #expect(d.outcomes["churn-v1"]?.stage == "Production")
        #expect(d.active == nil)
    }

    @Test("the last step passing promotes the candidate and supersedes the previous Production version")
    func successPromotes() async {
        let rollout = RolloutStatus(phase: "Progressing", trafficPercent: 50, step: 1, startedAt: KubeTime.format(t0.addingTimeInterval(-120)),
                                    analysis: [AnalysisSample(at: KubeTime.format(t0.addingTimeInterval(-60)), value: 0, passed: true)])
        let d = await decide([version("churn-v1", 1, stage: "Production"), version("churn-v2", 2, stage: "None", canary: canary, rollout: rollout)])
        #expect(d.outcomes["churn-v2"]?.stage == "Production")
        #expect(d.outcomes["churn-v2"]?.promoted == true)
        #expect(d.outcomes["churn-v1"]?.stage == "Archived")
        #expect(d.outcomes["churn-v1"]?.reason == "Superseded")
        #expect(d.rollouts["churn-v2"]??.phase == "Succeeded")
        #expect(d.outcomes["churn-v2"]?.events.map(\.reason).contains("CanarySucceeded") == true)
        #expect(!d.sharesStableService)
    }

    @Test("a failed analysis: Promoted=False CanaryFailed with the value, Production unchanged, candidate scaled to zero")
    func failureRollsBack() async {
        let rollout = RolloutStatus(phase: "Progressing", trafficPercent: 10, step: 0, startedAt: KubeTime.format(t0.addingTimeInterval(-60)))
        let group = [version("churn-v1", 1, stage: "Production"), version("churn-v2", 2, stage: "Staging", canary: canary, rollout: rollout)]
        let d = await decide(group, value: 0.25)
        #expect(d.outcomes["churn-v1"]?.stage == "Production")
        #expect(d.outcomes["churn-v2"]?.stage == "Staging", "keeps the effective stage it had")
        #expect(d.outcomes["churn-v2"]?.reason == "CanaryFailed")
        #expect(d.outcomes["churn-v2"]?.message.contains("0.25") == true)
        #expect(d.outcomes["churn-v2"]?.events.first?.type == "Warning")
        #expect(d.rollouts["churn-v2"]??.phase == "Failed")
        #expect(d.isRolledBack("churn-v2"))
        #expect(d.replicas(for: group[1], productionReplicas: 2) == 0)
        #expect(!d.sharesStableService)
    }

    @Test("a failed rollout stays failed for the same generation and starts over when the spec changes")
    func failedRetriedOnlyOnSpecChange() async {
        let failed = RolloutStatus(phase: "Failed", trafficPercent: 0, step: 0, startedAt: KubeTime.format(t0.addingTimeInterval(-600)),
                                   analysis: [AnalysisSample(at: KubeTime.format(t0.addingTimeInterval(-540)), value: 0.3, passed: false)])
        let same = await decide([version("churn-v1", 1, stage: "Production"), version("churn-v2", 2, stage: "None", canary: canary, generation: 3, rollout: failed)])
        #expect(same.outcomes["churn-v2"]?.reason == "CanaryFailed")
        #expect(same.outcomes["churn-v2"]?.message.contains("0.3") == true)
        #expect(same.outcomes["churn-v2"]?.events.isEmpty == true, "no new Event while nothing changes")
        #expect(same.rollouts["churn-v2"] == nil, "status.rollout kept as it is")
        #expect(same.active == nil)

        var changed = version("churn-v2", 2, stage: "None", canary: canary, generation: 3, rollout: failed)
        changed.metadata.generation = 4
        let again = await decide([version("churn-v1", 1, stage: "Production"), changed])
        #expect(again.outcomes["churn-v2"]?.reason == "CanaryProgressing")
        #expect(again.rollouts["churn-v2"]??.phase == "Progressing")
        #expect(again.rollouts["churn-v2"]??.analysis == nil)
    }

    @Test("a rollout whose request is withdrawn is cleared and nothing is held")
    func withdrawnRequestClears() async {
        let rollout = RolloutStatus(phase: "Progressing", trafficPercent: 10, step: 0, startedAt: KubeTime.format(t0))
        let d = await decide([version("churn-v1", 1, stage: "Production"),
                              version("churn-v2", 2, stage: "None", requested: "None", canary: canary, rollout: rollout)])
        #expect(d.rollouts["churn-v2"] == .some(nil))
        #expect(d.outcomes["churn-v1"]?.stage == "Production")
        #expect(!d.servesCanary("churn-v2"))
    }

    @Test("a running rollout keeps going when a newer canary version asks for Production; the newer one waits")
    func oneCanaryAtATime() async {
        let rollout = RolloutStatus(phase: "Progressing", trafficPercent: 10, step: 0, startedAt: KubeTime.format(t0.addingTimeInterval(-10)))
        let d = await decide([version("churn-v1", 1, stage: "Production"),
                              version("churn-v2", 2, stage: "None", canary: canary, rollout: rollout, created: 1),
                              version("churn-v3", 3, canary: canary, created: 2)])
        #expect(d.active?.candidate.name == "churn-v2")
        #expect(d.outcomes["churn-v3"]?.reason == "CanaryPending")
        #expect(d.outcomes["churn-v1"]?.stage == "Production")
        #expect(d.outcomes["churn-v2"]?.reason == "CanaryProgressing")
    }
}
