import Foundation
import KubeCore
import Testing

@Suite("RBAC is least-privilege and comes from one rules file")
struct RBACTests {
    static let rulesFile = repoRoot.appendingPathComponent("charts/sextant/rbac-rules.yaml")

    static let variants: [[String]] = [
        [],
        ["--set", "rbac.mode=namespaces", "--set", "rbac.watchNamespaces={ml,research}"],
        ["--set", "serviceMonitor.enabled=true", "--set", "networkPolicy.enabled=true"],
        ["--set", "backup.schedule=0 * * * *", "--set", "backup.destination=s3://acme-sextant-backups/prod/"],
    ]

    static func rules(of docs: [JSONValue]) -> [(owner: String, rule: JSONValue)] {
        docs.filter { ["Role", "ClusterRole"].contains($0.kind) }.flatMap { doc in
            (doc["rules"]?.arrayValue ?? []).map { (owner: "\(doc.kind)/\(doc.name)", rule: $0) }
        }
    }

    @Test("no rendered Role or ClusterRole uses '*' or escalate/bind/impersonate, and no ClusterRole touches Secrets", arguments: variants)
    func leastPrivilege(_ values: [String]) async throws {
        let docs = try await renderChart(values)
        let all = Self.rules(of: docs)
        #expect(!all.isEmpty)
        for (owner, rule) in all {
            for key in ["apiGroups", "resources", "verbs"] {
                let items = rule[key]?.stringList ?? []
                #expect(!items.isEmpty, "\(owner): \(key) empty")
                #expect(!items.contains { $0.contains("*") }, "\(owner): wildcard in \(key): \(items)")
            }
            let verbs = Set(rule["verbs"]?.stringList ?? [])
            #expect(verbs.isDisjoint(with: ["escalate", "bind", "impersonate"]), "\(owner): \(verbs)")
            let resources = rule["resources"]?.stringList ?? []
            if owner.hasPrefix("ClusterRole/") {
                #expect(!resources.contains { $0.split(separator: "/").first == "secrets" }, "\(owner) grants cluster-wide Secrets")
            }
            #expect(!resources.contains("secrets"), "\(owner): the controller needs no Secrets")
        }
    }

    @Test("the controller ClusterRole, the namespaced Roles and the leader-election Role are exactly rbac-rules.yaml")
    func rulesComeFromOneFile() async throws {
        let source = try #require(try parseYAMLDocuments(String(contentsOf: Self.rulesFile, encoding: .utf8)).first)
        let controllerRules = try #require(source["controller"])
        let electionRules = try #require(source["leaderElection"])

        let cluster = try await renderChart()
        #expect(cluster.object(kind: "ClusterRole", name: "sextant-controller")?["rules"] == controllerRules)
        #expect(cluster.object(kind: "Role", name: "sextant-leader-election")?["rules"] == electionRules)

        let namespaced = try await renderChart(["--set", "rbac.mode=namespaces", "--set", "rbac.watchNamespaces={ml}"])
        let role = try #require(namespaced.objects(kind: "Role").first { $0.name == "sextant-controller" && $0.namespace == "ml" })
        #expect(role["rules"] == controllerRules)
    }

    @Test("the leader-election Role grants Leases only in the controller's namespace")
    func leasesOnlyInOwnNamespace() async throws {
        let docs = try await renderChart()
        for (owner, rule) in Self.rules(of: docs) where (rule["resources"]?.stringList ?? []).contains("leases") {
            #expect(owner == "Role/sextant-leader-election", "\(owner) grants leases")
        }
        #expect(docs.object(kind: "Role", name: "sextant-leader-election")?.namespace == "sextant-system")
    }

    static func python() throws -> String {
        guard let python = ProcessInfo.processInfo.environment["SEXTANT_PYTHON"], !python.isEmpty else {
            throw PlatformTestError.toolMissing("SEXTANT_PYTHON is not set: run the suite through hack/test.sh (it makes a venv with PyYAML)")
        }
        return python
    }

    @Test("hack/check-rbac.py --lint accepts rbac-rules.yaml")
    func checkerLintsRules() async throws {
        let result = try await runCommand(try Self.python(), [repoRoot.appendingPathComponent("hack/check-rbac.py").path, "--lint"])
        #expect(result.exitCode == 0, "\(result.output)")
    }

    @Test("hack/check-rbac.py allows the controller's calls and denies Secrets, foreign Leases and cluster-wide lists in namespaces mode")
    func checkerJudgesRequestLogs() async throws {
        let python = try Self.python()
        let script = repoRoot.appendingPathComponent("hack/check-rbac.py").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbac-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let allowed = """
            {"verb":"list","group":"ml.sextant.dev","resource":"mlpipelines","namespace":""}
            {"verb":"watch","group":"batch","resource":"jobs","namespace":""}
            {"verb":"update","group":"ml.sextant.dev","resource":"mlpipelines","subresource":"status","namespace":"ml"}
            {"verb":"create","group":"batch","resource":"jobs","namespace":"ml"}
            {"verb":"create","group":"events.k8s.io","resource":"events","namespace":"ml"}
            {"verb":"update","group":"coordination.k8s.io","resource":"leases","namespace":"sextant-system"}
            {"verb":"get","path":"/apis/ml.sextant.dev/v1alpha1"}
            """
        let allowedLog = dir.appendingPathComponent("allowed.jsonl")
        try allowed.write(to: allowedLog, atomically: true, encoding: .utf8)
        let ok = try await runCommand(python, [script, "--log", allowedLog.path])
        #expect(ok.exitCode == 0, "\(ok.output)")
        #expect(ok.stdout.contains("7 request(s), 0 denied"), "\(ok.output)")

        let denied = allowed + """

            {"verb":"get","group":"","resource":"secrets","namespace":"ml"}
            {"verb":"update","group":"coordination.k8s.io","resource":"leases","namespace":"ml"}
            {"verb":"delete","group":"","resource":"pods","namespace":"ml"}
            """
        let deniedLog = dir.appendingPathComponent("denied.jsonl")
        try denied.write(to: deniedLog, atomically: true, encoding: .utf8)
        let bad = try await runCommand(python, [script, "--log", deniedLog.path])
        #expect(bad.exitCode == 1, "\(bad.output)")
        #expect(bad.stdout.contains("DENIED get core/secrets in ml"), "\(bad.output)")
        #expect(bad.stdout.contains("DENIED update coordination.k8s.io/leases in ml"), "\(bad.output)")
        #expect(bad.stdout.contains("DENIED delete core/pods in ml"), "\(bad.output)")

        // Only the controller's requests count when the log also holds kubectl's.
        let mixed = """
            {"verb":"delete","group":"","resource":"secrets","namespace":"ml","userAgent":"kubectl/v1.32.0"}
            {"verb":"create","group":"batch","resource":"jobs","namespace":"ml","userAgent":"sextant-controller/0.1.0"}
            """
        let mixedLog = dir.appendingPathComponent("mixed.jsonl")
        try mixed.write(to: mixedLog, atomically: true, encoding: .utf8)
        let filtered = try await runCommand(python, [script, "--log", mixedLog.path, "--user-agent", "sextant-controller"])
        #expect(filtered.exitCode == 0 && filtered.stdout.contains("1 request(s), 0 denied"), "\(filtered.output)")
        let unfiltered = try await runCommand(python, [script, "--log", mixedLog.path])
        #expect(unfiltered.exitCode == 1, "\(unfiltered.output)")

        let namespaced = try await runCommand(python, [script, "--log", allowedLog.path, "--mode", "namespaces", "--watch-namespace", "ml"])
        #expect(namespaced.exitCode == 1, "\(namespaced.output)")
        #expect(namespaced.stdout.contains("DENIED list ml.sextant.dev/mlpipelines in (all namespaces)"), "\(namespaced.output)")
    }
}
