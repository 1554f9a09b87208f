import Foundation
@testable import SextantControllers
import Testing

/// The bounded queue between reconciles and delivery.
@Suite("OpenLineage emitter queue")
struct OpenLineageEmitterTests {
    static func event(_ run: String, _ type: OpenLineageRunEvent.EventType = .start) -> OpenLineageRunEvent {
        OpenLineageRunEvent(eventTime: "2026-12-07T10:00:00Z", producer: "https://example.com/p", eventType: type,
                            run: .init(runId: run), job: .init(namespace: "sextant", name: "j"))
    }

    @Test("the same (runId, eventType) is queued once; another event type of the same run is queued")
    func dedupe() {
        let emitter = OpenLineageEmitter(builder: OpenLineageEventBuilder())
        emitter.submit([Self.event("r1"), Self.event("r1")])
        emitter.submit([Self.event("r1"), Self.event("r1", .complete)])
        #expect(emitter.depth == 2)
        #expect(emitter.takeFirst()?.eventType == .start)
        #expect(emitter.takeFirst()?.eventType == .complete)
        #expect(emitter.takeFirst() == nil)
    }

    @Test("a full queue drops its oldest events, counts them, and never blocks the submitter")
    func dropOldest() {
        let emitter = OpenLineageEmitter(builder: OpenLineageEventBuilder(), capacity: 3)
        emitter.submit((0..<5).map { Self.event("r\($0)") })
        #expect(emitter.depth == 3)
        #expect(emitter.droppedCount == 2)
        #expect(emitter.queuedCount == 5)
        #expect((0..<3).compactMap { _ in emitter.takeFirst()?.run.runId } == ["r2", "r3", "r4"])
    }

    @Test("the remembered keys are bounded: a key forgotten long ago can be queued again")
    func rememberedKeysBounded() {
        let emitter = OpenLineageEmitter(builder: OpenLineageEventBuilder(), capacity: 100, rememberedKeys: 2)
        emitter.submit([Self.event("a"), Self.event("b"), Self.event("c")])
        emitter.submit([Self.event("a"), Self.event("c")])
        #expect(emitter.queuedCount == 4)
    }

    @Test("next() waits for an event submitted later and returns nil once its task is cancelled")
    func nextWaitsAndCancels() async throws {
        let emitter = OpenLineageEmitter(builder: OpenLineageEventBuilder())
        async let got = emitter.next()
        try await Task.sleep(for: .milliseconds(100))
        emitter.submit([Self.event("late")])
        #expect(await got?.run.runId == "late")
        let waiting = Task { await emitter.next() }
        try await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        #expect(await waiting.value == nil)
    }

    @Test("delivery outcomes: 2xx sent, 408/429/5xx/no answer retried, other 4xx rejected; backoff doubles to its cap")
    func outcomesAndBackoff() {
        #expect(OpenLineageDelivery.outcome(status: 201) == .sent)
        #expect(OpenLineageDelivery.outcome(status: 503) == .retry)
        #expect(OpenLineageDelivery.outcome(status: 429) == .retry)
        #expect(OpenLineageDelivery.outcome(status: nil) == .retry)
        #expect(OpenLineageDelivery.outcome(status: 400) == .rejected)
        #expect(OpenLineageDelivery.backoff(0, max: .seconds(30)) == .milliseconds(500))
        #expect(OpenLineageDelivery.backoff(2, max: .seconds(30)) == .seconds(2))
        #expect(OpenLineageDelivery.backoff(12, max: .seconds(30)) == .seconds(30))
    }

    @Test("settings come from the flag or OPENLINEAGE_URL with OPENLINEAGE_NAMESPACE; a non-http URL is refused")
    func settings() throws {
        #expect(try OpenLineageSettings.from(flag: nil, environment: [:]) == nil)
        let s = try #require(try OpenLineageSettings.from(flag: nil, environment: ["OPENLINEAGE_URL": "http://m:5000", "OPENLINEAGE_NAMESPACE": "prod"]))
        #expect(s.lineageURL.absoluteString == "http://m:5000/api/v1/lineage")
        #expect(s.namespace == "prod")
        let flagged = try #require(try OpenLineageSettings.from(flag: "https://x/api/v1/lineage", environment: ["OPENLINEAGE_URL": "http://m"]))
        #expect(flagged.lineageURL.absoluteString == "https://x/api/v1/lineage")
        #expect(flagged.namespace == "sextant")
        #expect(throws: ControllerError.self) { try OpenLineageSettings.from(flag: "ftp://x", environment: [:]) }
    }
}
