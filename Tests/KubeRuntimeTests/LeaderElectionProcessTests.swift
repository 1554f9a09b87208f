import Foundation
import KubeClient
import KubeCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A `sextant controller` process with its own metrics port.
final class ControllerProcess: @unchecked Sendable {
    let process = Process()
    let metricsPort: Int
    let logURL: URL

    /// Lease timing for tests: 5 s lease, 4 s renew deadline, 0.5 s retry (defaults are 15/10/2).
    static let fastLease = ["--leader-election-lease-duration", "5", "--leader-election-renew-deadline", "4",
                            "--leader-election-retry-period", "0.5"]

    init(cluster: DevClusterProcess, name: String, leaseID: String, extraArguments: [String] = ControllerProcess.fastLease) throws {
        metricsPort = try ControllerProcess.freePort()
        logURL = cluster.dataDirectory.appendingPathComponent("controller-\(name).log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = URL(fileURLWithPath: try DevClusterProcess.binaryPath())
        process.arguments = ["controller", "--kubeconfig", cluster.kubeconfigPath, "--leader-elect",
                             "--leader-election-namespace", "default", "--leader-election-id", leaseID,
                             "--metrics-bind-address", "127.0.0.1:\(metricsPort)", "--health-probe-bind-address", "0"] + extraArguments
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    deinit { if process.isRunning { process.terminate() } }

    /// The value of leader_election_master_status on /metrics (nil while not serving).
    func masterStatus() async -> Int? {
        guard let r = try? await ProcessRunner.run("/usr/bin/curl", ["-s", "--max-time", "2", "http://127.0.0.1:\(metricsPort)/metrics"], timeout: 5),
              r.succeeded else { return nil }
        guard let line = r.stdout.split(separator: "\n").first(where: { $0.hasPrefix("leader_election_master_status{") }),
              let value = line.split(separator: " ").last, let d = Double(value) else { return nil }
        return Int(d)
    }

    func signal(_ sig: Int32) { Glibc.kill(process.processIdentifier, sig) }

    /// Waits for the exit; nil on timeout.
    func waitForExit(timeout: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw TestSupportError.startFailed("no free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

@Suite("Leader election with sextant controller processes", .serialized)
struct LeaderElectionProcessTests {
    static func leaders(_ processes: [ControllerProcess]) async -> [Int] {
        var out: [Int] = []
        for (i, p) in processes.enumerated() where p.process.isRunning {
            if await p.masterStatus() == 1 { out.append(i) }
        }
        return out
    }

    @Test("exactly one of two leads; SIGKILL hands over within the lease; SIGTERM releases the lease at once and exits 0")
    func handover() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let client = try KubeClient(configuration: ClientConfiguration.load(kubeconfig: cluster.kubeconfigPath))
        let leases = Api<Lease>(client: client, namespace: "default")
        let a = try ControllerProcess(cluster: cluster, name: "a", leaseID: "sextant-test")
        let b = try ControllerProcess(cluster: cluster, name: "b", leaseID: "sextant-test")
        defer { a.signal(SIGKILL); b.signal(SIGKILL) }

        // Exactly one leads, and the Lease names it.
        var leader: [Int] = []
        let elected = try await ReflectorIntegrationTests.eventually(30) {
            leader = await Self.leaders([a, b])
            let others = [a, b].filter { $0.process.isRunning }
            var standby = 0
            for p in others where await p.masterStatus() == 0 { standby += 1 }
            return leader.count == 1 && standby == 1
        }
        try #require(elected, "no single leader: a=\(a.log.suffix(1500)) b=\(b.log.suffix(1500))")
        let first = try await leases.get("sextant-test")
        #expect(first.spec?.holderIdentity?.isEmpty == false)
        #expect(first.spec?.leaseDurationSeconds == 5)

        // SIGKILL the leader: the other takes over once the lease expires (5 s lease here; within
        // 20 s also with the 15 s default, as the state machine tests show).
        let (dead, survivor) = leader == [0] ? (a, b) : (b, a)
        dead.signal(SIGKILL)
        _ = await dead.waitForExit(timeout: 5)
        let tookOver = try await ReflectorIntegrationTests.eventually(20) { await survivor.masterStatus() == 1 }
        #expect(tookOver, "standby did not take over: \(survivor.log.suffix(1500))")
        let second = try await leases.get("sextant-test")
        #expect(second.spec?.holderIdentity != first.spec?.holderIdentity)
        #expect((second.spec?.leaseTransitions ?? 0) >= 1)

        // A new standby; SIGTERM the leader: it releases the Lease, exits 0, and the standby leads at once.
        let c = try ControllerProcess(cluster: cluster, name: "c", leaseID: "sextant-test")
        defer { c.signal(SIGKILL) }
        #expect(try await ReflectorIntegrationTests.eventually(30) { await c.masterStatus() == 0 })
        survivor.signal(SIGTERM)
        let code = await survivor.waitForExit(timeout: 10)
        #expect(code == 0, "SIGTERM exit: \(String(describing: code)) \(survivor.log.suffix(1500))")
        // Released, not expired: right after the exit the Lease no longer names the old leader.
        let afterTerm = try await leases.get("sextant-test")
        #expect(afterTerm.spec?.holderIdentity != second.spec?.holderIdentity, "the SIGTERMed leader did not release the Lease")
        let released = try await ReflectorIntegrationTests.eventually(10) { await c.masterStatus() == 1 }
        #expect(released, "standby did not take over after SIGTERM: \(c.log.suffix(1500))")
        c.signal(SIGTERM)
        #expect(await c.waitForExit(timeout: 10) == 0)
        try await client.shutdown()
    }
}
