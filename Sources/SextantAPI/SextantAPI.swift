import Foundation

/// The API group and version of every Sextant kind.
public enum SextantGroup {
    /// `ml.sextant.dev`.
    public static let group = "ml.sextant.dev"
    /// `v1alpha1`.
    public static let version = "v1alpha1"
    /// `ml.sextant.dev/v1alpha1`.
    public static let apiVersion = "\(group)/\(version)"
    /// The category every kind is listed under (`kubectl get sextant`).
    public static let category = "sextant"
}

/// Well-known labels, annotations and finalizers.
public enum SextantLabels {
    /// `app.kubernetes.io/managed-by`, value `sextant`, on every child.
    public static let managedBy = "app.kubernetes.io/managed-by"
    /// The value of `managedBy`.
    public static let managedByValue = "sextant"
    /// The owning pipeline run.
    public static let pipeline = "ml.sextant.dev/pipeline"
    /// The step of a pipeline run.
    public static let step = "ml.sextant.dev/step"
    /// The attempt number of a step (on Jobs and their pods).
    public static let attempt = "ml.sextant.dev/attempt"
    /// The model a child belongs to.
    public static let model = "ml.sextant.dev/model"
    /// The model version a child belongs to.
    public static let modelVersion = "ml.sextant.dev/model-version"
    /// The retrain policy that created a run.
    public static let retrainPolicy = "ml.sextant.dev/retrain-policy"
    /// Annotation on a registered ModelVersion: the uid of the run that registered it.
    public static let pipelineUID = "ml.sextant.dev/pipeline-uid"
    /// Finalizer for cloud resources.
    public static let cleanupFinalizer = "ml.sextant.dev/cleanup"
}

/// The errors of the SextantAPI module.
public enum SextantAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pipeline graph or a reference in it is invalid; `reason` is the CamelCase condition reason.
    case invalidPipeline(reason: String, message: String)
    /// A template refers to something that is not declared or not upstream.
    case invalidReference(String)
    /// A step's outputs are not the expected JSON object.
    case invalidOutputs(String)
    /// A step's outputs lack a declared artifact or metric.
    case missingOutputs(String)
    /// A generated document could not be serialized.
    case serialization(String)
    /// A backup document is malformed (`sextant restore`).
    case invalidBackup(String)

    /// The CamelCase reason used in conditions and attempts.
    public var reason: String {
        switch self {
        case .invalidPipeline(let reason, _): return reason
        case .invalidReference: return "InvalidReference"
        case .invalidOutputs: return "InvalidOutputs"
        case .missingOutputs: return "MissingOutputs"
        case .serialization: return "SerializationFailed"
        case .invalidBackup: return "InvalidBackup"
        }
    }

    /// A human-readable message.
    public var message: String {
        switch self {
        case .invalidPipeline(_, let m), .invalidReference(let m), .invalidOutputs(let m),
             .missingOutputs(let m), .serialization(let m), .invalidBackup(let m):
            return m
        }
    }

    public var description: String { "\(reason): \(message)" }
}
