/// The errors of the SextantControllers module.
public enum ControllerError: Error, Sendable, CustomStringConvertible {
    /// A ModelVersion could not be registered.
    case registrationFailed(String)
    /// The pricing file (`--pricing-config`) cannot be read or has a bad field.
    case invalidPricing(file: String, field: String, reason: String)
    /// The version of a watched dataset (`spec.triggers.dataChange`) could not be read.
    case dataVersion(uri: String, reason: String)
    /// A metric trigger's query failed: `reason` (CamelCase, the `TriggerHealthy` reason) and why.
    case metricQuery(reason: String, message: String)
    /// A controller setting (flag or environment variable) has a bad value.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .registrationFailed(let m): return "registration failed: \(m)"
        case .invalidPricing(let file, let field, let reason):
            return field.isEmpty ? "pricing file \(file): \(reason)" : "pricing file \(file): field \(field): \(reason)"
        case .dataVersion(let uri, let reason): return "data version of \(uri): \(reason)"
        case .metricQuery(let reason, let message): return "metric query: \(reason): \(message)"
        case .invalidConfiguration(let m): return m
        }
    }
}
