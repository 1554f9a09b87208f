import Foundation
import KubeCore
import Testing
import TestSupport

/// The cloud identities of terraform/: the AWS controller policy against the calls the code makes,
/// its scoping and trust, and the chart values the sextant-helm module passes (see TerraformTests
/// for what runs offline and what cannot).
@Suite("Terraform identities: least privilege from code, scoped and trusted, annotations in the chart", .serialized)
struct TerraformIdentityTests {
    /// Actions the module may grant beyond the derived list, each only while the derived list holds
    /// the call that needs it (IAM authorizes them as side effects of that call).
    static let impliedActions: [String: (requiredBy: String, reason: String)] = [
        "kms:Decrypt": ("s3:GetObject", "reading an SSE-KMS object needs kms:Decrypt on its key"),
        "kms:GenerateDataKey": ("s3:PutObject", "writing an object to an SSE-KMS bucket needs kms:GenerateDataKey on its key"),
        "s3:ListBucket": ("s3:GetObject", "without ListBucket a missing key is 403 AccessDenied instead of 404, and a missing outputs file would read as CloudAccessDenied"),
        "sagemaker:AddTags": ("sagemaker:CreateTrainingJob", "CreateTrainingJob with Tags (sextant.uid) is also authorized as sagemaker:AddTags"),
        "batch:TagResource": ("batch:SubmitJob", "SubmitJob with tags is also authorized as batch:TagResource"),
    ]

    /// Calls the code makes that no identity policy authorizes, so the module grants them nowhere.
    static let authorizedElsewhere: [String: String] = [
        "sts:AssumeRoleWithWebIdentity": "IRSA: unsigned call, authorized by the controller role's trust policy",
        "sts:GetCallerIdentity": "needs no permission",
    ]

    static func modulePolicy() async throws -> JSONValue {
        let result = try await checkTerraform(["aws-policy"])
        try #require(result.exitCode == 0, "hack/check-terraform.py aws-policy:\n\(result.output)")
        return try JSONValue.parse(result.stdout)
    }

    @Test("the AWS controller policy grants exactly the actions `sextant cloud-permissions aws` derives from AWSOperation.all")
    func awsPolicyMatchesCode() async throws {
        let binary = try DevClusterProcess.binaryPath()
        let derivedResult = try await runCommand(binary, ["cloud-permissions", "aws"])
        try #require(derivedResult.exitCode == 0, "`sextant cloud-permissions aws` failed (the command prints the IAM policy derived from AWSOperation.all):\n\(derivedResult.output)")
        let derived = try iamActions(ofPolicy: derivedResult.stdout).subtracting(Self.authorizedElsewhere.keys)
        try #require(!derived.isEmpty, "no actions in the derived policy:\n\(derivedResult.stdout)")

        let granted = Set((try await Self.modulePolicy())["actions"]?.stringList ?? [])
        let missing = derived.subtracting(granted)
        #expect(missing.isEmpty, "terraform/modules/aws does not grant actions the code calls: \(missing.sorted())")

        let extra = granted.subtracting(derived)
        for action in extra.sorted() {
            guard let implied = Self.impliedActions[action] else {
                Issue.record("terraform/modules/aws grants \(action), which no code calls")
                continue
            }
            #expect(derived.contains(implied.requiredBy),
                    "\(action) is granted because \(implied.reason), but the code no longer calls \(implied.requiredBy)")
        }
        #expect(derived.contains("iam:PassRole"), "the SageMaker backend passes RoleArn: the derived list must hold iam:PassRole")
    }

    @Test("the AWS controller policy: PassRole only on the execution role for SageMaker, AssumeRole only on the namespace roles, no action wildcards, * only where IAM cannot scope")
    func awsPolicyScoped() async throws {
        let statements = (try await Self.modulePolicy())["statements"]?.arrayValue ?? []
        try #require(!statements.isEmpty)
        // Actions IAM authorizes only on "*" (no resource-level permissions).
        let unscopable: Set<String> = ["sagemaker:ListModelPackages", "sagemaker:ListTrainingJobs", "batch:DescribeJobs", "batch:ListJobs", "cloudwatch:GetMetricData"]
        for statement in statements {
            let sid = statement["sid"]?.stringValue ?? "?"
            let actions = statement["actions"]?.stringList ?? []
            let resources = statement["resources"]?.stringList ?? []
            let rendered = resources.joined(separator: " ") + (statement["resources"]?.stringValue ?? "")
            for action in actions {
                #expect(!action.contains("*"), "\(sid): wildcard action \(action)")
            }
            if resources.contains("*") {
                #expect(Set(actions).isSubset(of: unscopable), "\(sid): \(actions) on * although IAM can scope them")
            }
            if actions.contains("iam:PassRole") {
                #expect(actions == ["iam:PassRole"], "\(sid): PassRole shares a statement with \(actions)")
                #expect(resources == ["${aws_iam_role.sagemaker_execution.arn}"], "\(sid): PassRole on \(resources)")
                let conditions = statement["conditions"]?.arrayValue ?? []
                #expect(conditions.contains { $0["variable"]?.stringValue == "iam:PassedToService" && $0["values"]?.stringList == ["sagemaker.amazonaws.com"] },
                        "\(sid): PassRole without iam:PassedToService = sagemaker.amazonaws.com")
            }
            if actions.contains("sts:AssumeRole") {
                #expect(actions == ["sts:AssumeRole"], "\(sid): AssumeRole shares a statement with \(actions)")
                #expect(rendered == "${statement.value}" && statement["origin"]?.stringValue?.contains("var.namespace_role_arns") == true,
                        "\(sid): AssumeRole must be on var.namespace_role_arns only: \(statement)")
            }
            if actions.contains(where: { $0.hasPrefix("sagemaker:") && !unscopable.contains($0) }) {
                #expect(resources.allSatisfy { $0.hasPrefix("${local.sagemaker_arn}:") }, "\(sid): SageMaker beyond this account/region: \(resources)")
            }
        }
    }

    @Test("the AWS controller role trusts only its ServiceAccount: IRSA with :sub and :aud conditions, or the EKS Pod Identity service")
    func awsTrust() async throws {
        let result = try await checkTerraform(["aws-policy", "--document", "controller_trust"])
        try #require(result.exitCode == 0, "\(result.output)")
        let statements = try JSONValue.parse(result.stdout)["statements"]?.arrayValue ?? []
        try #require(statements.count == 2, "expected the IRSA and the Pod Identity statement:\n\(result.stdout)")

        let irsa = try #require(statements.first { $0["sid"]?.stringValue == "IRSA" })
        #expect(irsa["actions"]?.stringList == ["sts:AssumeRoleWithWebIdentity"])
        #expect(irsa["origin"]?.stringValue?.contains("var.identity_mode == \"irsa\"") == true)
        #expect(irsa["principals"]?[0]?["type"]?.stringValue == "Federated")
        #expect(irsa["principals"]?[0]?["identifiers"]?.stringList == ["${var.oidc_provider_arn}"])
        let conditions = (irsa["conditions"]?.arrayValue ?? []).reduce(into: [String: [String]]()) {
            $0[$1["variable"]?.stringValue ?? ""] = $1["values"]?.stringList
        }
        #expect(conditions == [
            "${statement.value}:sub": ["${local.service_account_subject}"],
            "${statement.value}:aud": ["sts.amazonaws.com"],
        ], "IRSA conditions: \(conditions)")
        for condition in irsa["conditions"]?.arrayValue ?? [] {
            #expect(condition["test"]?.stringValue == "StringEquals", "IRSA condition must be exact: \(condition)")
        }

        let podIdentity = try #require(statements.first { $0["sid"]?.stringValue == "EKSPodIdentity" })
        #expect(podIdentity["origin"]?.stringValue?.contains("var.identity_mode == \"pod_identity\"") == true)
        #expect(podIdentity["principals"]?[0]?["identifiers"]?.stringList == ["pods.eks.amazonaws.com"])
        #expect(Set(podIdentity["actions"]?.stringList ?? []) == ["sts:AssumeRole", "sts:TagSession"])

        // The subject is the chart's ServiceAccount in the release namespace; the association binds the same one.
        let main = try String(contentsOf: terraformRoot.appendingPathComponent("modules/aws/main.tf"), encoding: .utf8)
        #expect(main.contains("service_account_subject = \"system:serviceaccount:${var.kubernetes_namespace}:${var.service_account_name}\""))
        let iam = try String(contentsOf: terraformRoot.appendingPathComponent("modules/aws/iam_controller.tf"), encoding: .utf8)
        #expect(iam.contains("resource \"aws_eks_pod_identity_association\" \"controller\""))
        #expect(iam.contains("service_account = var.service_account_name"))
    }

    @Test("the GCP controller is granted every predefined role `sextant cloud-permissions gcp --roles` derives from GCPOperation.all")
    func gcpRolesCoverCode() async throws {
        let binary = try DevClusterProcess.binaryPath()
        let derivedResult = try await runCommand(binary, ["cloud-permissions", "gcp", "--roles"])
        try #require(derivedResult.exitCode == 0, "`sextant cloud-permissions gcp --roles` failed:\n\(derivedResult.output)")
        let derived = Set(derivedResult.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        try #require(derived.contains("roles/aiplatform.user"), "no Vertex AI role derived:\n\(derivedResult.stdout)")
        let result = try await checkTerraform(["gcp-roles"])
        try #require(result.exitCode == 0, "\(result.output)")
        let controller = "serviceAccount:${google_service_account.controller.email}"
        let granted = Set((try JSONValue.parse(result.stdout).arrayValue ?? []).filter { $0["member"]?.stringValue == controller }
            .compactMap { $0["role"]?.stringValue })
        #expect(derived.subtracting(granted).isEmpty, "terraform/modules/gcp does not grant the controller roles its calls need: \(derived.subtracting(granted).sorted())")
    }

    @Test("GCP and Azure grant exactly the contract's predefined roles, each on its narrowest scope (derivation from code waits on the GCP/Azure client tables)")
    func gcpAndAzureRoles() async throws {
        // Chosen from the contract's calls (docs/install.md, "Least privilege"); for GCP the roles the
        // code derives are also checked against these by gcpRolesCoverCode. Any added or widened grant fails here.
        let controllerGCP = "serviceAccount:${google_service_account.controller.email}"
        let trainingGCP = "serviceAccount:${google_service_account.training.email}"
        let expected: [String: Set<String>] = [
            "gcp": [
                "roles/aiplatform.user on ${var.project_id} to \(controllerGCP)",
                "roles/monitoring.viewer on ${var.project_id} to \(controllerGCP)",
                "roles/storage.objectViewer on ${each.value.name} to \(controllerGCP)",
                "roles/storage.objectCreator on ${google_storage_bucket.this[\"models\"].name} to \(controllerGCP)",
                "roles/iam.serviceAccountUser on ${google_service_account.training.name} to \(controllerGCP)",
                "roles/iam.workloadIdentityUser on ${google_service_account.controller.name} to ${local.ksa_member}",
                "roles/storage.objectViewer on ${each.value.name} to \(trainingGCP)",
                "roles/storage.objectCreator on ${google_storage_bucket.this[\"models\"].name} to \(trainingGCP)",
                "roles/logging.logWriter on ${var.project_id} to \(trainingGCP)",
                "roles/monitoring.metricWriter on ${var.project_id} to \(trainingGCP)",
            ],
            "azure": [
                "AzureML Data Scientist on ${local.ml_workspace_id} to ${azurerm_user_assigned_identity.controller.principal_id}",
                "Storage Blob Data Reader on ${azurerm_storage_account.this.id} to ${azurerm_user_assigned_identity.controller.principal_id}",
                "Monitoring Reader on ${each.value} to ${azurerm_user_assigned_identity.controller.principal_id}",
                "Storage Blob Data Contributor on ${azurerm_storage_account.this.id} to ${azurerm_user_assigned_identity.training.principal_id}",
            ],
        ]
        for (cloud, want) in expected.sorted(by: { $0.key < $1.key }) {
            let result = try await checkTerraform(["\(cloud)-roles"])
            try #require(result.exitCode == 0, "\(result.output)")
            let grants = try JSONValue.parse(result.stdout).arrayValue ?? []
            let got = Set(grants.map { "\($0["role"]?.stringValue ?? "?") on \($0["on"]?.stringValue ?? "?") to \($0["member"]?.stringValue ?? "?")" })
            #expect(got == want, "\(cloud): granted but not expected: \(got.subtracting(want).sorted()); expected but missing: \(want.subtracting(got).sorted())")
            for grant in grants {
                let role = grant["role"]?.stringValue ?? ""
                #expect(!["roles/owner", "roles/editor", "roles/viewer", "Owner", "Contributor", "User Access Administrator"].contains(role),
                        "\(cloud): broad role \(role)")
                #expect(!role.lowercased().contains("admin"), "\(cloud): admin role \(role)")
            }
        }
    }

    @Test("the chart module's values render with helm template into a ServiceAccount with the cloud's workload-identity annotation",
          arguments: [ChartValuesInputs.aws, ChartValuesInputs.gcp, ChartValuesInputs.azure])
    func chartValuesRender(_ inputs: ChartValuesInputs) async throws {
        let yaml = try await renderChartValues(inputs)
        let scratch = try TerraformScratch()
        defer { scratch.remove() }
        let valuesFile = scratch.dir.appendingPathComponent("values.yaml")
        try yaml.write(to: valuesFile, atomically: true, encoding: .utf8)
        let docs = try await renderChart(["-f", valuesFile.path])

        let sa = try #require(docs.object(kind: "ServiceAccount", name: "sextant"), "no ServiceAccount sextant")
        let annotations = sa[path: ["metadata", "annotations"]]?.objectValue ?? [:]
        let deployment = try #require(docs.object(kind: "Deployment", name: "sextant"))
        let pod = try #require(deployment[path: ["spec", "template"]])
        #expect(pod[path: ["spec", "serviceAccountName"]]?.stringValue == "sextant")
        let podLabels = pod[path: ["metadata", "labels"]]?.objectValue ?? [:]
        let env = pod[path: ["spec", "containers"]]?[0]?["env"]?.arrayValue ?? []
        let envMap = env.reduce(into: [String: String]()) { $0[$1["name"]?.stringValue ?? ""] = $1["value"]?.scalarText }

        switch inputs.cloud {
        case "aws":
            #expect(annotations["eks.amazonaws.com/role-arn"]?.stringValue == "arn:aws:iam::123456789012:role/sextant-prod-controller")
            #expect(envMap["AWS_REGION"] == "eu-west-1", "controller env: \(envMap)")
        case "gcp":
            #expect(annotations["iam.gke.io/gcp-service-account"]?.stringValue == "sextant-controller@acme-ml.iam.gserviceaccount.com")
        default:
            #expect(annotations["azure.workload.identity/client-id"]?.stringValue == "6f0a8b7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b")
            #expect(annotations["azure.workload.identity/tenant-id"]?.stringValue == "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
            #expect(podLabels["azure.workload.identity/use"]?.scalarText == "true")
        }
        // Only the cloud's own identity annotation is set.
        let identityKeys = ["eks.amazonaws.com/role-arn", "iam.gke.io/gcp-service-account", "azure.workload.identity/client-id"]
        #expect(identityKeys.filter { annotations[$0] != nil }.count == 1, "annotations: \(annotations.keys.sorted())")
        if inputs.cloud != "azure" { #expect(podLabels["azure.workload.identity/use"] == nil) }
    }

    @Test("the values module refuses a malformed role ARN, service account email or client ID (its validation blocks run)")
    func valuesValidation() async throws {
        let bad: [(String, String, String)] = [
            ("aws_role_arn", "\"arn:aws:iam::12345:user/x\"", "aws_role_arn must be empty or an IAM role ARN"),
            ("gcp_service_account", "\"sextant@gmail.com\"", "gcp_service_account must be empty or a service account email"),
            ("azure_client_id", "\"not-a-guid\"", "azure_client_id must be empty or a GUID"),
        ]
        for (key, value, message) in bad {
            let scratch = try TerraformScratch()
            defer { scratch.remove() }
            let inputs = ChartValuesInputs(cloud: key, arguments: [key: value])
            try inputs.rootModule.write(to: scratch.dir.appendingPathComponent("main.tf"), atomically: true, encoding: .utf8)
            let initResult = try await scratch.run(["init", "-backend=false", "-input=false", "-no-color"])
            try #require(initResult.exitCode == 0, "terraform init:\n\(initResult.output)")
            let plan = try await scratch.run(["plan", "-input=false", "-no-color", "-state=\(scratch.dir.path)/s.tfstate"])
            #expect(plan.exitCode != 0, "\(key) = \(value) was accepted")
            #expect(plan.output.replacingOccurrences(of: "\n", with: " ").contains(message), "\(key): \(plan.output)")
        }
    }

    @Test("the chart module's pricing values reach the chart", .enabled(if: chartHasPricingValues(), "the chart has no `pricing:` values yet (issue 13)"))
    func pricingValues() async throws {
        var inputs = ChartValuesInputs.aws
        inputs.arguments["pricing"] = "{ sagemaker = { \"ml.m5.xlarge\" = 0.23 } }"
        let yaml = try await renderChartValues(inputs)
        #expect(yaml.contains("ml.m5.xlarge"))
        let scratch = try TerraformScratch()
        defer { scratch.remove() }
        let valuesFile = scratch.dir.appendingPathComponent("values.yaml")
        try yaml.write(to: valuesFile, atomically: true, encoding: .utf8)
        let rendered = try await helmTemplate(["-f", valuesFile.path])
        #expect(rendered.exitCode == 0, "\(rendered.output)")
        #expect(rendered.stdout.contains("ml.m5.xlarge"), "the pricing value is not in the rendered chart")
    }
}

/// Whether charts/sextant/values.schema.json declares `pricing`.
func chartHasPricingValues() -> Bool {
    guard let data = FileManager.default.contents(atPath: chartPath + "/values.schema.json"),
          let schema = try? JSONValue.parse(data) else { return false }
    return schema[path: ["properties", "pricing"]] != nil
}
