import CloudAWS
import CloudAzure
import CloudGCP
import Foundation
import KubeCore
import Logging
import SextantAPI
import Testing
import TestSupport
@testable import SextantControllers

private let logger = Logger(label: "metric-source-tests")

/// The window of the last `seconds` at a `step`.
private func lastSeconds(_ seconds: Double, step: Int64 = 1) -> MetricWindow {
    let end = Date(timeIntervalSince1970: floor(Date().timeIntervalSince1970))
    return MetricWindow(start: end.addingTimeInterval(-seconds), end: end, step: step)
}

/// The `ControllerError.metricQuery` reason and message a source throws (nil when it does not throw).
private func failure(_ body: () async throws -> Void) async -> (reason: String, message: String)? {
    do {
        try await body()
        return nil
    } catch ControllerError.metricQuery(let reason, let message) {
        return (reason, message)
    } catch {
        return ("unexpected", "\(error)")
    }
}

@Suite("Metric source: Prometheus HTTP API against a real Prometheus", .serialized)
struct PrometheusMetricSourceTests {
    @Test("query_range returns the pushed values as samples; bad PromQL, several series, no series and no server are told apart")
    func realPrometheus() async throws {
        let prom = try await PrometheusPeer.start()
        defer { prom.stop() }
        try await prom.push("drift_score", 0.42)
        try await prom.waitForValue("drift_score", 0.42)
        try await Task.sleep(for: .seconds(2))
        let source = PrometheusMetricSource(url: prom.url, query: "drift_score", http: MetricHTTP())
        let samples = try await source.samples(in: lastSeconds(3))
        #expect(samples.count >= 2, "\(samples)")
        #expect(samples.allSatisfy { $0.value == 0.42 })
        #expect(samples.map(\.time) == samples.map(\.time).sorted())

        let broken = await failure { _ = try await PrometheusMetricSource(url: prom.url + "/", query: "drift_score(", http: MetricHTTP()).samples(in: lastSeconds(3)) }
        #expect(broken?.reason == "QueryFailed" && broken?.message.contains("bad_data") == true, "\(String(describing: broken))")
        let many = await failure {
            _ = try await PrometheusMetricSource(url: prom.url, query: #"{job="\#(PrometheusPeer.job)"}"#, http: MetricHTTP()).samples(in: lastSeconds(3))
        }
        #expect(many?.reason == "AmbiguousQuery", "\(String(describing: many))")
        #expect(try await PrometheusMetricSource(url: prom.url, query: "never_exported", http: MetricHTTP()).samples(in: lastSeconds(3)).isEmpty)
        let closed = try PeerProcess.freePort()
        let down = await failure {
            _ = try await PrometheusMetricSource(url: "http://127.0.0.1:\(closed)", query: "up", http: MetricHTTP(timeout: .seconds(3))).samples(in: lastSeconds(3))
        }
        #expect(down?.reason == "Unreachable", "\(String(describing: down))")
    }
}

/// `Tests/harness/metrics/monitoring_fakes.py` on a free port.
private func startFakes() async throws -> PeerProcess {
    let script = ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/metrics/monitoring_fakes.py").path
    return try await PeerProcess.start(name: "monitoring-fakes", executable: "/usr/bin/python3", arguments: [script, "--port", "{port}"],
                                       readyPath: "/requests")
}

/// Scripts the fakes: the token they accept, the points of each query, the queries with two series.
private func script(_ fakes: PeerProcess, token: String = "fake-token", series: [String: [(Double, Double)]], multi: [String] = []) async throws {
    let body = JSONValue.object([
        "token": .string(token),
        "issued": .string("fake-token"),
        "series": .object(series.mapValues { .array($0.map { .array([.double($0.0), .double($0.1)]) }) }),
        "multi": .array(multi.map { .string($0) }),
    ])
    let r = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "-X", "PUT", "--data-binary", "@-", fakes.url + "/script"],
                                        stdin: String(decoding: body.data(), as: UTF8.self), timeout: 10)
    try #require(r.succeeded, "\(r.stderr)")
}

private func recorded(_ fakes: PeerProcess) async throws -> [JSONValue] {
    let r = try await ProcessRunner.run("/usr/bin/curl", ["-sS", fakes.url + "/requests"], timeout: 10)
    return try JSONValue.parse(Data(r.stdout.utf8)).arrayValue ?? []
}

@Suite("Metric sources: Cloud Monitoring PromQL and Log Analytics KQL against scripted fakes of their REST shapes", .serialized)
struct CloudMetricSourceTests {
    @Test("Cloud Monitoring: query_range on the project path with a metadata-server token; 401, bad PromQL and two series are reasons")
    func cloudMonitoring() async throws {
        let fakes = try await startFakes()
        defer { fakes.stop() }
        let now = floor(Date().timeIntervalSince1970)
        try await script(fakes, series: ["avg(drift)": [(now - 20, 0.3), (now - 10, 0.25)], "two": [(now - 5, 1)]], multi: ["two"])
        let env = ["GCE_METADATA_HOST": "127.0.0.1:\(fakes.port)", "CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING": fakes.url]
        let client = GCPClient(environment: env, logger: logger)
        let window = MetricWindow(start: Date(timeIntervalSince1970: now - 60), end: Date(timeIntervalSince1970: now), step: 5)
        let source = CloudMonitoringMetricSource(query: CloudMonitoringMetricQuery(project: "ml-prod", query: "avg(drift)"), client: client)
        let samples = try await source.samples(in: window)
        #expect(samples == [MetricSample(time: Date(timeIntervalSince1970: now - 20), value: 0.3),
                            MetricSample(time: Date(timeIntervalSince1970: now - 10), value: 0.25)])
        let call = try #require(try await recorded(fakes).last { $0["path"]?.stringValue?.hasSuffix("query_range") == true })
        #expect(call["path"]?.stringValue == "/v1/projects/ml-prod/location/global/prometheus/api/v1/query_range")
        #expect(call[path: ["params", "step"]]?.stringValue == "5s" && call[path: ["params", "query"]]?.stringValue == "avg(drift)")
        #expect(call["authorization"]?.boolValue == true)

        let broken = await failure {
            _ = try await CloudMonitoringMetricSource(query: CloudMonitoringMetricQuery(project: "ml-prod", query: "broken("), client: client).samples(in: window)
        }
        #expect(broken?.reason == "QueryFailed", "\(String(describing: broken))")
        let two = await failure {
            _ = try await CloudMonitoringMetricSource(query: CloudMonitoringMetricQuery(project: "ml-prod", query: "two"), client: client).samples(in: window)
        }
        #expect(two?.reason == "AmbiguousQuery", "\(String(describing: two))")
        try await script(fakes, token: "rotated", series: [:])
        let denied = await failure { _ = try await source.samples(in: window) }
        #expect(denied?.reason == "AccessDenied", "\(String(describing: denied))")
        #expect(denied?.message.contains("fake-token") == false)
    }

    @Test("Log Analytics: POST with the KQL and the window as timespan, client-secret token; (time, value) rows, one scalar row, bad KQL, duplicate times and 401 are reasons")
    func logAnalytics() async throws {
        let fakes = try await startFakes()
        defer { fakes.stop() }
        let now = floor(Date().timeIntervalSince1970)
        try await script(fakes, series: ["Drift | project TimeGenerated, value": [(now - 30, 0.7), (now - 15, 0.9)],
                                         "scalar:Drift | summarize avg(value)": [(now - 5, 0.33)], "two": [(now - 5, 1)]], multi: ["two"])
        let env = ["AZURE_TENANT_ID": "tenant-1", "AZURE_CLIENT_ID": "client-1", "AZURE_CLIENT_SECRET": "not-a-real-secret",
                   "AZURE_AUTHORITY_HOST": fakes.url + "/"]
        let client = AzureClient(environment: env, logger: logger)
        let window = MetricWindow(start: Date(timeIntervalSince1970: now - 60), end: Date(timeIntervalSince1970: now), step: 5)
        func source(_ kql: String) -> AzureMonitorMetricSource {
            AzureMonitorMetricSource(query: AzureMonitorMetricQuery(workspaceId: "ws-1234", query: kql), client: client, base: fakes.url)
        }
        let samples = try await source("Drift | project TimeGenerated, value").samples(in: window)
        #expect(samples.map(\.value) == [0.7, 0.9])
        #expect(samples.map(\.time.timeIntervalSince1970) == [now - 30, now - 15])
        let requests = try await recorded(fakes)
        let call = try #require(requests.last { $0["path"]?.stringValue == "/v1/workspaces/ws-1234/query" })
        let body = try JSONValue.parse(Data((call["body"]?.stringValue ?? "").utf8))
        #expect(body["timespan"]?.stringValue == "\(KubeTime.format(window.start))/\(KubeTime.format(window.end))")
        #expect(call["contentType"]?.stringValue?.hasPrefix("application/json") == true)
        #expect(requests.contains { $0["scope"]?.stringValue == "https://api.loganalytics.io/.default" })

        let scalar = try await source("scalar:Drift | summarize avg(value)").samples(in: window)
        #expect(scalar == [MetricSample(time: window.end, value: 0.33)])
        let broken = await failure { _ = try await source("broken |").samples(in: window) }
        #expect(broken?.reason == "QueryFailed", "\(String(describing: broken))")
        let two = await failure { _ = try await source("two").samples(in: window) }
        #expect(two?.reason == "AmbiguousQuery", "\(String(describing: two))")
        try await script(fakes, token: "rotated", series: [:])
        let denied = await failure { _ = try await source("Drift").samples(in: window) }
        #expect(denied?.reason == "AccessDenied", "\(String(describing: denied))")
    }

    @Test("Log Analytics answers are read by column type; a partial error answer never yields samples")
    func logAnalyticsShapes() throws {
        let end = Date(timeIntervalSince1970: 1_796_637_600)
        let rows = #"{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"Model","type":"string"},{"name":"drift","type":"decimal"}],"rows":[["2026-12-07T10:00:00.1234567Z","churn","0.5"],["2026-12-07T09:59:00Z","churn",null]]}]}"#
        let s = try AzureMonitorMetricSource.samples(status: 200, body: Data(rows.utf8), end: end, what: "w")
        #expect(s == [MetricSample(time: end, value: 0.5)])
        let partial = #"{"tables":[{"name":"PrimaryResult","columns":[{"name":"v","type":"real"}],"rows":[[1.0]]}],"error":{"code":"PartialError","message":"some shards failed"}}"#
        #expect(throws: ControllerError.self) { try AzureMonitorMetricSource.samples(status: 200, body: Data(partial.utf8), end: end, what: "w") }
        let noNumber = #"{"tables":[{"name":"PrimaryResult","columns":[{"name":"t","type":"datetime"}],"rows":[]}]}"#
        #expect(throws: ControllerError.self) { try AzureMonitorMetricSource.samples(status: 200, body: Data(noNumber.utf8), end: end, what: "w") }
    }
}

@Suite("Metric source: CloudWatch GetMetricData against moto", .serialized)
struct CloudWatchMetricSourceTests {
    static let putMetricData = AWSOperation(service: .cloudWatch, name: "PutMetricData", protocol: .query(version: "2010-08-01"))

    @Test("the source reads the dimensioned metric's data points of the window as samples")
    func cloudWatch() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        let client = AWSClient(environment: moto.environment, logger: logger)
        let base = floor(Date().timeIntervalSince1970 / 60) * 60 - 300
        for (offset, value) in [(0.0, 0.2), (60.0, 0.35), (120.0, 0.4)] {
            _ = try await client.query(Self.putMetricData, region: MotoPeer.region, parameters: [
                "Namespace": "Sextant/Monitoring", "MetricData.member.1.MetricName": "drift", "MetricData.member.1.Value": String(value),
                "MetricData.member.1.Timestamp": KubeTime.format(Date(timeIntervalSince1970: base + offset)),
                "MetricData.member.1.Dimensions.member.1.Name": "Model", "MetricData.member.1.Dimensions.member.1.Value": "churn",
            ])
        }
        let query = CloudWatchMetricQuery(region: MotoPeer.region, namespace: "Sextant/Monitoring", metricName: "drift",
                                          dimensions: ["Model": "churn"], statistic: "Maximum", periodSeconds: 60)
        let source = try MetricSourceFactory(aws: client).source(for: MetricTrigger(cloudWatch: query, above: 0.3))
        let window = MetricWindow(start: Date(timeIntervalSince1970: base - 30), end: Date(timeIntervalSince1970: base + 200), step: 5)
        let samples = try await source.samples(in: window)
        #expect(samples.map(\.value) == [0.2, 0.35, 0.4], "\(samples)")
        #expect(samples.first?.time == Date(timeIntervalSince1970: base))
        let none = MetricSourceFactory()
        #expect(throws: ControllerError.self) { _ = try none.source(for: MetricTrigger(cloudWatch: query, above: 0.3)) }
    }
}
