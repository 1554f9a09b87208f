import Foundation
import Testing
import TestSupport

/// A `sextant controller` process against a `sextant dev` cluster; its output goes to a log file.
final class ControllerProcess: @unchecked Sendable {
    private let process: Process
    private let lock = NSLock()
    private var stopped = false
    let logURL: URL

    private init(process: Process, logURL: URL) {
        self.process = process
        self.logURL = logURL
    }

    /// Starts `sextant controller --kubeconfig <cluster's> <arguments>`.
    static func start(cluster: DevClusterProcess, arguments: [String], log: URL) throws -> ControllerProcess {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try DevClusterProcess.binaryPath())
        p.arguments = ["controller", "--kubeconfig", cluster.kubeconfigPath] + arguments
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return ControllerProcess(process: p, logURL: log)
    }

    /// SIGTERM (graceful: the leader releases its Lease), SIGKILL after 15 s; idempotent.
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func log() -> String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
}

/// kubectl steps and waits of the RBAC workload, failing with both processes' logs.
struct Workload: Sendable {
    let cluster: DevClusterProcess
    let controller: ControllerProcess

    func logs() -> String {
        "controller log (tail):\n\(controller.log().suffix(3000))\ndev log (tail):\n\(cluster.log().suffix(1500))"
    }

    /// Runs kubectl (namespace `default`) and returns stdout; a failure fails the test.
    @discardableResult
    func k(_ arguments: String...) async throws -> String {
        let result = try await cluster.kubectl.run(["-n", RBACAuditTests.workloadNamespace] + arguments)
        try #require(result.exitCode == 0, "kubectl \(arguments.joined(separator: " ")):\n\(result.stderr)\n\(logs())")
        return result.stdout
    }

    /// `kubectl apply` (default validation) of a file of the repository.
    func apply(_ relativePath: String) async throws {
        try await k("apply", "-f", repoRoot.appendingPathComponent(relativePath).path)
    }

    func waitFor(_ what: String, timeout: Double = 120, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("timed out waiting for \(what)\n\(logs())")
        throw TestSupportError.timeout("waiting for \(what)")
    }

    /// Waits until `kubectl get KIND NAME -o jsonpath=PATH` is one of `values`.
    func waitFor(_ kind: String, _ name: String, _ path: String, in values: Set<String>, timeout: Double = 120) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            let r = try await cluster.kubectl.run(["-n", RBACAuditTests.workloadNamespace, "get", kind, name, "-o", "jsonpath=\(path)"])
            last = r.exitCode == 0 ? r.stdout : r.stderr
            if r.exitCode == 0 && values.contains(r.stdout) { return }
            try await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("timed out waiting for \(kind)/\(name) \(path) in \(values.sorted()); last: \(last)\n\(logs())")
        throw TestSupportError.timeout("waiting for \(kind)/\(name)")
    }
}
