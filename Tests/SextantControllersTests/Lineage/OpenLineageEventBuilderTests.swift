import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

/// The pure event builder: which status transitions make which RunEvents, with which ids and facets.
@Suite("OpenLineage event builder")
struct OpenLineageEventBuilderTests {
    static let uid = "0b6c2d1e-1111-4222-8333-444455556666"
    let builder = OpenLineageEventBuilder(namespace: "sextant")
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func pipeline() -> MLPipeline {
        var meta = ObjectMeta(name: "churn", namespace: "team-a")
        meta.uid = uid
        return MLPipeline(
            metadata: meta,
            spec: MLPipelineSpec(
                datasets: [Dataset(name: "train", uri: "s3://data/churn/train.csv", version: "v7"), Dataset(name: "unused", uri: "gs://b/x")],
                steps: [
                    PipelineStep(name: "prep", container: ContainerStep(image: "i", args: ["{{datasets.train.uri}}", "--v={{datasets.train.version}}"]),
                                 outputs: StepOutputs(artifacts: ["features"])),
                    PipelineStep(name: "train", dependsOn: ["prep"], container: ContainerStep(image: "i", args: ["{{steps.prep.outputs.artifacts.features}}"]),
                                 outputs: StepOutputs(artifacts: ["model"])),
                ]))
    }

    static func attempt(_ n: Int, _ phase: String, reason: String? = nil) -> AttemptStatus {
        AttemptStatus(attempt: n, job: "j-\(n)", startedAt: "2026-12-07T10:00:0\(n)Z",
                      finishedAt: phase == StepPhase.running ? nil : "2026-12-07T10:01:0\(n)Z", phase: phase, reason: reason, message: reason.map { "\($0) happened" })
    }

    @Test("run ids are name-based UUIDv5 of the object uid and attempt, equal to Python's uuid.uuid5 in Sextant's namespace")
    func runIDs() {
        #expect(OpenLineageIDs.pipelineRun(uid: Self.uid) == "ca3807bb-c9ee-58a6-8776-38d4f42d9528")
        #expect(OpenLineageIDs.stepRun(uid: Self.uid, step: "train", attempt: 1) == "a20069a5-2a02-551c-aa63-910cd9b4314e")
        #expect(OpenLineageIDs.stepRun(uid: Self.uid, step: "train", attempt: 0) != OpenLineageIDs.stepRun(uid: Self.uid, step: "train", attempt: 1))
        #expect(OpenLineageIDs.pipelineRun(uid: "other") != OpenLineageIDs.pipelineRun(uid: Self.uid))
    }

    @Test("dataset namespace and name follow OpenLineage naming: scheme://authority and path")
    func datasetNames() {
        #expect(OpenLineageIDs.datasetName(uri: "s3://data/churn/train.csv") == ("s3://data", "churn/train.csv"))
        #expect(OpenLineageIDs.datasetName(uri: "gs://bucket") == ("gs://bucket", "/"))
        #expect(OpenLineageIDs.datasetName(uri: "file:///tmp/x") == ("file", "/tmp/x"))
        #expect(OpenLineageIDs.datasetName(uri: "/data/x") == ("file", "/data/x"))
        #expect(OpenLineageIDs.datasetName(uri: "models:/churn/3") == ("uri", "models:/churn/3"))
    }

    @Test("a run leaving Pending gives the run's START then the first step attempt's START with a parent facet")
    func startEvents() throws {
        let p = Self.pipeline()
        let previous = MLPipelineStatus(phase: PipelinePhase.pending)
        let current = MLPipelineStatus(phase: PipelinePhase.running, startedAt: "2026-12-07T10:00:00Z", steps: [
            StepStatus(name: "prep", phase: StepPhase.running, attempts: [Self.attempt(0, StepPhase.running)]),
            StepStatus(name: "train", phase: StepPhase.pending),
        ])
        let events = builder.events(pipeline: p, previous: previous, current: current, now: now)
        #expect(events.map(\.eventType) == [.start, .start])
        #expect(events.map(\.job.name) == ["team-a.churn", "team-a.churn.prep"])
        #expect(events[0].run.runId == OpenLineageIDs.pipelineRun(uid: Self.uid))
        #expect(events[0].eventTime == "2026-12-07T10:00:00Z")
        #expect(events[0].inputs.map(\.name) == ["churn/train.csv", "x"])
        let step = events[1]
        #expect(step.run.runId == OpenLineageIDs.stepRun(uid: Self.uid, step: "prep", attempt: 0))
        let parent = try #require(step.run.facets?["parent"])
        #expect(parent["run"]?["runId"]?.stringValue == events[0].run.runId)
        #expect(parent["job"]?["name"]?.stringValue == "team-a.churn")
        #expect(parent["job"]?["namespace"]?.stringValue == "sextant")
        // prep reads the train dataset (named in its args), with its version facet; not `unused`.
        #expect(step.inputs.count == 1)
        #expect(step.inputs.first?.namespace == "s3://data")
        #expect(step.inputs.first?.facets?["version"]?["datasetVersion"]?.stringValue == "v7")
        #expect(step.job.facets?["jobType"]?["jobType"]?.stringValue == "STEP")
    }

    @Test("an unchanged status makes no event: a restarted controller re-reading what it wrote sends nothing again")
    func noTransitionNoEvent() {
        let p = Self.pipeline()
        let status = MLPipelineStatus(phase: PipelinePhase.succeeded, startedAt: "2026-12-07T10:00:00Z", finishedAt: "2026-12-07T10:05:00Z", steps: [
            StepStatus(name: "prep", phase: StepPhase.succeeded, attempts: [Self.attempt(0, StepPhase.succeeded)]),
        ])
        #expect(builder.events(pipeline: p, previous: status, current: status, now: now).isEmpty)
    }

    @Test("a succeeded attempt gives COMPLETE with its artifacts as outputs; a downstream step reads the upstream artifact")
    func completeAndUpstreamArtifacts() throws {
        let p = Self.pipeline()
        let prepDone = StepStatus(name: "prep", phase: StepPhase.succeeded, attempts: [Self.attempt(0, StepPhase.succeeded)],
                                  outputs: OutputValues(artifacts: ["features": "s3://art/churn/features.parquet"]))
        let previous = MLPipelineStatus(phase: PipelinePhase.running, steps: [
            StepStatus(name: "prep", phase: StepPhase.running, attempts: [Self.attempt(0, StepPhase.running)]),
            StepStatus(name: "train", phase: StepPhase.pending),
        ])
        let current = MLPipelineStatus(phase: PipelinePhase.running, steps: [
            prepDone, StepStatus(name: "train", phase: StepPhase.running, attempts: [Self.attempt(0, StepPhase.running)]),
        ])
        let events = builder.events(pipeline: p, previous: previous, current: current, now: now)
        #expect(events.map { "\($0.job.name):\($0.eventType.rawValue)" } == ["team-a.churn.prep:COMPLETE", "team-a.churn.train:START"])
        #expect(events[0].outputs.map { "\($0.namespace)|\($0.name)" } == ["s3://art|churn/features.parquet"])
        #expect(events[0].eventTime == "2026-12-07T10:01:00Z")
        #expect(events[1].inputs.map { "\($0.namespace)|\($0.name)" } == ["s3://art|churn/features.parquet"])
    }

    @Test("a failed attempt that is retried gives FAIL with an errorMessage facet, then START of the next attempt with its own run id")
    func failAndRetry() throws {
        let p = Self.pipeline()
        let previous = MLPipelineStatus(phase: PipelinePhase.running, steps: [
            StepStatus(name: "prep", phase: StepPhase.running, attempts: [Self.attempt(0, StepPhase.running)]),
        ])
        let current = MLPipelineStatus(phase: PipelinePhase.running, steps: [
            StepStatus(name: "prep", phase: StepPhase.running, attempts: [Self.attempt(0, StepPhase.failed, reason: "Error"), Self.attempt(1, StepPhase.running)]),
        ])
        let events = builder.events(pipeline: p, previous: previous, current: current, now: now)
        #expect(events.map(\.eventType) == [.fail, .start])
        #expect(events[0].run.facets?["errorMessage"]?["message"]?.stringValue == "Error: Error happened")
        #expect(events[0].outputs.isEmpty)
        #expect(events[1].run.runId == OpenLineageIDs.stepRun(uid: Self.uid, step: "prep", attempt: 1))
    }

    @Test("cancelling a run gives ABORT for the running attempt and for the run; a failed run gives FAIL")
    func abortAndFail() {
        let p = Self.pipeline()
        let running = MLPipelineStatus(phase: PipelinePhase.running, steps: [
            StepStatus(name: "prep", phase: StepPhase.running, attempts: [Self.attempt(0, StepPhase.running)]),
        ])
        let cancelled = MLPipelineStatus(phase: PipelinePhase.cancelled, finishedAt: "2026-12-07T10:09:00Z", steps: [
            StepStatus(name: "prep", phase: StepPhase.cancelled, attempts: [Self.attempt(0, StepPhase.cancelled, reason: "Cancelled")]),
        ])
        let events = builder.events(pipeline: p, previous: running, current: cancelled, now: now)
        #expect(events.map { "\($0.job.name):\($0.eventType.rawValue)" } == ["team-a.churn.prep:ABORT", "team-a.churn:ABORT"])
        #expect(events[1].eventTime == "2026-12-07T10:09:00Z")
        var failed = cancelled
        failed.phase = PipelinePhase.failed
        #expect(builder.events(pipeline: p, previous: running, current: failed, now: now).last?.eventType == .fail)
    }

    @Test("a run that fails before any step starts gets START and FAIL together")
    func failWithoutStart() {
        let events = builder.events(pipeline: Self.pipeline(), previous: nil, current: MLPipelineStatus(phase: PipelinePhase.failed), now: now)
        #expect(events.map(\.eventType) == [.start, .fail])
        #expect(Set(events.map(\.run.runId)).count == 1)
    }

    @Test("a step reused from the cache gets one START and one COMPLETE with the cached outputs")
    func cachedStep() {
        let p = Self.pipeline()
        let previous = MLPipelineStatus(phase: PipelinePhase.running, steps: [StepStatus(name: "prep", phase: StepPhase.pending)])
        let current = MLPipelineStatus(phase: PipelinePhase.running, steps: [
            StepStatus(name: "prep", phase: StepPhase.succeeded, cached: true, cachedFrom: "old/prep", outputs: OutputValues(artifacts: ["features": "s3://a/f"])),
        ])
        let events = builder.events(pipeline: p, previous: previous, current: current, now: now)
        #expect(events.map(\.eventType) == [.start, .complete])
        #expect(events[1].run.runId == OpenLineageIDs.cachedStepRun(uid: Self.uid, step: "prep"))
        #expect(events[1].outputs.map(\.name) == ["f"])
        #expect(builder.events(pipeline: p, previous: current, current: current, now: now).isEmpty)
    }

    @Test("a successful run's COMPLETE carries every artifact its steps made")
    func runComplete() {
        let p = Self.pipeline()
        let previous = MLPipelineStatus(phase: PipelinePhase.running, steps: [
            StepStatus(name: "prep", phase: StepPhase.succeeded, attempts: [Self.attempt(0, StepPhase.succeeded)], outputs: OutputValues(artifacts: ["features": "s3://a/f"])),
            StepStatus(name: "train", phase: StepPhase.succeeded, attempts: [Self.attempt(0, StepPhase.succeeded)], outputs: OutputValues(artifacts: ["model": "s3://a/m"])),
        ])
        var current = previous
        current.phase = PipelinePhase.succeeded
        let events = builder.events(pipeline: p, previous: previous, current: current, now: now)
        #expect(events.map(\.eventType) == [.complete])
        #expect(events[0].outputs.map(\.name) == ["f", "m"])
        #expect(events[0].run.facets == nil)
    }
}
