/// Why an import into Sextant failed.
public enum InteropError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input is not a pipeline of the expected format (not YAML, no `root`, a dangling reference).
    case invalidInput(String)
    /// The input uses features without a Sextant equivalent: every one, with where it is in the input.
    case unsupported([UnsupportedFeature])

    public var description: String {
        switch self {
        case .invalidInput(let message):
            return "invalid input: \(message)"
        case .unsupported(let features):
            let lines = features.map { "  \($0.location): \($0.message)" }
            return "the pipeline uses \(features.count) feature\(features.count == 1 ? "" : "s") without a Sextant equivalent:\n"
                + lines.joined(separator: "\n")
        }
    }
}

/// One feature of an imported pipeline that Sextant cannot express.
public struct UnsupportedFeature: Sendable, Hashable, CustomStringConvertible {
    /// Where it is in the input, as a dotted path (`root.dag.tasks.condition-1`).
    public var location: String
    /// What it is and why it does not map (`conditions have no equivalent`).
    public var message: String

    /// A feature at `location`.
    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}
