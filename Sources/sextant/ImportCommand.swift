import ArgumentParser
import Foundation
import SextantInterop

/// `sextant import`: converts other systems' pipelines into MLPipelines.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a pipeline of another system into an MLPipeline (YAML on stdout).",
        subcommands: [ImportKFPCommand.self])
}

/// `sextant import kfp PIPELINE.yaml [--name N]`.
struct ImportKFPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kfp",
        abstract: "Convert a Kubeflow Pipelines v2 pipeline (the IR YAML the kfp compiler writes) into an MLPipeline.",
        discussion: "What has no equivalent (conditions, loops, exit handlers, importers, ...) is listed in one error. See docs/interop.md.")

    @Argument(help: "The compiled pipeline (PipelineSpec YAML, optionally with its platform-spec document; - reads stdin).")
    var pipeline: String

    @Option(name: .long, help: "Name of the MLPipeline (default: pipelineInfo.name).")
    var name: String?

    func run() async throws {
        let data = pipeline == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: pipeline))
        do {
            let converted = try KFPImporter.convert(yaml: String(decoding: data, as: UTF8.self), name: name)
            print(try KFPImporter.yaml(converted), terminator: "")
        } catch let error as InteropError {
            FileHandle.standardError.write(Data("sextant import kfp: \(pipeline): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
