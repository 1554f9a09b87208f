import Foundation
import KubeCore
import Logging
import MLflowClient
import SextantAPI

/// What one tracking pass found and did, for the reconciler to fold into the status it writes.
public struct TrackingOutcome: Sendable {
    /// `status.tracking.mlflow` as known now (nil when nothing is known).
    public var mlflow: MLflowTrackingStatus?
    /// The `Tracked` condition to set (nil: leave it as it is).
    public var condition: (status: String, reason: String, message: String)?
    /// Events to record, in order.
    public var events: [RunPlan.PlannedEvent] = []
    /// When to try again (a failed or deferred pass).
    public var retryAfter: TimeInterval?
    /// True when this pass learned the run id (created or found again): write it at once.
    public var learnedRunID = false
}

/// Executes the `TrackingPlanner`'s decisions against MLflow, one pipeline run at a time: finds or
/// creates the experiment and the run (found again by its `sextant.uid` tag, so a restart never
/// makes a second one), sends what the run lacks, ends it. A failing server never throws out of
/// `sync`: the outcome says `Tracked=False` with the reason, and the pipeline is not tried again
/// before its backoff (2 s doubling to 5 min) has passed, so a reconcile is never held up by it.
public actor RunTracker {
    /// Makes the client of a tracking URI (credentials from the controller's environment).
    public typealias ClientFactory = @Sendable (String) throws -> MLflowClient

    struct State {
        var experimentID: String?
        var runID: String?
        var ledger: TrackingLedger?
        var failures = 0
        var retryAt: Date?
    }

    private var states: [String: State] = [:]
    private var clients: [String: MLflowClient] = [:]
    private let makeClient: ClientFactory
    private let baseDelay: TimeInterval
    private let maxDelay: TimeInterval
    private let logger: Logger

    /// A tracker whose clients authenticate with `MLFLOW_TRACKING_TOKEN` or
    /// `MLFLOW_TRACKING_USERNAME`/`PASSWORD` from `environment`, each call bounded by `timeout`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Duration = .seconds(5),
                baseDelay: TimeInterval = 2, maxDelay: TimeInterval = 300, logger: Logger = Logger(label: "sextant.tracking")) {
        self.init(makeClient: { uri in try MLflowClient(trackingURI: uri, environment: environment, timeout: timeout) },
                  baseDelay: baseDelay, maxDelay: maxDelay, logger: logger)
    }

    /// A tracker with its own client factory (tests).
    public init(makeClient: @escaping ClientFactory, baseDelay: TimeInterval = 2, maxDelay: TimeInterval = 300,
                logger: Logger = Logger(label: "sextant.tracking")) {
        self.makeClient = makeClient
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.logger = logger
    }

    /// Brings the MLflow run of `pipeline` up to date with its status (see `TrackingPlanner.work`).
    /// `ensureRunOnly` stops once the run exists (before the steps start: their env needs its id).
    public func sync(_ pipeline: MLPipeline, now: Date = Date(), ensureRunOnly: Bool = false) async -> TrackingOutcome {
        guard let spec = pipeline.spec.tracking?.mlflow, let uid = pipeline.metadata.uid else { return TrackingOutcome() }
        let recorded = pipeline.status?.tracking?.mlflow
        var state = states[uid] ?? State(experimentID: recorded?.experimentId, runID: recorded?.runId)
        var outcome = TrackingOutcome()
        if let retryAt = state.retryAt, retryAt > now {
            outcome.mlflow = recorded
            outcome.retryAfter = retryAt.timeIntervalSince(now)
            return outcome
        }
        var client: MLflowClient?
        do {
            let c = try self.client(spec.trackingURI)
            client = c
            if state.experimentID == nil {
                state.experimentID = try await c.experimentID(named: spec.experiment)
            }
            guard let experimentID = state.experimentID else { throw MLflowError.invalidResponse("no experiment id") }
            if state.runID == nil {
                if let found = try await c.findRun(experimentID: experimentID, tag: TrackingPlanner.uidTag, value: uid) {
                    state.runID = found.info.runID
                    state.ledger = TrackingLedger(run: found)
                    outcome.events.append(.init(warning: false, reason: "TrackingRunFound",
                                                note: "MLflow run \(found.info.runID) found again by its sextant.uid tag: \(c.runURL(experimentID: experimentID, runID: found.info.runID))"))
                } else {
                    let startedAt = TrackingPlanner.millis(pipeline.status?.startedAt) ?? Int64((now.timeIntervalSince1970 * 1000).rounded())
                    let run = try await c.createRun(experimentID: experimentID, runName: pipeline.metadata.name ?? uid,
                                                    startTime: startedAt, tags: TrackingPlanner.identityTags(pipeline))
                    state.runID = run.info.runID
                    state.ledger = TrackingLedger(run: run)
                    outcome.events.append(.init(warning: false, reason: "TrackingRunCreated",
                                                note: "MLflow run \(run.info.runID): \(c.runURL(experimentID: experimentID, runID: run.info.runID))"))
                }
                outcome.learnedRunID = true
            }
            guard let runID = state.runID else { throw MLflowError.invalidResponse("no run id") }
            outcome.mlflow = MLflowTrackingStatus(experimentId: experimentID, runId: runID, url: c.runURL(experimentID: experimentID, runID: runID))
            if ensureRunOnly && !outcome.learnedRunID {
                states[uid] = state
                return outcome
            }
            var ledger: TrackingLedger
            if let known = state.ledger {
                ledger = known
            } else {
                do {
                    ledger = TrackingLedger(run: try await c.run(id: runID))
                } catch MLflowError.resourceDoesNotExist(let message) {
                    // The run was deleted or the server's store reset: make or find one again next time.
                    state.runID = nil
                    throw MLflowError.resourceDoesNotExist("MLflow run \(runID) is gone (\(message)); a new run will be made")
                }
            }
            let work = TrackingPlanner.work(for: pipeline, ledger: ledger, now: now)
            if !work.params.isEmpty || !work.metrics.isEmpty || !work.tags.isEmpty {
                try await c.logBatch(runID: runID, params: work.params, metrics: work.metrics, tags: work.tags)
            }
            try await c.logInputs(runID: runID, datasets: work.datasets)
            if let end = work.endStatus {
                try await c.updateRun(runID: runID, status: end, endTime: work.endTime)
            }
            ledger.record(work)
            state.ledger = ledger
            state.failures = 0
            state.retryAt = nil
            outcome.events += work.events
            let message: String
            if TrackingPlanner.endStatus(phase: pipeline.status?.phase) != nil, ledger.status != .running {
                message = "\(TrackingPlanner.endedPrefix(runID))\(ledger.status.rawValue)"
                states[uid] = nil   // nothing more to send; the condition says so after a restart
            } else {
                message = "MLflow run \(runID): \(ledger.params.count) params, \(ledger.metricKeys.count) metrics logged"
                states[uid] = state
            }
            outcome.condition = (ConditionStatus.true, TrackingPlanner.syncedReason, message)
            return outcome
        } catch {
            let e = error as? MLflowError ?? MLflowError.unavailable(String(describing: error))
            state.failures += 1
            state.ledger = nil   // what a failed pass left behind is read again
            let delay = min(maxDelay, baseDelay * pow(2, Double(max(0, state.failures - 1))))
            state.retryAt = now.addingTimeInterval(delay)
            states[uid] = state
            if outcome.mlflow == nil, let experimentID = state.experimentID, let runID = state.runID, let c = client {
                outcome.mlflow = MLflowTrackingStatus(experimentId: experimentID, runId: runID, url: c.runURL(experimentID: experimentID, runID: runID))
            }
            if outcome.mlflow == nil { outcome.mlflow = recorded }
            let shown = client?.displayURI ?? MLflowClient.redacted(spec.trackingURI)
            let message = "MLflow at \(shown): \(e.description); retrying in \(Int(delay))s (the run goes on)".clipped()
            outcome.condition = (ConditionStatus.false, e.reason, message)
            outcome.retryAfter = delay
            if state.failures == 1 {
                outcome.events.append(.init(warning: true, reason: "TrackingFailed", note: message))
            }
            logger.debug("tracking failed", metadata: ["pipeline": "\(pipeline.metadata.namespace ?? "")/\(pipeline.metadata.name ?? "")",
                                                       "error": "\(e.code)", "retryIn": "\(Int(delay))"])
            return outcome
        }
    }

    /// Forgets a pipeline run (deleted).
    public func forget(uid: String) {
        states[uid] = nil
    }

    private func client(_ uri: String) throws -> MLflowClient {
        if let c = clients[uri] { return c }
        let c = try makeClient(uri)
        clients[uri] = c
        return c
    }
}
