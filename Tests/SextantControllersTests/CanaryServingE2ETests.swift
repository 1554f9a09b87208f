import Foundation
import KubeCore
import Testing
import TestSupport

/// A canary on versions with `autoscaling`, and what a canary leaves behind, on `sextant dev`
/// (simulated pods) with a separate `sextant controller`, checked with kubectl. The HPA's
/// scaling is done as an HPA does it, through the Deployment's scale subresource.
@Suite("Canary with autoscaling, deletion and routes end to end", .serialized)
struct CanaryServingE2ETests {
    static let promotedReason = "{.status.conditions[?(@.type==\"Promoted\")].reason}"

    static func version(_ number: Int, autoscaling: Bool = true, canary: String? = nil, gateway: String? = nil) -> String {
        """
        apiVersion: ml.sextant.dev/v1alpha1
        kind: ModelVersion
        metadata: {name: churn-v\(number), namespace: default}
        spec:
          model: churn
          version: \(number)
          artifact: {uri: "s3://models/churn/\(number)"}
          stage: Production
          serving:
            image: ghcr.io/acme/churn-server:2.0
            resources: {requests: {cpu: "1"}}
        \(autoscaling ? "    autoscaling: {minReplicas: 2, maxReplicas: 6}" : "")
        \(canary.map { "    canary: \($0)" } ?? "")
        \(gateway.map { "    gateway: \($0)" } ?? "")
        """
    }

    static func notFound(_ e: RegistryE2E, _ kind: String, _ name: String) async throws -> Bool {
        let r = try await e.kubectl.run(["get", kind, name])
        return !r.succeeded && r.stderr.contains("NotFound")
    }

    static func usdPerHour(_ e: RegistryE2E, _ name: String) async throws -> Double? {
        Double(try await e.jsonpath("mv", name, "{.status.cost.servingUSDPerHour}"))
    }

    @Test("replica ratio with an HPA: the candidate's share follows the replicas the HPA gives Production, the candidate has no HPA until promoted, then starts with Production's replicas and its HPA owns them; servingUSDPerHour prices the current replicas")
    func canaryWithAutoscaling() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await e.apply(Self.version(1))
        try await e.waitFor("mv", "churn-v1", "{.status.stage}", equals: "Production", timeout: 60)
        try await e.waitFor("deploy", "churn-v1", "{.status.availableReplicas}", equals: "2", timeout: 60)
        // The HPA scales Production up.
        _ = try await e.k("scale", "deployment/churn-v1", "--replicas=4")

        try await e.apply(Self.version(2, canary: "{trafficPercent: [25, 50], stepSeconds: 6}"))
        try await e.waitFor("mv", "churn-v2", "{.status.rollout.trafficPercent}", equals: "25", timeout: 60)
        try await e.waitFor("deploy", "churn-v2", "{.spec.replicas}", equals: "1")  // ⌈4 × 25 %⌉
        #expect(try await Self.notFound(e, "hpa", "churn-v2"), "no HPA on the candidate while its replica-ratio canary runs")
        #expect(try await e.jsonpath("hpa", "churn-v1", "{.spec.scaleTargetRef.name}") == "churn-v1", "Production keeps its HPA")

        // The HPA scales Production again; at 50 % the candidate runs ⌈6 × 50 %⌉ = 3 (its own minReplicas would give 2).
        _ = try await e.k("scale", "deployment/churn-v1", "--replicas=6")
        try await e.waitFor("mv", "churn-v2", "{.status.rollout.trafficPercent}", equals: "50", timeout: 30)
        try await e.waitFor("deploy", "churn-v2", "{.spec.replicas}", equals: "3")
        #expect(try await Self.notFound(e, "hpa", "churn-v2"))
        // Cost: 6 and 3 replicas of 1 CPU (the spec's would give 2 and 2).
        try await e.waitFor("servingUSDPerHour of each version prices its current replicas") {
            guard let v1 = try await Self.usdPerHour(e, "churn-v1"), let v2 = try await Self.usdPerHour(e, "churn-v2") else { return false }
            return v2 > 0 && abs(v1 / v2 - 2) < 0.01
        }
        let unit = try #require(try await Self.usdPerHour(e, "churn-v2")) / 3

        // Promotion: the candidate gets its HPA and starts with Production's 6 replicas (within 2...6).
        try await e.waitFor("mv", "churn-v2", "{.status.stage}", equals: "Production", timeout: 30)
        #expect(try await e.jsonpath("mv", "churn-v2", "{.status.rollout.phase}") == "Succeeded")
        try await e.waitFor("hpa", "churn-v2", "{.spec.scaleTargetRef.name} {.spec.minReplicas} {.spec.maxReplicas}", equals: "churn-v2 2 6")
        try await e.waitFor("deploy", "churn-v2", "{.spec.replicas}", equals: "6")
        try await e.waitFor("the superseded version's HPA and Deployment are gone") {
            let hpa = try await Self.notFound(e, "hpa", "churn-v1")
            let deployment = try await Self.notFound(e, "deploy", "churn-v1")
            return hpa && deployment
        }
        try await e.waitFor("the superseded version's servingUSDPerHour is 0: it serves nothing") {
            try await Self.usdPerHour(e, "churn-v1") == 0
        }
        // From now on the HPA owns the replicas: a scale down stays through reconciles.
        _ = try await e.k("scale", "deployment/churn-v2", "--replicas=4")
        _ = try await e.k("annotate", "mv", "churn-v2", "touch=1")
        try await e.waitFor("servingUSDPerHour follows the HPA's 4 replicas") {
            guard let v2 = try await Self.usdPerHour(e, "churn-v2") else { return false }
            return abs(v2 - 4 * unit) < 0.0001
        }
        #expect(try await e.jsonpath("deploy", "churn-v2", "{.spec.replicas}") == "4", "the controller left the HPA's replicas")
    }

    @Test("gateway: a hostname removed from the spec leaves the HTTPRoute; deleting Production while the candidate's rollout is Failed leaves no Service or route pointing at nothing, no finalizer, and the failed candidate is not promoted")
    func deleteProductionAfterFailedCanary() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        let bundle = ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/crds/gateway-api/standard-install.yaml")
        let installed = try await e.kubectl.run(["apply", "--server-side", "-f", bundle.path])
        try #require(installed.succeeded, "the Gateway API standard install: \(installed.stderr.prefix(400))")
        try await e.waitFor("HTTPRoutes are served") { (try? await e.kubectl.run(["get", "httproutes"]))?.succeeded == true }

        let parents = "parentRefs: [{name: public}]"
        try await e.apply(Self.version(1, autoscaling: false, gateway: "{\(parents), hostnames: [a.example.com, b.example.com]}"))
        try await e.waitFor("httproute", "churn", "{.spec.hostnames[*]}", equals: "a.example.com b.example.com", timeout: 60)
        try await e.apply(Self.version(1, autoscaling: false, gateway: "{\(parents), hostnames: [a.example.com]}"))
        try await e.waitFor("httproute", "churn", "{.spec.hostnames[*]}", equals: "a.example.com")
        try await e.apply(Self.version(1, autoscaling: false, gateway: "{\(parents)}"))
        try await e.waitFor("httproute", "churn", "{.spec.hostnames}", equals: "")
        #expect(try await e.jsonpath("httproute", "churn", "{.spec.rules[0].backendRefs[0].name}") == "churn")
        try await e.waitFor("deploy", "churn-v1", "{.status.availableReplicas}", equals: "1", timeout: 60)

        // A candidate whose analysis has no value (nothing listens on the Prometheus port) fails.
        let closedPort = try PeerProcess.freePort()
        let analysis = "{prometheus: {url: \"http://127.0.0.1:\(closedPort)\", query: up}, maxValue: 1}"
        try await e.apply(Self.version(2, autoscaling: false, canary: "{trafficPercent: [50], stepSeconds: 2, analysis: \(analysis)}", gateway: "{\(parents)}"))
        try await e.waitFor("mv", "churn-v2", "{.status.rollout.phase}", equals: "Failed", timeout: 60)
        try await e.waitFor("deploy", "churn-v2", "{.spec.replicas}", equals: "0")

        // Delete Production: it goes at once (no finalizer) and takes its objects along.
        let deleted = try await e.kubectl.run(["delete", "mv", "churn-v1", "--timeout=30s"])
        #expect(deleted.succeeded, "\(deleted.stderr)")
        #expect(try await Self.notFound(e, "mv", "churn-v1"))
        try await e.waitFor("no stable Service, route, Deployment or Service of churn-v1 is left") {
            var gone: [Bool] = []
            for (kind, name) in [("svc", "churn"), ("httproute", "churn"), ("deploy", "churn-v1"), ("svc", "churn-v1")] {
                gone.append(try await Self.notFound(e, kind, name))
            }
            return gone.allSatisfy { $0 }
        }
        // The failed candidate is not promoted by the deletion: still held, at zero replicas.
        #expect(try await e.jsonpath("mv", "churn-v2", Self.promotedReason) == "CanaryFailed")
        #expect(try await e.jsonpath("mv", "churn-v2", "{.status.stage}") == "None")
        #expect(try await e.jsonpath("mv", "churn-v2", "{.status.rollout.phase}") == "Failed")
        #expect(try await e.jsonpath("deploy", "churn-v2", "{.spec.replicas}") == "0")

        // Deleting the candidate too leaves nothing of the model behind.
        let second = try await e.kubectl.run(["delete", "mv", "churn-v2", "--timeout=30s"])
        #expect(second.succeeded, "\(second.stderr)")
        try await e.waitFor("nothing labelled with the model is left") {
            let left = try await e.k("get", "deploy,svc,hpa,pdb,httproute,pods", "-l", "ml.sextant.dev/model=churn", "-o", "name")
            return left.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
    }
}
