import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One real MLflow server for the whole test process, started on first use and shared by every
/// MLflow suite (a server takes 20–50 s to start on a loaded machine; each suite starting its own
/// cost minutes of CI). Tests stay independent by using their own experiment and model names.
///
/// The server runs under a tiny supervisor (`MLflowPeer.start(supervisedBy:)`) that polls the test
/// process's PID and kills its own process group when that process is gone, so the shared server
/// never outlives the test run, even when the runner is killed.
///
/// ```swift
/// let mlflow = try await SharedMLflowPeer.peer()   // never stop() it: the supervisor does
/// let model = SharedMLflowPeer.uniqueName("churn") // "churn-1a2b3c4d"
/// ```
public enum SharedMLflowPeer {
    private static let holder = Holder()

    /// The process's server, started (once) when first asked for. A failed start is not retried:
    /// every caller gets the same error (MLflow not installed, or not ready in time).
    public static func peer() async throws -> MLflowPeer { try await holder.peer() }

    /// `prefix-` and 8 random lower-case hex characters: a name no other test on the shared server uses.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    private actor Holder {
        private var starting: Task<MLflowPeer, any Error>?

        func peer() async throws -> MLflowPeer {
            if let starting { return try await starting.value }
            let parent = getpid()
            let task = Task { try await MLflowPeer.start(supervisedBy: parent) }
            starting = task
            return try await task.value
        }
    }
}
