import Foundation
import KubeCore

/// The OpenLineage receiver of the tests (`Tests/harness/openlineage/receiver.py`, venv of
/// `hack/tools.d/openlineage.sh`) on a free loopback port: it captures `POST /api/v1/lineage` and
/// validates every event against the OpenLineage 2-0-2 JSON Schema and its facets' schemas.
public final class OpenLineageReceiver: Sendable {
    /// The server process.
    public let peer: PeerProcess

    private init(peer: PeerProcess) { self.peer = peer }

    /// `http://127.0.0.1:PORT` (the base URL: events go to `/api/v1/lineage`).
    public var url: String { peer.url }

    /// The venv's Python.
    public static var python: String {
        ProcessRunner.packageRoot.appendingPathComponent(".sextant/openlineage-venv/bin/python").path
    }

    /// Starts the receiver; throws `startFailed` when the venv is missing (`hack/install-tools.sh openlineage`).
    public static func start() async throws -> OpenLineageReceiver {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestSupportError.startFailed("the OpenLineage receiver is not installed: run hack/install-tools.sh openlineage (\(python) missing)")
        }
        let script = ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/openlineage/receiver.py").path
        let peer = try await PeerProcess.start(name: "openlineage", executable: python, arguments: [script, "--port", "{port}"],
                                               environment: ["PYTHONUNBUFFERED": "1"], readyPath: "/events", timeout: 60)
        return OpenLineageReceiver(peer: peer)
    }

    /// What the receiver holds.
    public struct Captured: Sendable {
        /// Events in arrival order.
        public var events: [JSONValue]
        /// Schema violations, `"#index: message"`.
        public var errors: [String]
        /// Lineage POSTs answered with an injected error.
        public var rejected: Int
    }

    /// Events and validation errors so far.
    public func captured() async throws -> Captured {
        let result = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "--max-time", "10", url + "/events"], timeout: 15)
        guard result.succeeded, let doc = try? JSONValue.parse(result.stdout) else {
            throw TestSupportError.startFailed("receiver GET /events failed: \(result.stderr)")
        }
        let errors = (doc["errors"]?.arrayValue ?? []).map { e in
            "#\(e["index"]?.intValue ?? -1): \(e["error"]?.stringValue ?? "")"
        }
        return Captured(events: doc["events"]?.arrayValue ?? [], errors: errors, rejected: Int(doc["rejected"]?.intValue ?? 0))
    }

    /// Waits until `condition` holds for the captured events (polls every 200 ms).
    public func waitFor(timeout: Double = 30, _ condition: ([JSONValue]) -> Bool) async throws -> Captured {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let now = try await captured()
            if condition(now.events) || Date() > deadline { return now }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Answers the next `count` lineage POSTs with HTTP `status` (not recorded).
    public func failNext(_ count: Int, status: Int = 503) async throws {
        _ = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "-X", "POST", "--max-time", "10", url + "/fail?count=\(count)&status=\(status)"], timeout: 15)
    }

    /// Stops the receiver.
    public func stop() { peer.stop() }
}
