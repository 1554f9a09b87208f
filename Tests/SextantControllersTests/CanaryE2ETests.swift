import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KubeCore
import Testing
import TestSupport

/// A model server for `--executor local`: answers every GET with its `MODEL_VERSION`, so the
/// version that served a request can be counted.
private let serverSource = """
    import http.server, os
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = os.environ.get("MODEL_VERSION", "?").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()

    """

/// A ModelVersion `<model>-v<number>` asking for Production, served by `server`.
private func servedVersion(_ model: String, _ number: Int, server: URL, replicas: Int = 1, canary: String? = nil, gateway: String? = nil) -> String {
    """
    apiVersion: ml.sextant.dev/v1alpha1
    kind: ModelVersion
    metadata: {name: \(model)-v\(number), namespace: default}
    spec:
      model: \(model)
      version: \(number)
      artifact: {uri: "s3://models/\(model)/\(number)"}
      stage: Production
      serving:
        image: ghcr.io/acme/server:1
        replicas: \(replicas)
        port: 8080
        command: [python3, "\(server.path)"]
    \(canary.map { "    canary: \($0)" } ?? "")
    \(gateway.map { "    gateway: \($0)" } ?? "")
    """
}

/// The analysis of the tests: the pushed `canary_errors` series of the candidate, found only when
/// all three placeholders are substituted.
private func analysis(_ prom: PrometheusPeer) -> String {
    "{prometheus: {url: \"\(prom.url)\", query: 'canary_errors{model=\"{{model}}\",model_version=\"{{version}}\",ns=\"{{namespace}}\"}'}, maxValue: 0.1}"
}

/// A minimal HTTPRoute CRD (gateway.networking.k8s.io/v1), used when this server cannot install the Gateway API bundle.
private let minimalHTTPRouteCRD = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: httproutes.gateway.networking.k8s.io
      # What the bundle's safe-upgrades ValidatingAdmissionPolicy asks of a Gateway API CRD.
      annotations: {gateway.networking.k8s.io/bundle-version: v1.6.1, gateway.networking.k8s.io/channel: standard}
    spec:
      group: gateway.networking.k8s.io
      names: {kind: HTTPRoute, listKind: HTTPRouteList, plural: httproutes, singular: httproute}
      scope: Namespaced
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              x-kubernetes-preserve-unknown-fields: true
    """

private struct Selection {
    var selector: [String: String]
    var readyPods: [String]
}

/// The stable Service's selector and the pods its Endpoints list as ready.
private func selection(_ e: RegistryE2E, _ service: String) async throws -> Selection {
    let r = try await e.kubectl.run(["get", "service/\(service)", "endpoints/\(service)", "-o", "json"])
    var s = Selection(selector: [:], readyPods: [])
    guard r.succeeded, let list = try? JSONValue.parse(Data(r.stdout.utf8)) else { return s }
    for item in list["items"]?.arrayValue ?? [] {
        if item["kind"]?.stringValue == "Service" {
            s.selector = (item[path: ["spec", "selector"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        } else {
            for subset in item["subsets"]?.arrayValue ?? [] {
                for address in subset["addresses"]?.arrayValue ?? [] {
                    s.readyPods.append(address[path: ["targetRef", "name"]]?.stringValue ?? "?")
                }
            }
        }
    }
    return s
}

/// `n` GETs to the stable Service's host endpoint, counted by the version that answered.
private func countByVersion(_ e: RegistryE2E, _ service: String, requests n: Int) async throws -> [String: Int] {
    let endpoint = try await e.jsonpath("svc", service, "{.metadata.annotations.dev\\.sextant\\.dev/host-endpoint}")
    let url = try #require(URL(string: "http://\(endpoint)/"), "no host endpoint on svc/\(service)")
    var counts: [String: Int] = [:]
    for _ in 0..<n {
        if let (data, _) = try? await URLSession.shared.data(from: url) {
            counts[String(decoding: data, as: UTF8.self), default: 0] += 1
        }
    }
    return counts
}

private func routeWeights(_ e: RegistryE2E, _ name: String) async throws -> [String: Int] {
    let r = try await e.kubectl.run(["get", "httproute", name, "-o", "json"])
    guard r.succeeded, let route = try? JSONValue.parse(Data(r.stdout.utf8)) else { return [:] }
    var weights: [String: Int] = [:]
    for rule in route[path: ["spec", "rules"]]?.arrayValue ?? [] {
        for ref in rule["backendRefs"]?.arrayValue ?? [] {
            if let n = ref["name"]?.stringValue { weights[n] = Int(ref["weight"]?.intValue ?? -1) }
        }
    }
    return weights
}

private let promotedReason = "{.status.conditions[?(@.type==\"Promoted\")].reason}"
private let promotedMessage = "{.status.conditions[?(@.type==\"Promoted\")].message}"

@Suite("Canary end to end (real Prometheus + pushgateway, sextant dev --executor local, sextant controller, kubectl)", .serialized)
struct CanaryE2ETests {
    @Test("replica ratio: a failing analysis rolls back and the stable Service reaches only the old version; a passing one reaches both versions at 50 % and promotes after the last step")
    func replicaRatioCanary() async throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        try #require(path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") },
                     "python3 must be on PATH: the local executor runs the test's model servers with it")
        let prom = try await PrometheusPeer.start()
        defer { prom.stop() }
        let e = try await RegistryE2E.start(devArguments: ["--executor", "local"])
        defer { e.stop() }
        let server = e.cluster.dataDirectory.appendingPathComponent("server.py")
        try serverSource.write(to: server, atomically: true, encoding: .utf8)
        try await prom.push(text: """
            # TYPE canary_errors gauge
            canary_errors{model="bad",model_version="bad-v2",ns="default"} 0.5
            canary_errors{model="good",model_version="good-v2",ns="default"} 0.01

            """)
        try await prom.waitForValue("canary_errors{model_version=\"bad-v2\"}", 0.5)

        for model in ["bad", "good"] {
            try await e.apply(servedVersion(model, 1, server: server))
        }
        for model in ["bad", "good"] {
            try await e.waitFor("mv", "\(model)-v1", "{.status.conditions[?(@.type==\"Ready\")].status}", equals: "True", timeout: 60)
            try await e.waitFor("svc", model, "{.spec.selector.ml\\.sextant\\.dev/model-version}", equals: "\(model)-v1")
        }
        let podLabels = try await e.k("get", "pods", "-l", "ml.sextant.dev/model=bad", "-o", "jsonpath={.items[0].metadata.labels}")
        #expect(podLabels.contains("ml.sextant.dev/model-version"), "serving pods carry the model and version labels: \(podLabels)")

        try await e.apply(servedVersion("bad", 2, server: server, canary: "{trafficPercent: [50], stepSeconds: 3, analysis: \(analysis(prom))}"))
        try await e.apply(servedVersion("good", 2, server: server, canary: "{trafficPercent: [20, 50], stepSeconds: 5, analysis: \(analysis(prom))}"))

        // The candidates are held: Production unchanged while the rollout runs.
        try await e.waitFor("mv", "good-v2", "{.status.rollout.phase}", equals: "Progressing")
        #expect(try await e.jsonpath("mv", "good-v2", promotedReason) == "CanaryProgressing")
        #expect(try await e.jsonpath("mv", "good-v1", "{.status.stage}") == "Production")

        // A failing analysis rolls back.
        try await e.waitFor("mv", "bad-v2", "{.status.rollout.phase}", equals: "Failed", timeout: 40)
        #expect(try await e.jsonpath("mv", "bad-v2", promotedReason) == "CanaryFailed")
        let message = try await e.jsonpath("mv", "bad-v2", promotedMessage)
        #expect(message.contains("0.5") && message.contains("maxValue 0.1"), "the value is in the message: \(message)")
        #expect(try await e.jsonpath("mv", "bad-v2", "{.status.stage}") == "None", "keeps the stage it had before")
        #expect(try await e.jsonpath("mv", "bad-v2", "{.status.rollout.analysis[0].value}") == "0.5")
        #expect(try await e.jsonpath("mv", "bad-v2", "{.status.rollout.analysis[0].passed}") == "false")
        #expect(try await e.jsonpath("mv", "bad-v1", "{.status.stage}") == "Production")
        #expect(try await e.eventReasons("bad-v2").contains("CanaryFailed"))
        try await e.waitFor("deploy", "bad-v2", "{.spec.replicas}", equals: "0")
        try await e.waitFor("the stable Service of bad selects and reaches only bad-v1") {
            let s = try await selection(e, "bad")
            return s.selector == ["ml.sextant.dev/model": "bad", "ml.sextant.dev/model-version": "bad-v1"]
                && !s.readyPods.isEmpty && s.readyPods.allSatisfy { $0.hasPrefix("bad-v1-") }
        }
        let afterRollback = try await countByVersion(e, "bad", requests: 10)
        #expect(afterRollback == ["1": 10], "after the rollback only version 1 answers: \(afterRollback)")

        // The passing one: at 50 % the stable Service selects and reaches both versions.
        try await e.waitFor("mv", "good-v2", "{.status.rollout.trafficPercent}", equals: "50", timeout: 40)
        let shared = try await selection(e, "good")
        #expect(shared.selector == ["ml.sextant.dev/model": "good", "ml.sextant.dev/traffic": "stable"], "\(shared.selector)")
        try await e.waitFor("the stable Service's endpoints list the pods of both versions", timeout: 5) {
            let pods = try await selection(e, "good").readyPods
            return pods.contains { $0.hasPrefix("good-v1-") } && pods.contains { $0.hasPrefix("good-v2-") }
        }
        var counts: [String: Int] = [:]
        try await e.waitFor("requests to the stable endpoint reach both versions during the 50 % step", timeout: 5) {
            counts.merge(try await countByVersion(e, "good", requests: 10)) { $0 + $1 }
            return (counts["1"] ?? 0) > 0 && (counts["2"] ?? 0) > 0
        }
        #expect(try await e.jsonpath("deploy", "good-v2", "{.spec.replicas}") == "1", "⌈1 × 50 / 100⌉ = 1")

        try await e.waitFor("mv", "good-v2", "{.status.stage}", equals: "Production", timeout: 40)
        #expect(try await e.jsonpath("mv", "good-v2", "{.status.rollout.phase}") == "Succeeded")
        #expect(try await e.jsonpath("mv", "good-v2", "{.status.rollout.analysis[*].passed}") == "true true")
        try await e.waitFor("mv", "good-v1", promotedReason, equals: "Superseded")
        try await e.waitFor("the stable Service of good selects good-v2 alone") {
            try await selection(e, "good").selector == ["ml.sextant.dev/model": "good", "ml.sextant.dev/model-version": "good-v2"]
        }
        let reasons = try await e.eventReasons("good-v2")
        #expect(["CanaryStarted", "CanaryStep", "CanarySucceeded"].allSatisfy(reasons.contains), "\(reasons)")

        // Failed stays failed until the spec changes: still no new rollout a step later.
        let failedAt = try await e.jsonpath("mv", "bad-v2", "{.status.rollout.analysis[0].at}")
        try await Task.sleep(for: .seconds(3))
        #expect(try await e.jsonpath("mv", "bad-v2", "{.status.rollout.phase}") == "Failed")
        #expect(try await e.jsonpath("mv", "bad-v2", "{.status.rollout.analysis[0].at}") == failedAt)
    }

    @Test("gateway: the HTTPRoute carries the exact weights of each step, a controller killed mid-rollout resumes the same step, the route returns to the stable Service after promotion; the example and the schema rules are checked by the server")
    func gatewayCanaryWithRestart() async throws {
        let e = try await RegistryE2E.start(devArguments: ["--executor", "local"])
        defer { e.stop() }
        let server = e.cluster.dataDirectory.appendingPathComponent("server.py")
        try serverSource.write(to: server, atomically: true, encoding: .utf8)
        let bundle = ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/crds/gateway-api/standard-install.yaml")
        // The Gateway API standard install; a minimal HTTPRoute CRD when this server cannot install it.
        let installed = try await e.kubectl.run(["apply", "--server-side", "-f", bundle.path])
        if !installed.succeeded {
            print("CanaryE2ETests: the Gateway API bundle did not install (\(installed.stderr.prefix(300))); using a minimal HTTPRoute CRD")
            try await e.apply(minimalHTTPRouteCRD)
        }
        try await e.waitFor("HTTPRoutes are served") { (try? await e.kubectl.run(["get", "httproutes"]))?.succeeded == true }
        try await e.apply("""
            apiVersion: v1
            kind: Namespace
            metadata: {name: infra}
            """)
        let gateway = "{parentRefs: [{name: public, namespace: infra}], hostnames: [shop.example.com]}"
        try await e.apply(servedVersion("shop", 1, server: server, replicas: 2, gateway: gateway))
        try await e.waitFor("the route points at the stable Service") { try await routeWeights(e, "shop") == ["shop": 100] }
        #expect(try await e.jsonpath("httproute", "shop", "{.spec.parentRefs[0].name}") == "public")
        #expect(try await e.jsonpath("httproute", "shop", "{.spec.hostnames[0]}") == "shop.example.com")
        try await e.waitFor("mv", "shop-v1", "{.status.conditions[?(@.type==\"Ready\")].status}", equals: "True", timeout: 60)

        try await e.apply(servedVersion("shop", 2, server: server, replicas: 2,
                                        canary: "{trafficPercent: [10, 50], stepSeconds: 6}", gateway: gateway))
        try await e.waitFor("10 %: weights 90 / 10", timeout: 40) { try await routeWeights(e, "shop") == ["shop": 90, "shop-v2": 10] }
        #expect(try await e.jsonpath("mv", "shop-v2", "{.status.rollout.trafficPercent}") == "10")
        #expect(try await e.jsonpath("deploy", "shop-v2", "{.spec.replicas}") == "2", "with a gateway the candidate keeps its replicas")
        #expect(try await e.jsonpath("svc", "shop", "{.spec.selector.ml\\.sextant\\.dev/model-version}") == "shop-v1")
        let startedAt = try await e.jsonpath("mv", "shop-v2", "{.status.rollout.startedAt}")
        let started = try #require(KubeTime.parse(startedAt))

        // kill -9 mid-step; the new process resumes step 0 from status and the clock.
        e.stopController(crash: true)
        try e.startController()
        try await e.waitFor("50 %: weights 50 / 50", timeout: 40) { try await routeWeights(e, "shop") == ["shop": 50, "shop-v2": 50] }
        #expect(try await e.jsonpath("mv", "shop-v2", "{.status.rollout.startedAt}") == startedAt, "the rollout was not restarted")
        try await e.waitFor("mv", "shop-v2", "{.status.stage}", equals: "Production", timeout: 40)
        let promotedAt = try #require(KubeTime.parse(try await e.jsonpath("mv", "shop-v2", "{.status.promotedAt}")))
        let took = promotedAt.timeIntervalSince(started)
        #expect(took >= 11 && took <= 25, "two 6 s steps from startedAt, not restarted by the kill: \(took) s")
        try await e.waitFor("the route is back on the stable Service alone") { try await routeWeights(e, "shop") == ["shop": 100] }
        try await e.waitFor("svc", "shop", "{.spec.selector.ml\\.sextant\\.dev/model-version}", equals: "shop-v2")
        #expect(try await e.jsonpath("mv", "shop-v1", "{.status.stage}") == "Archived")

        // The example and the schema's rules, checked by the server.
        let example = ProcessRunner.packageRoot.appendingPathComponent("examples/modelversions/churn-v3-canary.yaml").path
        let r = try await e.kubectl.run(["apply", "--dry-run=server", "-f", example])
        #expect(r.succeeded, "the canary example is accepted: \(r.stderr)")
        for (canary, complaint) in [("{trafficPercent: [150]}", "trafficPercent"),
                                    ("{trafficPercent: [10], analysis: {prometheus: {url: \"http://p\", query: q}}}", "maxValue or minValue")] {
            let bad = try await e.kubectl.run(["apply", "--dry-run=server", "-f", "-"], stdin: """
                apiVersion: ml.sextant.dev/v1alpha1
                kind: ModelVersion
                metadata: {name: x-v1, namespace: default}
                spec:
                  model: x
                  version: 1
                  artifact: {uri: "s3://m"}
                  serving: {image: i, canary: \(canary)}
                """)
            #expect(!bad.succeeded && bad.stderr.contains(complaint), "canary \(canary) is refused naming \(complaint): \(bad.stderr)")
        }
    }
}
