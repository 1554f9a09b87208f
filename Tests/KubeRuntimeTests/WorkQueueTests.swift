import Foundation
import KubeRuntime
import Testing

@Suite("Work queue")
struct WorkQueueTests {
    @Test("an item added twice is handed out once")
    func dedup() {
        var q = WorkQueueState<String>()
        let first = q.add("a")
        let second = q.add("a")
        #expect(first)
        #expect(!second)
        #expect(q.get() == "a")
        #expect(q.get() == nil)
    }

    @Test("an item re-added while processing is not given out again until done, then once more")
    func notConcurrent() {
        var q = WorkQueueState<String>()
        q.add("a")
        #expect(q.get() == "a")
        let readdWhileProcessing = q.add("a")
        #expect(!readdWhileProcessing)
        #expect(q.get() == nil)
        let requeued = q.done("a")
        #expect(requeued)
        #expect(q.get() == "a")
        let requeuedAgain = q.done("a")
        #expect(!requeuedAgain)
        #expect(q.get() == nil)
    }

    @Test("delayed items become available at their time; the earliest time wins")
    func delayed() {
        var q = WorkQueueState<String>()
        q.add("a", readyAt: 10)
        q.add("a", readyAt: 5)
        q.add("a", readyAt: 7)
        #expect(q.nextReadyAt == 5)
        #expect(q.promote(now: 4) == 0)
        #expect(q.get() == nil)
        #expect(q.promote(now: 5) == 1)
        #expect(q.get() == "a")
    }

    @Test("FIFO order across many items")
    func fifo() {
        var q = WorkQueueState<Int>()
        for i in 0..<3000 { q.add(i) }
        var out: [Int] = []
        while let i = q.get() { out.append(i) }
        #expect(out == Array(0..<3000))
    }

    @Test("per-item backoff doubles from 5 ms to 1000 s and forget resets it")
    func itemBackoff() {
        var r = DefaultControllerRateLimiter<String>(qps: 1_000_000, burst: 1_000_000)
        let delays = (0..<5).map { _ in r.when("a", now: 0) }
        #expect(delays == [0.005, 0.01, 0.02, 0.04, 0.08])
        #expect(r.retries("a") == 5)
        #expect(r.when("b", now: 0) == 0.005)
        for _ in 0..<40 { _ = r.when("a", now: 0) }
        #expect(r.when("a", now: 0) == 1000)
        r.forget("a")
        #expect(r.retries("a") == 0)
        #expect(r.when("a", now: 0) == 0.005)
    }

    @Test("the overall bucket (10 qps, burst 100) delays retries beyond the burst")
    func bucket() {
        var r = DefaultControllerRateLimiter<Int>()
        for i in 0..<100 { #expect(r.when(i, now: 0) == 0.005) }
        #expect(abs(r.when(100, now: 0) - 0.1) < 1e-9)
        #expect(abs(r.when(101, now: 0) - 0.2) < 1e-9)
    }

    @Test("token bucket refills at its rate")
    func tokenBucket() {
        var b = TokenBucketProbe(rate: 2, burst: 1)
        #expect(b.reserve(0) == 0)
        #expect(b.reserve(0) == 0.5)
        #expect(b.reserve(2) == 0)
    }

    @Test("the queue actor hands items to waiting workers and returns nil after shutdown")
    func asyncQueue() async {
        let queue = WorkQueue<String>(name: "test")
        async let first = queue.get()
        try? await Task.sleep(for: .milliseconds(20))
        queue.add("x")
        #expect(await first == "x")
        queue.add("x")
        queue.done("x")
        #expect(await queue.get() == "x")
        queue.shutDown()
        #expect(await queue.get() == nil)
    }

    @Test("delayed adds fire through runDelays")
    func asyncDelays() async {
        let queue = WorkQueue<String>(name: "delays")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await queue.runDelays() }
            queue.add("late", after: 0.05)
            queue.add("now")
            #expect(await queue.get() == "now")
            #expect(await queue.get() == "late")
            queue.shutDown()
        }
    }
}

import KubeClient

struct TokenBucketProbe {
    var bucket: TokenBucket
    init(rate: Double, burst: Int) { bucket = TokenBucket(rate: rate, burst: burst) }
    mutating func reserve(_ now: Double) -> Double { bucket.reserve(now: now) }
}
