import Foundation
import KubeCore
import Testing
import TestSupport
@testable import SextantControllers

/// A policy retraining on `query` from `prometheus` below `threshold`; runs have one short simulated step.
private func metricPolicy(_ name: String, prometheus: String, query: String, threshold: Double = 0.8, forSeconds: Int = 5,
                          extra: String = "") -> String {
    """
    apiVersion: ml.sextant.dev/v1alpha1
    kind: RetrainPolicy
    metadata: {name: \(name), namespace: default}
    spec:
      concurrencyPolicy: Allow
    \(extra.isEmpty ? "" : "  " + extra)
      triggers:
        metric:
          prometheus: {url: "\(prometheus)", query: '\(query)'}
          below: \(threshold)
          forSeconds: \(forSeconds)
          pollIntervalSeconds: 10
      pipeline:
        spec:
          steps:
            - name: train
              container:
                image: busybox
                command: [sh, -c, "true"]
                podMetadata: {annotations: {dev.sextant.dev/simulate: '{"exitCode":0,"seconds":1}'}}
    """
}

/// Names of the runs of a policy.
private func runs(_ e: RegistryE2E, _ policy: String) async throws -> [String] {
    let out = try await e.kubectl.run(["get", "mlp", "-l", "ml.sextant.dev/retrain-policy=\(policy)", "-o", "jsonpath={.items[*].metadata.name}"])
    return out.stdout.split(separator: " ").map(String.init).sorted()
}

private func health(_ e: RegistryE2E, _ policy: String) async throws -> String {
    let status = try await e.jsonpath("rp", policy, #"{.status.conditions[?(@.type=="TriggerHealthy")].status}"#)
    let reason = try await e.jsonpath("rp", policy, #"{.status.conditions[?(@.type=="TriggerHealthy")].reason}"#)
    return "\(status)/\(reason)"
}

@Suite("RetrainPolicy metric trigger end to end (real Prometheus + pushgateway, sextant dev, sextant controller)", .serialized)
struct MetricTriggerE2ETests {
    @Test("one run per breach after forSeconds below the threshold, none above it, none more while it stays below, a second only after recovery and a new breach and after minIntervalSeconds; a broken or empty query is TriggerHealthy=False and never runs")
    func breachLifecycle() async throws {
        let prom = try await PrometheusPeer.start()
        defer { prom.stop() }
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await prom.push("model_auc", 0.9)
        try await prom.waitForValue("model_auc", 0.9)

        try await e.apply(metricPolicy("auc-guard", prometheus: prom.url, query: "model_auc"))
        try await e.apply(metricPolicy("auc-spaced", prometheus: prom.url, query: "model_auc", extra: "minIntervalSeconds: 3600"))
        try await e.apply(metricPolicy("auc-broken", prometheus: prom.url, query: "model_auc("))
        try await e.apply(metricPolicy("auc-empty", prometheus: prom.url, query: "model_auc_never_exported"))

        // Above the threshold: polling, healthy, no run.
        try await e.waitFor("auc-guard polls the value 0.9", timeout: 40) {
            let h = try await health(e, "auc-guard")
            let value = try await e.jsonpath("rp", "auc-guard", "{.status.metric.value}")
            return h == "True/Polling" && value == "0.9"
        }
        try await e.waitFor("the broken query is reported", timeout: 40) { try await health(e, "auc-broken") == "False/QueryFailed" }
        try await e.waitFor("the empty query is reported", timeout: 40) { try await health(e, "auc-empty") == "False/NoSamples" }
        let brokenMessage = try await e.jsonpath("rp", "auc-broken", #"{.status.conditions[?(@.type=="TriggerHealthy")].message}"#)
        #expect(brokenMessage.contains("bad_data"), "\(brokenMessage)")
        #expect(try await runs(e, "auc-guard").isEmpty)

        // Below it: exactly one run per policy, named after the breach start.
        try await prom.push("model_auc", 0.5)
        try await prom.waitForValue("model_auc", 0.5)
        try await e.waitFor("a run for the breach", timeout: 60) { try await runs(e, "auc-guard").count == 1 }
        try await e.waitFor("auc-spaced runs too", timeout: 30) { try await runs(e, "auc-spaced").count == 1 }
        let since = try await e.jsonpath("rp", "auc-guard", "{.status.metric.breachingSince}")
        let first = try await runs(e, "auc-guard")
        #expect(first == ["auc-guard-\(RetrainPlanner.shortHash(since))"], "breachingSince \(since)")
        let run = try #require(first.first)
        #expect(try await e.jsonpath("mlp", run, #"{.metadata.annotations.ml\.sextant\.dev/trigger-reason}"#) == "Metric")
        try await e.waitFor("rp", "auc-guard", "{.status.metric.handledBreach}", equals: since)
        #expect(try await e.jsonpath("rp", "auc-guard", "{.status.lastTrigger.reason}") == "Metric")

        // Staying below for two more polls: nothing new.
        try await Task.sleep(for: .seconds(22))
        #expect(try await runs(e, "auc-guard") == first)
        #expect(try await runs(e, "auc-spaced").count == 1)
        #expect(try await e.jsonpath("rp", "auc-guard", "{.status.metric.breachingSince}") == since)

        // Recovery re-arms; a new breach runs again (auc-spaced: skipped by minIntervalSeconds).
        try await prom.push("model_auc", 0.95)
        try await prom.waitForValue("model_auc", 0.95)
        try await e.waitFor("the breach ends", timeout: 40) {
            let guardSince = try await e.jsonpath("rp", "auc-guard", "{.status.metric.breachingSince}")
            let spacedSince = try await e.jsonpath("rp", "auc-spaced", "{.status.metric.breachingSince}")
            return guardSince.isEmpty && spacedSince.isEmpty
        }
        #expect(try await runs(e, "auc-guard") == first)
        try await prom.push("model_auc", 0.4)
        try await prom.waitForValue("model_auc", 0.4)
        try await e.waitFor("a second run for the second breach", timeout: 60) { try await runs(e, "auc-guard").count == 2 }
        let second = try await e.jsonpath("rp", "auc-guard", "{.status.metric.breachingSince}")
        #expect(second != since)
        #expect(try await runs(e, "auc-guard").contains("auc-guard-\(RetrainPlanner.shortHash(second))"))
        try await e.waitFor("auc-spaced skips the second breach (minIntervalSeconds)", timeout: 40) {
            try await e.events("auc-spaced").contains { $0.reason == "MinInterval" && $0.message.contains("Metric trigger") }
        }
        #expect(try await runs(e, "auc-spaced").count == 1)

        // The broken and empty queries never ran anything.
        #expect(try await runs(e, "auc-broken").isEmpty)
        #expect(try await runs(e, "auc-empty").isEmpty)
        #expect(try await health(e, "auc-broken") == "False/QueryFailed")
    }
}

@Suite("RetrainPolicy metric trigger: kill -9 of the controller between a breach and its run (real Prometheus)", .serialized)
struct MetricTriggerRestartE2ETests {
    @Test("the controller killed after deciding a metric run and before creating it makes exactly one run after the restart, named after the same breach")
    func killBetweenBreachAndRun() async throws {
        let prom = try await PrometheusPeer.start()
        defer { prom.stop() }
        let e = try await RegistryE2E.start(startController: false)
        defer { e.stop() }
        try e.startController(environment: [RetrainPolicyController.triggerRunDelayVariable: "60"])
        try await prom.push("model_auc", 0.9)
        try await prom.waitForValue("model_auc", 0.9)
        try await e.apply(metricPolicy("auc-crash", prometheus: prom.url, query: "model_auc", forSeconds: 0))
        try await e.waitFor("rp", "auc-crash", #"{.status.conditions[?(@.type=="TriggerHealthy")].reason}"#, equals: "Polling", timeout: 40)
        try await prom.push("model_auc", 0.5)
        try await prom.waitForValue("model_auc", 0.5)
        try await e.waitFor("the controller decided the run", timeout: 40) {
            (try? String(contentsOf: e.controllerLog, encoding: .utf8))?.contains("trigger run pending") == true
        }
        e.stopController(crash: true)
        #expect(try await runs(e, "auc-crash").isEmpty)
        try e.startController()
        try await e.waitFor("one run after the restart", timeout: 40) { try await runs(e, "auc-crash").count == 1 }
        let since = try await e.jsonpath("rp", "auc-crash", "{.status.metric.breachingSince}")
        try await Task.sleep(for: .seconds(12))
        #expect(try await runs(e, "auc-crash") == ["auc-crash-\(RetrainPlanner.shortHash(since))"])
        #expect(try await e.jsonpath("rp", "auc-crash", "{.status.metric.handledBreach}") == since)
    }
}

@Suite("RetrainPolicy metric trigger through the controller: Cloud Monitoring and Log Analytics (scripted fakes)", .serialized)
struct MetricTriggerCloudE2ETests {
    @Test("cloudMonitoring and azureMonitor policies poll with the controller's GCP and Azure credentials and run once on a breach")
    func cloudSources() async throws {
        let script = ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/metrics/monitoring_fakes.py").path
        let fakes = try await PeerProcess.start(name: "monitoring-fakes", executable: "/usr/bin/python3", arguments: [script, "--port", "{port}"],
                                                readyPath: "/requests")
        defer { fakes.stop() }
        let now = floor(Date().timeIntervalSince1970)
        let points: JSONValue = .array(stride(from: now - 60, through: now + 600, by: 5).map { .array([.double($0), .double(0.5)]) })
        let body = JSONValue.object(["series": .object(["avg(drift)": points, "Drift | project TimeGenerated, value": points])])
        let put = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "-X", "PUT", "--data-binary", "@-", fakes.url + "/script"],
                                              stdin: String(decoding: body.data(), as: UTF8.self), timeout: 10)
        try #require(put.succeeded)
        let e = try await RegistryE2E.start(startController: false)
        defer { e.stop() }
        try e.startController(environment: [
            "GCE_METADATA_HOST": "127.0.0.1:\(fakes.port)", "CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING": fakes.url,
            "AZURE_TENANT_ID": "tenant-1", "AZURE_CLIENT_ID": "client-1", "AZURE_CLIENT_SECRET": "not-a-real-secret",
            "AZURE_AUTHORITY_HOST": fakes.url + "/", "AZURE_LOG_ANALYTICS_ENDPOINT": fakes.url,
        ])
        func policy(_ name: String, _ source: String) -> String {
            metricPolicy(name, prometheus: "http://unused", query: "unused")
                .replacingOccurrences(of: #"prometheus: {url: "http://unused", query: 'unused'}"#, with: source)
        }
        try await e.apply(policy("gcp-drift", "cloudMonitoring: {project: ml-prod, query: 'avg(drift)'}"))
        try await e.apply(policy("azure-drift", "azureMonitor: {workspaceId: ws-1234, query: 'Drift | project TimeGenerated, value'}"))
        try await e.waitFor("a run per cloud policy", timeout: 40) {
            let g = try await runs(e, "gcp-drift").count
            let a = try await runs(e, "azure-drift").count
            return g == 1 && a == 1
        }
        #expect(try await health(e, "gcp-drift") == "True/Polling")
        #expect(try await health(e, "azure-drift") == "True/Polling")
        #expect(try await e.jsonpath("rp", "azure-drift", "{.status.metric.value}") == "0.5")
        try await Task.sleep(for: .seconds(11))
        #expect(try await runs(e, "gcp-drift").count == 1)
        #expect(try await runs(e, "azure-drift").count == 1)
    }
}
