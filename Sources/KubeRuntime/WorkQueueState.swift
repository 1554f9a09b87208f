import Foundation
import KubeClient

/// The work queue's bookkeeping as a pure value (client-go semantics):
/// - an item is queued at most once (`dirty`);
/// - an item being processed is never handed to a second worker; re-adding it while it is
///   processed queues it again when `done` is called;
/// - delayed adds wait in `waiting` until their time (earliest time wins).
public struct WorkQueueState<Key: Hashable & Sendable>: Sendable {
    private var queue: [Key] = []
    private var head = 0
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var waiting: [Key: Double] = [:]
    public private(set) var shuttingDown = false

    public init() {}

    /// Items ready to be handed out.
    public var depth: Int { queue.count - head }
    /// Items waiting for their delay.
    public var waitingCount: Int { waiting.count }
    public func isProcessing(_ key: Key) -> Bool { processing.contains(key) }

    /// Marks `key` as needing work. Returns true when it became available to a worker now.
    @discardableResult
    public mutating func add(_ key: Key) -> Bool {
        if shuttingDown || dirty.contains(key) { return false }
        dirty.insert(key)
        if processing.contains(key) { return false }
        queue.append(key)
        return true
    }

    /// Schedules `key` for `readyAt` (monotonic seconds); an earlier pending time is kept.
    public mutating func add(_ key: Key, readyAt: Double) {
        if shuttingDown { return }
        if let existing = waiting[key], existing <= readyAt { return }
        waiting[key] = readyAt
    }

    /// Moves delayed items whose time came into the queue. Returns how many became available.
    @discardableResult
    public mutating func promote(now: Double) -> Int {
        var n = 0
        for (key, at) in waiting where at <= now {
            waiting[key] = nil
            if add(key) { n += 1 }
        }
        return n
    }

    /// The earliest pending delayed time.
    public var nextReadyAt: Double? { waiting.values.min() }

    /// Hands out the next item and marks it processing.
    public mutating func get() -> Key? {
        guard head < queue.count else { return nil }
        let key = queue[head]
        head += 1
        if head > 1024, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        processing.insert(key)
        dirty.remove(key)
        return key
    }

    /// Processing of `key` finished. Returns true when it was re-added meanwhile and is queued again.
    @discardableResult
    public mutating func done(_ key: Key) -> Bool {
        processing.remove(key)
        if dirty.contains(key) {
            queue.append(key)
            return true
        }
        return false
    }

    /// Stops accepting items; `get` still drains nothing more once empty.
    public mutating func shutDown() {
        shuttingDown = true
        waiting.removeAll()
    }
}

/// controller-runtime's `DefaultTypedControllerRateLimiter` as a pure value: the maximum of a
/// per-item exponential backoff (5 ms · 2^failures, capped at 1000 s) and an overall token bucket
/// (10 qps, burst 100).
public struct DefaultControllerRateLimiter<Key: Hashable & Sendable>: Sendable {
    public var baseDelay: Double
    public var maxDelay: Double
    private var failures: [Key: Int] = [:]
    private var bucket: TokenBucket

    public init(baseDelay: Double = 0.005, maxDelay: Double = 1000, qps: Double = 10, burst: Int = 100) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.bucket = TokenBucket(rate: qps, burst: burst)
    }

    /// The delay before retrying `key` (counts one more failure).
    public mutating func when(_ key: Key, now: Double) -> Double {
        let n = failures[key, default: 0]
        failures[key] = n + 1
        let exp = n >= 60 ? maxDelay : min(maxDelay, baseDelay * pow(2, Double(n)))
        return max(exp, bucket.reserve(now: now))
    }

    /// How many times `key` failed since the last `forget`.
    public func retries(_ key: Key) -> Int { failures[key, default: 0] }

    /// Clears the failure count (after a success).
    public mutating func forget(_ key: Key) { failures[key] = nil }
}
