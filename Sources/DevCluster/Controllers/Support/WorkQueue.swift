import Foundation
import Synchronization

/// A deduplicating work queue of keys with delayed re-adds, consumed by one worker.
///
/// A key added while queued is not queued twice; a key added while being reconciled is
/// queued again (level-based reconciliation). Delayed keys are promoted by `runTimer()`.
final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var queued: Set<Key> = []
        var delayed: [Key: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())
    private let stream: AsyncStream<Key>
    private let continuation: AsyncStream<Key>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Key.self)
    }

    /// Queues a key now.
    func add(_ key: Key) {
        let inserted = state.withLock { s in
            s.delayed[key] = nil
            return s.queued.insert(key).inserted
        }
        if inserted { continuation.yield(key) }
    }

    /// Queues a key after a delay (an earlier pending delay wins).
    func add(_ key: Key, after delay: Duration) {
        let due = ContinuousClock.now.advanced(by: delay)
        state.withLock { s in
            if let existing = s.delayed[key], existing <= due { return }
            s.delayed[key] = due
        }
    }

    /// The keys to process, in order; ends when the consuming task is cancelled or `finish()` is called.
    var keys: AsyncStream<Key> { stream }

    /// Marks a key as taken by the worker (so that a later add queues it again).
    func taken(_ key: Key) {
        _ = state.withLock { $0.queued.remove(key) }
    }

    /// Ends the key stream.
    func finish() { continuation.finish() }

    /// Promotes due delayed keys every `tick` until cancelled.
    func runTimer(tick: Duration = .milliseconds(100)) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: tick) } catch { return }
            let now = ContinuousClock.now
            let due: [Key] = state.withLock { s in
                let keys = s.delayed.filter { $0.value <= now }.map(\.key)
                for k in keys { s.delayed[k] = nil }
                return keys
            }
            for key in due { add(key) }
        }
    }
}
