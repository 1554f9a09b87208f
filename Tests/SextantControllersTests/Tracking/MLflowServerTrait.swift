import Foundation
import Testing
import TestSupport

/// The real MLflow server of a suite: `@Suite(.mlflowServer)` gives it the test process's shared server
/// (`SharedMLflowPeer`, started by the first suite that asks); tests read it from `SuiteMLflow.peer()`.
struct SuiteMLflow: SuiteTrait, TestScoping {
    @TaskLocal static var current: MLflowPeer?

    let isRecursive = false

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // The test process's one shared server (SharedMLflowPeer): started on first use, stopped by its
        // supervisor when the test process exits. Tests use their own experiment and model names.
        let peer = try await SharedMLflowPeer.peer()
        try await SuiteMLflow.$current.withValue(peer) { try await function() }
    }

    /// The suite's server.
    static func peer() throws -> MLflowPeer {
        guard let current else { throw TestSupportError.startFailed("no MLflow server: the suite lacks the .mlflowServer trait") }
        return current
    }
}

extension Trait where Self == SuiteMLflow {
    /// A real MLflow server for the suite (`SuiteMLflow.peer()`).
    static var mlflowServer: SuiteMLflow { SuiteMLflow() }
}
