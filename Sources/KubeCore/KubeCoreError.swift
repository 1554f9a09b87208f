/// The errors of the KubeCore module.
public enum KubeCoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bytes that are not valid JSON.
    case invalidJSON(String)
    /// A JSON document that does not decode into the expected type.
    case decoding(String)
    /// A label or field selector that does not parse.
    case invalidSelector(String)
    /// A quantity such as `500m` or `2Gi` that does not parse.
    case invalidQuantity(String)
    /// A duration such as `1h30m` that does not parse.
    case invalidDuration(String)
    /// A patch that cannot be applied (bad path, failed test operation, wrong type).
    case invalidPatch(String)

    public var description: String {
        switch self {
        case .invalidJSON(let m): return "invalid JSON: \(m)"
        case .decoding(let m): return "cannot decode: \(m)"
        case .invalidSelector(let m): return "invalid selector: \(m)"
        case .invalidQuantity(let m): return "invalid quantity: \(m)"
        case .invalidDuration(let m): return "invalid duration: \(m)"
        case .invalidPatch(let m): return "invalid patch: \(m)"
        }
    }
}
