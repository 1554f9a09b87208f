import Foundation
import Testing
import TestSupport

/// One real MLflow server for a whole suite: `@Suite(.mlflowServer)` starts it before the suite's
/// first test and stops it (its process group) after the last; tests read it from `SuiteMLflow.peer()`.
struct SuiteMLflow: SuiteTrait, TestScoping {
    @TaskLocal static var current: MLflowPeer?

    let isRecursive = false

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let peer = try await MLflowPeer.start()
        defer { peer.stop() }
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
