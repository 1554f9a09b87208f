import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import SextantAPI

/// `sextant backup [-n NS | -A] --output FILE|s3://…|gs://…`: every Sextant object with its status.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write every RetrainPolicy, MLPipeline and ModelVersion, with its status, to a file or object store.",
        discussion: "Server-owned fields are left out; `sextant restore` re-creates the objects. See docs/disaster-recovery.md.")

    @Option(help: "Path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config, or the in-cluster configuration).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use (default: current-context).")
    var context: String?

    @Option(name: [.short, .customLong("namespace")], help: "Namespace to back up (default: the context's namespace).")
    var namespace: String?

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Back up all namespaces.")
    var allNamespaces = false

    @Option(name: [.short, .long], help: "Destination: a file path (- = stdout), s3://bucket/key or gs://bucket/object; one ending in / gets sextant-backup-<UTC time>.json appended.")
    var output: String

    func validate() throws {
        if allNamespaces && namespace != nil { throw ValidationError("--namespace and --all-namespaces are mutually exclusive") }
    }

    func run() async throws {
        let configuration = try ClientConfiguration.automatic(kubeconfig: kubeconfig, context: context)
        let client = try KubeClient(configuration: configuration)
        let scope: String? = allNamespaces ? nil : (namespace ?? configuration.namespace)
        do {
            var objects: [(BackupKind, JSONValue)] = []
            for kind in BackupKind.allCases {
                let api = RecoveryApi.dynamic(client, kind: kind, namespace: scope)
                objects += try await api.listAll().items.map { (kind, $0) }
            }
            let now = Date()
            let document = BackupBuilder.document(objects, namespaces: scope.map { [$0] }, createdAt: now)
            let destination = BackupStorage.resolvedOutput(output, at: now)
            try await BackupStorage.write(document.json.data(pretty: true), to: destination)
            let counts = BackupKind.allCases.map { k in "\(document.items.filter { $0.kind == k }.count) \(k.rawValue)" }
            FileHandle.standardError.write(Data("backed up \(counts.joined(separator: ", ")) from \(scope.map { "namespace \($0)" } ?? "all namespaces") to \(destination)\n".utf8))
        } catch {
            try? await client.shutdown()
            FileHandle.standardError.write(Data("sextant backup: \(error)\n".utf8))
            throw ExitCode(1)
        }
        try await client.shutdown()
    }
}

/// Access to the three kinds without their Swift models, so a backup keeps every field as stored.
enum RecoveryApi {
    static func dynamic(_ client: KubeClient, kind: BackupKind, namespace: String?) -> DynamicApi {
        DynamicApi(client: client, resource: GroupVersionResource(group: SextantGroup.group, version: SextantGroup.version, resource: kind.plural),
                   namespaced: true, namespace: namespace)
    }
}
