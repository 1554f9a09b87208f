import Foundation
import KubeCore
import Testing

/// terraform/ at the repository root.
let terraformRoot = repoRoot.appendingPathComponent("terraform")

/// The Python of the python-hcl2 venv (hack/tools.d/hcl2.sh): `$SEXTANT_HCL2_PYTHON` or
/// `<repo>/.sextant/hcl2-venv/bin/python`. Its own venv: checkov's bc-python-hcl2 installs the same
/// `hcl2` module into the tools venv.
func hcl2Python() throws -> String {
    if let path = ProcessInfo.processInfo.environment["SEXTANT_HCL2_PYTHON"], !path.isEmpty { return path }
    let local = repoRoot.appendingPathComponent(".sextant/hcl2-venv/bin/python").path
    guard FileManager.default.isExecutableFile(atPath: local) else {
        throw PlatformTestError.toolMissing("\(local) not found: run `hack/install-tools.sh hcl2` first")
    }
    return local
}

/// `hack/check-terraform.py <arguments>` with the python-hcl2 venv.
func checkTerraform(_ arguments: [String]) async throws -> ToolResult {
    try await runCommand(try hcl2Python(), [repoRoot.appendingPathComponent("hack/check-terraform.py").path] + arguments)
}

/// A scratch directory for one terraform working directory; terraform's data dir and CLI config
/// live inside it, so nothing is written into terraform/.
struct TerraformScratch {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "".write(to: dir.appendingPathComponent("empty.tfrc"), atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    /// Offline, non-interactive terraform: no checkpoint call, no user CLI config, data dir here.
    var environment: [String: String] {
        [
            "CHECKPOINT_DISABLE": "1",
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "TF_CLI_CONFIG_FILE": dir.appendingPathComponent("empty.tfrc").path,
            "TF_DATA_DIR": dir.appendingPathComponent(".terraform").path,
        ]
    }

    /// `terraform <arguments>` with `cwd` (default: the scratch directory).
    func run(_ arguments: [String], cwd: String? = nil) async throws -> ToolResult {
        try await runCommand(try platformTool("terraform"), arguments, environment: environment, cwd: cwd ?? dir.path)
    }
}

/// Inputs of terraform/modules/sextant-helm/values as the sextant-helm module passes them.
struct ChartValuesInputs: Sendable, CustomTestStringConvertible {
    var cloud: String
    var arguments: [String: String]

    var testDescription: String { cloud }

    /// An HCL root that calls the values module with these arguments and outputs its YAML.
    var rootModule: String {
        let source = terraformRoot.appendingPathComponent("modules/sextant-helm/values").path
        var lines = ["module \"values\" {", "  source = \"\(source)\""]
        for (key, value) in arguments.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(key) = \(value)")
        }
        lines += ["}", "", "output \"yaml\" {", "  value = module.values.yaml", "}", ""]
        return lines.joined(separator: "\n")
    }

    static let aws = ChartValuesInputs(cloud: "aws", arguments: [
        "service_account_name": "\"sextant\"",
        "aws_role_arn": "\"arn:aws:iam::123456789012:role/sextant-prod-controller\"",
        "aws_region": "\"eu-west-1\"",
    ])
    static let gcp = ChartValuesInputs(cloud: "gcp", arguments: [
        "service_account_name": "\"sextant\"",
        "gcp_service_account": "\"sextant-controller@acme-ml.iam.gserviceaccount.com\"",
    ])
    static let azure = ChartValuesInputs(cloud: "azure", arguments: [
        "service_account_name": "\"sextant\"",
        "azure_client_id": "\"6f0a8b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b\"",
        "azure_tenant_id": "\"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\"",
    ])
}

/// Renders the values module offline (`terraform init` needs no provider for it, `apply` only
/// evaluates locals and outputs) and returns the values YAML.
func renderChartValues(_ inputs: ChartValuesInputs) async throws -> String {
    let scratch = try TerraformScratch()
    defer { scratch.remove() }
    try inputs.rootModule.write(to: scratch.dir.appendingPathComponent("main.tf"), atomically: true, encoding: .utf8)
    let initResult = try await scratch.run(["init", "-backend=false", "-input=false", "-no-color"])
    try #require(initResult.exitCode == 0, "terraform init:\n\(initResult.output)")
    let validate = try await scratch.run(["validate", "-no-color"])
    try #require(validate.exitCode == 0, "terraform validate:\n\(validate.output)")
    let state = scratch.dir.appendingPathComponent("values.tfstate").path
    let apply = try await scratch.run(["apply", "-auto-approve", "-input=false", "-no-color", "-state=\(state)"])
    try #require(apply.exitCode == 0, "terraform apply:\n\(apply.output)")
    let output = try await scratch.run(["output", "-no-color", "-state=\(state)", "-raw", "yaml"])
    try #require(output.exitCode == 0, "terraform output:\n\(output.output)")
    return output.stdout
}

/// The IAM actions of an IAM policy document (`Statement[].Action`, a string or a list), as
/// `sextant cloud-permissions aws` prints it.
func iamActions(ofPolicy text: String) throws -> Set<String> {
    let policy = try JSONValue.parse(text)
    let statements = policy["Statement"]?.arrayValue ?? (policy["Statement"].map { [$0] } ?? [])
    var actions: Set<String> = []
    for statement in statements where statement["Effect"]?.stringValue ?? "Allow" == "Allow" {
        if let one = statement["Action"]?.stringValue { actions.insert(one) }
        actions.formUnion(statement["Action"]?.stringList ?? [])
    }
    return actions
}
