import Foundation
import KubeRuntime
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Grafana dashboard")
struct DashboardMetricsTests {
    static let dashboard = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("manifests/grafana/sextant-controller-dashboard.json")

    /// The metric names a PromQL expression reads: identifiers that are not functions, label names
    /// of `by (...)`/`{...}`, durations or keywords.
    static func metricNames(_ expr: String) -> Set<String> {
        var e = expr
        for pattern in [#"\b(by|without)\s*\([^)]*\)"#, #"\{[^}]*\}"#, #"\[[^\]]*\]"#, #""[^"]*""#] {
            e = e.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        let regex = try? NSRegularExpression(pattern: #"[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?"#)
        var names = Set<String>()
        for m in regex?.matches(in: e, range: NSRange(e.startIndex..., in: e)) ?? [] {
            guard let r = Range(m.range, in: e) else { continue }
            let token = String(e[r])
            if token.hasSuffix("(") || ["and", "or", "unless", "offset", "bool", "on", "ignoring"].contains(token) { continue }
            names.insert(token)
        }
        return names
    }

    /// Series names in a Prometheus text exposition.
    static func exported(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").compactMap { line -> String? in
            guard !line.hasPrefix("#"), let end = line.firstIndex(where: { $0 == "{" || $0 == " " }) else { return nil }
            return String(line[..<end])
        })
    }

    @Test("every query of the dashboard names a metric a running controller exports; reconcile counters start at 0")
    func dashboardQueriesNameExportedMetrics() async throws {
        let data = try Data(contentsOf: Self.dashboard)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(json["panels"] as? [[String: Any]])
        let exprs = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(exprs.count >= 10)

        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let controller = try ControllerProcess(cluster: cluster, name: "dashboard", leaseID: "dashboard-\(UUID().uuidString.prefix(6).lowercased())")
        defer { controller.signal(SIGTERM); _ = controller.process.waitUntilExitOrTimeout() }
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let r = try? await ProcessRunner.run("/usr/bin/curl", ["-s", "--max-time", "2", "http://127.0.0.1:\(controller.metricsPort)/metrics"], timeout: 5),
               r.succeeded, r.stdout.contains("leader_election_master_status{"), r.stdout.contains("rest_client_requests_total{"),
               r.stdout.contains("controller_runtime_reconcile_total{") {
                text = r.stdout
                break
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(!text.isEmpty, "no metrics from the controller: \(controller.log.suffix(2000))")
        let series = Self.exported(text)
        for expr in exprs {
            let names = Self.metricNames(expr)
            #expect(!names.isEmpty, "no metric in \(expr)")
            for name in names {
                #expect(series.contains(name), "\(name) (in \(expr)) is not exported; exported: \(series.sorted())")
            }
        }
        // Every controller's reconcile counters exist from the start, one per result, plus its error counter.
        let reconcileLines = text.split(separator: "\n").filter { $0.hasPrefix("controller_runtime_reconcile_total{") }
        let controllers = Set(reconcileLines.compactMap { line -> String? in
            guard let r = line.range(of: #"controller="[^"]*""#, options: .regularExpression) else { return nil }
            return String(line[r].dropFirst("controller=\"".count).dropLast())
        })
        #expect(controllers.count >= 3, "\(controllers)")
        for c in controllers {
            for result in ControllerMetrics.results {
                #expect(reconcileLines.contains { $0.contains("controller=\"\(c)\"") && $0.contains("result=\"\(result)\"") }, "\(c) \(result)")
            }
            #expect(text.contains("controller_runtime_reconcile_errors_total{controller=\"\(c)\"} 0"), "\(c) errors counter not 0 at start")
        }
    }
}

extension Process {
    /// Waits up to 10 s for the process to exit, then kills it.
    func waitUntilExitOrTimeout() -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if isRunning { Glibc.kill(processIdentifier, SIGKILL) }
        return !isRunning
    }
}
