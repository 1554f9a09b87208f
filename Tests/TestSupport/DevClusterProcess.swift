import Foundation
import KubeCore

#if canImport(Glibc)
import Glibc
#endif

/// A real `sextant dev` process on a free port with its own data directory, for integration tests.
///
/// ```swift
/// let cluster = try await DevClusterProcess.start()
/// defer { cluster.stop() }
/// let kubectl = cluster.kubectl
/// let result = try await kubectl.run(["get", "ns"])
/// ```
/// The server's output goes to `<dataDirectory>/dev.log` (`log()` reads it). Always call `stop()`
/// (or `kill()`), also on failure paths; a dropped instance is stopped on deinit.
public final class DevClusterProcess: @unchecked Sendable {
    /// The data directory (`--data-dir`), kept across `restart()`.
    public let dataDirectory: URL
    /// Extra arguments given to `sextant dev` (e.g. `["--fault-error-rate", "0.2"]`).
    public let extraArguments: [String]
    /// Variables added to the server's environment (e.g. `AWS_ENDPOINT_URL` of a moto peer).
    public let environment: [String: String]
    /// `https://127.0.0.1:PORT` of the running server.
    public private(set) var url: String = ""
    public private(set) var port: Int = 0
    /// The bearer token.
    public private(set) var token: String = ""
    private var process: Process?
    private let lock = NSLock()

    public var kubeconfigPath: String { dataDirectory.appendingPathComponent("kubeconfig").path }
    public var caPath: String { dataDirectory.appendingPathComponent("ca.crt").path }
    /// `kubectl` with this cluster's kubeconfig.
    public var kubectl: Kubectl { Kubectl(kubeconfigPath: kubeconfigPath) }
    /// The Python client runner with this cluster's kubeconfig.
    public var python: PythonClient { PythonClient(kubeconfigPath: kubeconfigPath) }

    private init(dataDirectory: URL, extraArguments: [String], environment: [String: String] = [:]) {
        self.dataDirectory = dataDirectory
        self.extraArguments = extraArguments
        self.environment = environment
    }

    deinit {
        process?.terminate()
    }

    /// Starts `sextant dev --port 0 --data-dir DIR ARGS` (a fresh temp dir unless given) and
    /// waits until it serves (kubeconfig written and /healthz answering). `environment` is added to
    /// the test process's environment for the server (and its in-process controller).
    public static func start(extraArguments: [String] = [], dataDirectory: URL? = nil, environment: [String: String] = [:], timeout: Double = 60) async throws -> DevClusterProcess {
        let dir = dataDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("sextant-dev-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let cluster = DevClusterProcess(dataDirectory: dir, extraArguments: extraArguments, environment: environment)
        try await cluster.launch(timeout: timeout)
        return cluster
    }

    /// The `sextant` binary: `$SEXTANT_BINARY`, next to the test bundle, or `.build/debug/sextant`.
    public static func binaryPath() throws -> String {
        if let env = ProcessInfo.processInfo.environment["SEXTANT_BINARY"], !env.isEmpty { return env }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent().appendingPathComponent("sextant").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("sextant").path,
            Bundle.main.bundleURL.appendingPathComponent("sextant").path,
            ProcessRunner.packageRoot.appendingPathComponent(".build/debug/sextant").path,
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestSupportError.binaryNotFound("sextant (looked at \(candidates.joined(separator: ", ")); run swift build first")
        }
        return found
    }

    private func launch(timeout: Double) async throws {
        let kubeconfig = URL(fileURLWithPath: kubeconfigPath)
        try? FileManager.default.removeItem(at: kubeconfig)
        let logURL = dataDirectory.appendingPathComponent("dev.log")
        if !FileManager.default.fileExists(atPath: logURL.path) { FileManager.default.createFile(atPath: logURL.path, contents: nil) }
        let log = try FileHandle(forWritingTo: logURL)
        try log.seekToEnd()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try Self.binaryPath())
        p.arguments = ["dev", "--port", "0", "--data-dir", dataDirectory.path] + extraArguments
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        p.standardOutput = log
        p.standardError = log
        try p.run()
        lock.withLock { process = p }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if !p.isRunning {
                throw TestSupportError.startFailed("sextant dev exited with \(p.terminationStatus): \(self.log().suffix(2000))")
            }
            if let text = try? String(contentsOf: kubeconfig, encoding: .utf8),
               let server = text.split(separator: "\n").first(where: { $0.contains("server: https://") }),
               let portText = server.split(separator: ":").last, let port = Int(portText.trimmingCharacters(in: .whitespaces)),
               let tokenLine = text.split(separator: "\n").first(where: { $0.contains("token: ") }) {
                self.port = port
                self.url = "https://127.0.0.1:\(port)"
                self.token = tokenLine.components(separatedBy: "token: ").last?.trimmingCharacters(in: .whitespaces) ?? ""
                if let health = try? await request("GET", "/healthz"), health.status == 200 { return }
            }
            if Date() > deadline {
                p.terminate()
                throw TestSupportError.timeout("sextant dev did not serve within \(timeout)s: \(self.log().suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops with SIGTERM (graceful) and waits for the exit.
    public func stop() {
        signalAndWait(SIGTERM)
    }

    /// Stops with SIGKILL (a crash: no shutdown code runs).
    public func kill() {
        signalAndWait(SIGKILL)
    }

    private func signalAndWait(_ signal: Int32) {
        guard let p = lock.withLock({ process }) else { return }
        if p.isRunning {
            Glibc.kill(p.processIdentifier, signal)
            // A graceful stop gets 15 seconds, then it is killed.
            let deadline = Date().addingTimeInterval(15)
            while p.isRunning && Date() < deadline { usleep(20_000) }
            if p.isRunning { Glibc.kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
        }
        lock.withLock { process = nil }
    }

    /// Starts the server again on the same data directory (after `stop()` or `kill()`); the port changes.
    public func restart(timeout: Double = 60) async throws {
        stop()
        try await launch(timeout: timeout)
    }

    /// The server's output so far.
    public func log() -> String {
        (try? String(contentsOf: dataDirectory.appendingPathComponent("dev.log"), encoding: .utf8)) ?? ""
    }

    /// An HTTP response seen by `request`.
    public struct HTTPResult: Sendable {
        public var status: Int
        /// Header names lower-cased; repeated headers joined with ", ".
        public var headers: [String: String]
        public var body: String
        /// The body parsed as JSON (nil when it is not JSON).
        public var json: JSONValue? { try? JSONValue.parse(body) }
    }

    /// One HTTPS request with the bearer token (through curl, verifying the server against the CA).
    /// `authenticated: false` sends no token.
    public func request(_ method: String, _ path: String, body: String? = nil, contentType: String = "application/json",
                        headers: [String: String] = [:], authenticated: Bool = true, timeout: Double = 30) async throws -> HTTPResult {
        var args = ["-sS", "-X", method, "--cacert", caPath, "-D", "-", "--max-time", String(Int(timeout))]
        if authenticated { args += ["-H", "Authorization: Bearer \(token)"] }
        for (k, v) in headers { args += ["-H", "\(k): \(v)"] }
        if let body {
            args += ["-H", "Content-Type: \(contentType)", "--data-binary", "@-"]
        }
        args.append(url + path)
        let result = try await ProcessRunner.run("/usr/bin/curl", args, stdin: body, timeout: timeout + 5)
        return Self.parseCurl(result.stdout, exitCode: result.exitCode, stderr: result.stderr)
    }

    static func parseCurl(_ output: String, exitCode: Int32, stderr: String) -> HTTPResult {
        guard let range = output.range(of: "\r\n\r\n") else {
            return HTTPResult(status: 0, headers: [:], body: "curl exit \(exitCode): \(stderr)")
        }
        let head = output[..<range.lowerBound]
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        return HTTPResult(status: status, headers: headers, body: String(output[range.upperBound...]))
    }
}
