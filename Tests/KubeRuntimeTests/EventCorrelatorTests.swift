import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Testing

@Suite("Event correlator")
struct EventCorrelatorTests {
    static func occurrence(_ name: String = "p1", reason: String = "StepStarted", note: String = "step a started") -> EventOccurrence {
        EventOccurrence(namespace: "ns", regardingUID: "uid-\(name)", regardingKind: "MLPipeline", regardingName: name,
                        type: "Normal", reason: reason, action: "Reconcile", note: note)
    }

    @Test("an identical event again becomes a count patch of the first Event, not a new object")
    func identicalRepeatsPatchCount() {
        var c = EventCorrelator()
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        var names = 0
        let first = c.observe(Self.occurrence(), now: t0) { names += 1; return "p1.a" }
        #expect(first == .create(eventName: "p1.a", note: "step a started"))
        let second = c.observe(Self.occurrence(), now: t0.addingTimeInterval(1)) { names += 1; return "p1.b" }
        #expect(second == .patch(eventName: "p1.a", count: 2))
        let third = c.observe(Self.occurrence(), now: t0.addingTimeInterval(2)) { names += 1; return "p1.c" }
        #expect(third == .patch(eventName: "p1.a", count: 3))
        #expect(names == 1)
    }

    @Test("a different note, reason or object is a new Event")
    func differentEventsCreate() {
        var c = EventCorrelator()
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        _ = c.observe(Self.occurrence(), now: t0) { "e1" }
        #expect(c.observe(Self.occurrence(note: "step b started"), now: t0) { "e2" } == .create(eventName: "e2", note: "step b started"))
        #expect(c.observe(Self.occurrence(reason: "StepSucceeded"), now: t0) { "e3" } == .create(eventName: "e3", note: "step a started"))
        #expect(c.observe(Self.occurrence("p2"), now: t0) { "e4" } == .create(eventName: "e4", note: "step a started"))
    }

    @Test("a repeat after the series window starts a new Event")
    func seriesWindowExpires() {
        var c = EventCorrelator()
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        _ = c.observe(Self.occurrence(), now: t0) { "old" }
        let later = c.observe(Self.occurrence(), now: t0.addingTimeInterval(c.options.seriesWindow + 1)) { "new" }
        #expect(later == .create(eventName: "new", note: "step a started"))
    }

    @Test("more than 10 similar events with different notes are combined into one aggregated Event")
    func similarEventsAggregate() {
        var c = EventCorrelator()
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        for i in 0..<10 {
            let d = c.observe(Self.occurrence(note: "note \(i)"), now: t0) { "e\(i)" }
            #expect(d == .create(eventName: "e\(i)", note: "note \(i)"))
        }
        let eleventh = c.observe(Self.occurrence(note: "note 10"), now: t0) { "agg" }
        #expect(eleventh == .create(eventName: "agg", note: EventCorrelator.aggregatePrefix + "note 10"))
        let twelfth = c.observe(Self.occurrence(note: "note 11"), now: t0) { "unused" }
        #expect(twelfth == .patch(eventName: "agg", count: 2))
    }

    @Test("a storm on one object is dropped after the spam burst of 25 and allowed again after the refill")
    func stormIsDropped() {
        var c = EventCorrelator()
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        var decisions: [EventDecision] = []
        for i in 0..<40 { decisions.append(c.observe(Self.occurrence(note: "n\(i % 3)"), now: t0) { "e\(i)" }) }
        #expect(decisions.prefix(25).allSatisfy { $0 != .drop(.spam) })
        #expect(decisions.suffix(15).allSatisfy { $0 == .drop(.spam) })
        // Another object has its own budget.
        #expect(c.observe(Self.occurrence("other"), now: t0) { "o" } == .create(eventName: "o", note: "step a started"))
        // One token comes back every 5 minutes.
        #expect(c.observe(Self.occurrence(note: "n0"), now: t0.addingTimeInterval(301)) { "x" } != .drop(.spam))
        #expect(c.observe(Self.occurrence(note: "n0"), now: t0.addingTimeInterval(302)) { "y" } == .drop(.spam))
    }

    @Test("forgetting a failed create makes the next occurrence create again")
    func forgetAfterFailure() {
        var c = EventCorrelator()
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        _ = c.observe(Self.occurrence(), now: t0) { "failed" }
        c.forget(eventName: "failed")
        #expect(c.observe(Self.occurrence(), now: t0) { "retry" } == .create(eventName: "retry", note: "step a started"))
    }

    @Test("the manager's recorder uses ManagerOptions.events (the controller's --event-qps/--event-burst): its queue bound holds")
    func managerPassesEventOptions() async throws {
        let client = try KubeClient(configuration: ClientConfiguration(server: "https://127.0.0.1:1"))
        var options = ManagerOptions()
        options.events.queueCapacity = 3
        let manager = ControllerManager(client: client, options: options)
        for i in 0..<50 {
            manager.recorder.publish(regarding: ObjectReference(kind: "MLPipeline", namespace: "ns", name: "p\(i)", uid: "u\(i)"),
                                     type: .normal, reason: "StepStarted", action: "Reconcile", note: "n")
        }
        // With the default queue (1,000) none of the 50 would be dropped.
        #expect(manager.recorder.droppedCount == 47)
        try await client.shutdown()
    }

    @Test("publish never blocks: with the recorder not sending, a full queue drops and counts")
    func fullQueueDrops() async throws {
        let client = try KubeClient(configuration: ClientConfiguration(server: "https://127.0.0.1:1"))
        var options = EventRecorder.Options()
        options.queueCapacity = 3
        let recorder = EventRecorder(client: client, options: options)
        let started = ContinuousClock.now
        for i in 0..<50 {
            recorder.publish(regarding: ObjectReference(kind: "MLPipeline", namespace: "ns", name: "p\(i)", uid: "u\(i)"),
                             type: .normal, reason: "StepStarted", action: "Reconcile", note: "n")
        }
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(recorder.droppedCount == 47)
        #expect(recorder.sentCount == 0)
        try await client.shutdown()
    }
}
