import Foundation
import Testing

@Suite("checkov and hadolint find nothing to fix")
struct SecurityScanTests {
    @Test("checkov reports no failed check on manifests/install.yaml and the chart rendered in cluster, namespaces and identity modes")
    func checkovPasses() async throws {
        let checkov = try platformTool("checkov")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("checkov-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let variants: [String: [String]] = [
            "namespaces.yaml": ["--set", "rbac.mode=namespaces", "--set", "rbac.watchNamespaces={ml,research}"],
            "identity.yaml": [
                "--set", "cloudIdentity.aws.roleArn=arn:aws:iam::123456789012:role/sextant",
                "--set", "cloudIdentity.azure.clientId=6f0a8b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
                "--set", "serviceMonitor.enabled=true",
            ],
        ]
        var files = [repoRoot.appendingPathComponent("manifests/install.yaml").path]
        for (name, values) in variants {
            let rendered = try await helmTemplate(values)
            try #require(rendered.exitCode == 0, "\(rendered.output)")
            let url = dir.appendingPathComponent(name)
            try rendered.stdout.write(to: url, atomically: true, encoding: .utf8)
            files.append(url.path)
        }
        var args = ["--framework", "kubernetes", "--compact", "--quiet", "--skip-download", "--output", "cli"]
        for file in files { args += ["-f", file] }
        let result = try await runCommand(checkov, args, environment: ["BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"])
        #expect(result.exitCode == 0, "checkov found failed checks:\n\(result.output)")
        #expect(result.stdout.contains("Failed checks: 0"), "\(result.output)")
        // It really scanned: the Deployment checks ran.
        #expect(result.stdout.contains("Passed checks:"), "\(result.output)")
    }

    @Test("every checkov skip in the templates carries a written reason")
    func skipsAreJustified() throws {
        let templates = chartPath + "/templates"
        let names = try FileManager.default.contentsOfDirectory(atPath: templates)
        var skips = 0
        for name in names {
            let text = try String(contentsOfFile: templates + "/" + name, encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("checkov.io/skip") || line.contains("checkov:skip") {
                skips += 1
                // checkov.io/skipN: "CKV_K8S_NN=reason"  — the reason must say why, not be empty.
                let reason = line.split(separator: "=", maxSplits: 1).dropFirst().first ?? ""
                #expect(reason.count > 20, "\(name): skip without a reason: \(line)")
            }
        }
        #expect(skips > 0, "expected the documented skips (image digest, pull policy, SA token)")
    }

    @Test("hadolint reports nothing on the Dockerfile")
    func hadolintPasses() async throws {
        let hadolint = try platformTool("hadolint")
        let result = try await runCommand(hadolint, [repoRoot.appendingPathComponent("Dockerfile").path])
        #expect(result.exitCode == 0, "hadolint:\n\(result.output)")
    }

    @Test("the Dockerfile builds a static release binary and runs it as a non-root user without a shell")
    func dockerfileShape() throws {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("Dockerfile"), encoding: .utf8)
        #expect(text.contains("swift build -c release --static-swift-stdlib --product sextant"))
        let froms = text.split(separator: "\n").filter { $0.hasPrefix("FROM ") }
        #expect(froms.count == 2, "multi-stage: a builder and a runtime stage")
        #expect(text.contains("distroless/cc"), "runtime without shell or package manager")
        #expect(text.contains("USER 65532:65532"))
        #expect(text.contains("ENTRYPOINT [\"/usr/local/bin/sextant\"]"))
    }
}
