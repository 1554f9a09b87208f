import Foundation
import KubeCore
import Testing

@Suite("manifests/install.yaml is the chart rendered with defaults")
struct ManifestsTests {
    @Test("manifests/install.yaml equals hack/render-manifests.sh output (fails when stale)")
    func installYAMLIsFresh() async throws {
        let helm = try platformTool("helm")
        let script = repoRoot.appendingPathComponent("hack/render-manifests.sh").path
        let rendered = try await runCommand("/bin/bash", [script, "--stdout"], environment: ["HELM": helm])
        try #require(rendered.exitCode == 0, "render-manifests failed:\n\(rendered.output)")
        let committed = try String(contentsOf: repoRoot.appendingPathComponent("manifests/install.yaml"), encoding: .utf8)
        #expect(committed == rendered.stdout, "manifests/install.yaml is stale: run hack/render-manifests.sh and commit the result")
    }

    @Test("hack/render-manifests.sh --check passes: install.yaml and the Argo CD argocd-cm patch are up to date")
    func generatedFilesAreFresh() async throws {
        let helm = try platformTool("helm")
        let script = repoRoot.appendingPathComponent("hack/render-manifests.sh").path
        let result = try await runCommand("/bin/bash", [script, "--check"], environment: ["HELM": helm])
        #expect(result.exitCode == 0, "\(result.output)")
    }

    @Test("the argocd-cm patch carries one Lua health check per Sextant kind, each the shared health.lua behind its own config")
    func argoPatchHoldsTheScripts() throws {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("manifests/argocd/argocd-cm-patch.yaml"), encoding: .utf8)
        let patch = try #require(try parseYAMLDocuments(text).first)
        let data = try #require(patch["data"]?.objectValue)
        #expect(data.count == 3)
        let shared = try String(contentsOf: repoRoot.appendingPathComponent("manifests/argocd/health.lua"), encoding: .utf8)
        for kind in ["MLPipeline", "ModelVersion", "RetrainPolicy"] {
            let script = try #require(data["resource.customizations.health.ml.sextant.dev_\(kind)"]?.stringValue, "\(kind)")
            #expect(script.hasPrefix("-- Argo CD health of ml.sextant.dev/\(kind)"), "\(kind): \(script.prefix(80))")
            #expect(script.contains("local config = {"), "\(kind)")
            #expect(script.hasSuffix(shared), "\(kind): the script must end with manifests/argocd/health.lua")
        }
    }

    @Test("the Argo CD Lua health checks map Ready/phase/approval/suspend to Healthy, Progressing, Degraded and Suspended")
    func argoHealthChecksBehave() async throws {
        let python = try toolsPython()
        let result = try await runCommand(python, [repoRoot.appendingPathComponent("hack/test-argocd-health.py").path])
        #expect(result.exitCode == 0, "\(result.output)")
        #expect(result.stdout.contains(" passed, 0 failed"), "\(result.output)")
    }

    @Test("install.yaml creates its namespace under the restricted Pod Security Standard, then the controller")
    func installYAMLContents() throws {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("manifests/install.yaml"), encoding: .utf8)
        let docs = try parseYAMLDocuments(text)
        let namespace = try #require(docs.first)
        #expect(namespace.kind == "Namespace" && namespace.name == "sextant-system", "the Namespace must come first")
        #expect(namespace[path: ["metadata", "labels", "pod-security.kubernetes.io/enforce"]]?.stringValue == "restricted")
        #expect(docs.object(kind: "Deployment", name: "sextant") != nil)
        // CRDs come with the plain manifests (the chart ships them in crds/).
        let chartCRDs = ((try? FileManager.default.contentsOfDirectory(atPath: chartPath + "/crds")) ?? []).filter { $0.hasSuffix(".yaml") }
        #expect(docs.objects(kind: "CustomResourceDefinition").count == chartCRDs.count)
    }
}
