import Foundation
import KubeCore
import Testing
import TestSupport

/// Installs the plain manifests and the chart on a real `sextant dev` with stock kubectl and helm.
@Suite("The manifests and the chart install on sextant dev")
struct DevInstallTests {
    static let installYAML = repoRoot.appendingPathComponent("manifests/install.yaml").path

    /// `kubectl apply --server-side` with kubectl's default validation (strict: the server's OpenAPI
    /// and its field validation reject unknown or misspelled fields).
    static let applyFlags = ["apply", "--server-side"]

    /// Objects (kind, namespace, name) of a manifest, from its YAML.
    static func identities(_ docs: [JSONValue]) -> Set<String> {
        Set(docs.map { "\($0.kind)/\($0.namespace ?? "")/\($0.name)" })
    }

    /// Objects that `kubectl get -f FILE -o json` finds on the cluster.
    static func liveIdentities(_ cluster: DevClusterProcess, file: String) async throws -> Set<String> {
        let live = try await cluster.kubectl.run(["get", "-f", file, "-o", "json"])
        try #require(live.exitCode == 0, "kubectl get -f \(file):\n\(live.stdout)\n\(live.stderr)")
        let list = try JSONValue.parse(live.stdout)
        return identities(list["items"]?.arrayValue ?? [list])
    }

    @Test("kubectl apply --server-side -f manifests/install.yaml creates every object, and applying again succeeds unchanged")
    func applyInstallYAML() async throws {
        let docs = try parseYAMLDocuments(String(contentsOfFile: Self.installYAML, encoding: .utf8))
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }

        let first = try await cluster.kubectl.run(Self.applyFlags + ["-f", Self.installYAML])
        #expect(first.exitCode == 0, "first apply:\n\(first.stdout)\n\(first.stderr)\n\(cluster.log().suffix(2000))")
        #expect(try await Self.liveIdentities(cluster, file: Self.installYAML) == Self.identities(docs))

        let second = try await cluster.kubectl.run(Self.applyFlags + ["-f", Self.installYAML])
        #expect(second.exitCode == 0, "second apply:\n\(second.stdout)\n\(second.stderr)")
        let deployment = try await cluster.kubectl.run(["-n", "sextant-system", "get", "deployment", "sextant", "-o", "json"])
        let live = try JSONValue.parse(deployment.stdout)
        #expect(live[path: ["spec", "template", "spec", "containers"]]?[0]?["args"]?.stringList.first == "controller")
    }

    @Test("the chart rendered in namespaces mode with cloud identity applies with kubectl apply --server-side")
    func applyRenderedChart() async throws {
        let rendered = try await helmTemplate([
            "--include-crds",
            "--set", "rbac.mode=namespaces", "--set", "rbac.watchNamespaces={ml,research}",
            "--set", "cloudIdentity.aws.roleArn=arn:aws:iam::123456789012:role/sextant",
            "--set", "cloudIdentity.azure.clientId=6f0a8b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        ])
        try #require(rendered.exitCode == 0, "\(rendered.output)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chart-apply-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("sextant.yaml").path
        try rendered.stdout.write(toFile: file, atomically: true, encoding: .utf8)

        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let namespaces = ["sextant-system", "ml", "research"].map { "apiVersion: v1\nkind: Namespace\nmetadata: {name: \($0)}\n" }
        let created = try await cluster.kubectl.run(Self.applyFlags + ["-f", "-"], stdin: namespaces.joined(separator: "---\n"))
        try #require(created.exitCode == 0, "\(created.stdout)\n\(created.stderr)")
        let applied = try await cluster.kubectl.run(Self.applyFlags + ["-f", file])
        #expect(applied.exitCode == 0, "\(applied.stdout)\n\(applied.stderr)\n\(cluster.log().suffix(2000))")
        let roles = try await cluster.kubectl.run(["get", "roles", "-A", "-o", "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}"])
        let names = Set(roles.stdout.split(separator: " ").map(String.init))
        #expect(names.isSuperset(of: ["ml/sextant-controller", "research/sextant-controller", "sextant-system/sextant-leader-election"]), "\(roles.stdout)")
        let sa = try await cluster.kubectl.run(["-n", "sextant-system", "get", "serviceaccount", "sextant", "-o", "jsonpath={.metadata.annotations.eks\\.amazonaws\\.com/role-arn}"])
        #expect(sa.stdout == "arn:aws:iam::123456789012:role/sextant", "\(sa.stdout) \(sa.stderr)")
    }

    @Test("helm install, upgrade to namespaces mode and uninstall work against sextant dev")
    func helmInstallUpgradeUninstall() async throws {
        let helm = try platformTool("helm")
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let env = ["KUBECONFIG": cluster.kubeconfigPath, "HELM_CACHE_HOME": cluster.dataDirectory.path + "/helm-cache",
                   "HELM_CONFIG_HOME": cluster.dataDirectory.path + "/helm-config", "HELM_DATA_HOME": cluster.dataDirectory.path + "/helm-data"]
        let install = try await runCommand(helm, ["install", "sextant", chartPath, "-n", "sextant-system", "--create-namespace"], environment: env)
        #expect(install.exitCode == 0, "\(install.output)")
        #expect(install.stdout.contains("kubectl -n sextant-system rollout status deployment/sextant"), "NOTES: \(install.stdout)")

        let upgrade = try await runCommand(helm, ["upgrade", "sextant", chartPath, "-n", "sextant-system",
                                                  "--set", "rbac.mode=namespaces", "--set", "rbac.watchNamespaces={sextant-system}"], environment: env)
        #expect(upgrade.exitCode == 0, "\(upgrade.output)")
        let clusterRole = try await cluster.kubectl.run(["get", "clusterrole", "sextant-controller"])
        #expect(clusterRole.exitCode != 0, "the upgrade to namespaces mode removes the controller ClusterRole")
        let role = try await cluster.kubectl.run(["-n", "sextant-system", "get", "role", "sextant-controller"])
        #expect(role.exitCode == 0, "\(role.stderr)")

        let uninstall = try await runCommand(helm, ["uninstall", "sextant", "-n", "sextant-system"], environment: env)
        #expect(uninstall.exitCode == 0, "\(uninstall.output)")
        // The purge deleted helm's release Secrets (client-go sends that DELETE's body as protobuf).
        let releases = try await cluster.kubectl.run(["-n", "sextant-system", "get", "secrets", "-l", "owner=helm,name=sextant", "-o", "name"])
        #expect(releases.exitCode == 0 && releases.stdout.isEmpty, "release Secrets left: \(releases.stdout) \(releases.stderr)")
        let deployment = try await cluster.kubectl.run(["-n", "sextant-system", "get", "deployment", "sextant"])
        #expect(deployment.exitCode != 0, "uninstall removes the Deployment")
        let crd = try await cluster.kubectl.run(["get", "crd", "mlpipelines.ml.sextant.dev"])
        #expect(crd.exitCode == 0, "CRDs stay after uninstall")
    }
}
