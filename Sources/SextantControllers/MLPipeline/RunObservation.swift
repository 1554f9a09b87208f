import Foundation
import KubeCore
import SextantAPI

/// What the controller observed of one attempt's Job (and its pod).
public struct JobObservation: Sendable, Hashable {
    /// Job outcome.
    public enum Outcome: Sendable, Hashable { case running, succeeded, failed }
    /// Job name.
    public var name: String
    /// Running, succeeded or failed.
    public var outcome: Outcome
    /// Job condition reason (`DeadlineExceeded`, `BackoffLimitExceeded`).
    public var reason: String?
    /// Job condition or pod message.
    public var message: String?
    /// `status.startTime`.
    public var startedAt: String?
    /// `status.completionTime` or the finished condition's time.
    public var finishedAt: String?
    /// The terminated container's message; nil while no terminated pod was seen.
    public var terminationMessage: String?
    /// What the Job's pod requests (for its cost).
    public var resources: PodResources?

    /// An observation.
    public init(
        name: String, outcome: Outcome, reason: String? = nil, message: String? = nil, startedAt: String? = nil,
        finishedAt: String? = nil, terminationMessage: String? = nil, resources: PodResources? = nil
    ) {
        self.name = name
        self.outcome = outcome
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.terminationMessage = terminationMessage
        self.resources = resources
    }

    /// Builds the observation of a Job and the pods it owns.
    public init(job: Job, pods: [Pod]) {
        let finished = job.finishedCondition
        let outcome: Outcome
        switch finished?.type {
        case "Complete": outcome = .succeeded
        case "Failed": outcome = .failed
        default: outcome = .running
        }
        let terminated = pods
            .compactMap { $0.status?.containerStatuses?.first?.state?.terminated }
            .first
        self.init(
            name: job.name, outcome: outcome, reason: finished?.reason, message: finished?.message,
            startedAt: job.status?.startTime, finishedAt: job.status?.completionTime ?? finished?.lastTransitionTime,
            terminationMessage: terminated.map { $0.message ?? "" },
            resources: job.spec.map { PodResources(containers: $0.template.spec?.containers ?? []) })
        if outcome == .failed, let t = terminated, t.exitCode != 0, finished?.reason != "DeadlineExceeded" {
            let code = t.exitCode
            reason = "Error"
            let tail = (t.message ?? "").suffix(300)
            message = "container exited with code \(code)" + (tail.isEmpty ? "" : ": \(tail)")
        }
    }
}

/// A reusable earlier result found by cache key.
public struct CacheEntry: Sendable, Hashable {
    /// `<pipeline>/<step>` it came from.
    public var from: String
    /// Its outputs.
    public var outputs: OutputValues?

    /// A cache entry.
    public init(from: String, outputs: OutputValues?) {
        self.from = from
        self.outputs = outputs
    }
}

/// What the controller knows of one cloud attempt: the backend's last observation of the job,
/// the outputs and cost fetched once it succeeded, and the error of the last call, if it failed.
public struct CloudAttemptObservation: Sendable, Hashable {
    /// The job as last observed (or as `start` returned it).
    public var job: CloudJobObservation?
    /// The outputs of a succeeded job (`CloudTrainingBackend.outputs`).
    public var outputs: OutputValues?
    /// Why the outputs could not be read (`InvalidOutputs`, ...); fails the attempt.
    public var outputsError: CloudBackendError?
    /// The job's cost (`CloudTrainingBackend.cost`).
    public var cost: Cost?
    /// The error of the last call (start/observe): `.unavailable` keeps the attempt running and
    /// is retried with backoff; any other kind fails the attempt with that reason.
    public var error: CloudBackendError?
    /// When the controller polls this job next; the planner requeues for then.
    public var nextPollAt: Date?

    /// An observation.
    public init(
        job: CloudJobObservation? = nil, outputs: OutputValues? = nil, outputsError: CloudBackendError? = nil,
        cost: Cost? = nil, error: CloudBackendError? = nil, nextPollAt: Date? = nil
    ) {
        self.job = job
        self.outputs = outputs
        self.outputsError = outputsError
        self.cost = cost
        self.error = error
        self.nextPollAt = nextPollAt
    }
}

/// Everything the planner needs besides the pipeline.
public struct RunObservation: Sendable {
    /// Jobs of this run by name.
    public var jobs: [String: JobObservation]
    /// Finds a Succeeded step with this cache key younger than the max age (seconds).
    public var cacheLookup: @Sendable (_ key: String, _ maxAgeSeconds: Int64?) -> CacheEntry?
    /// The current time.
    public var now: Date
    /// Cloud attempts by `"<step>/<attempt>"` (`RunPlanner.cloudKey`).
    public var cloudJobs: [String: CloudAttemptObservation] = [:]
    /// The cloud step kinds this controller has a backend for; other kinds fail with `BackendUnavailable`.
    public var cloudBackends: Set<String> = []
    /// Job name limits of the backends by kind (`CloudTrainingBackend.nameLimit`).
    public var cloudNameLimits: [String: Int] = [:]
    /// Prices for cost estimates.
    public var pricing: PricingTable = .empty
    /// Validated DAGs by uid and generation (the controller's); nil: validate the spec every time.
    public var graphs: PipelineGraphCache?

    /// An observation.
    public init(
        jobs: [String: JobObservation], now: Date, cloudJobs: [String: CloudAttemptObservation] = [:],
        cloudBackends: Set<String> = [], cloudNameLimits: [String: Int] = [:], pricing: PricingTable = .empty,
        cacheLookup: @escaping @Sendable (String, Int64?) -> CacheEntry? = { _, _ in nil }
    ) {
        self.jobs = jobs
        self.now = now
        self.cloudJobs = cloudJobs
        self.cloudBackends = cloudBackends
        self.cloudNameLimits = cloudNameLimits
        self.pricing = pricing
        self.cacheLookup = cacheLookup
    }
}
