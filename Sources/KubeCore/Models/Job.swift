import Foundation

/// `batch/v1` Job.
public struct Job: HasStatus, Hashable {
    public static let group = "batch"
    public static let version = "v1"
    public static let kind = "Job"
    public static let plural = "jobs"
    public static let namespaced = true

    public var apiVersion: String? = "batch/v1"
    public var kind: String? = "Job"
    public var metadata: ObjectMeta
    public var spec: JobSpec?
    public var status: JobStatus?

    public init(metadata: ObjectMeta, spec: JobSpec? = nil, status: JobStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// The `Complete` or `Failed` condition with status True, if the Job finished.
    public var finishedCondition: JobCondition? {
        status?.conditions?.first { ($0.type == "Complete" || $0.type == "Failed") && $0.status == ConditionStatus.true }
    }
}

/// `batch/v1.JobSpec` subset.
public struct JobSpec: Codable, Sendable, Hashable {
    public var template: PodTemplateSpec
    public var parallelism: Int32?
    public var completions: Int32?
    public var backoffLimit: Int32?
    public var activeDeadlineSeconds: Int64?
    public var ttlSecondsAfterFinished: Int32?
    public var suspend: Bool?
    /// metav1.LabelSelector as JSON (`{"matchLabels": {...}}`); usually defaulted by the server.
    public var selector: JSONValue?
    public var manualSelector: Bool?

    public init(template: PodTemplateSpec, backoffLimit: Int32? = nil, activeDeadlineSeconds: Int64? = nil) {
        self.template = template
        self.backoffLimit = backoffLimit
        self.activeDeadlineSeconds = activeDeadlineSeconds
    }
}

/// `batch/v1.JobStatus`.
public struct JobStatus: Codable, Sendable, Hashable {
    public var active: Int32?
    public var succeeded: Int32?
    public var failed: Int32?
    public var ready: Int32?
    public var startTime: String?
    public var completionTime: String?
    public var conditions: [JobCondition]?

    public init() {}
}
