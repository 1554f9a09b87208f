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
