/// The errors of the SextantControllers module.
public enum ControllerError: Error, Sendable, CustomStringConvertible {
    /// A ModelVersion could not be registered.
    case registrationFailed(String)

    public var description: String {
        switch self {
        case .registrationFailed(let m): return "registration failed: \(m)"
        }
    }
}
