import Foundation
import KubeCore
import Logging
import SextantAPI

/// One managed-job backend (SageMaker, AWS Batch, Vertex AI, Azure ML, Airflow) behind the one
/// planner path of every cloud step. The planner stays pure: the MLPipeline controller calls these
/// methods, turns their results into `CloudJobObservation`s and hands those to `RunPlanner`.
///
/// Every method is keyed by the attempt (`CloudAttempt.jobName` is deterministic), so a restarted
/// controller finds the work it started instead of starting it twice: `start` adopts an existing job
/// of the same name (or the id recorded in status) and never creates a second one.
public protocol CloudTrainingBackend: Sendable {
    /// The step kind it runs, as written in the spec: `sagemaker`, `awsBatch`, `vertexAI`, `azureML`, `airflow`.
    var kind: String { get }
    /// The longest job name the provider accepts (SageMaker 63, Batch 128, ...).
    var nameLimit: Int { get }
    /// Starts the attempt's job, or adopts the job of the same name (or `attempt.recordedID`).
    /// Returns at least the provider's id; `state` is usually `.running`.
    func start(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation
    /// The job's state now.
    func observe(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation
    /// Stops the job; idempotent (a finished or missing job is not an error).
    func stop(_ attempt: CloudAttempt, context: CloudCallContext) async throws
    /// The outputs of a succeeded job: the provider's own (e.g. SageMaker's model artifact and final
    /// metrics) merged with the outputs JSON the step wrote to `SEXTANT_OUTPUTS_URI`, when present.
    /// Throws `CloudBackendError` of kind `.invalidOutputs` when that JSON is not an outputs object.
    func outputs(_ attempt: CloudAttempt, observation: CloudJobObservation, context: CloudCallContext) async throws -> OutputValues
    /// The cost of the job from what `observe` reported (pure: no call).
    func cost(_ attempt: CloudAttempt, observation: CloudJobObservation, pricing: PricingTable) -> Cost?
}

/// One attempt of a cloud step, as a backend needs it.
public struct CloudAttempt: Sendable, Hashable {
    /// The step kind (`CloudTrainingBackend.kind`).
    public var backend: String
    /// Namespace of the run.
    public var namespace: String
    /// Name of the run (MLPipeline).
    public var pipeline: String
    /// uid of the run.
    public var pipelineUID: String
    /// Step name.
    public var step: String
    /// Attempt number, from 0.
    public var attempt: Int
    /// The deterministic provider job name: `<pipeline>-<step>-<attempt>-<8 hex of SHA-256(uid)>`,
    /// cut to the backend's `nameLimit` (`CloudAttempt.jobName(...)`).
    public var jobName: String
    /// The step's cloud block with every template resolved.
    public var block: JSONValue
    /// Step `spot`.
    public var spot: Bool
    /// Step `timeoutSeconds` (the deadline of this attempt).
    public var timeoutSeconds: Int64?
    /// Declared outputs of the step.
    public var declaredOutputs: StepOutputs?
    /// The id recorded in status for this attempt (ARN, server-made id), if any.
    public var recordedID: String?
    /// Environment the controller adds for experiment tracking (`MLFLOW_*`, `WANDB_*`); backends
    /// pass it to the job's container(s) next to the `SEXTANT_*` variables.
    public var environment: [String: String]

    /// An attempt.
    public init(
        backend: String, namespace: String, pipeline: String, pipelineUID: String, step: String, attempt: Int,
        jobName: String, block: JSONValue, spot: Bool = false, timeoutSeconds: Int64? = nil,
        declaredOutputs: StepOutputs? = nil, recordedID: String? = nil, environment: [String: String] = [:]
    ) {
        self.backend = backend
        self.namespace = namespace
        self.pipeline = pipeline
        self.pipelineUID = pipelineUID
        self.step = step
        self.attempt = attempt
        self.jobName = jobName
        self.block = block
        self.spot = spot
        self.timeoutSeconds = timeoutSeconds
        self.declaredOutputs = declaredOutputs
        self.recordedID = recordedID
        self.environment = environment
    }

    /// `<pipeline>-<step>-<attempt>-<first 8 hex digits of SHA-256 of uid>`, cut to `limit` with a hash.
    public static func jobName(pipeline: String, step: String, attempt: Int, uid: String, limit: Int) -> String {
        DerivedName.make([pipeline, step, String(attempt), String(DerivedName.shortHash(uid).prefix(8))], limit: limit)
    }
}

/// Who the call is made for: the namespace (and its annotations, e.g. `ml.sextant.dev/aws-role-arn`)
/// and the object, for per-namespace identities and session names.
public struct CloudCallContext: Sendable {
    /// Namespace of the object.
    public var namespace: String
    /// Name of the object (AssumeRole session name is `<namespace>/<name>` made legal).
    public var objectName: String
    /// Annotations of the namespace (empty when it could not be read).
    public var namespaceAnnotations: [String: String]
    /// Logger with kind/namespace/name metadata.
    public var logger: Logger

    /// A call context.
    public init(namespace: String, objectName: String, namespaceAnnotations: [String: String] = [:], logger: Logger) {
        self.namespace = namespace
        self.objectName = objectName
        self.namespaceAnnotations = namespaceAnnotations
        self.logger = logger
    }

    /// `ml.sextant.dev/aws-role-arn` of the namespace.
    public var awsRoleARN: String? { namespaceAnnotations["ml.sextant.dev/aws-role-arn"] }
}

/// What a backend saw of one job.
public struct CloudJobObservation: Sendable, Hashable {
    /// The job's state, mapped from the provider's.
    public enum State: String, Sendable, Hashable {
        /// Queued, starting, running, finalizing: not finished.
        case running
        /// Stop requested, not yet stopped.
        case stopping
        /// Finished successfully.
        case succeeded
        /// Finished with an error (`reason`, `message`).
        case failed
        /// Stopped (cancelled) before finishing.
        case stopped
    }

    /// Mapped state.
    public var state: State
    /// Provider id (ARN, job id, resource name).
    public var id: String?
    /// Console URL.
    public var url: String?
    /// CamelCase reason for `failed` (`Failed`, `MaxRuntimeExceeded`, `Interrupted`, `CloudAccessDenied`, ...).
    public var reason: String?
    /// Provider's message, clipped, with no secret.
    public var message: String?
    /// The provider's own status text (`InProgress/Training`), for messages and events.
    public var providerStatus: String?
    /// When the job started running.
    public var startedAt: Date?
    /// When it finished.
    public var finishedAt: Date?
    /// Provider-native outputs known from the description (e.g. SageMaker's model artifact).
    public var nativeOutputs: OutputValues?
    /// What the cost is computed from.
    public var usage: CloudUsage?

    /// An observation.
    public init(
        state: State, id: String? = nil, url: String? = nil, reason: String? = nil, message: String? = nil,
        providerStatus: String? = nil, startedAt: Date? = nil, finishedAt: Date? = nil,
        nativeOutputs: OutputValues? = nil, usage: CloudUsage? = nil
    ) {
        self.state = state
        self.id = id
        self.url = url
        self.reason = reason
        self.message = message
        self.providerStatus = providerStatus
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.nativeOutputs = nativeOutputs
        self.usage = usage
    }
}

/// Billing facts of one job.
public struct CloudUsage: Sendable, Hashable {
    /// Seconds billed (SageMaker `BillableTimeInSeconds`; run time elsewhere).
    public var billableSeconds: Int64?
    /// Seconds run (SageMaker `TrainingTimeInSeconds`).
    public var runSeconds: Int64?
    /// Machine / instance type.
    public var machineType: String?
    /// Instances / replicas.
    public var count: Int
    /// Spot / low-priority capacity.
    public var spot: Bool

    /// Usage.
    public init(billableSeconds: Int64? = nil, runSeconds: Int64? = nil, machineType: String? = nil, count: Int = 1, spot: Bool = false) {
        self.billableSeconds = billableSeconds
        self.runSeconds = runSeconds
        self.machineType = machineType
        self.count = count
        self.spot = spot
    }
}

/// The error of a backend call, already classified into the step reasons of the contract.
public struct CloudBackendError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What a user can do about it.
    public enum Kind: String, Sendable, Hashable {
        /// `CloudAccessDenied`: credentials or permissions.
        case accessDenied = "CloudAccessDenied"
        /// `CloudQuotaExceeded`: a service quota or limit.
        case quotaExceeded = "CloudQuotaExceeded"
        /// `CloudInvalidRequest`: terminal, not retried.
        case invalidRequest = "CloudInvalidRequest"
        /// `CloudUnavailable`: throttling, 5xx, network; retried with backoff, not an attempt failure.
        case unavailable = "CloudUnavailable"
        /// `InvalidOutputs`: the outputs JSON is not an outputs object.
        case invalidOutputs = "InvalidOutputs"
        /// `MissingOutputs`: a declared output is in neither the provider's outputs nor the outputs JSON.
        case missingOutputs = "MissingOutputs"
    }

    /// The class of error (its raw value is the step reason).
    public var kind: Kind
    /// The provider's message, clipped, with no secret.
    public var message: String

    /// An error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The step reason.
    public var reason: String { kind.rawValue }

    public var description: String { "\(kind.rawValue): \(message)" }
}
