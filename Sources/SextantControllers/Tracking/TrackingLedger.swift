import Foundation
import MLflowClient

/// What an MLflow run already holds, as far as the controller logs to it: params with their values,
/// metric keys, tags with their values, dataset inputs (`name@digest`) and whether it has ended.
/// Built from `runs/get` after a restart, then kept up to date as calls succeed.
public struct TrackingLedger: Sendable, Hashable {
    /// Param key → value.
    public var params: [String: String] = [:]
    /// Metric keys that have at least one value.
    public var metricKeys: Set<String> = []
    /// Tag key → value.
    public var tags: [String: String] = [:]
    /// Dataset inputs as `name@digest`.
    public var datasets: Set<String> = []
    /// The run's status (`RUNNING` until ended).
    public var status: MLflowRunStatus = .running
    /// Keys the controller decided not to send (and said so in an Event): not said again.
    public var skipped: Set<String> = []

    /// An empty ledger (a run just created).
    public init() {}

    /// The ledger of `run` as MLflow returned it.
    public init(run: MLflowRun) {
        params = Dictionary(run.data.params.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        metricKeys = Set(run.data.metrics.map(\.key))
        tags = Dictionary(run.data.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        datasets = Set(run.datasetInputs.map { TrackingPlanner.datasetKey($0.dataset) })
        status = run.info.status ?? .running
    }

    /// Records what `work` sent successfully.
    public mutating func record(_ work: TrackingWork) {
        for p in work.params { params[p.key] = p.value }
        for m in work.metrics { metricKeys.insert(m.key) }
        for t in work.tags { tags[t.key] = t.value }
        for d in work.datasets { datasets.insert(TrackingPlanner.datasetKey(d.dataset)) }
        if let end = work.endStatus { status = end }
        skipped.formUnion(work.skippedKeys)
    }
}
