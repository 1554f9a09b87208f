import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

/// The canary rollout state machine and the traffic math, without I/O: time and the analysis
/// values are inputs.
@Suite("Canary rollout state machine")
struct RolloutMachineTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let query = PrometheusQuery(url: "http://prom:9090", query: "errors{model_version=\"{{version}}\"}")

    func machine(_ steps: [Int] = [10, 50], seconds: Int64 = 60, max: Double? = 0.01, min: Double? = nil, failureLimit: Int? = nil,
                 analysis: Bool = true) -> RolloutMachine {
        RolloutMachine(CanarySpec(trafficPercent: steps, stepSeconds: seconds, analysis: analysis
            ? CanaryAnalysis(prometheus: query, maxValue: max, minValue: min, failureLimit: failureLimit) : nil))
    }

    /// The state after the candidate became available at t0.
    func started(_ m: RolloutMachine) -> RolloutMachine.State {
        m.advance(nil, now: t0, candidateAvailable: true).state
    }

    @Test("before the candidate's Deployment is available the rollout waits at step 0 with 0% and no start time")
    func waitsForAvailability() {
        let d = machine().advance(nil, now: t0, candidateAvailable: false)
        #expect(d.state == RolloutMachine.State(phase: "Progressing", step: 0, trafficPercent: 0, startedAt: nil, samples: []))
        #expect(d.wakeAt == nil)
        #expect(d.notes.isEmpty)
        #expect(!machine().sampleDue(d.state, now: t0.addingTimeInterval(600), candidateAvailable: false))
    }

    @Test("once available the first step starts: its percent, startedAt now, wake at the end of the step")
    func startsFirstStep() {
        let d = machine().advance(nil, now: t0, candidateAvailable: true)
        #expect(d.state.trafficPercent == 10)
        #expect(d.state.step == 0)
        #expect(d.state.startedAt == t0)
        #expect(d.wakeAt == t0.addingTimeInterval(60))
        #expect(d.notes.map(\.reason) == ["CanaryStarted"])
    }

    @Test("before the step ends nothing changes and no sample is due")
    func holdsWithinStep() {
        let m = machine()
        let s = started(m)
        let now = t0.addingTimeInterval(59)
        #expect(!m.sampleDue(s, now: now, candidateAvailable: true))
        let d = m.advance(s, now: now, candidateAvailable: true)
        #expect(d.state == s)
        #expect(d.wakeAt == t0.addingTimeInterval(60))
    }

    @Test("a passing sample at the end of a step moves to the next step's percent; after the last it succeeds with 100%")
    func passesThroughStepsToSuccess() {
        let m = machine()
        var s = started(m)
        let end1 = t0.addingTimeInterval(60)
        #expect(m.sampleDue(s, now: end1, candidateAvailable: true))
        var d = m.advance(s, now: end1, candidateAvailable: true, measurement: .value(0.001))
        #expect(d.state.phase == "Progressing")
        #expect(d.state.step == 1)
        #expect(d.state.trafficPercent == 50)
        #expect(d.state.samples == [RolloutMachine.Sample(at: end1, value: 0.001, passed: true)])
        #expect(d.wakeAt == t0.addingTimeInterval(120))
        #expect(d.notes.map(\.reason) == ["CanaryStep"])
        s = d.state
        d = m.advance(s, now: t0.addingTimeInterval(120), candidateAvailable: true, measurement: .value(0.0))
        #expect(d.state.phase == "Succeeded")
        #expect(d.state.trafficPercent == 100)
        #expect(d.state.samples.count == 2)
        #expect(d.wakeAt == nil)
        #expect(d.notes.map(\.reason) == ["CanarySucceeded"])
    }

    @Test("a sample above maxValue fails the rollout (failureLimit 0): 0% traffic, the value in the message, a Warning")
    func failsAboveMax() {
        let m = machine()
        let d = m.advance(started(m), now: t0.addingTimeInterval(61), candidateAvailable: true, measurement: .value(0.2))
        #expect(d.state.phase == "Failed")
        #expect(d.state.trafficPercent == 0)
        #expect(d.state.samples.last?.passed == false)
        #expect(d.state.samples.last?.value == 0.2)
        #expect(d.message.contains("0.2") && d.message.contains("maxValue 0.01"), "\(d.message)")
        #expect(d.notes.first?.warning == true && d.notes.first?.reason == "CanaryFailed")
        #expect(d.wakeAt == nil)
        let again = m.advance(d.state, now: t0.addingTimeInterval(1000), candidateAvailable: true, measurement: .value(0))
        #expect(again.state == d.state, "a failed rollout is terminal")
        #expect(!m.sampleDue(d.state, now: t0.addingTimeInterval(1000), candidateAvailable: true))
    }

    @Test("failureLimit tolerates that many failed samples; one more fails")
    func failureLimitCounts() {
        let m = machine([10, 30, 50], failureLimit: 1)
        var s = started(m)
        var d = m.advance(s, now: t0.addingTimeInterval(60), candidateAvailable: true, measurement: .value(0.5))
        #expect(d.state.phase == "Progressing")
        #expect(d.state.step == 1)
        s = d.state
        d = m.advance(s, now: t0.addingTimeInterval(120), candidateAvailable: true, measurement: .value(0.001))
        #expect(d.state.step == 2)
        s = d.state
        d = m.advance(s, now: t0.addingTimeInterval(180), candidateAvailable: true, measurement: .value(0.3))
        #expect(d.state.phase == "Failed")
        #expect(d.message.contains("2 failed samples > failureLimit 1"), "\(d.message)")
    }

    @Test("minValue: a value below it fails")
    func minValueBound() {
        let m = machine(max: nil, min: 0.9)
        let ok = m.advance(started(m), now: t0.addingTimeInterval(60), candidateAvailable: true, measurement: .value(0.95))
        #expect(ok.state.samples.last?.passed == true)
        let bad = m.advance(started(m), now: t0.addingTimeInterval(60), candidateAvailable: true, measurement: .value(0.5))
        #expect(bad.state.phase == "Failed")
        #expect(bad.message.contains("below minValue 0.9"), "\(bad.message)")
    }

    @Test("no value (query failed or matched nothing) is a failed sample with the reason in the message")
    func missingValueFails() {
        let m = machine()
        let d = m.advance(started(m), now: t0.addingTimeInterval(60), candidateAvailable: true, measurement: .none("the query matched nothing"))
        #expect(d.state.phase == "Failed")
        #expect(d.state.samples.last == RolloutMachine.Sample(at: t0.addingTimeInterval(60), value: nil, passed: false))
        #expect(d.message.contains("the query matched nothing"))
    }

    @Test("a restarted controller resumes at the same step from status.rollout and the clock")
    func resumesFromStatus() throws {
        let m = machine([10, 50, 80])
        let s1 = m.advance(started(m), now: t0.addingTimeInterval(60), candidateAvailable: true, measurement: .value(0)).state
        // What a new process reads back from status.
        let stored = try #require(RolloutMachine.State(s1.status))
        #expect(stored == s1)
        #expect(s1.status.startedAt == KubeTime.format(t0))
        #expect(s1.status.step == 1 && s1.status.trafficPercent == 50)
        // Mid-step after the restart: same step, same wake time.
        let mid = m.advance(stored, now: t0.addingTimeInterval(90), candidateAvailable: true)
        #expect(mid.state == stored)
        #expect(mid.wakeAt == t0.addingTimeInterval(120))
        // Down past the end of the step: the sample is due at once, then the next step gets its full time.
        let late = t0.addingTimeInterval(400)
        #expect(m.sampleDue(stored, now: late, candidateAvailable: true))
        let d = m.advance(stored, now: late, candidateAvailable: true, measurement: .value(0))
        #expect(d.state.step == 2 && d.state.trafficPercent == 80)
        #expect(d.wakeAt == late.addingTimeInterval(60))
    }

    @Test("without an analysis the steps advance on time alone and no sample is recorded")
    func noAnalysisAdvancesOnTime() {
        let m = machine(analysis: false)
        let s = started(m)
        #expect(!m.sampleDue(s, now: t0.addingTimeInterval(60), candidateAvailable: true))
        let d1 = m.advance(s, now: t0.addingTimeInterval(60), candidateAvailable: true)
        #expect(d1.state.step == 1)
        let d2 = m.advance(d1.state, now: t0.addingTimeInterval(120), candidateAvailable: true)
        #expect(d2.state.phase == "Succeeded")
        #expect(d2.state.samples.isEmpty)
    }

    @Test("a due sample that was not taken changes nothing and asks to look again at once")
    func dueWithoutMeasurement() {
        let m = machine()
        let s = started(m)
        let d = m.advance(s, now: t0.addingTimeInterval(60), candidateAvailable: true)
        #expect(d.state == s)
        #expect(d.wakeAt == t0.addingTimeInterval(60))
    }

    @Test("a status.rollout with an unknown phase is not a state")
    func unknownPhase() {
        #expect(RolloutMachine.State(RolloutStatus(phase: "Paused")) == nil)
        #expect(RolloutMachine.State(nil) == nil)
    }

    @Test("replica ratio: candidate replicas = ⌈production × percent / 100⌉, at least 1")
    func candidateReplicas() {
        #expect(CanaryTraffic.candidateReplicas(production: 4, percent: 10) == 1)
        #expect(CanaryTraffic.candidateReplicas(production: 4, percent: 50) == 2)
        #expect(CanaryTraffic.candidateReplicas(production: 3, percent: 50) == 2)
        #expect(CanaryTraffic.candidateReplicas(production: 10, percent: 25) == 3)
        #expect(CanaryTraffic.candidateReplicas(production: 10, percent: 20) == 2)
        #expect(CanaryTraffic.candidateReplicas(production: 1, percent: 1) == 1)
        #expect(CanaryTraffic.candidateReplicas(production: 0, percent: 50) == 1)
    }

    @Test("gateway: route weights are exact percents, stable Service first, candidate Service second")
    func routeWeights() throws {
        #expect(CanaryTraffic.weights(percent: 10) == (90, 10))
        #expect(CanaryTraffic.weights(percent: 50) == (50, 50))
        let gw = ServingGateway(parentRefs: [GatewayParentRef(name: "public", namespace: "infra")], hostnames: ["churn.example.com"])
        let backends = CanaryTraffic.backends(model: "churn", port: 8080, candidate: "churn-v2", candidatePort: 8080, percent: 10)
        let route = CanaryTraffic.route(model: "churn", namespace: "ml", gateway: gw, backends: backends, owners: [])
        #expect(route["apiVersion"]?.stringValue == "gateway.networking.k8s.io/v1")
        #expect(route["kind"]?.stringValue == "HTTPRoute")
        #expect(route[path: ["metadata", "name"]]?.stringValue == "churn")
        #expect(CanaryTraffic.routeWeights(route) == ["churn": 90, "churn-v2": 10])
        #expect(route[path: ["spec", "hostnames"]] == ["churn.example.com"])
        #expect(route[path: ["spec", "parentRefs"]] == [["name": "public", "namespace": "infra"]])
        let steady = CanaryTraffic.backends(model: "churn", port: 8080, candidate: nil, candidatePort: nil, percent: 0)
        #expect(steady == [CanaryTraffic.Backend(service: "churn", port: 8080, weight: 100)])
    }

    @Test("the stable Service during a replica-ratio canary selects the model's pods with the traffic label; the pods get it")
    func sharedSelectorAndLabel() throws {
        let mv = ModelVersion(metadata: ObjectMeta(name: "churn-v2", namespace: "ml"), spec: ModelVersionSpec(
            model: "churn", version: 2, artifact: ArtifactRef(uri: "s3://m/2"), serving: ServingSpec(image: "srv:1", replicas: 3)))
        let serving = try #require(mv.spec.serving)
        let base = ServingResources.deployment(for: mv, serving: serving)
        let shaped = CanaryTraffic.shape(base, replicas: 1, stableTraffic: true)
        #expect(shaped.spec?.replicas == 1)
        #expect(shaped.spec?.template.metadata?.labels?["ml.sextant.dev/traffic"] == "stable")
        #expect(shaped.spec?.template.metadata?.labels?["ml.sextant.dev/model"] == "churn")
        #expect(shaped.spec?.template.metadata?.labels?["ml.sextant.dev/model-version"] == "churn-v2")
        #expect(shaped.metadata.annotations?[ServingResources.specHashAnnotation] != base.metadata.annotations?[ServingResources.specHashAnnotation])
        let svc = ServingResources.stableService(model: "churn", namespace: "ml", target: mv, port: 8080, owners: [])
        let shared = CanaryTraffic.sharedStableService(svc, model: "churn")
        #expect(shared.spec?.selector == ["ml.sextant.dev/model": "churn", "ml.sextant.dev/traffic": "stable"])
    }
}
