import Foundation
import KubeCore
import Testing
import Yams

/// Errors of the platform test helpers.
enum PlatformTestError: Error, CustomStringConvertible {
    case toolMissing(String)
    case yaml(String)

    var description: String {
        switch self {
        case .toolMissing(let message): return message
        case .yaml(let message): return message
        }
    }
}

/// The repository root: `$SEXTANT_REPO_ROOT` when set (an already-built test bundle run against
/// another checkout: hack/check-fresh-clone.sh), else the checkout this file was compiled from
/// (Tests/PlatformTests/PlatformSupport.swift).
let repoRoot: URL = ProcessInfo.processInfo.environment["SEXTANT_REPO_ROOT"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let chartPath = repoRoot.appendingPathComponent("charts/sextant").path

/// The result of one external command.
struct ToolResult: Sendable {
    var exitCode: Int32
    var stdout: String
    var stderr: String

    /// stdout and stderr together, for messages.
    var output: String { stdout + (stderr.isEmpty ? "" : "\n[stderr]\n" + stderr) }
}

/// Runs a command without blocking the concurrency pool: output goes to temp files (no pipe
/// deadlock on large outputs) and the exit is awaited through the termination handler.
func runCommand(_ executable: String, _ arguments: [String], environment: [String: String] = [:], cwd: String? = nil) async throws -> ToolResult {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("platform-cmd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let outURL = dir.appendingPathComponent("stdout")
    let errURL = dir.appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    process.currentDirectoryURL = URL(fileURLWithPath: cwd ?? repoRoot.path)
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice

    let code: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { finished in
            continuation.resume(returning: finished.terminationStatus)
        }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
    try? outHandle.close()
    try? errHandle.close()
    let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    return ToolResult(exitCode: code, stdout: stdout, stderr: stderr)
}

/// Finds a platform tool: `$SEXTANT_<TOOL>`, then `<repo>/.sextant/bin/<tool>` (where
/// hack/install-tools.sh puts it), then PATH. Throws a message that says how to install it.
func platformTool(_ name: String) throws -> String {
    let fm = FileManager.default
    let envKey = "SEXTANT_" + name.uppercased()
    if let path = ProcessInfo.processInfo.environment[envKey], !path.isEmpty {
        guard fm.isExecutableFile(atPath: path) else {
            throw PlatformTestError.toolMissing("\(envKey)=\(path) is not an executable file")
        }
        return path
    }
    let local = repoRoot.appendingPathComponent(".sextant/bin/\(name)").path
    if fm.isExecutableFile(atPath: local) { return local }
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if fm.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw PlatformTestError.toolMissing(
        "\(name) not found (looked at $\(envKey), \(local) and PATH): run `hack/install-tools.sh \(name)` first")
}

/// `helm template sextant charts/sextant -n sextant-system <extra>`.
func helmTemplate(_ extra: [String] = [], namespace: String = "sextant-system") async throws -> ToolResult {
    let helm = try platformTool("helm")
    return try await runCommand(helm, ["template", "sextant", chartPath, "--namespace", namespace] + extra)
}

/// Renders the chart and parses every document; fails the test when rendering fails.
func renderChart(_ extra: [String] = [], namespace: String = "sextant-system") async throws -> [JSONValue] {
    let result = try await helmTemplate(extra, namespace: namespace)
    try #require(result.exitCode == 0, "helm template \(extra) failed:\n\(result.output)")
    return try parseYAMLDocuments(result.stdout)
}

/// Parses a multi-document YAML stream into JSON values, dropping empty documents.
func parseYAMLDocuments(_ text: String) throws -> [JSONValue] {
    var documents: [JSONValue] = []
    for node in try Yams.compose_all(yaml: text) {
        let value = try YAMLDecoder().decode(JSONValue.self, from: node)
        if !value.isNull { documents.append(value) }
    }
    return documents
}

extension JSONValue {
    var kind: String { self["kind"]?.stringValue ?? "" }
    var name: String { self[path: ["metadata", "name"]]?.stringValue ?? "" }
    var namespace: String? { self[path: ["metadata", "namespace"]]?.stringValue }

    /// A scalar as text whatever YAML made of it (`"true"` may decode as a boolean).
    var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        default: return nil
        }
    }

    /// The elements of an array of strings (scalars rendered as text).
    var stringList: [String] { (arrayValue ?? []).compactMap(\.scalarText) }
}

extension Array where Element == JSONValue {
    func objects(kind: String) -> [JSONValue] { filter { $0.kind == kind } }

    func object(kind: String, name: String) -> JSONValue? {
        first { $0.kind == kind && $0.name == name }
    }
}

/// The Python of the platform tools venv (`hack/install-tools.sh` makes it; it has lupa):
/// `$SEXTANT_TOOLS_PYTHON` or `<repo>/.sextant/tools-venv/bin/python`.
func toolsPython() throws -> String {
    if let path = ProcessInfo.processInfo.environment["SEXTANT_TOOLS_PYTHON"], !path.isEmpty { return path }
    let local = repoRoot.appendingPathComponent(".sextant/tools-venv/bin/python").path
    guard FileManager.default.isExecutableFile(atPath: local) else {
        throw PlatformTestError.toolMissing("\(local) not found: run `hack/install-tools.sh lupa` first")
    }
    return local
}
