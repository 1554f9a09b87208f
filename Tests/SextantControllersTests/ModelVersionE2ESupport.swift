import Foundation
import KubeCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A `sextant dev --no-controller` server plus a separate `sextant controller` process, driven
/// with stock kubectl. Used by the ModelVersion and RetrainPolicy end-to-end tests.
final class RegistryE2E: @unchecked Sendable {
    let cluster: DevClusterProcess
    private var controller: Process?
    private let lock = NSLock()
    let controllerLog: URL

    var kubectl: Kubectl { cluster.kubectl }

    /// kubectl jsonpath of a ModelVersion's `Mirrored` condition status (the registry mirror suites).
    static let mirroredStatus = "{.status.conditions[?(@.type==\"Mirrored\")].status}"

    private init(cluster: DevClusterProcess) {
        self.cluster = cluster
        controllerLog = cluster.dataDirectory.appendingPathComponent("controller.log")
    }

    /// Starts the server, installs the CRDs when the server has not, and (unless `startController`
    /// is false) the controller with the given test clock offset.
    static func start(clockOffset: Double = 0, startController: Bool = true, devArguments: [String] = []) async throws -> RegistryE2E {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"] + devArguments)
        let e2e = RegistryE2E(cluster: cluster)
        do {
            let crd = try await cluster.kubectl.run(["get", "crd", "retrainpolicies.ml.sextant.dev"])
            if !crd.succeeded {
                let dir = ProcessRunner.packageRoot.appendingPathComponent("crds").path
                let applied = try await cluster.kubectl.run(["apply", "-f", dir])
                try #require(applied.succeeded, "installing CRDs failed: \(applied.stderr)")
            }
            try await e2e.waitFor("the CRDs are served") {
                (try? await cluster.kubectl.run(["get", "mv,rp,mlp"]))?.succeeded == true
            }
            if startController { try e2e.startController(clockOffset: clockOffset) }
        } catch {
            e2e.stop()
            throw error
        }
        return e2e
    }

    /// Starts `sextant controller` against the cluster (`SEXTANT_TEST_CLOCK_OFFSET_SECONDS` = offset),
    /// with `environment` over the test's own (e.g. a moto peer's AWS endpoint and keys).
    func startController(clockOffset: Double = 0, environment: [String: String] = [:]) throws {
        if !FileManager.default.fileExists(atPath: controllerLog.path) {
            FileManager.default.createFile(atPath: controllerLog.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: controllerLog)
        try log.seekToEnd()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try DevClusterProcess.binaryPath())
        p.arguments = ["controller", "--kubeconfig", cluster.kubeconfigPath, "--all-namespaces",
                       "--metrics-bind-address", "0", "--health-probe-bind-address", "0", "--log-level", "debug"]
        var env = ProcessInfo.processInfo.environment
        env["SEXTANT_TEST_CLOCK_OFFSET_SECONDS"] = String(clockOffset)
        p.environment = env.merging(environment) { _, new in new }
        p.standardOutput = log
        p.standardError = log
        try p.run()
        lock.withLock { controller = p }
    }

    /// Stops the controller: SIGKILL when `crash`, else SIGTERM; waits for the exit.
    func stopController(crash: Bool = false) {
        guard let p = lock.withLock({ controller }) else { return }
        if p.isRunning {
            Glibc.kill(p.processIdentifier, crash ? SIGKILL : SIGTERM)
            p.waitUntilExit()
        }
        lock.withLock { controller = nil }
    }

    func stop() {
        stopController()
        cluster.stop()
    }

    func logs() -> String {
        let c = (try? String(contentsOf: controllerLog, encoding: .utf8)) ?? ""
        return "controller log (tail):\n\(c.suffix(3000))\ndev log (tail):\n\(cluster.log().suffix(1500))"
    }

    /// `kubectl apply -f -` of a YAML document.
    func apply(_ yaml: String) async throws {
        let r = try await kubectl.run(["apply", "-f", "-"], stdin: yaml)
        try #require(r.succeeded, "kubectl apply failed: \(r.stderr)")
    }

    /// `kubectl ARGS`, requiring success; returns stdout.
    @discardableResult
    func k(_ args: String...) async throws -> String {
        let r = try await kubectl.run(args)
        try #require(r.succeeded, "kubectl \(args.joined(separator: " ")) failed: \(r.stderr)")
        return r.stdout
    }

    /// `kubectl get KIND NAME -o jsonpath=PATH` (empty string when it fails).
    func jsonpath(_ kind: String, _ name: String, _ path: String) async throws -> String {
        let r = try await kubectl.run(["get", kind, name, "-o", "jsonpath=\(path)"])
        return r.succeeded ? r.stdout : ""
    }

    /// Polls `condition` every 200 ms until true or `timeout` seconds pass (then fails with the logs).
    func waitFor(_ what: String, timeout: Double = 30, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting for \(what)\n\(logs())")
        throw TestSupportError.timeout("waiting for \(what)")
    }

    /// Waits until `kubectl get KIND NAME -o jsonpath=PATH` equals `value`.
    func waitFor(_ kind: String, _ name: String, _ path: String, equals value: String, timeout: Double = 30) async throws {
        var last = ""
        do {
            try await waitFor("\(kind)/\(name) \(path) == \(value)", timeout: timeout) {
                last = try await jsonpath(kind, name, path)
                return last == value
            }
        } catch {
            Issue.record("last value of \(path): \(last)")
            throw error
        }
    }

    /// Reasons (and messages) of the Events about an object, oldest first.
    func events(_ name: String) async throws -> [(reason: String, message: String)] {
        let r = try await kubectl.run(["get", "events", "-o", "json"])
        guard r.succeeded, let list = try? JSONValue.parse(Data(r.stdout.utf8)) else { return [] }
        return (list["items"]?.arrayValue ?? []).compactMap { e in
            let about = e[path: ["involvedObject", "name"]]?.stringValue ?? e[path: ["regarding", "name"]]?.stringValue
            guard about == name, let reason = e["reason"]?.stringValue else { return nil }
            return (reason, e["message"]?.stringValue ?? e["note"]?.stringValue ?? "")
        }
    }

    func eventReasons(_ name: String) async throws -> [String] {
        try await events(name).map(\.reason)
    }
}
