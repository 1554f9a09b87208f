import Foundation
import KubeClient
import Metrics
import Synchronization

/// A rate-limited, delaying work queue shared by a controller's event handlers and workers.
/// Thread-safe (its state is a `WorkQueueState` behind a mutex, so event handlers and shutdown
/// hooks can call it synchronously). `get()` suspends until an item is available or the queue
/// shuts down (then it returns nil). `runDelays()` must run (in the controller's task group)
/// for delayed and rate-limited adds to fire.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    struct Inner {
        var state = WorkQueueState<Key>()
        var limiter: DefaultControllerRateLimiter<Key>
        var waiters: [CheckedContinuation<Key?, Never>] = []
        var wake: CheckedContinuation<Void, Never>?
        var wakePending = false
    }

    public let name: String
    private let inner: Mutex<Inner>
    private let depthGauge: Gauge
    private let addsCounter: Counter
    private let retriesCounter: Counter

    public init(name: String, rateLimiter: DefaultControllerRateLimiter<Key> = DefaultControllerRateLimiter()) {
        self.name = name
        self.inner = Mutex(Inner(limiter: rateLimiter))
        self.depthGauge = Gauge(label: "workqueue_depth", dimensions: [("name", name)])
        self.addsCounter = Counter(label: "workqueue_adds_total", dimensions: [("name", name)])
        self.retriesCounter = Counter(label: "workqueue_retries_total", dimensions: [("name", name)])
    }

    /// Items ready for a worker.
    public var depth: Int { inner.withLock { $0.state.depth } }
    /// Items waiting for a delay.
    public var waitingCount: Int { inner.withLock { $0.state.waitingCount } }
    public var isShuttingDown: Bool { inner.withLock { $0.state.shuttingDown } }

    /// Adds an item now (deduplicated).
    public func add(_ key: Key) {
        let (resume, depth) = inner.withLock { s -> ((CheckedContinuation<Key?, Never>, Key)?, Int) in
            guard s.state.add(key) else { return (nil, s.state.depth) }
            return (Self.handOut(&s), s.state.depth)
        }
        addsCounter.increment()
        depthGauge.record(depth)
        if let (c, k) = resume { c.resume(returning: k) }
    }

    /// Gives the next item to a waiting worker, if both exist.
    private static func handOut(_ s: inout Inner) -> (CheckedContinuation<Key?, Never>, Key)? {
        guard !s.waiters.isEmpty, let k = s.state.get() else { return nil }
        return (s.waiters.removeFirst(), k)
    }

    /// Adds an item after `delay` seconds.
    public func add(_ key: Key, after delay: Double) {
        if delay <= 0 { add(key); return }
        let wake = inner.withLock { s -> CheckedContinuation<Void, Never>? in
            s.state.add(key, readyAt: MonotonicClock.now() + delay)
            return Self.takeWake(&s)
        }
        wake?.resume()
    }

    private static func takeWake(_ s: inout Inner) -> CheckedContinuation<Void, Never>? {
        if let w = s.wake {
            s.wake = nil
            return w
        }
        s.wakePending = true
        return nil
    }

    /// Adds an item after its rate-limited backoff (a retry after a failure).
    public func addRateLimited(_ key: Key) {
        let delay = inner.withLock { $0.limiter.when(key, now: MonotonicClock.now()) }
        retriesCounter.increment()
        add(key, after: delay)
    }

    /// Resets the backoff of `key` (after a success).
    public func forget(_ key: Key) {
        inner.withLock { $0.limiter.forget(key) }
    }

    /// Failures of `key` since the last forget.
    public func retries(_ key: Key) -> Int { inner.withLock { $0.limiter.retries(key) } }

    /// The next item; nil once the queue is shut down. Call `done` after processing it.
    public func get() async -> Key? {
        await withCheckedContinuation { (c: CheckedContinuation<Key?, Never>) in
            let immediate: Key?? = inner.withLock { s in
                if let k = s.state.get() { return .some(k) }
                if s.state.shuttingDown { return .some(nil) }
                s.waiters.append(c)
                return nil
            }
            if let value = immediate { c.resume(returning: value) }
            depthGauge.record(depth)
        }
    }

    /// Marks an item processed; if it was re-added meanwhile it becomes available again.
    public func done(_ key: Key) {
        let resume = inner.withLock { s -> (CheckedContinuation<Key?, Never>, Key)? in
            guard s.state.done(key) else { return nil }
            return Self.handOut(&s)
        }
        if let (c, k) = resume { c.resume(returning: k) }
    }

    /// Stops the queue: waiting workers get nil, pending delays are dropped. Items already handed
    /// out may still call `done`.
    public func shutDown() {
        let (waiters, wake) = inner.withLock { s -> ([CheckedContinuation<Key?, Never>], CheckedContinuation<Void, Never>?) in
            s.state.shutDown()
            let w = s.waiters
            s.waiters = []
            let wake = s.wake
            s.wake = nil
            s.wakePending = true
            return (w, wake)
        }
        for w in waiters { w.resume(returning: nil) }
        wake?.resume()
    }

    /// Moves delayed items into the queue when their time comes. Runs until the queue shuts down
    /// or the task is cancelled.
    public func runDelays() async {
        while !Task.isCancelled {
            let (handouts, next, stop) = inner.withLock { s -> ([(CheckedContinuation<Key?, Never>, Key)], Double?, Bool) in
                s.state.promote(now: MonotonicClock.now())
                var out: [(CheckedContinuation<Key?, Never>, Key)] = []
                while let h = Self.handOut(&s) { out.append(h) }
                return (out, s.state.nextReadyAt, s.state.shuttingDown)
            }
            for (c, k) in handouts { c.resume(returning: k) }
            if stop { return }
            await withTaskGroup(of: Void.self) { group in
                if let next {
                    let delay = max(0, next - MonotonicClock.now())
                    group.addTask { try? await Task.sleep(for: .seconds(delay)) }
                }
                group.addTask { await self.waitForWake() }
                await group.next()
                group.cancelAll()
                self.wakeUp()
            }
        }
    }

    private func waitForWake() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = inner.withLock { s -> Bool in
                    if s.wakePending || Task.isCancelled {
                        s.wakePending = false
                        return true
                    }
                    s.wake = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            self.wakeUp()
        }
    }

    private func wakeUp() {
        let w = inner.withLock { s -> CheckedContinuation<Void, Never>? in
            let w = s.wake
            s.wake = nil
            return w
        }
        w?.resume()
    }
}
