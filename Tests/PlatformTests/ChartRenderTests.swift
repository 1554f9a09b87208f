import Foundation
import KubeCore
import Testing

@Suite("Helm chart renders what a platform team expects")
struct ChartRenderTests {
    @Test("helm lint --strict passes on the chart")
    func lintPasses() async throws {
        let helm = try platformTool("helm")
        let result = try await runCommand(helm, ["lint", "--strict", chartPath])
        #expect(result.exitCode == 0, "helm lint failed:\n\(result.output)")
        #expect(result.stdout.contains("0 chart(s) failed"), "\(result.output)")
    }

    @Test("helm lint passes in namespaces mode and with every optional object enabled")
    func lintPassesWithOptionalObjects() async throws {
        let helm = try platformTool("helm")
        let result = try await runCommand(helm, [
            "lint", "--strict", chartPath,
            "--set", "rbac.mode=namespaces", "--set", "rbac.watchNamespaces={ml,research}",
            "--set", "serviceMonitor.enabled=true", "--set", "networkPolicy.enabled=true",
        ])
        #expect(result.exitCode == 0, "helm lint failed:\n\(result.output)")
    }

    @Test("default render: 2-replica leader-elected controller with probes, resources and a locked-down securityContext")
    func defaultDeployment() async throws {
        let docs = try await renderChart()
        let deployment = try #require(docs.object(kind: "Deployment", name: "sextant"), "no Deployment sextant")
        #expect(deployment.namespace == "sextant-system")
        #expect(deployment[path: ["spec", "replicas"]]?.intValue == 2)

        let pod = try #require(deployment[path: ["spec", "template", "spec"]])
        let container = try #require(pod["containers"]?[0])
        #expect(container["image"]?.stringValue == "ghcr.io/sextant-ml/sextant:0.1.0", "image defaults to appVersion")
        let args = container["args"]?.stringList ?? []
        #expect(Array(args.prefix(6)) == [
            "controller", "--leader-elect",
            "--metrics-bind-address", ":8080",
            "--health-probe-bind-address", ":8081",
        ])
        #expect(args.contains("--all-namespaces"))
        #expect(!args.contains("--namespace"))

        #expect(container[path: ["livenessProbe", "httpGet", "path"]]?.stringValue == "/healthz")
        #expect(container[path: ["readinessProbe", "httpGet", "path"]]?.stringValue == "/readyz")
        #expect(container[path: ["livenessProbe", "httpGet", "port"]]?.stringValue == "health")
        let ports = (container["ports"]?.arrayValue ?? []).reduce(into: [String: Int64]()) {
            $0[$1["name"]?.stringValue ?? ""] = $1["containerPort"]?.intValue
        }
        #expect(ports == ["metrics": 8080, "health": 8081])

        for key in ["requests", "limits"] {
            for resource in ["cpu", "memory"] {
                #expect(container[path: ["resources", key, resource]] != nil, "resources.\(key).\(resource) missing")
            }
        }

        let sc = try #require(container["securityContext"])
        #expect(sc["runAsNonRoot"]?.boolValue == true)
        #expect(sc["readOnlyRootFilesystem"]?.boolValue == true)
        #expect(sc["allowPrivilegeEscalation"]?.boolValue == false)
        #expect(sc[path: ["capabilities", "drop"]]?.stringList == ["ALL"])
        #expect(sc[path: ["seccompProfile", "type"]]?.stringValue == "RuntimeDefault")
        #expect(pod[path: ["securityContext", "runAsNonRoot"]]?.boolValue == true)
        #expect(pod[path: ["securityContext", "seccompProfile", "type"]]?.stringValue == "RuntimeDefault")
        #expect(pod["serviceAccountName"]?.stringValue == "sextant")

        let soft = pod[path: ["affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution"]]?.arrayValue ?? []
        #expect(soft.count == 1, "soft pod anti-affinity expected")
        #expect(soft.first?[path: ["podAffinityTerm", "topologyKey"]]?.stringValue == "kubernetes.io/hostname")
        #expect(pod[path: ["affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]] == nil)
    }

    @Test("default render: ServiceAccount, metrics Service, PodDisruptionBudget, NetworkPolicy; no ServiceMonitor")
    func defaultObjects() async throws {
        let docs = try await renderChart()
        #expect(docs.object(kind: "ServiceAccount", name: "sextant") != nil)
        let service = try #require(docs.object(kind: "Service", name: "sextant-metrics"))
        #expect(service[path: ["spec", "ports"]]?[0]?["targetPort"]?.stringValue == "metrics")
        let pdb = try #require(docs.object(kind: "PodDisruptionBudget", name: "sextant"))
        #expect(pdb[path: ["spec", "maxUnavailable"]]?.intValue == 1)
        #expect(docs.object(kind: "NetworkPolicy", name: "sextant") != nil)
        #expect(docs.objects(kind: "ServiceMonitor").isEmpty)
        // Every namespaced object lands in the release namespace.
        for doc in docs where !["ClusterRole", "ClusterRoleBinding", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"].contains(doc.kind) {
            #expect(doc.namespace == "sextant-system", "\(doc.kind)/\(doc.name) namespace")
        }
    }

    @Test("serviceMonitor.enabled adds a ServiceMonitor scraping the metrics port")
    func serviceMonitor() async throws {
        let docs = try await renderChart(["--set", "serviceMonitor.enabled=true", "--set", "serviceMonitor.labels.release=kube-prometheus"])
        let monitor = try #require(docs.object(kind: "ServiceMonitor", name: "sextant"))
        #expect(monitor[path: ["metadata", "labels", "release"]]?.stringValue == "kube-prometheus")
        #expect(monitor[path: ["spec", "endpoints"]]?[0]?["port"]?.stringValue == "metrics")
    }

    @Test("namespaces mode: Roles and RoleBindings in each watched namespace, no controller ClusterRole, --namespace flags")
    func watchNamespacesMode() async throws {
        let docs = try await renderChart(["--set", "rbac.mode=namespaces", "--set", "rbac.watchNamespaces={ml,research}"])
        let roles = docs.objects(kind: "Role").filter { $0.name == "sextant-controller" }
        #expect(Set(roles.compactMap(\.namespace)) == ["ml", "research"])
        let bindings = docs.objects(kind: "RoleBinding").filter { $0.name == "sextant-controller" }
        #expect(Set(bindings.compactMap(\.namespace)) == ["ml", "research"])
        for binding in bindings {
            #expect(binding[path: ["subjects"]]?[0]?["namespace"]?.stringValue == "sextant-system")
            #expect(binding[path: ["roleRef", "kind"]]?.stringValue == "Role")
        }
        #expect(docs.object(kind: "ClusterRole", name: "sextant-controller") == nil)
        #expect(docs.object(kind: "ClusterRoleBinding", name: "sextant-controller") == nil)
        #expect(docs.object(kind: "Role", name: "sextant-leader-election")?.namespace == "sextant-system")

        let deployment = try #require(docs.object(kind: "Deployment", name: "sextant"))
        let args = deployment[path: ["spec", "template", "spec", "containers"]]?[0]?["args"]?.stringList ?? []
        #expect(!args.contains("--all-namespaces"))
        let namespaces = args.indices.filter { args[$0] == "--namespace" }.compactMap { args.indices.contains($0 + 1) ? args[$0 + 1] : nil }
        #expect(namespaces == ["ml", "research"])
    }

    @Test("cloud identity values become IRSA, GKE and Azure workload-identity annotations and the Azure pod label")
    func workloadIdentity() async throws {
        let docs = try await renderChart([
            "--set", "cloudIdentity.aws.roleArn=arn:aws:iam::123456789012:role/sextant-controller",
            "--set", "cloudIdentity.gcp.serviceAccount=sextant@acme-ml.iam.gserviceaccount.com",
            "--set", "cloudIdentity.azure.clientId=6f0a8b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
            "--set", "cloudIdentity.azure.tenantId=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "--set", "serviceAccount.annotations.team=ml-platform",
        ])
        let sa = try #require(docs.object(kind: "ServiceAccount", name: "sextant"))
        let annotations = sa[path: ["metadata", "annotations"]]?.objectValue ?? [:]
        #expect(annotations["eks.amazonaws.com/role-arn"]?.stringValue == "arn:aws:iam::123456789012:role/sextant-controller")
        #expect(annotations["eks.amazonaws.com/sts-regional-endpoints"]?.scalarText == "true")
        #expect(annotations["iam.gke.io/gcp-service-account"]?.stringValue == "sextant@acme-ml.iam.gserviceaccount.com")
        #expect(annotations["azure.workload.identity/client-id"]?.stringValue == "6f0a8b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b")
        #expect(annotations["azure.workload.identity/tenant-id"]?.stringValue == "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
        #expect(annotations["team"]?.stringValue == "ml-platform")

        let deployment = try #require(docs.object(kind: "Deployment", name: "sextant"))
        let podLabels = deployment[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]
        #expect(podLabels["azure.workload.identity/use"]?.scalarText == "true")
        // Selector labels must not change with identity settings (Deployment selectors are immutable).
        let selector = deployment[path: ["spec", "selector", "matchLabels"]]?.objectValue ?? [:]
        #expect(selector.keys.sorted() == ["app.kubernetes.io/instance", "app.kubernetes.io/name"])
    }

    @Test("without cloud identity values the ServiceAccount has no cloud annotations and pods no Azure label")
    func noIdentityByDefault() async throws {
        let docs = try await renderChart()
        let sa = try #require(docs.object(kind: "ServiceAccount", name: "sextant"))
        // Only the checkov skip of CKV_K8S_21 (SecurityScanTests), no cloud annotation.
        #expect(sa[path: ["metadata", "annotations"]]?.objectValue?.keys.sorted() == ["checkov.io/skip-namespace"])
        let deployment = try #require(docs.object(kind: "Deployment", name: "sextant"))
        #expect(deployment[path: ["spec", "template", "metadata", "labels", "azure.workload.identity/use"]] == nil)
    }

    @Test("image.digest pins the image by digest instead of tag")
    func imageDigest() async throws {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let docs = try await renderChart(["--set", "image.digest=\(digest)"])
        let deployment = try #require(docs.object(kind: "Deployment", name: "sextant"))
        #expect(deployment[path: ["spec", "template", "spec", "containers"]]?[0]?["image"]?.stringValue == "ghcr.io/sextant-ml/sextant@\(digest)")
    }

    @Test("the packaged chart (helm package) renders the same objects as the source folder, RBAC rules file included")
    func packagedChartRendersTheSame() async throws {
        let helm = try platformTool("helm")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("helm-package-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let packaged = try await runCommand(helm, ["package", chartPath, "--destination", dir.path])
        try #require(packaged.exitCode == 0, "\(packaged.output)")
        let archive = dir.appendingPathComponent("sextant-0.1.0.tgz").path
        let fromArchive = try await runCommand(helm, ["template", "sextant", archive, "--namespace", "sextant-system"])
        try #require(fromArchive.exitCode == 0, "\(fromArchive.output)")
        let fromFolder = try await helmTemplate()
        #expect(try parseYAMLDocuments(fromArchive.stdout) == parseYAMLDocuments(fromFolder.stdout))
    }

    @Test("the chart's crds/ folder holds the same files as the top-level crds/ folder")
    func chartCRDsMatchTopLevel() throws {
        let fm = FileManager.default
        func yamlFiles(_ dir: String) -> [String: Data] {
            let path = repoRoot.appendingPathComponent(dir).path
            let names = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            return names.reduce(into: [:]) { $0[$1] = fm.contents(atPath: path + "/" + $1) }
        }
        let top = yamlFiles("crds")
        let chart = yamlFiles("charts/sextant/crds")
        #expect(top.keys.sorted() == chart.keys.sorted(), "file sets differ: run `sextant crds` (it writes both folders)")
        for (name, data) in top {
            #expect(chart[name] == data, "charts/sextant/crds/\(name) differs from crds/\(name): run `sextant crds`")
        }
    }
}
