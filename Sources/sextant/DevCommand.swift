import ArgumentParser

struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dev", abstract: "Not implemented yet.")

    func run() async throws {
        throw ValidationError("'sextant dev' is not implemented yet")
    }
}
