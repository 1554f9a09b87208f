import Foundation

/// Errors of the test helpers.
public enum TestSupportError: Error, CustomStringConvertible {
    case binaryNotFound(String)
    case startFailed(String)
    case timeout(String)
    case pythonMissing(String)

    public var description: String {
        switch self {
        case .binaryNotFound(let m): return "binary not found: \(m)"
        case .startFailed(let m): return "start failed: \(m)"
        case .timeout(let m): return "timeout: \(m)"
        case .pythonMissing(let m): return m
        }
    }
}

/// The outcome of a finished command.
public struct CommandResult: Sendable {
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String

    /// True for exit code 0.
    public var succeeded: Bool { exitCode == 0 }
}

/// Runs external commands with captured output (through temp files: no pipe deadlocks).
public enum ProcessRunner {
    /// Runs `executable` with `arguments`, feeding `stdin`, and waits up to `timeout` seconds
    /// (then the process is killed and `TestSupportError.timeout` thrown).
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
                           timeout: Double = 120) async throws -> CommandResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err"), inURL = dir.appendingPathComponent("in")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        FileManager.default.createFile(atPath: inURL.path, contents: Data((stdin ?? "").utf8))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                throw TestSupportError.timeout("\(executable) \(arguments.joined(separator: " ")) did not finish in \(timeout)s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try? out.close()
        try? err.close()
        try? input.close()
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return CommandResult(exitCode: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// The first directory (walking up from this source file) that holds Package.swift.
    /// `$SEXTANT_REPO_ROOT` when set (hack/test.sh sets it when it runs an already-built test
    /// bundle against another checkout, see hack/check-fresh-clone.sh), else the checkout these
    /// sources were compiled from.
    public static var packageRoot: URL {
        if let root = ProcessInfo.processInfo.environment["SEXTANT_REPO_ROOT"], !root.isEmpty {
            return URL(fileURLWithPath: root)
        }
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }
}

/// Stock `kubectl` against a dev cluster (`KUBECONFIG` set to its kubeconfig).
public struct Kubectl: Sendable {
    public var kubeconfigPath: String
    public var executable: String

    public init(kubeconfigPath: String, executable: String = Kubectl.defaultExecutable) {
        self.kubeconfigPath = kubeconfigPath
        self.executable = executable
    }

    /// `$KUBECTL` (hack/test.sh exports the one it found or installed), else `kubectl` on PATH,
    /// else `.sextant/bin/kubectl` (where hack/install-tools.sh puts it on a machine without one).
    public static var defaultExecutable: String {
        let env = ProcessInfo.processInfo.environment
        if let path = env["KUBECTL"], !path.isEmpty { return path }
        let fm = FileManager.default
        for dir in (env["PATH"] ?? "").split(separator: ":") where fm.isExecutableFile(atPath: "\(dir)/kubectl") {
            return "\(dir)/kubectl"
        }
        return ProcessRunner.packageRoot.appendingPathComponent(".sextant/bin/kubectl").path
    }

    /// Runs `kubectl ARGS` (stdin optional, e.g. for `apply -f -`).
    public func run(_ arguments: [String], stdin: String? = nil, timeout: Double = 60) async throws -> CommandResult {
        try await ProcessRunner.run(executable, arguments, environment: ["KUBECONFIG": kubeconfigPath], stdin: stdin, timeout: timeout)
    }

    /// Convenience: `run(args.split(" "))`.
    public func callAsFunction(_ arguments: String..., stdin: String? = nil) async throws -> CommandResult {
        try await run(arguments, stdin: stdin)
    }
}

/// The official Python `kubernetes` client: runs scripts from Tests/python with `$SEXTANT_PYTHON`.
public struct PythonClient: Sendable {
    public var kubeconfigPath: String

    public init(kubeconfigPath: String) {
        self.kubeconfigPath = kubeconfigPath
    }

    /// The interpreter from `$SEXTANT_PYTHON`; throws a clear error when it is not set.
    public static func python() throws -> String {
        guard let python = ProcessInfo.processInfo.environment["SEXTANT_PYTHON"], !python.isEmpty else {
            throw TestSupportError.pythonMissing(
                "SEXTANT_PYTHON is not set: it must name a python with the `kubernetes` package (hack/test.sh sets it up; " +
                "locally: python3 -m venv .venv && .venv/bin/pip install kubernetes PyYAML && export SEXTANT_PYTHON=$PWD/.venv/bin/python)")
        }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestSupportError.pythonMissing("SEXTANT_PYTHON=\(python) is not an executable file")
        }
        return python
    }

    /// Runs `Tests/python/<script>` with `KUBECONFIG` set; arguments follow the script name.
    public func run(script: String, _ arguments: [String] = [], timeout: Double = 120) async throws -> CommandResult {
        let python = try Self.python()
        let path = ProcessRunner.packageRoot.appendingPathComponent("Tests/python/\(script)").path
        return try await ProcessRunner.run(python, [path] + arguments, environment: ["KUBECONFIG": kubeconfigPath], timeout: timeout)
    }
}
