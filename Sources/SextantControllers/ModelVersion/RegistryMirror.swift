import Foundation
import Logging
import SextantAPI

/// What a registry mirror knows of the ModelVersion it mirrors.
public struct MirrorSubject: Sendable, Hashable {
    /// Namespace of the ModelVersion.
    public var namespace: String
    /// Name of the ModelVersion.
    public var name: String
    /// uid of the ModelVersion: the tag/label that finds the mirror again (`sextant.uid`).
    public var uid: String
    /// `spec.model`.
    public var model: String
    /// `spec.version`.
    public var version: Int64
    /// `spec.artifact.uri`.
    public var artifactURI: String
    /// `spec.artifact.digest`.
    public var digest: String?
    /// `spec.framework`.
    public var framework: String?
    /// `spec.metrics`.
    public var metrics: [String: Double]
    /// The effective stage (`status.stage`): `None`, `Staging`, `Production` or `Archived`.
    public var stage: String
    /// `spec.source.pipeline`.
    public var pipeline: String?
    /// `spec.source.step`.
    public var step: String?
    /// The MLflow run of the producing pipeline (`status.tracking.mlflow.runId`), when tracked.
    public var mlflowRunID: String?
    /// Where the mirrors are (`spec.registries`).
    public var registries: RegistriesSpec
    /// The id recorded in `status.registries[]` for the mirror being called, if any.
    public var recordedID: String?

    /// A subject.
    public init(
        namespace: String, name: String, uid: String, model: String, version: Int64, artifactURI: String,
        digest: String? = nil, framework: String? = nil, metrics: [String: Double] = [:], stage: String = ModelStage.none,
        pipeline: String? = nil, step: String? = nil, mlflowRunID: String? = nil, registries: RegistriesSpec = RegistriesSpec(),
        recordedID: String? = nil
    ) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.model = model
        self.version = version
        self.artifactURI = artifactURI
        self.digest = digest
        self.framework = framework
        self.metrics = metrics
        self.stage = stage
        self.pipeline = pipeline
        self.step = step
        self.mlflowRunID = mlflowRunID
        self.registries = registries
        self.recordedID = recordedID
    }

    /// The tag/label key that holds the uid in every registry.
    public static let uidTag = "sextant.uid"

    /// A metric as registry text: `1000` for whole numbers, else Swift's shortest form (`0.912`).
    public static func metricText(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Where a mirror lives once it exists.
public struct MirrorRecord: Sendable, Hashable {
    /// Id in the registry (model package ARN, MLflow version number, resource name).
    public var id: String
    /// Console or UI URL.
    public var url: String?
    /// True when this call created it (false: found again by the uid tag or the recorded id).
    public var created: Bool

    /// A record.
    public init(id: String, url: String? = nil, created: Bool = false) {
        self.id = id
        self.url = url
        self.created = created
    }
}

/// One model registry that mirrors ModelVersions (SageMaker, MLflow, ...). Every call is idempotent:
/// `ensure` finds the mirror again by the uid tag (or the recorded id) before it creates one, so a
/// restarted controller never makes a second; `sync` sets the registry's stage, metrics and tags from
/// the subject; `delete` removes the mirror (a missing one is not an error). Failures are thrown as
/// `CloudBackendError` (kind = what a user can do about it).
public protocol RegistryMirror: Sendable {
    /// The name in `status.registries[].registry` (`sagemaker`, `mlflow`, `azureML`, `vertexAI`).
    var registry: String { get }
    /// Finds the mirror of `subject` (by recorded id, then by the uid tag) or creates it.
    func ensure(_ subject: MirrorSubject, context: CloudCallContext) async throws -> MirrorRecord
    /// Brings the mirror to the subject's effective stage, metrics and tags. Returns the stage as the
    /// registry shows it (`MirrorStages.registryStage`).
    func sync(_ subject: MirrorSubject, record: MirrorRecord, context: CloudCallContext) async throws -> String
    /// Deletes the mirror of `subject` (found by recorded id or uid tag); nothing when there is none.
    func delete(_ subject: MirrorSubject, context: CloudCallContext) async throws
}

/// The mirrors a controller has, by registry name.
public struct RegistryMirrors: Sendable {
    /// Mirrors by `RegistryMirror.registry`.
    public let byRegistry: [String: any RegistryMirror]

    /// A set of `mirrors` (the last one of a name wins).
    public init(_ mirrors: [any RegistryMirror] = []) {
        var by: [String: any RegistryMirror] = [:]
        for m in mirrors { by[m.registry] = m }
        byRegistry = by
    }

    /// The mirror of a registry.
    public subscript(registry: String) -> (any RegistryMirror)? { byRegistry[registry] }
}

/// How each registry shows the effective stage (pure; the planner compares it with status).
public enum MirrorStages {
    /// `sagemaker`.
    public static let sagemaker = "sagemaker"
    /// `mlflow`.
    public static let mlflow = "mlflow"
    /// `azureML`.
    public static let azureML = "azureML"
    /// `vertexAI`.
    public static let vertexAI = "vertexAI"

    /// SageMaker `ModelApprovalStatus`: Approved for Production, Rejected for Archived,
    /// PendingManualApproval otherwise.
    public static func sageMakerApproval(_ stage: String) -> String {
        switch stage {
        case ModelStage.production: return "Approved"
        case ModelStage.archived: return "Rejected"
        default: return "PendingManualApproval"
        }
    }

    /// The MLflow (and Vertex AI version) alias a stage holds (`production`, `staging`), nil for None and Archived.
    public static func mlflowAlias(_ stage: String) -> String? {
        switch stage {
        case ModelStage.production: return "production"
        case ModelStage.staging: return "staging"
        default: return nil
        }
    }

    /// The aliases Sextant manages in MLflow and Vertex AI (moved on promotion, removed when the version leaves the stage).
    public static let mlflowAliases = ["production", "staging"]

    /// The stage text `status.registries[].stage` shows for `registry`.
    public static func registryStage(_ registry: String, stage: String) -> String {
        switch registry {
        case sagemaker: return sageMakerApproval(stage)
        case mlflow, vertexAI: return mlflowAlias(stage).map { "alias \($0)" } ?? "no alias (\(stage))"
        case azureML: return "tag stage=\(stage)"
        default: return stage
        }
    }
}
