import Foundation
import KubeCore
import Testing
import TestSupport

/// The chart's approval policy (templates/approval-policy.yaml rendered by `helm template`, not a
/// copy) on `sextant dev` with its controller and token-auth-file users, driven with stock kubectl
/// `--token`: only approvers may set ml.sextant.dev/approved-by, only to their own name, and the
/// promotion then records who approved.
@Suite("The chart's approval policy on sextant dev with users")
struct ApprovalPolicyTests {
    static let tokens = """
    alice-token,alice,1001,"ml-approvers,ml-team"
    bob-token,bob,1002,"ml-team"
    """

    /// Lets group ml-team read and edit ModelVersions (RBAC is not what is tested here).
    static let rbac = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: modelversion-editor}
    rules:
    - {apiGroups: [ml.sextant.dev], resources: [modelversions], verbs: [get, list, watch, update, patch]}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: ml-team-modelversions}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: modelversion-editor}
    subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: ml-team}]
    """

    @Test("an approver approves in their own name and the promotion records it; a non-approver and an approver using another name are refused")
    func approvals() async throws {
        let policy = try await helmTemplate(["--show-only", "templates/approval-policy.yaml", "--set", "governance.approverGroups={ml-approvers}"])
        try #require(policy.exitCode == 0, "\(policy.output)")
        #expect(policy.stdout.contains("kind: ValidatingAdmissionPolicyBinding"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sextant-approvals-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokenFile = dir.appendingPathComponent("tokens.csv")
        try Self.tokens.write(to: tokenFile, atomically: true, encoding: .utf8)
        let cluster = try await DevClusterProcess.start(extraArguments: ["--token-auth-file", tokenFile.path], dataDirectory: dir.appendingPathComponent("dev"))
        defer { cluster.stop() }
        let kubectl = cluster.kubectl
        func k(_ arguments: String..., stdin: String? = nil) async throws -> String {
            let r = try await kubectl.run(arguments, stdin: stdin)
            try #require(r.succeeded, "kubectl \(arguments.joined(separator: " ")): \(r.stderr)\n\(cluster.log().suffix(2000))")
            return r.stdout
        }
        func wait(_ what: String, _ arguments: [String], until accept: (String) -> Bool) async throws {
            let deadline = Date().addingTimeInterval(30)
            var last = ""
            while Date() < deadline {
                let r = try await kubectl.run(arguments)
                last = r.stdout + r.stderr
                if r.succeeded && accept(r.stdout) { return }
                try await Task.sleep(for: .milliseconds(200))
            }
            Issue.record("timed out waiting for \(what); last: \(last)\n\(cluster.log().suffix(2000))")
            throw TestSupportError.timeout(what)
        }
        _ = try await k("apply", "-f", "-", stdin: policy.stdout)
        _ = try await k("apply", "-f", "-", stdin: Self.rbac)
        // The example's MLflow mirror names a placeholder host; without it the controller does not
        // spend its reconcile on an unreachable registry.
        let example = try String(contentsOf: repoRoot.appendingPathComponent("examples/modelversions/churn-v2-approval.yaml"), encoding: .utf8)
        let version = try #require(example.components(separatedBy: "\n  registries:").first)
        _ = try await k("apply", "-f", "-", stdin: version + "\n")
        try await wait("churn-v2 awaiting approval", ["get", "mv", "churn-v2", "-o", "jsonpath={.status.conditions[?(@.type==\"Promoted\")].reason}"]) { $0 == "AwaitingApproval" }

        // bob is not an approver.
        let bob = try await kubectl.run(["--token", "bob-token", "annotate", "mv", "churn-v2", "ml.sextant.dev/approved-by=bob"])
        #expect(!bob.succeeded)
        #expect(bob.stderr.trimmingCharacters(in: .whitespacesAndNewlines) == """
            Error from server (Forbidden): modelversions.ml.sextant.dev "churn-v2" is forbidden: ValidatingAdmissionPolicy 'sextant-approvals' \
            with binding 'sextant-approvals' denied request: user bob may not approve: only members of ml-approvers may set or change ml.sextant.dev/approved-by
            """)
        // alice is, but only in her own name.
        let impersonated = try await kubectl.run(["--token", "alice-token", "annotate", "mv", "churn-v2", "ml.sextant.dev/approved-by=carol"])
        #expect(!impersonated.succeeded)
        #expect(impersonated.stderr.trimmingCharacters(in: .whitespacesAndNewlines) == """
            Error from server (Forbidden): modelversions.ml.sextant.dev "churn-v2" is forbidden: ValidatingAdmissionPolicy 'sextant-approvals' \
            with binding 'sextant-approvals' denied request: ml.sextant.dev/approved-by must be your own user name: alice may not approve as carol
            """)
        let status = try await k("get", "mv", "churn-v2", "-o", "jsonpath={.status.stage}")
        #expect(status != "Production", "a refused approval must not promote")
        // bob can still edit the version otherwise (the policy only guards the annotation).
        let labelled = try await kubectl.run(["--token", "bob-token", "label", "mv", "churn-v2", "team=growth"])
        #expect(labelled.succeeded, "\(labelled.stderr)")

        let approved = try await kubectl.run(["--token", "alice-token", "annotate", "mv", "churn-v2", "ml.sextant.dev/approved-by=alice"])
        #expect(approved.succeeded, "\(approved.stderr)")
        try await wait("churn-v2 promoted", ["get", "mv", "churn-v2", "-o", "jsonpath={.status.stage}"]) { $0 == "Production" }
        let history = try JSONValue.parse(try await k("get", "mv", "churn-v2", "-o", "jsonpath={.status.history}"))
        let last = try #require(history.arrayValue?.last)
        #expect(last["to"] == "Production" && last["approvedBy"] == "alice", "\(history)")
        let described = try await k("describe", "mv", "churn-v2")
        #expect(described.split(separator: "\n").contains { $0.contains("Approved By:") && $0.contains("alice") }, "\(described)")

        // Changing an existing approval is setting it: bob may not take it over; revoking it is allowed.
        let takeover = try await kubectl.run(["--token", "bob-token", "annotate", "--overwrite", "mv", "churn-v2", "ml.sextant.dev/approved-by=bob"])
        #expect(!takeover.succeeded && takeover.stderr.contains("user bob may not approve"), "\(takeover.stderr)")
        let revoked = try await kubectl.run(["--token", "bob-token", "annotate", "mv", "churn-v2", "ml.sextant.dev/approved-by-"])
        #expect(revoked.succeeded, "\(revoked.stderr)")

        // The chart's defaults (no approver groups) refuse every approval, even the cluster admin's.
        let defaults = try await helmTemplate(["--show-only", "templates/approval-policy.yaml"])
        try #require(defaults.exitCode == 0, "\(defaults.output)")
        _ = try await k("apply", "-f", "-", stdin: defaults.stdout)
        for token in ["alice-token", cluster.token] {
            let refused = try await kubectl.run(["--token", token, "annotate", "mv", "churn-v2", "ml.sextant.dev/approved-by=alice"])
            #expect(!refused.succeeded)
            #expect(refused.stderr.contains("denied request: no approver groups are configured (governance.approverGroups of the Sextant chart)"), "\(refused.stderr)")
        }
    }
}
