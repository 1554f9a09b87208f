import Foundation
import KubeCore
import Testing
import TestSupport

/// schemathesis (PyPI, hack/tools.d/schemathesis.sh) against `sextant dev`'s own /openapi/v2 (one
/// document with every built-in and Sextant kind): property-based requests on every operation,
/// checked with `not_a_server_error`; the server must answer no 5xx and stay up. Bounded for CI
/// (fixed seed, few examples per operation, a time cap); larger runs: docs/dev-cluster.md.
@Suite("schemathesis against sextant dev's OpenAPI: 0 server errors, the server stays up", .serialized)
struct SchemathesisTests {
    /// `.sextant/bin/st`, or nil when the tool is not installed.
    static func schemathesis() -> String? {
        let path = ProcessRunner.packageRoot.appendingPathComponent(".sextant/bin/st").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    static func setting(_ name: String, _ ciDefault: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? ciDefault
    }
    /// CI bounds; larger runs by hand set SEXTANT_SCHEMATHESIS_MAX_TIME / _EXAMPLES / _SEED.
    static var maxTime: Int { setting("SEXTANT_SCHEMATHESIS_MAX_TIME", 35) }
    static var examples: Int { setting("SEXTANT_SCHEMATHESIS_EXAMPLES", 2) }
    static var seed: Int { setting("SEXTANT_SCHEMATHESIS_SEED", 20261207) }

    @Test("every operation of /openapi/v2 (built-in and Sextant kinds) gets no 5xx from a fixed-seed schemathesis run")
    func noServerErrors() async throws {
        guard let st = Self.schemathesis() else {
            Issue.record("schemathesis is not installed: run hack/install-tools.sh schemathesis")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sextant-schemathesis-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller", "--executor", "simulate"], dataDirectory: dir.appendingPathComponent("dev"))
        defer { cluster.stop() }
        // Objects for the {name} operations to find, in the namespace every request uses.
        for (path, body) in [
            ("/api/v1/namespaces/default/configmaps", #"{"metadata":{"name":"st"},"data":{"k":"v"}}"#),
            ("/apis/apps/v1/namespaces/default/deployments", FuzzDecodersTests.deployment.jsonString),
            ("/apis/ml.sextant.dev/v1alpha1/namespaces/default/mlpipelines", FuzzHTTPTests.pipeline),
        ] {
            let created = try await cluster.request("POST", path, body: body)
            #expect(created.status == 201, "\(path): \(created.body)")
        }
        let config = dir.appendingPathComponent("schemathesis.toml")
        try #"""
        [parameters]
        "path.namespace" = "default"
        """#.write(to: config, atomically: true, encoding: .utf8)
        let report = dir.appendingPathComponent("report.ndjson")
        let started = Date()
        // Run in the temporary directory: schemathesis and hypothesis write .schemathesis/ and
        // .hypothesis/ into the working directory.
        let result = try await ProcessRunner.run("/usr/bin/env", ["-C", dir.path, st,
            "--config-file", config.path, "run", "\(cluster.url)/openapi/v2",
            "-H", "Authorization: Bearer \(cluster.token)", "--tls-verify", cluster.caPath,
            "--checks", "not_a_server_error", "--phases", "examples,fuzzing", "-n", String(Self.examples), "--seed", String(Self.seed),
            "--max-time", String(Self.maxTime), "--suppress-health-check", "all", "--no-shrink", "--workers", "2",
            "--generation-database", "none", "--no-color", "--report", "ndjson", "--report-ndjson-path", report.path,
        ], timeout: Double(Self.maxTime) + 120)
        let seconds = Date().timeIntervalSince(started)
        let summary = result.stdout.split(separator: "\n").filter { $0.contains("generated") || $0.contains("Tested") || $0.contains("Operations") }
        print("schemathesis: \(seconds) s, exit \(result.exitCode)\n\(summary.joined(separator: "\n"))")
        let statuses = try Self.responseStatuses(report)
        let tested = result.stdout.split(separator: "\n").first { $0.contains("Tested:") }.map { $0.trimmingCharacters(in: .whitespaces) } ?? "Tested: ?"
        print("schemathesis figures: \(tested) operations, \(statuses.values.reduce(0, +)) requests, by class \(Self.classes(statuses)), by status \(statuses.sorted { $0.key < $1.key }), \(Int(seconds)) s")
        let reportText = (try? String(contentsOf: report, encoding: .utf8)) ?? ""
        #expect(reportText.contains("/apis/ml.sextant.dev/v1alpha1/"), "no Sextant kind's operation was exercised")
        #expect(reportText.contains("/apis/apps/v1/"), "no built-in apps/v1 operation was exercised")
        let serverErrors = statuses.filter { $0.key >= 500 }.values.reduce(0, +)
        #expect(serverErrors == 0, "\(serverErrors) responses were 5xx:\n\(result.stdout.suffix(6000))\n\(cluster.log().suffix(2000))")
        #expect(result.exitCode == 0, "schemathesis failed:\n\(result.stdout.suffix(6000))\n\(result.stderr.suffix(2000))")
        #expect(statuses.values.reduce(0, +) >= 50, "schemathesis sent too few requests to mean anything: \(statuses)")
        #expect(try await cluster.request("GET", "/healthz").status == 200, "the server is down: \(cluster.log().suffix(2000))")
    }

    /// Counts by status class ("2xx", "4xx", ...).
    static func classes(_ statuses: [Int: Int]) -> [String: Int] {
        var out: [String: Int] = [:]
        for (code, n) in statuses { out["\(code / 100)xx", default: 0] += n }
        return out
    }

    /// The HTTP status of every response in a schemathesis NDJSON report, counted.
    static func responseStatuses(_ report: URL) throws -> [Int: Int] {
        var counts: [Int: Int] = [:]
        guard let text = try? String(contentsOf: report, encoding: .utf8) else { return counts }
        func walk(_ value: JSONValue) {
            switch value {
            case .object(let members):
                if let code = members["status_code"]?.intValue { counts[Int(code), default: 0] += 1 }
                for (_, member) in members { walk(member) }
            case .array(let items):
                for item in items { walk(item) }
            default:
                break
            }
        }
        for line in text.split(separator: "\n") {
            if let event = try? JSONValue.parse(String(line)) { walk(event) }
        }
        return counts
    }
}
