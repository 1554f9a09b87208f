import Foundation
import KubeCore
import Logging
import SextantAPI
@testable import SextantControllers
import Testing
import TestSupport

/// `OpenLineageDelivery` against the receiver harness (Tests/harness/openlineage/receiver.py), which
/// validates every event with jsonschema against the OpenLineage 2-0-2 spec and the facet schemas.
@Suite("OpenLineage delivery to a validating receiver", .serialized)
struct OpenLineageDeliveryTests {
    let logger = Logger(label: "openlineage-test")

    /// Every transition of a run with a retried step, a cached step and a cancelled one.
    static func lifecycle(builder: OpenLineageEventBuilder) -> [OpenLineageRunEvent] {
        let p = OpenLineageEventBuilderTests.pipeline()
        let a = OpenLineageEventBuilderTests.attempt
        let now = Date()
        let s0 = MLPipelineStatus(phase: PipelinePhase.pending)
        let s1 = MLPipelineStatus(phase: PipelinePhase.running, startedAt: "2026-12-07T10:00:00Z", steps: [
            StepStatus(name: "prep", phase: StepPhase.running, attempts: [a(0, StepPhase.running, nil)]),
            StepStatus(name: "train", phase: StepPhase.pending),
        ])
        let s2 = MLPipelineStatus(phase: PipelinePhase.running, startedAt: "2026-12-07T10:00:00Z", steps: [
            StepStatus(name: "prep", phase: StepPhase.running, attempts: [a(0, StepPhase.failed, "Error"), a(1, StepPhase.running, nil)]),
            StepStatus(name: "train", phase: StepPhase.pending),
        ])
        let s3 = MLPipelineStatus(phase: PipelinePhase.running, startedAt: "2026-12-07T10:00:00Z", steps: [
            StepStatus(name: "prep", phase: StepPhase.succeeded, attempts: [a(0, StepPhase.failed, "Error"), a(1, StepPhase.succeeded, nil)],
                       outputs: OutputValues(artifacts: ["features": "s3://art/f.parquet"])),
            StepStatus(name: "train", phase: StepPhase.running, attempts: [a(0, StepPhase.running, nil)]),
        ])
        var s4 = s3
        s4.phase = PipelinePhase.cancelled
        s4.finishedAt = "2026-12-07T10:09:00Z"
        s4.steps?[1] = StepStatus(name: "train", phase: StepPhase.cancelled, attempts: [a(0, StepPhase.cancelled, "Cancelled")])
        let states = [s0, s1, s2, s3, s4]
        return zip(states, states.dropFirst()).flatMap { builder.events(pipeline: p, previous: $0, current: $1, now: now) }
    }

    @Test("every event of a run's lifecycle (START, FAIL, COMPLETE, ABORT; parent, version, jobType, errorMessage facets) passes the OpenLineage 2-0-2 schema")
    func lifecycleEventsAreSchemaValid() async throws {
        let receiver = try await OpenLineageReceiver.start()
        defer { receiver.stop() }
        let settings = try #require(try OpenLineageSettings.from(flag: receiver.url, environment: [:]))
        let emitter = OpenLineageEmitter(builder: OpenLineageEventBuilder(namespace: settings.namespace))
        let events = Self.lifecycle(builder: emitter.builder)
        #expect(Set(events.map(\.eventType)) == Set(OpenLineageRunEvent.EventType.allCases))
        let delivery = OpenLineageDelivery(emitter: emitter, settings: settings, logger: logger)
        let task = Task { try await delivery.run() }
        defer { task.cancel() }
        emitter.submit(events)
        let got = try await receiver.waitFor { $0.count >= events.count }
        #expect(got.events.count == events.count)
        #expect(got.errors.isEmpty, "schema violations: \(got.errors)")
        #expect(got.events.compactMap { $0["eventType"]?.stringValue } == events.map(\.eventType.rawValue))
        // The step events name their parent run, which is the run of the pipeline's START.
        let runID = got.events.first?[path: ["run", "runId"]]?.stringValue
        let parents = Set(got.events.compactMap { $0[path: ["run", "facets", "parent", "run", "runId"]]?.stringValue })
        #expect(parents == Set([runID].compactMap { $0 }))
    }

    @Test("a receiver answering 503 is retried with backoff and the events still arrive in order; a 400 drops that one event only")
    func retriesAndRejects() async throws {
        let receiver = try await OpenLineageReceiver.start()
        defer { receiver.stop() }
        let settings = try #require(try OpenLineageSettings.from(flag: receiver.url, environment: [:]))
        let emitter = OpenLineageEmitter(builder: OpenLineageEventBuilder())
        let delivery = OpenLineageDelivery(emitter: emitter, settings: settings, logger: logger, maxBackoff: .seconds(1))
        let task = Task { try await delivery.run() }
        defer { task.cancel() }
        try await receiver.failNext(3, status: 503)
        let events = Self.lifecycle(builder: emitter.builder)
        emitter.submit(Array(events.prefix(2)))
        let first = try await receiver.waitFor(timeout: 20) { $0.count >= 2 }
        #expect(first.rejected == 3)
        #expect(first.events.compactMap { $0[path: ["run", "runId"]]?.stringValue } == events.prefix(2).map(\.run.runId))
        try await receiver.failNext(1, status: 400)
        emitter.submit(Array(events.dropFirst(2).prefix(2)))
        let second = try await receiver.waitFor(timeout: 20) { $0.count >= 3 }
        try await Task.sleep(for: .milliseconds(500))
        let settled = try await receiver.captured()
        #expect(second.rejected == 4)
        // The rejected event (the third) is not sent again; the fourth arrives.
        #expect(settled.events.count == 3)
        #expect(settled.events.last?[path: ["run", "runId"]]?.stringValue == events[3].run.runId)
        #expect(settled.errors.isEmpty, "\(settled.errors)")
    }
}
