import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import SextantAPI

/// The cloud side of one MLPipeline controller instance: its backends and prices, the poll
/// schedule of every running cloud attempt, and a short-lived cache of namespace annotations.
/// One per controller (not global); reconciles of one run never overlap, so entries of a run are
/// only touched by one reconcile at a time.
public actor CloudWork {
    /// Backends by step kind.
    public nonisolated let backends: CloudBackends
    /// Prices.
    public nonisolated let pricing: PricingTable
    /// Seconds namespace annotations are reused before they are read again.
    public nonisolated let namespaceTTL: TimeInterval
    private var schedule: CloudPollSchedule
    private var namespaces: [String: (annotations: [String: String], at: Date)] = [:]

    /// The cloud work state of one controller.
    public init(backends: CloudBackends, pricing: PricingTable, schedule: CloudPollSchedule = CloudPollSchedule(), namespaceTTL: TimeInterval = 180) {
        self.backends = backends
        self.pricing = pricing
        self.schedule = schedule
        self.namespaceTTL = namespaceTTL
        self.nameLimits = backends.byKind.mapValues { $0.nameLimit }
        self.kinds = backends.kinds
    }

    /// Job name limits by kind (computed once: every reconcile reads them).
    public nonisolated let nameLimits: [String: Int]
    /// The step kinds of the backends.
    public nonisolated let kinds: Set<String>

    /// The schedule key of an attempt of a run: `<namespace>/<uid>/<step>/<attempt>`.
    nonisolated func key(_ pipeline: MLPipeline, _ attemptKey: String) -> String { prefix(pipeline) + attemptKey }

    nonisolated func prefix(_ pipeline: MLPipeline) -> String {
        "\(pipeline.metadata.namespace ?? "")/\(pipeline.metadata.uid ?? "")/"
    }

    func entry(_ key: String) -> CloudPollSchedule.Entry? { schedule.entry(key) }
    func isDue(_ key: String, now: Date) -> Bool { schedule.isDue(key, now: now) }

    func record(_ key: String, job: CloudJobObservation, now: Date) -> CloudAttemptObservation {
        schedule.record(key, job: job, now: now, random: Double.random(in: 0...1)).observation
    }

    func recordError(_ key: String, error: CloudBackendError, now: Date) -> CloudAttemptObservation {
        schedule.recordError(key, error: error, now: now, random: Double.random(in: 0...1)).observation
    }

    func recordResult(_ key: String, outputs: OutputValues?, outputsError: CloudBackendError?, cost: Cost?) -> CloudAttemptObservation? {
        schedule.recordResult(key, outputs: outputs, outputsError: outputsError, cost: cost)
        return schedule.entry(key)?.observation
    }

    /// Forgets the run's attempts that are not in `keep` (full keys).
    func retain(prefix: String, keep: Set<String>) { schedule.retain(prefix: prefix, keep: keep) }

    /// The annotations of `namespace`, read at most every `namespaceTTL` seconds (empty when the
    /// Namespace cannot be read: a per-namespace role is then not used).
    func namespaceAnnotations(_ namespace: String, client: KubeClient, logger: Logger) async -> [String: String] {
        let now = Date()
        if let cached = namespaces[namespace], now.timeIntervalSince(cached.at) < namespaceTTL { return cached.annotations }
        var annotations: [String: String] = [:]
        do {
            annotations = try await Api<Namespace>(client: client).get(namespace).metadata.annotations ?? [:]
        } catch {
            logger.warning("cannot read the namespace's annotations; cloud calls use the controller's own identity", metadata: ["error": "\(error)"])
        }
        namespaces[namespace] = (annotations, now)
        return annotations
    }
}

extension CloudBackendError {
    /// Any error of a backend call as a `CloudBackendError`: one that is not is `CloudUnavailable`.
    static func classify(_ error: any Error) -> CloudBackendError {
        (error as? CloudBackendError) ?? CloudBackendError(.unavailable, String(describing: error).clipped(300))
    }
}
