import Foundation
import KubeCore
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
            "backup.yaml": ["--set", "backup.schedule=0 * * * *", "--set", "backup.destination=s3://acme-sextant-backups/prod/"],
            "mlflow.yaml": ["--set", "mlflow.existingSecret=mlflow-credentials", "--set", "mlflow.usernameKey=user", "--set", "mlflow.passwordKey=password",
                            "--set", "controller.envFrom[0].secretRef.name=more-credentials"],
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

    @Test("checkov -d charts/sextant --framework helm (the repository-level scan, no namespace) reports no failed check")
    func checkovRepositoryScanPasses() async throws {
        let checkov = try platformTool("checkov")
        // checkov's helm framework runs `helm template` from PATH; it renders without --namespace,
        // so every namespaced object is in Helm's fallback `default` (HELM_NAMESPACE emptied: set,
        // it would make CKV_K8S_21 pass without looking).
        let helmDir = URL(fileURLWithPath: try platformTool("helm")).deletingLastPathComponent().path
        let path = helmDir + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try await runCommand(checkov, ["-d", chartPath, "--framework", "helm", "--compact", "--skip-download", "--output", "json"],
                                          environment: ["PATH": path, "HELM_NAMESPACE": "", "BC_SKIP_MAPPING": "TRUE",
                                                        "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"])
        #expect(result.exitCode == 0, "checkov found failed checks:\n\(result.output.prefix(8000))")
        let report = try JSONValue.parse(result.stdout)
        #expect(report["check_type"] == "helm", "\(result.output.prefix(4000))")
        #expect(report[path: ["summary", "failed"]] == .int(0), "\(report[path: ["results", "failed_checks"]]?.jsonString ?? result.output)")
        #expect(report[path: ["summary", "parsing_errors"]] == .int(0))
        // It really rendered and scanned the chart: the Deployment's checks ran, in `default`.
        let passed = report[path: ["results", "passed_checks"]]?.arrayValue ?? []
        #expect(passed.contains { $0["resource"]?.stringValue == "Deployment.default.release-name-sextant" }, "\(result.output.prefix(4000))")
        // CKV_K8S_21 is skipped (not passed) only on objects in the release namespace, each for the
        // written reason; ChartRenderTests checks that a namespaced render puts them all there.
        let skipped21 = (report[path: ["results", "skipped_checks"]]?.arrayValue ?? []).filter { $0["check_id"] == "CKV_K8S_21" }
        let kinds = Set(skipped21.compactMap { $0["resource"]?.stringValue?.split(separator: ".").first.map(String.init) })
        #expect(kinds == ["Deployment", "Service", "ServiceAccount", "Role", "RoleBinding"], "\(skipped21.map(\.jsonString))")
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

    @Test("hadolint reports nothing on the Dockerfile, and does report a Dockerfile with known faults")
    func hadolintPasses() async throws {
        // A missing hadolint throws here with how to install it: the test fails, it never skips.
        let hadolint = try platformTool("hadolint")
        let result = try await runCommand(hadolint, [repoRoot.appendingPathComponent("Dockerfile").path])
        #expect(result.exitCode == 0, "hadolint:\n\(result.output)")

        // The same invocation fails on faults, so a green run above means hadolint really looked.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hadolint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("Dockerfile")
        try "FROM debian:latest\nRUN apt-get update && apt-get install curl\n".write(to: bad, atomically: true, encoding: .utf8)
        let faulty = try await runCommand(hadolint, [bad.path])
        #expect(faulty.exitCode != 0, "hadolint accepted a Dockerfile with known faults:\n\(faulty.output)")
        #expect(faulty.output.contains("DL3007"), "expected DL3007 (FROM ...:latest):\n\(faulty.output)")
    }

    @Test("the Dockerfile builds a static release binary on Debian 12 and runs it on distroless Debian 12 as a numeric non-root user")
    func dockerfileShape() throws {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("Dockerfile"), encoding: .utf8)
        #expect(text.contains("swift build -c release --static-swift-stdlib --product sextant"))
        let froms = text.split(separator: "\n").filter { $0.hasPrefix("FROM ") }
        #expect(froms.count == 2, "multi-stage: a builder and a runtime stage")
        // glibc stays dynamic: the builder's glibc must not be newer than the runtime's.
        #expect(froms.first?.contains("-bookworm") == true, "builder must be Debian 12 like the runtime: \(froms)")
        #expect(text.contains("ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot"), "runtime without shell or package manager")
        #expect(text.contains("USER 65532:65532"))
        #expect(text.contains("ENTRYPOINT [\"/usr/local/bin/sextant\"]"))
    }

    @Test("the image's default command is the chart's controller arguments, and the chart starts the controller subcommand")
    func imageCommandMatchesChart() async throws {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("Dockerfile"), encoding: .utf8)
        let cmdLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("CMD ") }, "no CMD")
        let cmd = try JSONValue.parse(String(cmdLine.dropFirst(4))).stringList
        let docs = try await renderChart()
        let deployment = try #require(docs.object(kind: "Deployment", name: "sextant"))
        let container = try #require(deployment[path: ["spec", "template", "spec", "containers"]]?[0])
        #expect(container["command"] == nil, "the chart must keep the image's ENTRYPOINT")
        let args = container["args"]?.stringList ?? []
        #expect(!cmd.isEmpty && Array(args.prefix(cmd.count)) == cmd, "Dockerfile CMD \(cmd) vs chart args \(args)")
    }
}
