import ArgumentParser

struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "controller", abstract: "Not implemented yet.")

    func run() async throws {
        throw ValidationError("'sextant controller' is not implemented yet")
    }
}
