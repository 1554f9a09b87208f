import Foundation
import Testing
import TestSupport

/// The real MLflow server of a suite: `@Suite(.mlflowServer)` gives it the test process's shared server
/// (`SharedMLflowPeer`, started by the first suite that asks); tests read it from `MLflowServer.current`.
struct MLflowServer: SuiteTrait, TestScoping {
    @TaskLocal static var current: MLflowPeer?

    let isRecursive = false

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // The test process's one shared server (SharedMLflowPeer): started on first use, stopped by its
        // supervisor when the test process exits. Tests use their own experiment and model names.
        let peer = try await SharedMLflowPeer.peer()
        try await MLflowServer.$current.withValue(peer) { try await function() }
    }

    /// The suite's server.
    static func peer() throws -> MLflowPeer {
        guard let current else { throw TestSupportError.startFailed("no MLflow server: the suite lacks the .mlflowServer trait") }
        return current
    }
}

extension Trait where Self == MLflowServer {
    /// A real MLflow server for the suite (`MLflowServer.peer()`).
    static var mlflowServer: MLflowServer { MLflowServer() }
}
