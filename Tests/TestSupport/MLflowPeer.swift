import Foundation

/// A real MLflow tracking server (`mlflow server`, the venv of `hack/tools.d/mlflow.sh`) as a test
/// peer: sqlite backend and artifact store in a fresh temporary folder, one uvicorn worker, job
/// execution off, on a free loopback port; stopped by process group.
///
/// ```swift
/// let mlflow = try await MLflowPeer.start()
/// defer { mlflow.stop() }
/// let run = try await mlflow.call("GET", "/api/2.0/mlflow/runs/get?run_id=\(id)")   // what the UI reads
/// ```
/// The server takes ~10 s (up to a minute on a loaded machine) to come up: suites share one per test
/// process through `SharedMLflowPeer.peer()`; start a private one only for a test that must stop it.
public final class MLflowPeer: Sendable {
    /// The server process.
    public let peer: PeerProcess
    /// The folder holding `mlflow.db` and `artifacts/`.
    public let dataDirectory: URL

    private init(peer: PeerProcess, dataDirectory: URL) {
        self.peer = peer
        self.dataDirectory = dataDirectory
    }

    /// `http://127.0.0.1:PORT` — the tracking URI.
    public var url: String { peer.url }

    /// The loopback port.
    public var port: Int { peer.port }

    /// The venv's Python (`.sextant/mlflow-venv/bin/python`); it has the real `mlflow` client too.
    public static var python: String {
        ProcessRunner.packageRoot.appendingPathComponent(".sextant/mlflow-venv/bin/python").path
    }

    /// The venv's `mlflow` command.
    public static var mlflowCommand: String {
        ProcessRunner.packageRoot.appendingPathComponent(".sextant/mlflow-venv/bin/mlflow").path
    }

    /// Whether MLflow is installed (`hack/install-tools.sh mlflow`).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: mlflowCommand) }

    /// Starts `mlflow server` on a free port and waits until `GET /health` answers. Throws
    /// `TestSupportError.startFailed` when MLflow is not installed (run `hack/install-tools.sh mlflow`)
    /// or the server exits, `.timeout` when it is not ready in `timeout` seconds.
    /// With `supervisedBy` (a PID, normally the test process's own), the server runs under a `/bin/sh`
    /// supervisor leading its process group that polls that PID every second and, once it is gone (or
    /// the server died), kills the whole group: a shared server (`SharedMLflowPeer`) dies with the tests.
    public static func start(environment: [String: String] = [:], timeout: Double = 180, supervisedBy parent: Int32? = nil) async throws -> MLflowPeer {
        guard isInstalled else {
            throw TestSupportError.startFailed("MLflow is not installed: run hack/install-tools.sh mlflow (\(mlflowCommand) missing)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlflow-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("artifacts"), withIntermediateDirectories: true)
        let env = [
            "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
            "PYTHONUNBUFFERED": "1",
        ].merging(environment) { _, new in new }
        var command = [
            mlflowCommand, "server",
            "--backend-store-uri", "sqlite:///\(dir.appendingPathComponent("mlflow.db").path)",
            "--artifacts-destination", dir.appendingPathComponent("artifacts").path,
            "--host", "127.0.0.1", "--port", "{port}", "--workers", "1",
        ]
        if let parent { command = ["/bin/sh", "-c", supervisor, "mlflow-supervisor", String(parent), dir.path] + command }
        let peer = try await PeerProcess.start(
            name: "mlflow", executable: command[0], arguments: Array(command.dropFirst()),
            environment: env, readyPath: "/health", workingDirectory: dir, logDirectory: dir, timeout: timeout)
        return MLflowPeer(peer: peer, dataDirectory: dir)
    }

    /// The supervisor script: `$1` the watched PID, `$2` the data folder, the rest the server's command.
    /// It leads the process group (PeerProcess makes every peer a group leader), so `kill -KILL 0`
    /// reaches the server and its workers; the data folder is removed by a detached `rm` after that.
    static let supervisor = """
        parent=$1; dir=$2; shift 2
        "$@" &
        child=$!
        while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1; done
        setsid sh -c 'sleep 2; rm -rf "$0"' "$dir" </dev/null >/dev/null 2>&1 &
        kill -KILL 0
        """

    /// One REST call through curl (independent of the client under test): `method path` with a JSON
    /// `body`; returns the HTTP status and the answer's body.
    public func call(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, body: String) {
        var args = ["-sS", "--max-time", "20", "-X", method, "-w", "\n%{http_code}"]
        if body != nil {
            args += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
        }
        args.append(url + path)
        let result = try await ProcessRunner.run("/usr/bin/curl", args, stdin: body, timeout: 30)
        guard result.succeeded else {
            throw TestSupportError.startFailed("curl \(method) \(path) failed: \(result.stderr)")
        }
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = lines.last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        return (status, lines.dropLast().joined(separator: "\n"))
    }

    /// `call` decoded as a JSON object; throws when the status is not 2xx.
    public func json(_ method: String, _ path: String, body: String? = nil) async throws -> [String: Any] {
        let (status, text) = try await call(method, path, body: body)
        guard (200..<300).contains(status) else {
            throw TestSupportError.startFailed("MLflow \(method) \(path) answered \(status): \(text)")
        }
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return object as? [String: Any] ?? [:]
    }

    /// The server's log.
    public func log() -> String { peer.log() }

    /// Stops the server (its process group) and removes its data.
    public func stop() {
        peer.stop()
        try? FileManager.default.removeItem(at: dataDirectory)
    }
}
