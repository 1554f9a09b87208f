import Foundation
import KubeRuntime
import Testing

@Suite("Watcher state machine")
struct WatcherStateMachineTests {
    func machine() -> WatcherStateMachine {
        WatcherStateMachine(backoff: ExponentialBackoff(initial: 1, maximum: 8, factor: 2, jitter: 0.5), random: { 0 })
    }

    @Test("lists first, then watches from the list's resourceVersion")
    func listThenWatch() {
        var m = machine()
        #expect(m.start() == .list)
        #expect(m.state == .listing)
        #expect(m.listSucceeded(resourceVersion: "10") == .watch(from: "10"))
    }

    @Test("object events and bookmarks advance the resume point; a closed stream resumes from it")
    func resumesFromLastSeen() {
        var m = machine()
        _ = m.start()
        _ = m.listSucceeded(resourceVersion: "10")
        #expect(m.received(.object(resourceVersion: "12")) == nil)
        #expect(m.received(.bookmark(resourceVersion: "15")) == nil)
        #expect(m.resourceVersion == "15")
        #expect(m.streamEnded() == .watch(from: "15"))
    }

    @Test("410 Gone as an ERROR event or as the watch response relists")
    func goneRelists() {
        var m = machine()
        _ = m.start()
        _ = m.listSucceeded(resourceVersion: "10")
        #expect(m.received(.error(code: 410, reason: "Expired")) == .list)
        #expect(m.state == .listing)
        #expect(m.listSucceeded(resourceVersion: "30") == .watch(from: "30"))
        #expect(m.watchFailed(gone: true) == .list)
    }

    @Test("errors back off exponentially up to the cap, then retry the same step; success resets")
    func backoffOnErrors() {
        var m = machine()
        _ = m.start()
        #expect(m.listFailed() == .backoff(1))
        #expect(m.backoffElapsed() == .list)
        #expect(m.listFailed() == .backoff(2))
        _ = m.backoffElapsed()
        #expect(m.listFailed() == .backoff(4))
        _ = m.backoffElapsed()
        #expect(m.listFailed() == .backoff(8))
        _ = m.backoffElapsed()
        #expect(m.listFailed() == .backoff(8))
        _ = m.backoffElapsed()
        #expect(m.listSucceeded(resourceVersion: "5") == .watch(from: "5"))
        #expect(m.watchFailed(gone: false) == .backoff(1))
        #expect(m.backoffElapsed() == .watch(from: "5"))
        #expect(m.received(.error(code: 500, reason: "InternalError")) == .backoff(2))
        #expect(m.backoffElapsed() == .watch(from: "5"))
    }

    @Test("jitter spreads the delay around the nominal value")
    func jitter() {
        var low = WatcherStateMachine(backoff: ExponentialBackoff(initial: 1, maximum: 8, factor: 2, jitter: 0.5), random: { -1 })
        var high = WatcherStateMachine(backoff: ExponentialBackoff(initial: 1, maximum: 8, factor: 2, jitter: 0.5), random: { 1 })
        _ = low.start()
        _ = high.start()
        #expect(low.listFailed() == .backoff(0.5))
        #expect(high.listFailed() == .backoff(1.5))
    }

    @Test("random failures never end the loop and every watch resumes from the last listed resourceVersion")
    func neverStops() {
        var m = machine()
        var action = m.start()
        var lastListed = ""
        var watches = 0
        var lists = 0
        for i in 0..<300 {
            switch action {
            case .list:
                lists += 1
                if i % 3 == 0 {
                    action = m.listFailed()
                } else {
                    lastListed = "\(i)"
                    action = m.listSucceeded(resourceVersion: lastListed)
                }
            case .watch(let rv):
                watches += 1
                #expect(rv == lastListed)
                action = i % 2 == 0 ? m.streamEnded() : (m.received(.error(code: i % 4 == 1 ? 410 : 500, reason: nil)) ?? m.streamEnded())
            case .backoff(let d):
                #expect(d > 0 && d <= 8)
                action = m.backoffElapsed()
            }
        }
        #expect(watches > 10)
        #expect(lists > 10)
    }
}
