import Foundation
import KubeCore
import Testing
@testable import SextantAPI
@testable import SextantControllers

private let base = Date(timeIntervalSince1970: 1_795_000_000)

/// Inputs of a policy without a schedule at `base + at` seconds.
private func inputs(
    at: Double = 0, observed: String? = nil, seen: String? = nil, policy: String = ConcurrencyPolicy.allow, minInterval: Int64? = nil,
    suspend: Bool = false, lastTrigger: Double? = nil, handledBreach: String? = nil, breach: String? = nil, runs: [RetrainRun] = []
) -> RetrainInputs {
    RetrainInputs(
        policyName: "churn", created: base, now: base.addingTimeInterval(at), schedule: nil, concurrencyPolicy: policy,
        minIntervalSeconds: minInterval, startingDeadlineSeconds: nil, suspend: suspend,
        successfulRunsHistoryLimit: 3, failedRunsHistoryLimit: 1, cursor: nil,
        lastTriggerTime: lastTrigger.map { base.addingTimeInterval($0) }, triggerValue: nil, observedTrigger: nil, runs: runs,
        observedDataVersion: observed,
        dataVersion: seen.map { DataVersionObservation(dataset: "events", version: $0, observedAt: base.addingTimeInterval(at)) },
        handledMetricBreach: handledBreach,
        metricBreach: breach.map { MetricObservation(breachID: $0, detail: "auc = 0.8 below 0.85 since \($0)") })
}

private func active(_ name: String) -> RetrainRun {
    RetrainRun(name: name, uid: "u-\(name)", phase: "Running", created: base, finished: nil, cancelRequested: false)
}

private func dataRun(_ version: String) -> String { "churn-\(RetrainPlanner.shortHash(version))" }

@Suite("RetrainPolicy planner: data and metric triggers")
struct RetrainTriggerPlannerTests {
    @Test("the first version seen is the baseline: no run, observedDataVersion set, a DataVersionBaseline event")
    func baseline() {
        let p = RetrainPlanner.plan(inputs(seen: "v1"))
        #expect(p.create.isEmpty)
        #expect(p.observedDataVersion == "v1")
        #expect(p.events.map(\.1) == ["DataVersionBaseline"])
    }

    @Test("a new version creates one run named after its hash with the version pinned; the same version again does nothing")
    func newVersionOnce() {
        let p = RetrainPlanner.plan(inputs(observed: "v1", seen: "v2"))
        #expect(p.create.map(\.name) == [dataRun("v2")])
        #expect(p.create.first?.reason == "DataChange")
        #expect(p.create.first?.detail == "v2")
        #expect(p.create.first?.pins == ["events": "v2"])
        #expect(p.observedDataVersion == "v2")
        #expect(p.events.contains { $0.1 == "RunCreated" && $0.2.contains(dataRun("v2")) })
        let again = RetrainPlanner.plan(inputs(at: 600, observed: "v2", seen: "v2", lastTrigger: 0, runs: [active(dataRun("v2"))]))
        #expect(again.create.isEmpty && again.adopted.isEmpty && again.events.isEmpty)
    }

    @Test("no observation (not polled yet, or the source failed before any success) changes nothing")
    func noObservation() {
        let p = RetrainPlanner.plan(inputs(observed: "v1"))
        #expect(p.create.isEmpty && p.events.isEmpty)
        #expect(p.observedDataVersion == "v1")
    }

    @Test("the run of a new version that already exists (restart before the status write) is adopted, never created again")
    func adoptsAfterRestart() {
        let p = RetrainPlanner.plan(inputs(observed: "v1", seen: "v2", runs: [active(dataRun("v2"))]))
        #expect(p.create.isEmpty)
        #expect(p.adopted.map(\.0.name) == [dataRun("v2")])
        #expect(p.observedDataVersion == "v2")
    }

    @Test("suspend, minIntervalSeconds and Forbid skip a data trigger as they skip a schedule: the version is handled, no run")
    func skipsLikeSchedules() {
        let s = RetrainPlanner.plan(inputs(observed: "v1", seen: "v2", suspend: true))
        #expect(s.create.isEmpty && s.observedDataVersion == "v2" && s.events.contains { $0.1 == "Suspended" && $0.2.contains("DataChange") })
        let m = RetrainPlanner.plan(inputs(at: 100, observed: "v1", seen: "v2", minInterval: 3600, lastTrigger: 0))
        #expect(m.create.isEmpty && m.observedDataVersion == "v2" && m.events.contains { $0.1 == "MinInterval" })
        let mLater = RetrainPlanner.plan(inputs(at: 3601, observed: "v1", seen: "v2", minInterval: 3600, lastTrigger: 0))
        #expect(mLater.create.count == 1)
        let f = RetrainPlanner.plan(inputs(observed: "v1", seen: "v2", policy: ConcurrencyPolicy.forbid, runs: [active("churn-old")]))
        #expect(f.create.isEmpty && f.observedDataVersion == "v2" && f.events.contains { $0.1 == "Forbid" && $0.2.contains("churn-old") })
    }

    @Test("Replace cancels the active run and keeps the version unhandled until it reports Cancelled")
    func replaceKeepsVersionPending() {
        let p = RetrainPlanner.plan(inputs(observed: "v1", seen: "v2", policy: ConcurrencyPolicy.replace, runs: [active("churn-old")]))
        #expect(p.create.isEmpty && p.cancel == ["churn-old"] && p.waitingForReplace)
        #expect(p.observedDataVersion == "v1")
        var old = active("churn-old")
        old.phase = "Cancelled"
        old.finished = base.addingTimeInterval(5)
        let after = RetrainPlanner.plan(inputs(at: 10, observed: "v1", seen: "v2", policy: ConcurrencyPolicy.replace, runs: [old]))
        #expect(after.create.map(\.name) == [dataRun("v2")] && after.observedDataVersion == "v2")
    }

    @Test("a due metric breach creates one run per breach id; the handled breach does not fire again")
    func metricOncePerBreach() {
        let breach = "2026-11-26T10:00:00Z"
        let p = RetrainPlanner.plan(inputs(breach: breach))
        #expect(p.create.map(\.name) == ["churn-\(RetrainPlanner.shortHash(breach))"])
        #expect(p.create.first?.reason == "Metric" && p.create.first?.pins.isEmpty == true)
        #expect(p.handledMetricBreach == breach)
        let again = RetrainPlanner.plan(inputs(at: 300, lastTrigger: 0, handledBreach: breach, breach: breach))
        #expect(again.create.isEmpty && again.events.isEmpty)
        let next = RetrainPlanner.plan(inputs(at: 900, lastTrigger: 0, handledBreach: breach, breach: "2026-11-26T10:15:00Z"))
        #expect(next.create.count == 1 && next.handledMetricBreach == "2026-11-26T10:15:00Z")
    }

    @Test("a metric breach skipped by minIntervalSeconds is handled (no later run for the same breach)")
    func metricSkippedIsHandled() {
        let p = RetrainPlanner.plan(inputs(at: 60, minInterval: 3600, lastTrigger: 0, breach: "b1"))
        #expect(p.create.isEmpty && p.handledMetricBreach == "b1" && p.events.contains { $0.1 == "MinInterval" && $0.2.contains("Metric") })
    }

    @Test("a data and a metric trigger in one pass: the second is subject to Forbid because of the first")
    func twoTriggersOnePass() {
        let p = RetrainPlanner.plan(inputs(observed: "v1", seen: "v2", policy: ConcurrencyPolicy.forbid, breach: "b1"))
        #expect(p.create.map(\.reason) == ["DataChange"])
        #expect(p.handledMetricBreach == "b1" && p.events.contains { $0.1 == "Forbid" && $0.2.contains("Metric") })
    }

    @Test("the run of a data trigger pins the dataset's version in spec.datasets and keeps the other datasets")
    func runPinsVersion() {
        let template = MLPipelineSpec(
            datasets: [Dataset(name: "events", uri: "s3://b/events.parquet"), Dataset(name: "labels", uri: "s3://b/labels", version: "7")],
            steps: [])
        var meta = ObjectMeta(name: "churn", namespace: "ml")
        meta.uid = "u1"
        let policy = RetrainPolicy(metadata: meta,
                                   spec: RetrainPolicySpec(pipeline: PipelineTemplate(spec: template)))
        let run = PlannedRun(name: "churn-abc", reason: "DataChange", detail: "v2", pins: ["events": "v2"])
        let p = RetrainRunMapping.pipeline(for: policy, run: run)
        #expect(p.spec.datasets == [Dataset(name: "events", uri: "s3://b/events.parquet", version: "v2"),
                                    Dataset(name: "labels", uri: "s3://b/labels", version: "7")])
        #expect(p.metadata.annotations?["ml.sextant.dev/trigger-reason"] == "DataChange")
    }

    @Test("poll timing: the next poll is the interval plus at most 10 % jitter; the requeue waits for the earliest time")
    func pollTiming() {
        #expect(TriggerPollTiming.next(after: base, intervalSeconds: 600, jitter: 0) == base.addingTimeInterval(600))
        #expect(TriggerPollTiming.next(after: base, intervalSeconds: 600, jitter: 0.5) == base.addingTimeInterval(630))
        #expect(TriggerPollTiming.next(after: base, intervalSeconds: 600, jitter: 7) == base.addingTimeInterval(660))
        #expect(TriggerPollTiming.delay(until: [nil, base.addingTimeInterval(30), base.addingTimeInterval(10)], now: base) == .milliseconds(10_010))
        #expect(TriggerPollTiming.delay(until: [nil], now: base) == nil)
    }
}
