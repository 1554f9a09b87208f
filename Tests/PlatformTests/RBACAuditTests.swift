import Foundation
import KubeCore
import Testing
import TestSupport

/// Runs `sextant controller` (the binary the chart deploys) against `sextant dev --audit-log-path`
/// through a representative workload, then checks every API call it made against
/// charts/sextant/rbac-rules.yaml with hack/check-rbac.py, in the mode the controller ran in.
@Suite("RBAC allows every API call the controller makes on a representative workload", .serialized)
struct RBACAuditTests {
    /// The controller's User-Agent prefix (KubeClient's default for `sextant controller`).
    static let controllerAgent = "sextant-controller/"
    /// The User-Agents counted as the controller's in the workload's log (the only other clients
    /// there are kubectl's: `kubectl/...`, `kubectl-dispatcher/...`).
    static let workloadAgents = [controllerAgent]
    static let workloadNamespace = "default"
    static let controllerNamespace = "sextant-system"

    @Test("cluster mode (--all-namespaces, leader election): no call outside the ClusterRole and the leader-election Role")
    func clusterMode() async throws {
        try await Self.runWorkload(controllerScope: ["--all-namespaces"], checkMode: ["--mode", "cluster"])
    }

    @Test("namespaces mode (--namespace default, leader election): no cluster-wide call and none outside the Roles")
    func namespacesMode() async throws {
        try await Self.runWorkload(controllerScope: ["--namespace", Self.workloadNamespace],
                                   checkMode: ["--mode", "namespaces", "--watch-namespace", Self.workloadNamespace])
    }

    @Test("hack/check-rbac.py reads audit.k8s.io/v1 Events: objectRef, subresource, userAgent and non-resource requests")
    func checkerReadsAuditEvents() async throws {
        let dir = try Self.tempDirectory("rbac-audit-shape")
        defer { try? FileManager.default.removeItem(at: dir) }
        func event(_ verb: String, _ group: String, _ resource: String, sub: String = "", ns: String = "", agent: String = "sextant-controller/0.1.0") -> String {
            let ref: JSONValue = ["apiGroup": .string(group), "resource": .string(resource), "subresource": .string(sub), "namespace": .string(ns)]
            let e: JSONValue = ["kind": "Event", "apiVersion": "audit.k8s.io/v1", "stage": "ResponseComplete", "verb": .string(verb),
                                "requestURI": "/x", "userAgent": .string(agent), "objectRef": ref, "responseStatus": ["code": 200]]
            return e.jsonString
        }
        let lines = [
            event("update", "ml.sextant.dev", "mlpipelines", sub: "status", ns: "ml"),
            event("watch", "batch", "jobs"),
            event("update", "coordination.k8s.io", "leases", ns: "sextant-system"),
            #"{"kind":"Event","verb":"get","requestURI":"/apis/ml.sextant.dev/v1alpha1?timeout=32s","userAgent":"sextant-controller/0.1.0"}"#,
            event("delete", "", "secrets", ns: "ml", agent: "kubectl/v1.32.0"),
        ]
        let log = dir.appendingPathComponent("audit.jsonl")
        try lines.joined(separator: "\n").write(to: log, atomically: true, encoding: .utf8)
        let ok = try await Self.checkRBAC(["--log", log.path, "--user-agent", Self.controllerAgent])
        #expect(ok.exitCode == 0 && ok.stdout.contains("4 request(s), 0 denied"), "\(ok.output)")

        try (lines + [event("get", "", "secrets", ns: "ml"), event("update", "ml.sextant.dev", "mlpipelines", sub: "scale", ns: "ml")])
            .joined(separator: "\n").write(to: log, atomically: true, encoding: .utf8)
        let bad = try await Self.checkRBAC(["--log", log.path, "--user-agent", Self.controllerAgent])
        #expect(bad.exitCode == 1, "\(bad.output)")
        #expect(bad.stdout.contains("DENIED get core/secrets in ml"), "\(bad.output)")
        #expect(bad.stdout.contains("DENIED update ml.sextant.dev/mlpipelines/scale in ml"), "\(bad.output)")
    }

    // MARK: - The workload

    static func runWorkload(controllerScope: [String], checkMode: [String]) async throws {
        let dir = try tempDirectory("rbac-audit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let audit = dir.appendingPathComponent("audit.jsonl")
        let cluster = try await DevClusterProcess.start(
            extraArguments: ["--no-controller", "--executor", "simulate", "--audit-log-path", audit.path],
            dataDirectory: dir.appendingPathComponent("dev"))
        defer { cluster.stop() }
        let controller = try ControllerProcess.start(cluster: cluster, arguments: controllerScope + [
            "--leader-elect", "--leader-election-namespace", controllerNamespace,
            "--metrics-bind-address", "0", "--health-probe-bind-address", "0",
        ], log: dir.appendingPathComponent("controller.log"))
        defer { controller.stop() }
        let w = Workload(cluster: cluster, controller: controller)

        try await w.k("create", "namespace", controllerNamespace)
        try await w.waitFor("the CRDs are served") { (try? await cluster.kubectl.run(["get", "mlp,mv,rp"]))?.exitCode == 0 }
        // ModelVersions: a served Production version, then an approved promotion that supersedes it.
        try await w.apply("examples/modelversions/churn-v1.yaml")
        try await w.waitFor("mv", "churn-v1", "{.status.conditions[?(@.type==\"Ready\")].status}", in: ["True"])
        try await w.apply("examples/modelversions/churn-v2-approval.yaml")
        try await w.waitFor("mv", "churn-v2", "{.status.conditions[?(@.type==\"Promoted\")].reason}", in: ["AwaitingApproval"])
        try await w.k("annotate", "mv", "churn-v2", "ml.sextant.dev/approved-by=alice")
        try await w.waitFor("mv", "churn-v2", "{.status.stage}", in: ["Production"])
        try await w.waitFor("mv", "churn-v1", "{.status.stage}", in: ["Archived"])
        // MLPipeline with a register block: Jobs, step outputs from pods, a registered ModelVersion
        // (churn-v3: versions 1 and 2 exist).
        try await w.apply("examples/pipelines/three-step.yaml")
        try await w.waitFor("mlp", "three-step", "{.status.phase}", in: ["Succeeded"])
        // RetrainPolicy: a manual trigger runs a pipeline the policy owns.
        try await w.apply("examples/retrainpolicies/churn-nightly.yaml")
        try await w.k("annotate", "rp", "churn-nightly", "ml.sextant.dev/trigger=rbac-audit")
        try await w.waitFor("the triggered run finishes") {
            let runs = try await w.k("get", "mlp", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}")
            return runs.split(separator: " ").contains { $0.hasPrefix("churn-nightly-") && ($0.hasSuffix("=Succeeded") || $0.hasSuffix("=Failed")) }
        }
        // Deleting a finished run: finalizer clean-up and owned Jobs.
        try await w.k("delete", "mlp", "three-step", "--wait=true", "--timeout=60s")
        // A graceful stop releases the Lease: its calls are in the log too. Watches are logged when
        // their stream ends: stopping the server ends the ones it has not noticed closing yet.
        controller.stop()
        cluster.stop()

        let agentFilter = workloadAgents.flatMap { ["--user-agent", $0] }
        let check = try await checkRBAC(["--log", audit.path, "--report-unused"] + agentFilter + checkMode)
        // Informational: granted verbs this workload did not use (print, do not fail).
        print(check.stdout.split(separator: "\n").filter { $0.hasPrefix("UNUSED") || $0.contains("unused") }.joined(separator: "\n"))
        #expect(check.exitCode == 0, "calls not allowed by charts/sextant/rbac-rules.yaml:\n\(check.output)")

        // The workload really ran through the controller: its characteristic calls are in the log.
        let calls = try controllerCalls(audit)
        for expected in ["watch ml.sextant.dev/mlpipelines", "create batch/jobs", "create ml.sextant.dev/modelversions",
                         "create apps/deployments", "create core/services", "create ml.sextant.dev/mlpipelines",
                         "update ml.sextant.dev/modelversions/status", "create coordination.k8s.io/leases"] {
            #expect(calls.contains { $0.hasPrefix(expected) }, "the controller never made \(expected); calls: \(calls.sorted())")
        }
    }

    /// "verb group/resource[/subresource] ns" of every controller request in an audit log.
    static func controllerCalls(_ audit: URL) throws -> Set<String> {
        let text = try String(contentsOf: audit, encoding: .utf8)
        var calls = Set<String>()
        for line in text.split(separator: "\n") where !line.isEmpty {
            let event = try JSONValue.parse(String(line))
            let agent = event["userAgent"]?.stringValue ?? ""
            guard workloadAgents.contains(where: { agent.hasPrefix($0) }),
                  let ref = event["objectRef"], let resource = ref["resource"]?.stringValue else { continue }
            let group = ref["apiGroup"]?.stringValue ?? ""
            let sub = ref["subresource"]?.stringValue ?? ""
            let verb = event["verb"]?.stringValue ?? ""
            calls.insert("\(verb) \(group.isEmpty ? "core" : group)/\(resource)\(sub.isEmpty ? "" : "/" + sub) \(ref["namespace"]?.stringValue ?? "")")
        }
        return calls
    }

    static func checkRBAC(_ arguments: [String]) async throws -> ToolResult {
        guard let python = ProcessInfo.processInfo.environment["SEXTANT_PYTHON"], !python.isEmpty else {
            throw PlatformTestError.toolMissing("SEXTANT_PYTHON is not set: run the suite through hack/test.sh (it makes a venv with PyYAML)")
        }
        return try await runCommand(python, [repoRoot.appendingPathComponent("hack/check-rbac.py").path] + arguments)
    }

    static func tempDirectory(_ prefix: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
