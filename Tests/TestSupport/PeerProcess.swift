import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real peer server (moto, MLflow, Prometheus, Airflow, a scripted fake, ...) started by a test on a
/// free loopback port and stopped by PID (its whole process group, with SIGKILL: the test runner
/// ignores SIGTERM and children inherit that).
///
/// ```swift
/// let moto = try await PeerProcess.start(name: "moto", executable: python, arguments: ["Tests/harness/moto_server.py", "--port", "{port}"],
///                                        readyPath: "/moto-api/")
/// defer { moto.stop() }
/// ```
/// `{port}` in `arguments` and in `environment` values is replaced by the chosen port. Output goes
/// to `<logDirectory>/<name>.log` (`log()` reads it).
public final class PeerProcess: @unchecked Sendable {
    /// The peer's name (used for its log file).
    public let name: String
    /// The loopback port it listens on.
    public let port: Int
    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }
    /// The log file with the peer's stdout and stderr.
    public let logPath: String
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    private init(name: String, port: Int, logPath: String, process: Process) {
        self.name = name
        self.port = port
        self.logPath = logPath
        self.process = process
    }

    deinit { stop() }

    /// A TCP port that was free on 127.0.0.1 a moment ago (bound to port 0 and released).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError.startFailed("socket() failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestSupportError.startFailed("bind() failed") }
        var out = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &out) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: out.sin_port))
    }

    /// Starts `executable arguments` in its own process group on a free port and waits until
    /// `GET readyPath` answers with any HTTP status below 500 (or, with `readyPath` nil, until the
    /// port accepts connections). Throws `TestSupportError.startFailed` with the log's tail if the
    /// process exits first, `.timeout` after `timeout` seconds.
    public static func start(name: String, executable: String, arguments: [String], environment: [String: String] = [:],
                             readyPath: String? = "/", workingDirectory: URL? = nil, logDirectory: URL? = nil,
                             timeout: Double = 60) async throws -> PeerProcess {
        let port = try freePort()
        let dir = logDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("peer-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let logPath = dir.appendingPathComponent("\(name).log").path
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let substitute = { (s: String) in s.replacingOccurrences(of: "{port}", with: String(port)) }
        // The peer leads its own process group so stop() reaches its children too. Foundation on Linux
        // already spawns children as group leaders (so `setsid` there forks, and its PID is not the
        // peer's: it must not be used); elsewhere the group is made right after spawning.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments.map(substitute)
        process.environment = ProcessInfo.processInfo.environment.merging(environment.mapValues(substitute)) { _, new in new }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        if getpgid(pid) != pid { _ = setpgid(pid, pid) }
        let peer = PeerProcess(name: name, port: port, logPath: logPath, process: process)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !process.isRunning {
                throw TestSupportError.startFailed("\(name) exited with \(process.terminationStatus) before it was ready:\n\(peer.logTail())")
            }
            if await peer.answers(path: readyPath) { return peer }
            try await Task.sleep(for: .milliseconds(150))
        }
        peer.stop()
        throw TestSupportError.timeout("\(name) not ready on port \(port) after \(timeout)s:\n\(peer.logTail())")
    }

    /// True while the process runs.
    public var isRunning: Bool { process.isRunning }

    /// The peer's PID (the leader of its process group).
    public var pid: Int32 { process.processIdentifier }

    /// Kills the peer's process group and every process descending from it that left the group
    /// (e.g. Airflow's task processes, which start their own sessions and would otherwise be
    /// reparented to init and outlive the test), then waits for it. SIGKILL. Safe to call twice.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        let pid = process.processIdentifier
        if pid > 0 {
            // Collected before anything dies: once a parent is gone its children belong to init.
            let strays = Self.descendants(of: pid)
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            for child in strays { kill(child, SIGKILL) }
        }
        process.waitUntilExit()
    }

    /// PIDs of every live process below `root` in the parent/child tree (from /proc/PID/stat).
    static func descendants(of root: Int32) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var children: [Int32: [Int32]] = [:]
        for name in names {
            guard let pid = Int32(name),
                  let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After "pid (comm)": state, then the parent's PID.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, let parent = Int32(fields[1]) else { continue }
            children[parent, default: []].append(pid)
        }
        var found: [Int32] = []
        var queue = children[root] ?? []
        while let next = queue.popLast() {
            found.append(next)
            queue.append(contentsOf: children[next] ?? [])
        }
        return found
    }

    /// The whole log.
    public func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The last 40 lines of the log.
    public func logTail() -> String { log().split(separator: "\n", omittingEmptySubsequences: false).suffix(40).joined(separator: "\n") }

    private func answers(path: String?) async -> Bool {
        guard let path else { return Self.portOpen(port) }
        guard let result = try? await ProcessRunner.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", url + path], timeout: 5) else {
            return false
        }
        guard let code = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), code > 0 else { return false }
        return code < 500
    }

    private static func portOpen(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
