import ArgumentParser
import Foundation
import SextantAPI

/// `sextant crds`: writes the CustomResourceDefinitions generated from the API types.
struct CRDsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crds",
        abstract: "Write the Sextant CustomResourceDefinitions (one YAML file per CRD).",
        discussion: "Without --output, writes crds/ and charts/sextant/crds/ (run from the repository root).")

    @Option(name: .long, help: "Directory to write the CRD files into (default: crds/ and charts/sextant/crds/).")
    var output: String?

    func run() async throws {
        let files = try SextantCRDs.files()
        let dirs: [String]
        if let output {
            dirs = [output]
        } else {
            dirs = ["crds", "charts/sextant/crds"]
        }
        for dir in dirs {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for file in files {
                let path = (dir as NSString).appendingPathComponent(file.name)
                try Data(file.yaml.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                print(path)
            }
        }
    }
}
