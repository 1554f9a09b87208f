import Foundation
import Testing
import TestSupport

/// `PeerProcess.stop` is what keeps peers (Airflow, MLflow, moto, ...) from outliving the suite.
@Suite("Peer processes stop with their whole tree")
struct PeerProcessStopTests {
    @Test("a child that started its own session is killed with the peer, not left to init")
    func stopKillsChildrenOutsideTheGroup() async throws {
        let marker = "peer-stop-\(UUID().uuidString.prefix(8))"
        // Like Airflow's LocalExecutor: the child calls setsid, so killing the group misses it.
        let peer = try await PeerProcess.start(
            name: "stop-tree", executable: "/bin/sh",
            arguments: ["-c", "setsid sh -c 'sleep 600; :' \(marker) >/dev/null 2>&1 </dev/null & exec python3 -m http.server {port} --bind 127.0.0.1"],
            readyPath: nil, timeout: 30)
        let child = try #require(Self.pids(withArgument: marker).first, "the setsid child runs before stop")
        #expect(getsid(child) != getsid(peer.pid), "the child is in its own session, outside the peer's group")
        let stopping = Date()
        peer.stop()
        // Foundation's Process waits until every holder of its exit pipe is gone: a surviving stray
        // child would hold stop() for the whole 600 s of its sleep, and only then let this check pass.
        #expect(Date().timeIntervalSince(stopping) < 60, "stop() ends the stray child instead of waiting for it")
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !Self.pids(withArgument: marker).isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        #expect(Self.pids(withArgument: marker).isEmpty, "no process of the peer's tree survives stop()")
    }

    private static func pids(withArgument argument: String) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name in
            guard let pid = Int32(name), let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(name)/cmdline")) else { return nil }
            let args = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            // `sh -c SCRIPT MARKER` holds the marker as its own argument; a zombie has an empty command line.
            return args.contains(argument) ? pid : nil
        }
    }
}
