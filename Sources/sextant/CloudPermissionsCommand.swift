import ArgumentParser
import CloudAWS

/// `sextant cloud-permissions aws`: prints the least-privilege IAM policy the controller needs,
/// derived from the AWS calls it makes (`AWSOperation.all`).
struct CloudPermissionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cloud-permissions",
        abstract: "Print the cloud permissions the controller needs (derived from the calls it makes).",
        discussion: "aws: the IAM identity policy JSON for the controller's role (IRSA / EKS Pod Identity). "
            + "sts:AssumeRoleWithWebIdentity is not in it: that is allowed by the role's trust policy.")

    @Argument(help: "Cloud: aws.")
    var cloud: String

    @Flag(name: .long, help: "Print only the IAM actions, one a line.")
    var actions = false

    func run() async throws {
        switch cloud.lowercased() {
        case "aws":
            if actions {
                print(AWSIAMPolicy.actions().joined(separator: "\n"))
            } else {
                print(AWSIAMPolicy.documentText())
            }
        default:
            throw ValidationError("unknown cloud '\(cloud)': supported: aws")
        }
    }
}
