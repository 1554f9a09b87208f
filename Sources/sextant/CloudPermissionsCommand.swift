import ArgumentParser
import CloudAWS
import CloudAzure
import CloudGCP

/// `sextant cloud-permissions aws`: prints the least-privilege IAM policy the controller needs,
/// derived from the AWS calls it makes (`AWSOperation.all`).
struct CloudPermissionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cloud-permissions",
        abstract: "Print the cloud permissions the controller needs (derived from the calls it makes).",
        discussion: "aws: the IAM identity policy JSON for the controller's role (IRSA / EKS Pod Identity). "
            + "sts:AssumeRoleWithWebIdentity is not in it: that is allowed by the role's trust policy. "
            + "gcp: a custom role definition (gcloud iam roles create --file) for the controller's Google service account; "
            + "--actions prints its permissions, --roles the predefined roles that cover the same calls. "
            + "azure: a custom role definition (az role definition create --role-definition @file) for the controller's "
            + "workload identity; --actions prints its actions and data actions.")

    @Argument(help: "Cloud: aws, gcp, azure.")
    var cloud: String

    @Flag(name: .long, help: "Print only the IAM actions, one a line.")
    var actions = false

    @Flag(name: .long, help: "gcp: print the predefined roles instead of a custom role.")
    var roles = false

    func run() async throws {
        switch cloud.lowercased() {
        case "aws":
            if actions {
                print(AWSIAMPolicy.actions().joined(separator: "\n"))
            } else {
                print(AWSIAMPolicy.documentText())
            }
        case "gcp":
            if actions {
                print(GCPIAMRole.permissions().joined(separator: "\n"))
            } else if roles {
                print(GCPIAMRole.predefinedRoles().joined(separator: "\n"))
            } else {
                print(GCPIAMRole.customRoleText())
            }
        case "azure":
            if actions {
                print((AzureRoleDefinition.actions() + AzureRoleDefinition.dataActions()).joined(separator: "\n"))
            } else {
                print(String(decoding: AzureRoleDefinition.document().data(pretty: true), as: UTF8.self))
            }
        default:
            throw ValidationError("unknown cloud '\(cloud)': supported: aws, gcp, azure")
        }
    }
}
