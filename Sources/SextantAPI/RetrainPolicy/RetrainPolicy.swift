import KubeCore

/// When to run a pipeline again (`rp`). See docs/api.md.
public struct RetrainPolicy: Codable, Sendable, Hashable {
    /// `ml.sextant.dev/v1alpha1`.
    public var apiVersion: String?
    /// `RetrainPolicy`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// Template and triggers.
    public var spec: RetrainPolicySpec
    /// Trigger history.
    public var status: RetrainPolicyStatus?

    /// A retrain policy.
    public init(metadata: ObjectMeta, spec: RetrainPolicySpec, status: RetrainPolicyStatus? = nil) {
        self.apiVersion = SextantGroup.apiVersion
        self.kind = "RetrainPolicy"
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// Concurrency policies.
public enum ConcurrencyPolicy {
    public static let allow = "Allow"
    public static let forbid = "Forbid"
    public static let replace = "Replace"
    /// Every policy.
    public static let all = [allow, forbid, replace]
}

/// Trigger reasons.
public enum TriggerReason {
    public static let schedule = "Schedule"
    public static let dataChange = "DataChange"
    public static let metric = "Metric"
    public static let manual = "Manual"
    /// Every reason.
    public static let all = [schedule, dataChange, metric, manual]
}

/// The desired behaviour of a retrain policy.
public struct RetrainPolicySpec: Codable, Sendable, Hashable {
    /// The MLPipeline each trigger creates.
    public var pipeline: PipelineTemplate
    /// 5-field cron or @hourly/@daily/@weekly/@monthly.
    public var schedule: String?
    /// IANA time zone of the schedule (default UTC).
    public var timeZone: String?
    /// Data and metric triggers.
    public var triggers: RetrainTriggers?
    /// `Allow`, `Forbid` or `Replace`.
    public var concurrencyPolicy: String?
    /// No two triggered runs closer than this.
    public var minIntervalSeconds: Int64?
    /// A missed schedule older than this is skipped.
    public var startingDeadlineSeconds: Int64?
    /// Stops new runs.
    public var suspend: Bool?
    /// Succeeded runs kept.
    public var successfulRunsHistoryLimit: Int?
    /// Failed runs kept.
    public var failedRunsHistoryLimit: Int?

    /// A spec.
    public init(
        pipeline: PipelineTemplate, schedule: String? = nil, timeZone: String? = nil, triggers: RetrainTriggers? = nil,
        concurrencyPolicy: String? = nil, minIntervalSeconds: Int64? = nil, startingDeadlineSeconds: Int64? = nil,
        suspend: Bool? = nil, successfulRunsHistoryLimit: Int? = nil, failedRunsHistoryLimit: Int? = nil
    ) {
        self.pipeline = pipeline
        self.schedule = schedule
        self.timeZone = timeZone
        self.triggers = triggers
        self.concurrencyPolicy = concurrencyPolicy
        self.minIntervalSeconds = minIntervalSeconds
        self.startingDeadlineSeconds = startingDeadlineSeconds
        self.suspend = suspend
        self.successfulRunsHistoryLimit = successfulRunsHistoryLimit
        self.failedRunsHistoryLimit = failedRunsHistoryLimit
    }
}

/// The template of a created run.
public struct PipelineTemplate: Codable, Sendable, Hashable {
    /// Labels and annotations of created runs.
    public var metadata: TemplateMetadata?
    /// The MLPipeline spec.
    public var spec: MLPipelineSpec

    /// A template.
    public init(metadata: TemplateMetadata? = nil, spec: MLPipelineSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// Labels and annotations of a template.
public struct TemplateMetadata: Codable, Sendable, Hashable {
    /// Labels.
    public var labels: [String: String]?
    /// Annotations.
    public var annotations: [String: String]?

    /// Template metadata.
    public init(labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.labels = labels
        self.annotations = annotations
    }
}

/// Non-schedule triggers.
public struct RetrainTriggers: Codable, Sendable, Hashable {
    /// Run when a dataset's version changes.
    public var dataChange: DataChangeTrigger?
    /// Run when a metric crosses a threshold.
    public var metric: MetricTrigger?

    /// Triggers.
    public init(dataChange: DataChangeTrigger? = nil, metric: MetricTrigger? = nil) {
        self.dataChange = dataChange
        self.metric = metric
    }
}

/// Formats of a watched dataset (`spec.triggers.dataChange.format`).
public enum DataChangeFormat {
    /// The object's own version (S3 VersionId/ETag, GCS generation, HTTP ETag, Blob versionId, file SHA-256).
    public static let object = "object"
    /// The latest `_delta_log` commit version of the Delta table at the URI.
    public static let delta = "delta"
    /// The `md5` recorded in the `.dvc` file at the URI.
    public static let dvc = "dvc"
    /// Every format.
    public static let all = [object, delta, dvc]
}

/// A dataset version change trigger.
public struct DataChangeTrigger: Codable, Sendable, Hashable {
    /// Dataset name in the template.
    public var dataset: String
    /// Poll interval.
    public var pollIntervalSeconds: Int64?
    /// `object` (default), `delta` or `dvc`: how the version is read at the dataset's URI.
    public var format: String?

    /// A data change trigger.
    public init(dataset: String, pollIntervalSeconds: Int64? = nil, format: String? = nil) {
        self.dataset = dataset
        self.pollIntervalSeconds = pollIntervalSeconds
        self.format = format
    }
}

/// The observed state of a retrain policy.
public struct RetrainPolicyStatus: Codable, Sendable, Hashable {
    /// The generation this status describes.
    public var observedGeneration: Int64?
    /// When the last run was created.
    public var lastTriggerTime: String?
    /// Why the last run was created.
    public var lastTrigger: LastTrigger?
    /// Next scheduled time.
    public var nextScheduleTime: String?
    /// Runs not yet finished.
    public var active: [RunReference]?
    /// The last run that succeeded.
    public var lastSuccessfulRun: String?
    /// Last seen version of the watched dataset.
    public var observedDataVersion: String?
    /// Since when the metric has been past its threshold.
    public var metricBreachedSince: String?
    /// Number of runs created.
    public var runsCreated: Int64?
    /// The `ml.sextant.dev/trigger` annotation value the last manual trigger handled.
    public var observedTrigger: String?
    /// `Ready`, `Suspended`, `TriggerHealthy`.
    public var conditions: [Condition]?
    /// The metric trigger's last poll and breach (`spec.triggers.metric`).
    public var metric: RetrainMetricStatus?

    /// A status.
    public init(
        observedGeneration: Int64? = nil, lastTriggerTime: String? = nil, lastTrigger: LastTrigger? = nil,
        nextScheduleTime: String? = nil, active: [RunReference]? = nil, lastSuccessfulRun: String? = nil,
        observedDataVersion: String? = nil, metricBreachedSince: String? = nil, runsCreated: Int64? = nil,
        conditions: [Condition]? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.lastTriggerTime = lastTriggerTime
        self.lastTrigger = lastTrigger
        self.nextScheduleTime = nextScheduleTime
        self.active = active
        self.lastSuccessfulRun = lastSuccessfulRun
        self.observedDataVersion = observedDataVersion
        self.metricBreachedSince = metricBreachedSince
        self.runsCreated = runsCreated
        self.conditions = conditions
    }
}

/// Why a run was created.
public struct LastTrigger: Codable, Sendable, Hashable {
    /// `Schedule`, `DataChange`, `Metric` or `Manual`.
    public var reason: String
    /// Details (schedule time, dataset version, metric value).
    public var detail: String?

    /// A trigger record.
    public init(reason: String, detail: String? = nil) {
        self.reason = reason
        self.detail = detail
    }
}

/// A run created by a policy.
public struct RunReference: Codable, Sendable, Hashable {
    /// MLPipeline name.
    public var name: String
    /// Its uid.
    public var uid: String?

    /// A run reference.
    public init(name: String, uid: String? = nil) {
        self.name = name
        self.uid = uid
    }
}
