import Foundation
import Metrics
import SextantAPI
import Synchronization

/// The bounded, in-memory queue between reconciles and `OpenLineageDelivery`.
///
/// `record`/`submit` never wait: a full queue drops its oldest event (counted in
/// `sextant_openlineage_events_dropped_total{reason="queue_full"}`) so a slow or absent lineage
/// server never slows a run. Each (runId, eventType) is queued once per process: a reconcile that
/// plans the same transition twice (a stale cache read) does not send it twice. After a restart the
/// memory is empty; events are made only from status transitions, so the first pass of a restarted
/// controller sends nothing for what the last one had already written (docs/openlineage.md).
public final class OpenLineageEmitter: Sendable {
    /// Builds the events.
    public let builder: OpenLineageEventBuilder
    /// Most events waiting at once.
    public let capacity: Int
    /// How many (runId, eventType) keys are remembered for de-duplication.
    public let rememberedKeys: Int

    struct State {
        var queue: [OpenLineageRunEvent] = []
        var head = 0
        var seen = Set<String>()
        var seenOrder: [String] = []
        var seenHead = 0
        var dropped = 0
        var queued = 0
        var waiter: CheckedContinuation<Void, Never>?

        var count: Int { queue.count - head }

        mutating func compact() {
            if head > 1024 && head * 2 > queue.count { queue.removeFirst(head); head = 0 }
            if seenHead > 4096 && seenHead * 2 > seenOrder.count { seenOrder.removeFirst(seenHead); seenHead = 0 }
        }
    }

    private let state = Mutex(State())

    /// An emitter with a queue of `capacity` events.
    public init(builder: OpenLineageEventBuilder, capacity: Int = 10_000, rememberedKeys: Int = 100_000) {
        self.builder = builder
        self.capacity = max(1, capacity)
        self.rememberedKeys = max(1, rememberedKeys)
    }

    /// Queues the events of the transition `previous` → `current` of `pipeline`.
    public func record(pipeline: MLPipeline, previous: MLPipelineStatus?, current: MLPipelineStatus, now: Date = Date()) {
        submit(builder.events(pipeline: pipeline, previous: previous, current: current, now: now))
    }

    /// Queues events not queued before (by `key`), dropping the oldest waiting ones when full.
    public func submit(_ events: [OpenLineageRunEvent]) {
        guard !events.isEmpty else { return }
        let (waiter, dropped, depth) = state.withLock { s -> (CheckedContinuation<Void, Never>?, Int, Int) in
            var dropped = 0
            for event in events where s.seen.insert(event.key).inserted {
                s.seenOrder.append(event.key)
                if s.seenOrder.count - s.seenHead > rememberedKeys {
                    s.seen.remove(s.seenOrder[s.seenHead])
                    s.seenHead += 1
                }
                if s.count >= capacity {
                    s.head += 1
                    dropped += 1
                }
                s.queue.append(event)
                s.queued += 1
            }
            s.dropped += dropped
            s.compact()
            let waiter = s.waiter
            s.waiter = nil
            return (waiter, dropped, s.count)
        }
        if dropped > 0 {
            Counter(label: "sextant_openlineage_events_dropped_total", dimensions: [("reason", "queue_full")]).increment(by: dropped)
        }
        Gauge(label: "sextant_openlineage_queue_depth").record(depth)
        waiter?.resume()
    }

    /// The oldest waiting event, waiting for one when the queue is empty; nil when the task is cancelled.
    func next() async -> OpenLineageRunEvent? {
        while !Task.isCancelled {
            if let event = takeFirst() { return event }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { s -> Bool in
                        if s.count > 0 || Task.isCancelled { return true }
                        s.waiter?.resume()
                        s.waiter = c
                        return false
                    }
                    if resumeNow { c.resume() }
                }
            } onCancel: {
                state.withLock { s -> CheckedContinuation<Void, Never>? in
                    let w = s.waiter
                    s.waiter = nil
                    return w
                }?.resume()
            }
        }
        return nil
    }

    /// The oldest waiting event, if any, without waiting.
    func takeFirst() -> OpenLineageRunEvent? {
        state.withLock { s -> OpenLineageRunEvent? in
            guard s.count > 0 else { return nil }
            let event = s.queue[s.head]
            s.head += 1
            s.compact()
            return event
        }
    }

    /// Events waiting now.
    public var depth: Int { state.withLock { $0.count } }
    /// Events dropped because the queue was full, since start.
    public var droppedCount: Int { state.withLock { $0.dropped } }
    /// Events queued, since start.
    public var queuedCount: Int { state.withLock { $0.queued } }
}
