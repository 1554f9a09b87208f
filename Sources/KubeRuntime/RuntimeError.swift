import Foundation
import KubeClient

/// The errors of the KubeRuntime module.
public enum RuntimeError: Error, Sendable, CustomStringConvertible {
    /// Leadership was lost (renew deadline exceeded); the process should exit and restart.
    case leadershipLost(String)
    /// Caches did not sync before the deadline.
    case cacheSyncTimeout(String)
    /// A bind address or option is invalid.
    case invalidOption(String)
    /// The queue was shut down.
    case shutDown

    public var description: String {
        switch self {
        case .leadershipLost(let m): return "leadership lost: \(m)"
        case .cacheSyncTimeout(let m): return "caches did not sync: \(m)"
        case .invalidOption(let m): return "invalid option: \(m)"
        case .shutDown: return "shut down"
        }
    }
}

/// Marks an error the reconciler cannot fix by retrying (invalid spec, missing permission the user
/// must grant): the controller logs it and does not requeue; the reconciler should also have set a
/// condition explaining it. Wrap any error: `throw TerminalError(underlying)` or `TerminalError("msg")`.
public struct TerminalError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let underlying: (any Error)?

    public init(_ message: String) {
        self.message = message
        self.underlying = nil
    }

    public init(_ underlying: any Error) {
        self.message = String(describing: underlying)
        self.underlying = underlying
    }

    public var description: String { "terminal error: \(message)" }
}
