import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A separate `sextant controller` process against a `sextant dev --no-controller` cluster, for tests
/// that kill it (SIGKILL) and start it again mid-run. Output is appended to `log`.
public final class ControllerProcess: @unchecked Sendable {
    let process = Process()

    /// Starts `sextant controller --kubeconfig K --namespace default` with `arguments` appended and
    /// `environment` added to the test's environment.
    public init(kubeconfig: String, arguments: [String] = [], environment: [String: String] = [:], log: URL) throws {
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        process.executableURL = URL(fileURLWithPath: try DevClusterProcess.binaryPath())
        process.arguments = ["controller", "--kubeconfig", kubeconfig, "--namespace", "default",
                             "--metrics-bind-address", "0", "--health-probe-bind-address", "0", "--log-level", "debug"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// SIGKILL, then wait for the exit. Safe to call twice.
    public func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { kill9() }
}
