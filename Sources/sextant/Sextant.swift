import ArgumentParser

/// The `sextant` command: the operator, its local cluster and its tooling in one binary.
@main
struct Sextant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sextant",
        abstract: "Runs the machine-learning lifecycle the Kubernetes way.",
        subcommands: [DevCommand.self, ControllerCommand.self, CRDsCommand.self, ImportCommand.self, CloudPermissionsCommand.self,
                      BackupCommand.self, RestoreCommand.self, LineageCommand.self]
    )
}
