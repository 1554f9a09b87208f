import Foundation
import KubeCore
import Testing
import TestSupport

/// HorizontalPodAutoscaler (autoscaling/v2) and PodDisruptionBudget (policy/v1) as stored objects:
/// defaults, 422 validation and the printer columns `kubectl get hpa` / `kubectl get pdb` show.
@Suite("sextant dev serves HPAs and PDBs like kube-apiserver")
struct AutoscalingPolicyKindsTests {
    static let hpas = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers"
    static let pdbs = "/apis/policy/v1/namespaces/default/poddisruptionbudgets"

    static func hpa(_ name: String, spec: String) -> String {
        #"{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"\#(name)"},"spec":\#(spec)}"#
    }

    static func pdb(_ name: String, spec: String) -> String {
        #"{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"\#(name)"},"spec":\#(spec)}"#
    }

    @Test("defaults, validation messages and kubectl get columns of HPAs and PDBs")
    func hpaAndPdb() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            // Defaults: minReplicas 1 and 80 % CPU when no metric is given.
            let created = try await cluster.request("POST", Self.hpas, body: Self.hpa("web", spec: #"{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"maxReplicas":3}"#))
            #expect(created.status == 201, "\(created.body)")
            #expect(created.json?[path: ["spec", "minReplicas"]] == 1)
            #expect(created.json?[path: ["spec", "metrics"]] == [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]]])
            #expect(created.json?[path: ["spec", "behavior"]] == nil)
            // A behavior that is set gets its missing rules.
            let behavior = try await cluster.request("POST", Self.hpas, body: Self.hpa("tuned", spec: #"{"scaleTargetRef":{"kind":"Deployment","name":"web"},"minReplicas":2,"maxReplicas":4,"behavior":{"scaleDown":{"stabilizationWindowSeconds":60}}}"#))
            #expect(behavior.json?[path: ["spec", "behavior", "scaleDown", "stabilizationWindowSeconds"]] == 60)
            #expect(behavior.json?[path: ["spec", "behavior", "scaleDown", "selectPolicy"]] == "Max")
            #expect(behavior.json?[path: ["spec", "behavior", "scaleUp", "policies"]]?.arrayValue?.count == 2)

            // Validation, with kube-apiserver's field paths and messages.
            let inverted = try await cluster.request("POST", Self.hpas, body: Self.hpa("bad", spec: #"{"scaleTargetRef":{"kind":"Deployment","name":"web"},"minReplicas":3,"maxReplicas":2}"#))
            #expect(inverted.status == 422)
            #expect(inverted.json?["message"] == "HorizontalPodAutoscaler.autoscaling \"bad\" is invalid: spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`", "\(inverted.body)")
            let noTarget = try await cluster.request("POST", Self.hpas, body: Self.hpa("bad", spec: #"{"scaleTargetRef":{"kind":"Deployment"},"maxReplicas":2}"#))
            #expect(noTarget.status == 422 && noTarget.json?[path: ["details", "causes"]]?[0]?["field"] == "spec.scaleTargetRef.name", "\(noTarget.body)")
            let both = try await cluster.request("POST", Self.pdbs, body: Self.pdb("bad", spec: #"{"minAvailable":1,"maxUnavailable":1}"#))
            #expect(both.status == 422 && both.json?["message"]?.stringValue?.contains("minAvailable and maxUnavailable cannot be both set") == true, "\(both.body)")
            let over = try await cluster.request("POST", Self.pdbs, body: Self.pdb("bad", spec: #"{"maxUnavailable":"150%"}"#))
            #expect(over.status == 422 && over.json?["message"]?.stringValue?.hasSuffix("spec.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%") == true, "\(over.body)")
            let pdb = try await cluster.request("POST", Self.pdbs, body: Self.pdb("web", spec: #"{"minAvailable":"50%","selector":{"matchLabels":{"app":"web"}}}"#))
            #expect(pdb.status == 201, "\(pdb.body)")

            // The columns kubectl prints.
            let hpaTable = try await cluster.kubectl.run(["get", "hpa", "web"])
            let hpaLines = hpaTable.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(hpaLines.first == "NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE", "\(hpaTable.stdout)\(hpaTable.stderr)")
            #expect(hpaLines.dropFirst().first?.hasPrefix("web Deployment/web cpu: <unknown>/80% 1 3 0 ") == true, "\(hpaTable.stdout)")
            let pdbTable = try await cluster.kubectl.run(["get", "pdb", "web"])
            let pdbLines = pdbTable.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(pdbLines.first == "NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE", "\(pdbTable.stdout)\(pdbTable.stderr)")
            #expect(pdbLines.dropFirst().first?.hasPrefix("web 50% N/A 0 ") == true, "\(pdbTable.stdout)")
            // Discovery and OpenAPI: kubectl knows the short names and can explain the fields.
            let explain = try await cluster.kubectl.run(["explain", "hpa.spec.maxReplicas"])
            #expect(explain.succeeded && explain.stdout.contains("upper limit for the number of replicas"), "\(explain.stderr)")
        }
    }
}
