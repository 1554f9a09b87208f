import Foundation
import KubeCore
import SextantAPI

/// What one reconcile pass should do: the status to write and the side effects.
public struct RunPlan: Sendable {
    /// One Job to create.
    public struct JobToCreate: Sendable {
        /// Step name.
        public var step: String
        /// Attempt number.
        public var attempt: Int
        /// The resolved step.
        public var resolved: ResolvedStep
    }

    /// One cloud job to start (or adopt: `start` finds a job of the same name or recorded id).
    public struct CloudJobToStart: Sendable {
        /// Step name.
        public var step: String
        /// Attempt number.
        public var attempt: Int
        /// The resolved step.
        public var resolved: ResolvedStep
        /// The attempt as the backend needs it.
        public var cloud: CloudAttempt

        /// `"<step>/<attempt>"`.
        public var key: String { RunPlanner.cloudKey(step, attempt) }
    }

    /// One Event to record.
    public struct PlannedEvent: Sendable, Hashable {
        /// `Normal` or `Warning`.
        public var warning: Bool
        /// CamelCase reason.
        public var reason: String
        /// Message.
        public var note: String
    }

    /// The status to write (only if it differs from the stored one).
    public var status: MLPipelineStatus
    /// Jobs to create (AlreadyExists is success: the name is deterministic).
    public var createJobs: [JobToCreate] = []
    /// Jobs to delete (cancel, run timeout).
    public var deleteJobs: [String] = []
    /// Cloud jobs to start or adopt, in order.
    public var startCloudJobs: [CloudJobToStart] = []
    /// Cloud jobs to stop (cancel, run timeout, step timeout); idempotent.
    public var stopCloudJobs: [CloudAttempt] = []
    /// Events, in order.
    public var events: [PlannedEvent] = []
    /// When to look again even if nothing changes.
    public var requeueAfter: TimeInterval?
    /// True when every step succeeded and the run must register a ModelVersion before it is Succeeded.
    public var needsRegistration = false

    mutating func requeue(in seconds: TimeInterval) {
        let s = max(0.5, seconds)
        requeueAfter = min(requeueAfter ?? s, s)
    }

    mutating func event(_ reason: String, _ note: String, warning: Bool = false) {
        events.append(PlannedEvent(warning: warning, reason: reason, note: note))
    }
}

/// Condition reasons and types of MLPipeline.
public enum MLPipelineReason {
    public static let running = "Running"
    public static let succeeded = "Succeeded"
    public static let stepFailed = "StepFailed"
    public static let cancelled = "Cancelled"
    public static let runTimeout = "RunTimeout"
    public static let registering = "Registering"
    public static let backendUnavailable = "BackendUnavailable"
    public static let deadlineExceeded = "DeadlineExceeded"
    public static let missingOutputs = "MissingOutputs"
    public static let pending = "Pending"
}

extension String {
    /// The string cut to `limit` characters (status messages stay small).
    func clipped(_ limit: Int = 512) -> String {
        count <= limit ? self : String(prefix(limit - 1)) + "…"
    }
}
