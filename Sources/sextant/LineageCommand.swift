import ArgumentParser
import Foundation
import KubeClient
import SextantAPI

/// `sextant lineage <kind>/<name> [-n NS] [--format mermaid|dot|json]`.
struct LineageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Print the lineage graph of a ModelVersion, an MLPipeline or a RetrainPolicy read from the cluster.",
        discussion: "datasets@version → run → steps → artifacts → model versions → deployments/endpoints. Kinds: mv, mlp, rp (or their full names).")

    @Argument(help: "The object: modelversion/NAME, mlpipeline/NAME or retrainpolicy/NAME (mv/, mlp/, rp/ work too).")
    var object: String

    @Option(name: [.short, .customLong("namespace")], help: "Namespace (default: the context's namespace).")
    var namespace: String?

    @Option(help: "Output format: mermaid, dot or json.")
    var format: String = "mermaid"

    @Option(help: "Path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config, or the in-cluster configuration).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use (default: current-context).")
    var context: String?

    func validate() throws {
        if LineageBuilder.Root(object) == nil {
            throw ValidationError("\(object): expected modelversion/NAME, mlpipeline/NAME or retrainpolicy/NAME")
        }
        if LineageRenderer.Format(rawValue: format) == nil {
            throw ValidationError("--format must be one of \(LineageRenderer.Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        guard let root = LineageBuilder.Root(object), let format = LineageRenderer.Format(rawValue: format) else { throw ExitCode(2) }
        let configuration = try ClientConfiguration.automatic(kubeconfig: kubeconfig, context: context)
        let client = try KubeClient(configuration: configuration)
        let ns = namespace ?? configuration.namespace
        let graph: LineageGraph?
        do {
            let objects = LineageBuilder.Objects(
                pipelines: try await Api<MLPipeline>(client: client, namespace: ns).listAll().items,
                versions: try await Api<ModelVersion>(client: client, namespace: ns).listAll().items,
                policies: try await Api<RetrainPolicy>(client: client, namespace: ns).listAll().items)
            graph = LineageBuilder.graph(root, objects)
        } catch {
            try? await client.shutdown()
            FileHandle.standardError.write(Data("sextant lineage: \(error)\n".utf8))
            throw ExitCode(1)
        }
        try await client.shutdown()
        guard let graph else {
            FileHandle.standardError.write(Data("sextant lineage: \(object) not found in namespace \(ns)\n".utf8))
            throw ExitCode(1)
        }
        print(LineageRenderer.render(graph, as: format), terminator: "")
    }
}
