import Foundation

/// A real Prometheus scraping a real Pushgateway, both from Debian's packages unpacked by
/// `hack/tools.d/prometheus.sh` into `.sextant/prometheus/`, each on a free loopback port and
/// stopped by process group. Prometheus scrapes the pushgateway every second, so a pushed value is
/// queryable about a second later.
///
/// ```swift
/// let prom = try await PrometheusPeer.start()
/// defer { prom.stop() }
/// try await prom.push("model_auc", 0.91)               // PUT /metrics/job/sextant-test
/// try await prom.waitForValue("model_auc", 0.91)
/// // RetrainPolicy: prometheus: {url: prom.url, query: model_auc}
/// ```
public final class PrometheusPeer: Sendable {
    /// The pushgateway job the values are pushed under.
    public static let job = "sextant-test"
    /// The Prometheus server.
    public let prometheus: PrometheusProcessPair

    private init(prometheus: PrometheusProcessPair) { self.prometheus = prometheus }

    /// `http://127.0.0.1:PORT` of Prometheus.
    public var url: String { prometheus.server.url }
    /// `http://127.0.0.1:PORT` of the pushgateway.
    public var pushgatewayURL: String { prometheus.gateway.url }

    /// `.sextant/prometheus/usr/bin`.
    public static var binDirectory: URL {
        ProcessRunner.packageRoot.appendingPathComponent(".sextant/prometheus/usr/bin")
    }

    /// Whether both binaries are unpacked (`hack/install-tools.sh prometheus`).
    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: binDirectory.appendingPathComponent("prometheus").path)
            && FileManager.default.isExecutableFile(atPath: binDirectory.appendingPathComponent("prometheus-pushgateway").path)
    }

    /// Starts the pushgateway, then Prometheus scraping it every `scrapeSeconds`. Throws
    /// `TestSupportError.startFailed` when they are not installed (run `hack/install-tools.sh prometheus`).
    public static func start(scrapeSeconds: Int = 1, timeout: Double = 60) async throws -> PrometheusPeer {
        guard isInstalled else {
            throw TestSupportError.startFailed("prometheus is not installed: run hack/install-tools.sh prometheus (\(binDirectory.path) missing)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("prometheus-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let gateway = try await PeerProcess.start(
            name: "pushgateway", executable: binDirectory.appendingPathComponent("prometheus-pushgateway").path,
            arguments: ["--web.listen-address=127.0.0.1:{port}"], readyPath: "/-/ready", logDirectory: dir, timeout: timeout)
        do {
            let config = """
                global:
                  scrape_interval: \(scrapeSeconds)s
                  evaluation_interval: \(scrapeSeconds)s
                scrape_configs:
                  - job_name: pushgateway
                    honor_labels: true
                    static_configs:
                      - targets: ["127.0.0.1:\(gateway.port)"]

                """
            let configPath = dir.appendingPathComponent("prometheus.yml")
            try config.write(to: configPath, atomically: true, encoding: .utf8)
            let server = try await PeerProcess.start(
                name: "prometheus", executable: binDirectory.appendingPathComponent("prometheus").path,
                arguments: ["--config.file=\(configPath.path)", "--storage.tsdb.path=\(dir.appendingPathComponent("data").path)",
                            "--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
                readyPath: "/-/ready", logDirectory: dir, timeout: timeout)
            return PrometheusPeer(prometheus: PrometheusProcessPair(server: server, gateway: gateway))
        } catch {
            gateway.stop()
            throw error
        }
    }

    /// Replaces the job's metrics on the pushgateway with `name value` (text exposition format).
    public func push(_ name: String, _ value: Double) async throws {
        try await push(text: "# TYPE \(name) gauge\n\(name) \(value)\n")
    }

    /// Replaces the job's metrics on the pushgateway with `text` (exposition format, e.g. several
    /// labelled series: `errors{model_version="churn-v2"} 0.5`).
    public func push(text body: String) async throws {
        let result = try await ProcessRunner.run("/usr/bin/curl", [
            "-sS", "--max-time", "10", "-X", "PUT", "--data-binary", "@-", "-w", "%{http_code}",
            "\(pushgatewayURL)/metrics/job/\(Self.job)",
        ], stdin: body, timeout: 20)
        let code = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).suffix(3)) ?? 0
        guard result.succeeded, (200..<300).contains(code) else {
            throw TestSupportError.startFailed("pushgateway PUT answered \(code): \(result.stdout) \(result.stderr)")
        }
    }

    /// The value of an instant query now (nil when empty or failed).
    public func value(_ query: String) async throws -> Double? {
        let result = try await ProcessRunner.run("/usr/bin/curl", [
            "-sS", "--max-time", "10", "-G", "--data-urlencode", "query=\(query)", "\(url)/api/v1/query",
        ], timeout: 20)
        guard result.succeeded, let data = result.stdout.data(using: .utf8),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let payload = json["data"] as? [String: Any], let series = payload["result"] as? [[String: Any]],
              let pair = series.first?["value"] as? [Any], pair.count == 2, let text = pair[1] as? String else { return nil }
        return Double(text)
    }

    /// Waits until Prometheus answers `query` with `expected` (the scrape after a push).
    public func waitForValue(_ query: String, _ expected: Double, timeout: Double = 20) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let v = try await value(query), v == expected { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TestSupportError.timeout("Prometheus did not answer \(query) = \(expected) within \(timeout)s:\n\(prometheus.server.logTail())")
    }

    /// Stops both (their process groups).
    public func stop() {
        prometheus.server.stop()
        prometheus.gateway.stop()
    }
}

/// The two processes of a `PrometheusPeer`.
public struct PrometheusProcessPair: Sendable {
    /// Prometheus.
    public let server: PeerProcess
    /// The pushgateway.
    public let gateway: PeerProcess
}
