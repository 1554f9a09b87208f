import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import SextantAPI

/// `sextant restore FILE|URI`: re-creates a backup's objects and writes their status back.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Re-create the objects of a `sextant backup` (RetrainPolicy → MLPipeline → ModelVersion) and write their status back.",
        discussion: """
            Namespaces must exist. Objects that already exist are left as they are, so restoring twice changes nothing. \
            ownerReferences among the restored objects are rewritten to their new uids. See docs/disaster-recovery.md.
            """)

    @Argument(help: "The backup: a file path (- = stdin), s3://bucket/key or gs://bucket/object.")
    var source: String

    @Option(help: "Path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config, or the in-cluster configuration).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use (default: current-context).")
    var context: String?

    func run() async throws {
        let document: BackupDocument
        do {
            document = try BackupDocument(json: JSONValue.parse(await BackupStorage.read(source)))
        } catch {
            FileHandle.standardError.write(Data("sextant restore: \(source): \(error)\n".utf8))
            throw ExitCode(2)
        }
        let configuration = try ClientConfiguration.automatic(kubeconfig: kubeconfig, context: context)
        let client = try KubeClient(configuration: configuration)
        do {
            let report = try await Self.restore(document, client: client)
            for note in report.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            print("restored \(report.created) created, \(report.resumed) resumed, \(report.left) already present (left as they are)")
        } catch {
            try? await client.shutdown()
            FileHandle.standardError.write(Data("sextant restore: \(error)\n".utf8))
            throw ExitCode(1)
        }
        try await client.shutdown()
    }

    struct Report {
        var created = 0, resumed = 0, left = 0
        var notes: [String] = []
    }

    /// The three passes of `RestorePlanner`: create (marked), write status, unmark.
    static func restore(_ document: BackupDocument, client: KubeClient) async throws -> Report {
        var report = Report()
        var uids: [String: String] = [:]
        var pending: [(BackupItem, JSONValue)] = []
        let marker = document.createdAt.isEmpty ? "restore" : document.createdAt
        for item in RestorePlanner.ordered(document.items) {
            let api = RecoveryApi.dynamic(client, kind: item.kind, namespace: item.namespace)
            var live: JSONValue?
            do { live = try await api.get(item.name) } catch where error.isNotFound { live = nil }
            switch RestorePlanner.decide(live: live) {
            case .create:
                let (object, notes) = RestorePlanner.objectToCreate(item, uids: uids, marker: marker)
                report.notes += notes
                let created: JSONValue
                do {
                    created = try await api.create(object)
                } catch where error.isNotFound {
                    throw BackupStorage.Failure(description: "\(item.reference): namespace \(item.namespace) does not exist (create it first)")
                }
                live = created
                pending.append((item, created))
                report.created += 1
            case .resume:
                if let live { pending.append((item, live)) }
                report.resumed += 1
            case .leave:
                report.left += 1
            }
            if let old = item.sourceUID, let new = live?[path: ["metadata", "uid"]]?.stringValue { uids[old] = new }
        }
        for (item, live) in pending {
            let api = RecoveryApi.dynamic(client, kind: item.kind, namespace: item.namespace)
            if let withStatus = RestorePlanner.restoredStatus(item, live: live, uids: uids) {
                _ = try await api.replaceStatus(withStatus)
            }
        }
        for (item, _) in pending {
            let api = RecoveryApi.dynamic(client, kind: item.kind, namespace: item.namespace)
            _ = try await api.patch(item.name, .merge(RestorePlanner.unmarkPatch))
        }
        return report
    }
}
