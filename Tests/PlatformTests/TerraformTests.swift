import Foundation
import KubeCore
import Testing
import TestSupport

/// terraform/ (modules aws, gcp, azure, sextant-helm; examples eks, gke, aks).
///
/// What runs here, offline, with terraform 1.0.3 (hack/tools.d/terraform.sh):
/// - `terraform fmt -check -recursive terraform/` (fmt parses every file as HCL);
/// - `terraform init`, `validate` and `apply` of modules/sextant-helm/values, the one module without
///   a provider: the chart values are computed by Terraform itself and fed to `helm template`;
/// - `terraform get` + `terraform providers` of each example: the whole module tree loads (local
///   sources, variable/validation/output blocks, provider requirements);
/// - every variables.tf alone: `init`, `validate`, `plan`, so every validation condition runs in
///   Terraform with the examples' values and with malformed ones (TerraformVariablesTests).
///
/// What cannot run here: `terraform validate` (and plan) of everything that uses the aws, google,
/// azurerm or helm providers. `terraform init` must download them from registry.terraform.io, which
/// is unreachable, and validate needs their schemas; so resource arguments are NOT checked against
/// the providers' schemas. In their place: python-hcl2 parses every file (hack/check-terraform.py:
/// descriptions, types, validations, references, module call arguments, example wiring, no
/// hard-coded IDs or regions) and checkov's terraform framework scans every resource.
///
/// Least privilege: the AWS controller policy is compared with `sextant cloud-permissions aws`
/// (the IAM actions of AWSOperation.all in Sources/CloudAWS). GCP and Azure grant predefined roles
/// chosen from the contract; for GCP, TerraformIdentityTests also checks that they cover the roles
/// `sextant cloud-permissions gcp --roles` derives from GCPOperation.all.
@Suite("Terraform modules: formatted, consistent, scanned, least privilege, wired into the chart", .serialized)
struct TerraformTests {
    @Test("terraform fmt -check -recursive finds nothing to reformat in terraform/")
    func formatted() async throws {
        let scratch = try TerraformScratch()
        defer { scratch.remove() }
        let result = try await scratch.run(["fmt", "-check", "-recursive", "-diff", "-no-color", terraformRoot.path])
        #expect(result.exitCode == 0, "terraform fmt would change:\n\(result.output)")

        // The same command fails on a badly formatted file, so a pass above means fmt looked.
        try "variable \"x\" {\ntype=string\n    description=\"d\"\n}\n".write(
            to: scratch.dir.appendingPathComponent("bad.tf"), atomically: true, encoding: .utf8)
        let bad = try await scratch.run(["fmt", "-check", "-recursive", "-no-color", scratch.dir.path])
        #expect(bad.exitCode != 0, "terraform fmt -check accepted a misformatted file")
    }

    @Test("every example's module tree loads offline (terraform get, terraform providers) and requires its cloud's provider and helm")
    func examplesLoad() async throws {
        let expected = ["eks": "hashicorp/aws", "gke": "hashicorp/google", "aks": "hashicorp/azurerm"]
        for (example, provider) in expected.sorted(by: { $0.key < $1.key }) {
            let scratch = try TerraformScratch()
            defer { scratch.remove() }
            let dir = terraformRoot.appendingPathComponent("examples/\(example)").path
            let get = try await scratch.run(["get", "-no-color"], cwd: dir)
            #expect(get.exitCode == 0, "\(example): terraform get:\n\(get.output)")
            let providers = try await scratch.run(["providers", "-no-color"], cwd: dir)
            #expect(providers.exitCode == 0, "\(example): terraform providers:\n\(providers.output)")
            #expect(providers.stdout.contains(provider), "\(example) does not require \(provider):\n\(providers.stdout)")
            #expect(providers.stdout.contains("hashicorp/helm"), "\(example) does not require hashicorp/helm")
            #expect(providers.stdout.contains("module.sextant"), "\(example) does not call the chart module")
        }
    }

    @Test("python-hcl2 parses every .tf: descriptions, types, validations, no hard-coded IDs or regions, references and module calls resolve, examples wire the chart from the cloud module")
    func structure() async throws {
        let result = try await checkTerraform(["structure"])
        #expect(result.exitCode == 0, "hack/check-terraform.py structure:\n\(result.output)")
        let summary = try JSONValue.parse(result.stdout)
        // It really read the tree: 4 modules + the values submodule + 3 examples.
        #expect(summary["directories"]?.intValue == 8, "\(result.stdout)")
        #expect((summary["validations"]?.intValue ?? 0) >= 50, "\(result.stdout)")
        // The chart module hands these to the values module unchanged (and its default chart exists).
        let valuesInputs = Set(summary["values_inputs"]?.stringList ?? [])
        let wanted: Set<String> = ["aws_role_arn", "gcp_service_account", "azure_client_id", "pricing"]
        #expect(wanted.isSubset(of: valuesInputs), "values inputs: \(valuesInputs.sorted())")
        #expect(summary[path: ["examples", "eks", "cloud_module"]]?.stringValue == "aws")
        #expect(summary[path: ["examples", "gke", "cloud_module"]]?.stringValue == "gcp")
        #expect(summary[path: ["examples", "aks", "cloud_module"]]?.stringValue == "azure")
    }

    @Test("the structure check reports a variable without description, a hard-coded region, an unknown module argument and a missing output")
    func structureCheckFails() async throws {
        let scratch = try TerraformScratch()
        defer { scratch.remove() }
        let copy = scratch.dir.appendingPathComponent("terraform")
        try FileManager.default.copyItem(at: terraformRoot, to: copy)
        let eks = copy.appendingPathComponent("examples/eks/main.tf")
        var text = try String(contentsOf: eks, encoding: .utf8)
        text = text.replacingOccurrences(of: "aws_region           = module.aws.region", with: "aws_region = \"eu-west-1\"")
        text = text.replacingOccurrences(of: "  tags                 = var.tags\n}", with: "  tags = var.tags\n  bogus = 1\n}")
        text = text.replacingOccurrences(of: "module.aws.irsa_role_arn", with: "module.aws.no_such_output")
        text += "\nvariable \"undocumented\" {\n  type = string\n}\n"
        try text.write(to: eks, atomically: true, encoding: .utf8)
        let result = try await checkTerraform(["structure", "--root", copy.path])
        #expect(result.exitCode != 0)
        for fault in ["hard-coded AWS region 'eu-west-1'", "passes bogus", "module.aws.no_such_output is not an output",
                      "variable undocumented has no description", "variable undocumented (string) has no validation block"] {
            #expect(result.stderr.contains(fault), "not reported: \(fault)\n\(result.output)")
        }
    }

    @Test("checkov's terraform framework reports no failed check on terraform/, and every skip carries a reason")
    func checkovPasses() async throws {
        let checkov = try platformTool("checkov")
        let result = try await runCommand(checkov, [
            "-d", terraformRoot.path, "--framework", "terraform", "--compact", "--quiet", "--skip-download", "--output", "cli",
        ], environment: [
            "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
            // checkov gives each file 10 s to parse by default; on a loaded machine a file that
            // times out is reported as a parsing error and silently not scanned.
            "HCL_PARSE_TIMEOUT_SEC": "180",
        ])
        #expect(result.exitCode == 0, "checkov found failed checks:\n\(result.output)")
        #expect(result.stdout.contains("Failed checks: 0"), "\(result.output)")
        #expect(!result.stdout.contains("Parsing errors"), "checkov could not parse every file, so not all were scanned:\n\(result.output)")
        // It scanned all three clouds' modules (205 checks passed when this was written).
        let passed = result.stdout.components(separatedBy: "Passed checks: ").dropFirst().first?
            .prefix { $0.isNumber }
        #expect(Int(passed.map(String.init) ?? "") ?? 0 >= 150, "too few checks ran:\n\(result.output)")

        var skips = 0
        let files = FileManager.default.enumerator(atPath: terraformRoot.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".tf") {
            let text = try String(contentsOf: terraformRoot.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("checkov:skip=") {
                skips += 1
                // #checkov:skip=CKV_X_N:reason — the reason must say why.
                let reason = line.split(separator: ":", maxSplits: 2).dropFirst(2).first ?? ""
                #expect(reason.count > 30, "\(file): skip without a reason: \(line)")
            }
        }
        #expect(skips > 0, "expected the documented skips (optional replication/logging, networking choices, key policy)")
    }
}
