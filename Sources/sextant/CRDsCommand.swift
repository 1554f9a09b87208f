import ArgumentParser

struct CRDsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crds", abstract: "Not implemented yet.")

    func run() async throws {
        throw ValidationError("'sextant crds' is not implemented yet")
    }
}
