import Foundation
import SextantAPI
import Synchronization

/// Validated DAGs of pipelines by uid, each for the generation it was validated at, so a spec
/// that did not change is not validated again on every reconcile (`RunPlanner.plan`). A spec's
/// generation changes with every spec change; a new generation is validated again. Invalid specs
/// are not cached (the run fails and is not planned again). Bounded: past `capacity` entries an
/// arbitrary one is dropped; the controller forgets a run once it is finished or deleted.
public final class PipelineGraphCache: Sendable {
    private struct Entry: Sendable {
        var generation: Int64
        var graph: PipelineGraph
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// Most graphs kept.
    public let capacity: Int

    /// An empty cache of at most `capacity` graphs.
    public init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
    }

    /// The graph of `pipeline`'s spec: the one validated for the same uid and generation, or
    /// validated now (throws the validation error as `PipelineGraph(validating:)` does). Objects
    /// without uid or generation are validated every time.
    public func graph(for pipeline: MLPipeline) throws -> PipelineGraph {
        guard let uid = pipeline.metadata.uid, let generation = pipeline.metadata.generation else {
            return try PipelineGraph(validating: pipeline.spec)
        }
        if let entry = entries.withLock({ $0[uid] }), entry.generation == generation { return entry.graph }
        let graph = try PipelineGraph(validating: pipeline.spec)
        entries.withLock { e in
            if e[uid] == nil, e.count >= capacity, let victim = e.keys.first { e[victim] = nil }
            e[uid] = Entry(generation: generation, graph: graph)
        }
        return graph
    }

    /// Drops the graph of this uid (the run finished or the object is gone).
    public func forget(uid: String) {
        _ = entries.withLock { $0.removeValue(forKey: uid) }
    }

    /// Number of cached graphs.
    public var count: Int { entries.withLock { $0.count } }
}
