import Foundation
import KubeCore
import Testing

/// Every variables.tf of terraform/ evaluated by terraform 1.0.3 itself: variable blocks need no
/// provider, so each file is copied alone into a scratch root, initialised offline, validated and
/// planned (no resources: "no changes"), which runs every validation condition for real — with the
/// examples' terraform.tfvars.example values (which must pass) and with malformed values (which must
/// be refused with the variable's message).
@Suite("Terraform variables: every validation runs in terraform, accepts the examples and refuses malformed values", .serialized)
struct TerraformVariablesTests {
    /// Good values for the required variables of each module (the examples use their tfvars example).
    static let requiredValues: [String: [String]] = [
        "modules/aws": ["name_prefix=sextant-prod", "cluster_name=ml-prod", "data_bucket_name=acme-ml-datasets", "models_bucket_name=acme-ml-models"],
        "modules/gcp": ["project_id=acme-ml", "data_bucket_name=acme-ml-datasets", "models_bucket_name=acme-ml-models", "bucket_location=EU"],
        "modules/azure": ["resource_group_name=ml-prod", "location=westeurope", "oidc_issuer_url=https://westeurope.oic.prod-aks.azure.com/tenant/issuer/", "storage_account_name=acmemlprod"],
        "modules/sextant-helm": ["namespace=sextant-system"],
        "modules/sextant-helm/values": [],
        "examples/eks": [], "examples/gke": [], "examples/aks": [],
    ]

    /// One malformed value per case and the start of the message its validation gives.
    static let malformed: [(dir: String, assignment: String, message: String)] = [
        ("modules/aws", "identity_mode=kube2iam", "The identity_mode must be \"irsa\" or \"pod_identity\""),
        ("modules/aws", "namespace_role_arns=[\"arn:aws:iam::*:role/team-a\"]", "Each namespace_role_arns entry must be an IAM role ARN"),
        ("modules/aws", "infrequent_access_transition_days=10", "The infrequent_access_transition_days must be a whole number >= 30"),
        ("modules/aws", "models_bucket_name=Acme_Models", "The models_bucket_name must be a valid S3 bucket name"),
        ("modules/aws", "oidc_provider_arn=oidc.eks.example/id/1", "The oidc_provider_arn must be empty or an IAM OIDC provider ARN"),
        ("modules/aws", "sse_algorithm=aws:kms:dsse", "The sse_algorithm must be \"aws:kms\" or \"AES256\""),
        ("modules/gcp", "dual_region_locations=[\"EUROPE-WEST1\"]", "The dual_region_locations must be empty or exactly two"),
        ("modules/gcp", "project_id=Acme", "The project_id must be a Google Cloud project ID"),
        ("modules/gcp", "name_prefix=a-very-long-prefix-xyz", "The name_prefix must be 2-19 lowercase letters"),
        ("modules/azure", "storage_account_name=acme-ml", "The storage_account_name must be 3-24 lowercase letters and digits"),
        ("modules/azure", "oidc_issuer_url=http://issuer", "The oidc_issuer_url must be an https:// URL"),
        ("modules/azure", "allowed_ip_ranges=[\"10.0.0.0/33\"]", "Each allowed_ip_ranges entry must be a CIDR range"),
        ("modules/azure", "storage_replication_type=PREMIUM", "The storage_replication_type must be one of"),
        ("modules/sextant-helm", "chart_repository=ftp://charts.example", "The chart_repository must be empty or an https:// or oci:// URL"),
        ("modules/sextant-helm", "timeout_seconds=5", "The timeout_seconds must be between 30 and 3600"),
        ("examples/eks", "region=mars-1", "The region must be an AWS region name"),
        ("examples/gke", "cluster_location=Europe", "The cluster_location must be a region"),
        ("examples/aks", "subscription_id=acme", "The subscription_id must be a GUID"),
    ]

    /// A scratch root holding only `dir`'s variables.tf (and the example's tfvars), initialised.
    static func variablesRoot(_ dir: String) async throws -> TerraformScratch {
        let scratch = try TerraformScratch()
        let source = terraformRoot.appendingPathComponent(dir)
        try FileManager.default.copyItem(at: source.appendingPathComponent("variables.tf"), to: scratch.dir.appendingPathComponent("variables.tf"))
        let tfvars = source.appendingPathComponent("terraform.tfvars.example")
        if FileManager.default.fileExists(atPath: tfvars.path) {
            try FileManager.default.copyItem(at: tfvars, to: scratch.dir.appendingPathComponent("terraform.tfvars"))
        }
        let initResult = try await scratch.run(["init", "-backend=false", "-input=false", "-no-color"])
        try #require(initResult.exitCode == 0, "\(dir): terraform init:\n\(initResult.output)")
        return scratch
    }

    static func plan(_ scratch: TerraformScratch, _ dir: String, extra: [String] = []) async throws -> ToolResult {
        let vars = ((requiredValues[dir] ?? []) + extra).flatMap { ["-var", $0] }
        return try await scratch.run(["plan", "-input=false", "-no-color", "-state=\(scratch.dir.path)/plan.tfstate"] + vars)
    }

    @Test("each variables.tf validates and plans alone with good values (the examples with their terraform.tfvars.example)")
    func goodValuesPass() async throws {
        for dir in Self.requiredValues.keys.sorted() {
            let scratch = try await Self.variablesRoot(dir)
            defer { scratch.remove() }
            let validate = try await scratch.run(["validate", "-no-color"])
            #expect(validate.exitCode == 0, "\(dir): terraform validate:\n\(validate.output)")
            let plan = try await Self.plan(scratch, dir)
            #expect(plan.exitCode == 0, "\(dir): terraform plan with good values:\n\(plan.output)")
        }
    }

    @Test("malformed values are refused by their variable's validation with its message")
    func malformedValuesFail() async throws {
        for dir in Set(Self.malformed.map(\.dir)).sorted() {
            let scratch = try await Self.variablesRoot(dir)
            defer { scratch.remove() }
            for bad in Self.malformed where bad.dir == dir {
                let plan = try await Self.plan(scratch, dir, extra: [bad.assignment])
                let text = plan.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                #expect(plan.exitCode != 0, "\(dir): \(bad.assignment) was accepted")
                #expect(text.contains(bad.message), "\(dir): \(bad.assignment): expected \"\(bad.message)\" in:\n\(plan.output)")
            }
        }
    }
}
