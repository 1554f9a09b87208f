import Foundation
import KubeCore
import Testing
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `spec.serving.autoscaling`, `disruptionBudget` and `topologySpread` on `sextant dev --executor
/// local` with a separate `sextant controller`, checked with stock kubectl as a user would; and the
/// dev cluster's Service host endpoint spreading requests over the pods of two Deployments.
@Suite("Serving autoscaling, disruption budget, topology spread end to end")
struct ServingScalingE2ETests {
    /// A host-process HTTP server on `$PORT` answering every GET with `$WHO`.
    static let whoServer = """
        import http.server, os
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                b = os.environ.get("WHO", "?").encode()
                self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
            def log_message(self, *a): pass
        http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
        """

    static func modelVersion(scaling: String, env: String = "A") -> String {
        """
        apiVersion: ml.sextant.dev/v1alpha1
        kind: ModelVersion
        metadata: {name: churn-v1, namespace: default}
        spec:
          model: churn
          version: 1
          artifact: {uri: "s3://models/churn/1/model.tar.gz"}
          stage: Production
          serving:
            image: ghcr.io/acme/churn-server:2.0
            replicas: 1
            command: [python3, -c]
            args: [\(JSONValue.string(whoServer).jsonString)]
            env: [{name: WHO, value: "\(env)"}]
            resources: {requests: {cpu: 100m}}
        \(scaling)
        """
    }

    static let scalingBlocks = """
            autoscaling: {minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercent: 60}
            disruptionBudget: {minAvailable: 1}
            topologySpread: zone
        """

    @Test("HPA, PDB and zone spread follow the spec; the controller never resets replicas the HPA set; a Service spreads requests over two Deployments")
    func servingScaling() async throws {
        let e = try await RegistryE2E.start(devArguments: ["--executor", "local"])
        defer { e.stop() }

        // Invalid blocks are refused by the CRD's CEL rules with the field's message.
        let inverted = try await e.kubectl.run(["apply", "-f", "-"], stdin: Self.modelVersion(scaling: "    autoscaling: {minReplicas: 4, maxReplicas: 2}"))
        #expect(!inverted.succeeded && inverted.stderr.contains("minReplicas must not exceed maxReplicas"), "\(inverted.stderr)")
        let both = try await e.kubectl.run(["apply", "-f", "-"], stdin: Self.modelVersion(scaling: "    disruptionBudget: {minAvailable: 1, maxUnavailable: \"50%\"}"))
        #expect(!both.succeeded && both.stderr.contains("set exactly one of minAvailable or maxUnavailable"), "\(both.stderr)")

        try await e.apply(Self.modelVersion(scaling: Self.scalingBlocks))
        try await e.waitFor("hpa", "churn-v1", "{.spec.scaleTargetRef.kind}/{.spec.scaleTargetRef.name} {.spec.minReplicas} {.spec.maxReplicas} {.spec.metrics[0].resource.name} {.spec.metrics[0].resource.target.averageUtilization}",
                            equals: "Deployment/churn-v1 2 5 cpu 60")
        let hpaTable = try await e.k("get", "hpa", "churn-v1")
        #expect(hpaTable.contains("Deployment/churn-v1") && hpaTable.contains("cpu: <unknown>/60%"), "\(hpaTable)")
        try await e.waitFor("pdb", "churn-v1", "{.spec.minAvailable} {.spec.selector.matchLabels.ml\\.sextant\\.dev/model} {.spec.selector.matchLabels.ml\\.sextant\\.dev/model-version}",
                            equals: "1 churn churn-v1")
        let pdbTable = try await e.k("get", "pdb", "churn-v1")
        #expect(pdbTable.contains("MIN AVAILABLE") && pdbTable.contains("N/A"), "\(pdbTable)")
        let spread = "{.spec.template.spec.topologySpreadConstraints[0].topologyKey} {.spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable} {.spec.template.spec.topologySpreadConstraints[0].maxSkew}"
        #expect(try await e.jsonpath("deployment", "churn-v1", spread) == "topology.kubernetes.io/zone ScheduleAnyway 1")
        // Created with minReplicas pods.
        try await e.waitFor("deployment", "churn-v1", "{.spec.replicas}", equals: "2")
        // The PDB's selector is the serving pods' labels: it selects the two pods.
        try await e.waitFor("the PDB's selector matches the two serving pods", timeout: 60) {
            (try await e.k("get", "pods", "-l", "ml.sextant.dev/model=churn,ml.sextant.dev/model-version=churn-v1", "-o", "name")).split(separator: "\n").count == 2
        }

        // The HPA scales through the scale subresource; the controller must leave that alone
        // through reconciles that rewrite the Deployment (a template change) and ones that do not.
        _ = try await e.k("scale", "deployment/churn-v1", "--replicas=3")
        for round in 1...2 {
            _ = try await e.k("annotate", "mv", "churn-v1", "touch=\(round)", "--overwrite")
            try await e.apply(Self.modelVersion(scaling: Self.scalingBlocks, env: "B\(round)"))
            try await e.waitFor("deployment", "churn-v1", "{.spec.template.spec.containers[0].env[?(@.name==\"WHO\")].value}", equals: "B\(round)")
            let generation = try await e.jsonpath("mv", "churn-v1", "{.metadata.generation}")
            try await e.waitFor("mv", "churn-v1", "{.status.observedGeneration}", equals: generation)
            #expect(try await e.jsonpath("deployment", "churn-v1", "{.spec.replicas}") == "3", "round \(round): the controller reset the replicas the HPA set")
        }

        // Removing the blocks removes the objects and the constraints; replicas are the controller's again.
        try await e.apply(Self.modelVersion(scaling: "", env: "C"))
        try await e.waitFor("HPA and PDB deleted") {
            let hpa = try await e.kubectl.run(["get", "hpa", "churn-v1"])
            let pdb = try await e.kubectl.run(["get", "pdb", "churn-v1"])
            return hpa.stderr.contains("NotFound") && pdb.stderr.contains("NotFound")
        }
        try await e.waitFor("deployment", "churn-v1", "{.spec.replicas}", equals: "1")
        #expect(try await e.jsonpath("deployment", "churn-v1", "{.spec.template.spec.topologySpreadConstraints}") == "")

        // A replica-ratio canary shape: the stable Service selects the pods of two Deployments
        // (two of v1, one of v2); requests to its host endpoint reach both versions.
        let model = "web"
        for (version, replicas) in [("v1", 2), ("v2", 1)] {
            try await e.apply("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: \(model)-\(version)}
                spec:
                  replicas: \(replicas)
                  selector: {matchLabels: {ml.sextant.dev/model: \(model), ml.sextant.dev/model-version: \(version)}}
                  template:
                    metadata: {labels: {ml.sextant.dev/model: \(model), ml.sextant.dev/model-version: \(version)}}
                    spec:
                      containers:
                      - name: server
                        image: x
                        command: [python3, -c, \(JSONValue.string(Self.whoServer).jsonString)]
                        env: [{name: WHO, value: \(version)}]
                """)
        }
        try await e.apply("""
            apiVersion: v1
            kind: Service
            metadata: {name: \(model)}
            spec:
              selector: {ml.sextant.dev/model: \(model)}
              ports: [{port: 80}]
            """)
        try await e.waitFor("three ready endpoints", timeout: 60) {
            (try await e.jsonpath("endpoints", model, "{.subsets[0].addresses[*].ip}")).split(separator: " ").count == 3
        }
        let endpoint = try await e.jsonpath("service", model, "{.metadata.annotations.dev\\.sextant\\.dev/host-endpoint}")
        try #require(!endpoint.isEmpty)
        var counts: [String: Int] = [:]
        for _ in 0..<100 {
            counts[LoopbackHTTP.get(endpoint: endpoint) ?? "unanswered", default: 0] += 1
        }
        // Round-robin over three ready pods: two thirds v1, one third v2, none unanswered.
        #expect((counts["v1"] ?? 0) >= 60 && (counts["v2"] ?? 0) >= 30 && (counts["v1"] ?? 0) + (counts["v2"] ?? 0) == 100, "\(counts)")
    }
}
