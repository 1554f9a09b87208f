import Foundation
import KubeClient
import KubeCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM ends `sextant controller` and `sextant dev` cleanly (exit 0, Lease released) instead of
/// hanging on open watches. The bound is generous: it proves "does not hang", not a speed.
@Suite("Graceful shutdown of sextant processes", .serialized)
struct GracefulShutdownTests {
    /// The user agents of the audit log's requests with this verb and resource.
    static func userAgents(_ auditLog: URL, verb: String, resource: String) -> Set<String> {
        let text = (try? String(contentsOf: auditLog, encoding: .utf8)) ?? ""
        var agents = Set<String>()
        for line in text.split(separator: "\n") {
            guard let event = try? JSONValue.parse(String(line)), event["verb"]?.stringValue == verb,
                  event[path: ["objectRef", "resource"]]?.stringValue == resource, let agent = event["userAgent"]?.stringValue else { continue }
            agents.insert(agent)
        }
        return agents
    }

    /// True for `sextant-controller/<version> (<os>/<arch>)`.
    static func isControllerAgent(_ agent: String) -> Bool {
        agent.hasPrefix("sextant-controller/\(ClientConfiguration.sextantVersion) (") && agent.hasSuffix(")") && agent.contains("/")
    }

    @Test("sextant controller --leader-elect exits 0 on SIGTERM and clears the Lease holder")
    func controllerReleasesLease() async throws {
        let auditDir = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: auditDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: auditDir) }
        let audit = auditDir.appendingPathComponent("audit.jsonl")
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller", "--audit-log-path", audit.path])
        defer { cluster.stop() }
        let client = try KubeClient(configuration: ClientConfiguration.load(kubeconfig: cluster.kubeconfigPath))
        let leases = Api<Lease>(client: client, namespace: "default")
        let controller = try ControllerProcess(cluster: cluster, name: "solo", leaseID: "sextant-solo")
        defer { controller.signal(SIGKILL) }
        let leading = try await ReflectorIntegrationTests.eventually(30) { await controller.masterStatus() == 1 }
        try #require(leading, "never led: \(controller.log.suffix(1500))")
        let held = try await leases.get("sextant-solo")
        try #require(held.spec?.holderIdentity?.isEmpty == false)

        controller.signal(SIGTERM)
        let code = await controller.waitForExit(timeout: 30)
        #expect(code == 0, "SIGTERM exit: \(String(describing: code)) \(controller.log.suffix(1500))")
        let released = try await leases.get("sextant-solo")
        #expect(released.spec?.holderIdentity ?? "" == "", "holder after SIGTERM: \(released.spec?.holderIdentity ?? "")")
        // The controller's requests carry its User-Agent (the RBAC check filters audit logs by it).
        let leaseWriters = Self.userAgents(audit, verb: "update", resource: "leases")
        #expect(!leaseWriters.isEmpty && leaseWriters.allSatisfy(Self.isControllerAgent), "lease updates by \(leaseWriters)")
        let listers = Self.userAgents(audit, verb: "list", resource: "mlpipelines")
        #expect(!listers.isEmpty && listers.allSatisfy(Self.isControllerAgent), "MLPipeline lists by \(listers)")
        try await client.shutdown()
    }

    @Test("sextant dev with its in-process operator and open watches exits 0 on SIGTERM")
    func devStopsWithOperator() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sextant-dev-term-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let logURL = dir.appendingPathComponent("dev.log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try DevClusterProcess.binaryPath())
        let audit = dir.appendingPathComponent("audit.jsonl")
        process.arguments = ["dev", "--port", "0", "--data-dir", dir.path, "--audit-log-path", audit.path]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        defer {
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(at: dir)
        }
        func output() -> String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

        // The operator runs and its caches are synced: every controller holds open watches.
        let synced = try await ReflectorIntegrationTests.eventually(60) {
            output().components(separatedBy: "caches synced; starting workers").count - 1 >= 3
        }
        try #require(synced, "operator did not start: \(output().suffix(2000))")
        // The in-process operator identifies itself as `sextant controller` does.
        let listers = Self.userAgents(audit, verb: "list", resource: "mlpipelines")
        #expect(!listers.isEmpty && listers.allSatisfy(Self.isControllerAgent), "MLPipeline lists by \(listers)")

        Glibc.kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning, "sextant dev still running 30 s after SIGTERM: \(output().suffix(2000))")
        if !process.isRunning {
            #expect(process.terminationStatus == 0, "exit \(process.terminationStatus): \(output().suffix(2000))")
        }
    }
}
