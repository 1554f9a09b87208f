import Foundation
import KubeCore
import Testing
import TestSupport

/// Runs `sextant controller` with the chart's ServiceAccount token (TokenRequest) under the chart's
/// RBAC (the RBAC objects of manifests/install.yaml, which is the rendered chart) against a
/// `sextant dev` that enforces RBAC, through a promotion, a pipeline and a retrain: any 403 fails.
@Suite("The controller runs under the chart's RBAC with its ServiceAccount token", .serialized)
struct ControllerRBACTests {
    static let controllerNamespace = "sextant-system"
    static let serviceAccountUser = "system:serviceaccount:sextant-system:sextant"

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
        _ = try await k("apply", "-f", root.appendingPathComponent("examples/modelversions/churn-v1.yaml").path)
        try await wait("churn-v1 Ready", ["get", "mv", "churn-v1", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]) { $0 == "True" }
        _ = try await k("apply", "-f", root.appendingPathComponent("examples/modelversions/churn-v2-approval.yaml").path)
        try await wait("churn-v2 awaiting approval", ["get", "mv", "churn-v2", "-o", "jsonpath={.status.conditions[?(@.type==\"Promoted\")].reason}"]) { $0 == "AwaitingApproval" }
        _ = try await k("annotate", "mv", "churn-v2", "ml.sextant.dev/approved-by=alice")
        try await wait("churn-v2 promoted", ["get", "mv", "churn-v2", "-o", "jsonpath={.status.stage}"]) { $0 == "Production" }
        _ = try await k("apply", "-f", root.appendingPathComponent("examples/pipelines/three-step.yaml").path)
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
    }
}
