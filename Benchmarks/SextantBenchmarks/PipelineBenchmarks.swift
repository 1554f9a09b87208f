import Foundation
import KubeClient
import KubeCore
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// N three-step MLPipelines (simulated ~0 s steps) on `sextant dev --no-controller` with the
/// operator as a separate `sextant controller` process: time until all Succeeded, the controller's
/// API requests per pipeline by verb (audit log, else its `rest_client_requests_total`), the write
/// floor and our ratio to it, and the controller's peak RSS. Prints the numbers; never asserts them.
///
/// `SEXTANT_BENCH_PIPELINES` sets N (default 1000); `SEXTANT_BINARY` the `sextant` binary (default:
/// next to this executable); `SEXTANT_BENCH_WORKERS` the controller's `--workers` (default 2);
/// `SEXTANT_BENCH_KEEP` keeps the data directory (audit log, logs).
enum PipelineBenchmarks {
    static let namespace = "default"
    static let benchmarkAgent = "sextant-benchmark/0.1"

    static func run() async throws {
        let count = Int(ProcessInfo.processInfo.environment["SEXTANT_BENCH_PIPELINES"] ?? "") ?? 1000
        let binary = ProcessInfo.processInfo.environment["SEXTANT_BINARY"]
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sextant").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let keep = ProcessInfo.processInfo.environment["SEXTANT_BENCH_KEEP"] != nil
        defer { if keep { print("pipelines.data_dir \(dir.path) (kept)") } else { try? FileManager.default.removeItem(at: dir) } }
        let workers = ProcessInfo.processInfo.environment["SEXTANT_BENCH_WORKERS"] ?? "2"
        let auditPath = dir.appendingPathComponent("audit.log").path

        let help = try BenchProcess.output(binary, ["dev", "--help"])
        let audit = help.contains("--audit-log-path")
        let dev = try BenchProcess(binary, ["dev", "--port", "0", "--data-dir", dir.path, "--no-controller"]
            + (audit ? ["--audit-log-path", auditPath] : []), log: dir.appendingPathComponent("dev.log"))
        defer { dev.stop() }
        let kubeconfig = dir.appendingPathComponent("kubeconfig").path
        try await waitForFile(kubeconfig, process: dev)

        var configuration = try ClientConfiguration.load(kubeconfig: kubeconfig)
        configuration.userAgent = benchmarkAgent
        configuration.qps = 500
        configuration.burst = 1000
        let client = try KubeClient(configuration: configuration, logger: Logger(label: "bench"))
        let pipelines = DynamicApi(
            client: client, resource: GroupVersionResource(group: "ml.sextant.dev", version: "v1alpha1", resource: "mlpipelines"),
            namespaced: true, namespace: namespace)
        try await waitForAPI(pipelines)

        let metricsPort = 18_000 + Int.random(in: 0..<2000)
        let controller = try BenchProcess(binary, [
            "controller", "--kubeconfig", kubeconfig, "--namespace", namespace,
            "--metrics-bind-address", "127.0.0.1:\(metricsPort)", "--health-probe-bind-address", "0", "--workers", workers,
        ], log: dir.appendingPathComponent("controller.log"))
        defer { controller.stop() }
        try await Task.sleep(for: .seconds(2))  // informers synced before the clock starts
        let idleRSS = memory(controller.pid)

        let start = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for i in stride(from: worker, to: count, by: 8) { _ = try await pipelines.create(pipeline(i)) }
                }
            }
            try await group.waitForAll()
        }
        let created = Date().timeIntervalSince(start)
        var peak = idleRSS
        var succeeded = 0, failed = 0
        while succeeded + failed < count {
            try await Task.sleep(for: .seconds(1))
            let now = memory(controller.pid)
            peak = (max(peak.hwm, now.hwm), max(peak.rss, now.rss))
            let items = try await pipelines.listAll().items
            let phases = items.map { $0[path: ["status", "phase"]]?.stringValue ?? "" }
            succeeded = phases.filter { $0 == "Succeeded" }.count
            failed = phases.filter { $0 == "Failed" || $0 == "Cancelled" }.count
            if !controller.isRunning { throw BenchError.exited("sextant controller exited; see \(dir.path)/controller.log") }
            if Date().timeIntervalSince(start) > 3600 { throw BenchError.exited("not finished after an hour: \(succeeded)/\(count)") }
        }
        let total = Date().timeIntervalSince(start)
        let final = memory(controller.pid)
        peak = (max(peak.hwm, final.hwm), max(peak.rss, final.rss))
        print("pipelines.count \(count) three-step pipelines, controller --workers \(workers) (\(succeeded) Succeeded, \(failed) Failed/Cancelled)")
        print("pipelines.create_seconds \(fmt(created)) (8 concurrent creators)")
        print("pipelines.all_finished_seconds \(fmt(total)) (\(fmt(Double(count) / total)) pipelines/s, \(fmt(Double(3 * count) / total)) Jobs/s)")
        print("pipelines.controller_rss_mib idle \(mib(idleRSS.rss)), peak VmHWM \(mib(peak.hwm)), final VmRSS \(mib(final.rss))")

        // Requests settle: a last status write may still be in flight.
        try await Task.sleep(for: .seconds(3))
        var byVerb: [String: Int] = [:]
        var byResource: [String: Int] = [:]
        var source = ""
        if audit {
            (byVerb, byResource, source) = try auditCounts(auditPath)
        }
        if byVerb.isEmpty {
            byVerb = try await metricCounts(port: metricsPort)
            source = "controller rest_client_requests_total (by HTTP method)"
        }
        print("pipelines.requests_source \(source)")
        let per = { (n: Int) in fmt(Double(n) / Double(count)) }
        for (verb, n) in byVerb.sorted(by: { $0.key < $1.key }) { print("pipelines.requests_per_pipeline.\(verb) \(per(n)) (\(n) total)") }
        for (key, n) in byResource.sorted(by: { $0.value > $1.value }) { print("pipelines.requests_per_pipeline.\(key) \(per(n))") }
        let writeVerbs: Set<String> = ["create", "update", "patch", "delete", "deletecollection", "POST", "PUT", "PATCH", "DELETE"]
        let writes = byVerb.filter { writeVerbs.contains($0.key) }.values.reduce(0, +)
        let events = byResource["create events"] ?? 0
        // Floor: 3 Job creates + 4 status writes (Running with step 1 started; step 1 done and 2
        // started; 2 done and 3 started; 3 done and the run Succeeded), Events not counted.
        let floor = 7.0
        print("pipelines.writes_per_pipeline \(per(writes)) (\(per(events)) of them Event creates); floor \(fmt(floor)) (3 Job creates + 4 status writes); ratio \(fmt(Double(writes) / Double(count) / floor)), without Events \(fmt(Double(writes - events) / Double(count) / floor))")
        try await client.shutdown()
    }

    /// A three-step chain whose steps succeed at once on the simulate executor.
    static func pipeline(_ i: Int) -> JSONValue {
        let sim = JSONValue.object(["dev.sextant.dev/simulate": .string(#"{"exitCode":0,"seconds":0}"#)])
        func step(_ name: String, _ dependsOn: String?) -> JSONValue {
            var s: [String: JSONValue] = ["name": .string(name), "container": ["image": "bench:1", "podMetadata": .object(["annotations": sim])]]
            if let dependsOn { s["dependsOn"] = .array([.string(dependsOn)]) }
            return .object(s)
        }
        return [
            "apiVersion": "ml.sextant.dev/v1alpha1", "kind": "MLPipeline",
            "metadata": ["name": .string("bench-\(i)"), "namespace": .string(namespace)],
            "spec": ["steps": .array([step("a", nil), step("b", "a"), step("c", "b")])],
        ]
    }

    /// Controller requests (userAgent `sextant-controller/`; before that User-Agent existed, every
    /// agent but this benchmark's) by verb, and by "verb resource[/subresource]".
    static func auditCounts(_ path: String) throws -> ([String: Int], [String: Int], String) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
        let agent = { (e: JSONValue) in e["userAgent"]?.stringValue ?? "" }
        var mine = lines.filter { agent($0).hasPrefix("sextant-controller/") }
        var source = "audit log, userAgent sextant-controller/*"
        if mine.isEmpty {
            mine = lines.filter { !agent($0).hasPrefix("sextant-benchmark") && !agent($0).hasPrefix("kubectl") }
            source = "audit log, every userAgent but the benchmark's (no sextant-controller/ agent seen)"
        }
        var byVerb: [String: Int] = [:], byResource: [String: Int] = [:]
        for e in mine {
            let verb = e["verb"]?.stringValue ?? "?"
            byVerb[verb, default: 0] += 1
            var resource = e[path: ["objectRef", "resource"]]?.stringValue ?? "nonresource"
            if let sub = e[path: ["objectRef", "subresource"]]?.stringValue, !sub.isEmpty { resource += "/\(sub)" }
            byResource["\(verb) \(resource)", default: 0] += 1
        }
        return (byVerb, byResource, source)
    }

    /// `rest_client_requests_total` of the controller summed by method.
    static func metricCounts(port: Int) async throws -> [String: Int] {
        let text = try BenchProcess.output("/usr/bin/curl", ["-s", "http://127.0.0.1:\(port)/metrics"])
        var byMethod: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("rest_client_requests_total{") {
            guard let m = line.range(of: "method=\""), let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            let method = line[m.upperBound...].prefix { $0 != "\"" }
            byMethod[String(method), default: 0] += Int(value)
        }
        return byMethod
    }

    /// VmHWM and VmRSS of `pid` in KiB.
    static func memory(_ pid: Int32) -> (hwm: Int, rss: Int) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
        }
        return (field("VmHWM"), field("VmRSS"))
    }

    static func waitForFile(_ path: String, process: BenchProcess) async throws {
        for _ in 0..<600 {
            if FileManager.default.fileExists(atPath: path) { return }
            if !process.isRunning { throw BenchError.exited("sextant dev exited before serving") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError.exited("sextant dev wrote no kubeconfig")
    }

    static func waitForAPI(_ api: DynamicApi) async throws {
        for _ in 0..<300 {
            if (try? await api.list(ListOptions(limit: 1))) != nil { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchError.exited("the MLPipeline API did not answer")
    }

    static func fmt(_ x: Double) -> String { String(format: "%.2f", x) }
    static func mib(_ kib: Int) -> String { String(format: "%.1f", Double(kib) / 1024) }
}

enum BenchError: Error {
    case exited(String)
}

/// A child process with output to a log file; `stop()` sends SIGTERM, then SIGKILL after 10 s.
final class BenchProcess: @unchecked Sendable {
    let process = Process()

    init(_ executable: String, _ arguments: [String], log: URL) throws {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Runs a command to completion and returns its stdout and stderr.
    static func output(_ executable: String, _ arguments: [String]) throws -> String {
        let p = Process()
        let pipe = Pipe()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
