import Foundation
import KubeCore
import Testing
import TestSupport
@testable import DevCluster

/// Runs `sextant controller` with the chart's ServiceAccount token (TokenRequest) under the chart's
/// RBAC (the RBAC objects of manifests/install.yaml, which is the rendered chart) against a
/// `sextant dev` that enforces RBAC, through a promotion, a pipeline and a retrain: any 403 fails.
/// Then, from the requests of that one run, each granted verb × group × resource is taken out in
/// turn and the server's own authorizer must deny one of them (`RBACRuleNeeds`): a grant the run
/// never needed fails the test by name. The run therefore also cancels and prunes a retrain run, adds
/// the registry-mirror finalizer, keeps a model's HTTPRoute (create, patch, delete) and creates the
/// children whose owner references need `update` on the owner's `finalizers` (checked as kube's
/// OwnerReferencesPermissionEnforcement admission plugin does: `sextant dev` does not run it).
@Suite("The controller runs under the chart's RBAC with its ServiceAccount token", .serialized)
struct ControllerRBACTests {
    static let controllerNamespace = "sextant-system"
    static let serviceAccountUser = "system:serviceaccount:sextant-system:sextant"
    static let serviceAccount = UserInfo(name: serviceAccountUser, groups: ["system:serviceaccounts", "system:serviceaccounts:\(controllerNamespace)"])
    /// The kinds whose owner references the controller sets, and their resources.
    static let ownerResources = [
        "MLPipeline": "mlpipelines", "ModelVersion": "modelversions", "RetrainPolicy": "retrainpolicies",
        "Job": "jobs", "Deployment": "deployments", "Service": "services", "HTTPRoute": "httproutes",
        "HorizontalPodAutoscaler": "horizontalpodautoscalers", "PodDisruptionBudget": "poddisruptionbudgets", "Event": "events",
    ]

    /// The ServiceAccount and RBAC documents of manifests/install.yaml.
    static func chartRBAC() throws -> String {
        let text = try String(contentsOf: ProcessRunner.packageRoot.appendingPathComponent("manifests/install.yaml"), encoding: .utf8)
        let kinds: Set<String> = ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]
        var documents: [String] = []
        for document in text.components(separatedBy: "\n---\n") {
            let kind = document.split(separator: "\n").first { $0.hasPrefix("kind: ") }.map { String($0.dropFirst("kind: ".count)) }
            if let kind, kinds.contains(kind.trimmingCharacters(in: .whitespaces)) { documents.append(document) }
        }
        return documents.joined(separator: "\n---\n")
    }

    @Test("pipeline, promotion and retrain succeed with no 403 for system:serviceaccount:sextant-system:sextant")
    func controllerUnderChartRBAC() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sextant-ctl-rbac-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let audit = dir.appendingPathComponent("audit.jsonl")
        let cluster = try await DevClusterProcess.start(
            extraArguments: ["--no-controller", "--executor", "simulate", "--audit-log-path", audit.path], dataDirectory: dir.appendingPathComponent("dev"))
        defer { cluster.stop() }
        let admin = cluster.kubectl
        func k(_ arguments: String..., stdin: String? = nil) async throws -> String {
            let r = try await admin.run(arguments, stdin: stdin)
            try #require(r.succeeded, "kubectl \(arguments.joined(separator: " ")): \(r.stderr)")
            return r.stdout
        }
        _ = try await k("create", "namespace", Self.controllerNamespace)
        let rbac = try Self.chartRBAC()
        #expect(rbac.contains("kind: ClusterRoleBinding"))
        _ = try await k("apply", "-f", "-", stdin: rbac)
        let token = try await k("-n", Self.controllerNamespace, "create", "token", "sextant", "--duration=2h").trimmingCharacters(in: .whitespacesAndNewlines)
        let controllerKubeconfig = try kubeconfig(for: cluster, token: token, name: "controller")
        // Without the chart's rules the same token is denied (the RBAC is really enforced).
        let probe = try await request(cluster, token: token, "GET", "/api/v1/namespaces/default/secrets")
        #expect(probe.status == 403, "\(probe.body)")

        let log = dir.appendingPathComponent("controller.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let controller = Process()
        controller.executableURL = URL(fileURLWithPath: try DevClusterProcess.binaryPath())
        controller.arguments = ["controller", "--kubeconfig", controllerKubeconfig.kubeconfigPath, "--all-namespaces", "--leader-elect",
                                "--leader-election-namespace", Self.controllerNamespace, "--metrics-bind-address", "0", "--health-probe-bind-address", "0"]
        controller.standardOutput = handle
        controller.standardError = handle
        try controller.run()
        defer {
            if controller.isRunning { controller.terminate(); controller.waitUntilExit() }
        }
        func logs() -> String {
            "controller log:\n\((try? String(contentsOf: log, encoding: .utf8))?.suffix(3000) ?? "")\ndev log:\n\(cluster.log().suffix(1500))"
        }
        func wait(_ what: String, _ arguments: [String], _ accept: @escaping (String) -> Bool) async throws {
            let deadline = Date().addingTimeInterval(120)
            var last = ""
            while Date() < deadline {
                let r = try await admin.run(arguments)
                last = r.stdout + r.stderr
                if r.succeeded && accept(r.stdout) { return }
                try await Task.sleep(for: .milliseconds(300))
            }
            Issue.record("timed out waiting for \(what); last: \(last)\n\(logs())")
            throw TestSupportError.timeout(what)
        }
        let root = ProcessRunner.packageRoot
        let started = Date()
        // The HTTPRoute kind (a CRD with no schema of its own) and the retrain policy whose runs are
        // cancelled and pruned, first: their work overlaps the rest.
        _ = try await k("apply", "-f", "-", stdin: Self.httpRouteCRD)
        _ = try await k("apply", "-f", "-", stdin: Self.replacePolicy)
        _ = try await k("apply", "-f", root.appendingPathComponent("examples/modelversions/churn-v1.yaml").path)
        try await wait("churn-v1 Ready", ["get", "mv", "churn-v1", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]) { $0 == "True" }
        // churn-v2 as in the example, with its MLflow mirror on a closed loopback port (fails at once;
        // the example's host does not resolve here) and the deletion policy that adds the mirror finalizer.
        let churnV2 = try String(contentsOf: root.appendingPathComponent("examples/modelversions/churn-v2-approval.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "http://mlflow.mlops:5000", with: "http://127.0.0.1:9")
            .replacingOccurrences(of: "  namespace: default\n", with: "  namespace: default\n  annotations: {ml.sextant.dev/deletion-policy: delete}\n")
        #expect(churnV2.contains("127.0.0.1:9") && churnV2.contains("deletion-policy"), "the example changed shape")
        _ = try await k("apply", "-f", "-", stdin: churnV2)
        try await wait("churn-v2 awaiting approval", ["get", "mv", "churn-v2", "-o", "jsonpath={.status.conditions[?(@.type==\"Promoted\")].reason}"]) { $0 == "AwaitingApproval" }
        try await wait("churn-v2 has the mirror finalizer", ["get", "mv", "churn-v2", "-o", "jsonpath={.metadata.finalizers}"]) { $0.contains("ml.sextant.dev/registry-mirrors") }
        _ = try await k("annotate", "mv", "churn-v2", "ml.sextant.dev/approved-by=alice")
        try await wait("churn-v2 promoted", ["get", "mv", "churn-v2", "-o", "jsonpath={.status.stage}"]) { $0 == "Production" }
        // Deleted, churn-v2 is held by its finalizer while the mirror delete fails and is retried
        // (5 s backoff): the same Warning again is a series, a patch of the first Event.
        _ = try await k("delete", "mv", "churn-v2", "--wait=false")
        _ = try await k("apply", "-f", root.appendingPathComponent("examples/pipelines/three-step.yaml").path)
        // Replace: run a (an hour-long step) is cancelled by trigger b (spec.cancel patch, its Job
        // deleted) and, Cancelled, pruned at once (failedRunsHistoryLimit 0).
        _ = try await k("annotate", "rp", "rbac-replace", "ml.sextant.dev/trigger=a")
        let replaceRuns = ["get", "mlp", "-l", "ml.sextant.dev/retrain-policy=rbac-replace", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}"]
        var first = ""
        try await wait("run a is Running", replaceRuns) { out in
            first = out.split(separator: " ").first { $0.hasSuffix("=Running") }.map { String($0.split(separator: "=")[0]) } ?? ""
            return !first.isEmpty
        }
        try await wait("run a has its Job", ["get", "jobs", "-o", "jsonpath={.items[*].metadata.name}"]) { $0.contains(first) }
        _ = try await k("annotate", "rp", "rbac-replace", "ml.sextant.dev/trigger=b", "--overwrite")
        // A model served through a Gateway API HTTPRoute: created, patched when the gateway changes,
        // deleted when no Production version has a gateway.
        // StatusUpdater's re-read after a 409 (get): sextant dev answers the first write of gw-v1 and
        // of an invalid policy (both the controller's status updates) with 409 Conflict.
        for (resource, name) in [("modelversions", "gw-v1"), ("retrainpolicies", "rbac-invalid")] {
            let armed = try await cluster.request("POST", "/admin/faults", body: #"{"conflict":{"resource":"\#(resource)","namespace":"default","name":"\#(name)"}}"#)
            #expect(armed.status == 200, "\(armed.body)")
        }
        _ = try await k("create", "-f", "-", stdin: Self.replacePolicy.replacingOccurrences(of: "rbac-replace", with: "rbac-invalid")
            .replacingOccurrences(of: "0 0 1 1 *", with: "61 0 * * *"))
        _ = try await k("create", "-f", "-", stdin: Self.gatewayVersion(revision: 1))
        try await wait("the route, HPA and PDB", ["get", "httproute,hpa,pdb", "-o", "jsonpath={range .items[*]}{.kind} {end}"]) {
            $0 == "HTTPRoute HorizontalPodAutoscaler PodDisruptionBudget "
        }
        _ = try await k("apply", "-f", "-", stdin: Self.gatewayVersion(revision: 2))
        try await wait("gw-v1's status (written after the 409)", ["get", "mv", "gw-v1", "-o", "jsonpath={.status.stage}"]) { $0 == "Production" }
        try await wait("the invalid policy's status", ["get", "rp", "rbac-invalid", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]) { $0 == "False" }
        try await wait("the patched route, Deployment, HPA and PDB", [
            "get", "httproute/gw", "deploy/gw-v1", "hpa/gw-v1", "pdb/gw-v1", "-o",
            "jsonpath={.items[0].spec.hostnames[0]} {.items[1].spec.template.spec.containers[0].image} {.items[2].spec.maxReplicas} {.items[3].spec.maxUnavailable}",
        ]) { $0 == "r2.example.com ghcr.io/acme/server:2 4 2" }
        _ = try await k("patch", "mv", "gw-v1", "--type=merge", "-p", #"{"spec":{"stage":"Archived"}}"#)
        try await wait("the route, HPA and PDB deleted", ["get", "httproute,hpa,pdb", "-o", "jsonpath={.items[*].metadata.name}"]) { $0.isEmpty }
        try await wait("run a cancelled and pruned, run b running", replaceRuns) { out in
            let runs = out.split(separator: " ")
            return !runs.contains { $0.hasPrefix("\(first)=") } && runs.contains { $0.hasSuffix("=Running") }
        }
        try await wait("three-step Succeeded", ["get", "mlp", "three-step", "-o", "jsonpath={.status.phase}"]) { $0 == "Succeeded" }
        _ = try await k("apply", "-f", root.appendingPathComponent("examples/retrainpolicies/churn-nightly.yaml").path)
        _ = try await k("annotate", "rp", "churn-nightly", "ml.sextant.dev/trigger=rbac")
        // The policy's run ends (the example's pipeline may fail on its own terms, as in RBACAuditTests);
        // its message must not be an authorization failure.
        try await wait("the retrain run finishes", ["get", "mlp", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}"]) { out in
            out.split(separator: " ").contains { $0.hasPrefix("churn-nightly-") && ($0.hasSuffix("=Succeeded") || $0.hasSuffix("=Failed")) }
        }
        let runs = try await k("get", "mlp", "-o", "jsonpath={range .items[*]}{.metadata.name}: {.status.phase} {.status.conditions[*].message}{\"\\n\"}{end}")
        print("retrain runs:\n\(runs)")
        #expect(!runs.lowercased().contains("forbidden"), "\(runs)")
        _ = try await k("delete", "mlp", "three-step", "--wait=true", "--timeout=60s")
        try await wait("a repeated MirrorDeleteFailed event", ["get", "events.events.k8s.io", "-o", "jsonpath={.items[?(@.reason==\"MirrorDeleteFailed\")].series.count}"]) { !$0.isEmpty }
        // The children the controller created, with their owner references (for the admission checks).
        let children = try JSONValue.parse(try await k("get", "jobs,deployments,services,mlpipelines,httproutes,horizontalpodautoscalers,poddisruptionbudgets", "-A", "-o", "json"))
        print("ControllerRBACTests: workload took \(Int(Date().timeIntervalSince(started))) s")
        controller.terminate()
        controller.waitUntilExit()
        cluster.stop()

        var controllerRequests = 0
        var denied: [String] = []
        for line in try String(contentsOf: audit, encoding: .utf8).split(separator: "\n") where !line.isEmpty {
            let event = try JSONValue.parse(String(line))
            // The controller's requests (the test's own probe with the token is curl's).
            guard event[path: ["user", "username"]]?.stringValue == Self.serviceAccountUser,
                  event["userAgent"]?.stringValue?.hasPrefix("sextant-controller/") == true else { continue }
            controllerRequests += 1
            if event[path: ["responseStatus", "code"]] == 403 {
                denied.append("\(event["verb"]?.stringValue ?? "") \(event["requestURI"]?.stringValue ?? ""): \(event[path: ["responseStatus", "message"]]?.stringValue ?? "")")
            }
        }
        #expect(controllerRequests > 50, "the controller's requests are not in the audit log as \(Self.serviceAccountUser)")
        #expect(denied.isEmpty, "403s for the controller:\n\(denied.joined(separator: "\n"))")
        #expect(!((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("is forbidden"), "\(logs())")

        // Each granted rule is needed: removing any one grant denies a request of this run.
        let auditText = try String(contentsOf: audit, encoding: .utf8)
        let requests = try RBACRuleNeeds.requests(auditLog: auditText, user: Self.serviceAccountUser, userAgentPrefix: "sextant-controller/")
        let created = try RBACRuleNeeds.createdObjects(auditLog: auditText, user: Self.serviceAccountUser, userAgentPrefix: "sextant-controller/")
        let admission = RBACRuleNeeds.ownerFinalizerChecks(objects: children["items"]?.arrayValue ?? [], created: created, resources: Self.ownerResources)
        #expect(admission.unmapped.isEmpty, "owner kinds without a resource in ownerResources: \(admission.unmapped)")
        #expect(!admission.checks.isEmpty, "no child the controller created carries a blocking owner reference")
        let chart = try YAMLDocuments.parse(rbac)
        let outcome = RBACRuleNeeds.evaluate(chart: chart, user: Self.serviceAccount, requests: requests + admission.checks)
        print("ControllerRBACTests: \(requests.count) distinct requests + \(admission.checks.count) owner-reference checks; \(outcome.neededBy.count) grants needed, \(outcome.unneeded.count) unneeded")
        print(outcome.neededBy.map { "  \($0.key) needed by \($0.value)" }.sorted().joined(separator: "\n"))
        #expect(outcome.deniedWithFullRBAC.isEmpty, "the chart's RBAC denies: \(outcome.deniedWithFullRBAC)")
        #expect(outcome.neededBy.count > 40, "too few grants checked: \(outcome.neededBy.count)")
        #expect(outcome.unneeded.isEmpty, """
            granted in charts/sextant/rbac-rules.yaml but needed by no request of the run (use it in the workload or drop it):
            \(outcome.unneeded.map(\.description).joined(separator: "\n"))
            """)
    }

    /// A CRD for gateway.networking.k8s.io/v1 HTTPRoutes without a schema of its own (what the
    /// controller writes is checked in CanaryE2ETests against the Gateway API bundle).
    static let httpRouteCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: httproutes.gateway.networking.k8s.io
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
                openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """

    /// A policy whose new trigger cancels the active run, which is then pruned at once.
    static let replacePolicy = """
        apiVersion: ml.sextant.dev/v1alpha1
        kind: RetrainPolicy
        metadata: {name: rbac-replace, namespace: default}
        spec:
          schedule: "0 0 1 1 *"
          concurrencyPolicy: Replace
          failedRunsHistoryLimit: 0
          pipeline:
            spec:
              steps:
                - name: train
                  container:
                    image: busybox
                    podMetadata: {annotations: {dev.sextant.dev/simulate: '{"exitCode":0,"seconds":3600}'}}
        """

    /// The Production version of model `gw`, served with an HPA and a PDB and routed by a Gateway API
    /// HTTPRoute; `revision` 2 changes the image, the scaling bounds, the budget and the hostname, so
    /// the controller patches the Deployment, the HPA, the PDB and the route.
    static func gatewayVersion(revision: Int) -> String {
        """
        apiVersion: ml.sextant.dev/v1alpha1
        kind: ModelVersion
        metadata: {name: gw-v1, namespace: default}
        spec:
          model: gw
          version: 1
          artifact: {uri: "s3://models/gw/1"}
          stage: Production
          serving:
            image: ghcr.io/acme/server:\(revision)
            resources: {requests: {cpu: 100m}}
            autoscaling: {minReplicas: 1, maxReplicas: \(revision + 2)}
            disruptionBudget: {maxUnavailable: \(revision)}
            gateway: {parentRefs: [{name: public, namespace: infra}], hostnames: [r\(revision).example.com]}
        """
    }
}
