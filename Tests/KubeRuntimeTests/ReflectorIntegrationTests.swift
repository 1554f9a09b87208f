import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Synchronization
import Testing
import TestSupport

/// Counts what a reflector reported, per object name.
final class ChangeLog: Sendable {
    struct Counts: Sendable { var added = 0, updated = 0, deleted = 0 }
    private let counts = Mutex<[String: Counts]>([:])

    func record(_ change: StoreChange<ConfigMap>) {
        counts.withLock { c in
            switch change {
            case .added(let o): c[o.name, default: Counts()].added += 1
            case .updated(_, let o): c[o.name, default: Counts()].updated += 1
            case .deleted(let o): c[o.name, default: Counts()].deleted += 1
            }
        }
    }

    var snapshot: [String: Counts] { counts.withLock { $0 } }
}

@Suite("Reflector and status writes against sextant dev", .serialized)
struct ReflectorIntegrationTests {
    static func eventually(_ seconds: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test("the watch survives forced compaction (410) and cut streams without missing or duplicating objects")
    func survivesFaults() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let client = try KubeClient(configuration: ClientConfiguration.load(kubeconfig: cluster.kubeconfigPath))
        let api = Api<ConfigMap>(client: client, namespace: "default")
        let store = Store<ConfigMap>()
        let log = ChangeLog()
        // Every watch stream is cut after 3 events.
        let cut = try await cluster.request("POST", "/admin/faults", body: #"{"watchEventLimit": 3}"#)
        try #require(cut.status == 200, "fault endpoint: \(cut.body)")
        let reflector = Reflector(watcher: Watcher(api: api), store: store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reflector.run { log.record($0) } }
            try await store.waitForSync()
            for i in 0..<20 {
                _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "a-\(i)"), data: ["v": "0"]))
            }
            for i in 0..<5 { try await api.delete("a-\(i)") }
            // Compact while more changes happen: the next watch gets 410 and the reflector relists.
            let compact = try await cluster.request("POST", "/admin/faults", body: #"{"watchEventLimit": 3, "compact": true}"#)
            try #require(compact.status == 200)
            for i in 20..<30 {
                _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "a-\(i)"), data: ["v": "0"]))
            }
            for i in 5..<8 { try await api.delete("a-\(i)") }
            _ = try await cluster.request("POST", "/admin/faults", body: #"{"compact": true}"#)
            _ = try await api.patch("a-10", .merge(["data": ["v": "1"]]))
            let expected = Set((8..<30).map { "a-\($0)" })
            let converged = try await Self.eventually {
                Set(store.list().map(\.name)) == expected && store.get(namespace: "default", name: "a-10")?.data?["v"] == "1"
            }
            #expect(converged, "store: \(store.list().map(\.name).sorted())")
            let counts = log.snapshot
            for i in 0..<30 {
                let c = counts["a-\(i)"]
                #expect(c?.added == 1, "a-\(i) added \(c?.added ?? 0) times")
                #expect(c?.deleted == (i < 8 ? 1 : 0), "a-\(i) deleted \(c?.deleted ?? 0) times")
            }
            #expect(counts["a-10"]?.updated == 1)
            group.cancelAll()
        }
        _ = try await cluster.request("DELETE", "/admin/faults")
        try await client.shutdown()
    }

    @Test("a 409 Conflict on a status write is retried from a fresh read")
    func statusConflictRetried() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let client = try KubeClient(configuration: ClientConfiguration.load(kubeconfig: cluster.kubeconfigPath))
        let jobs = Api<Job>(client: client, namespace: "default")
        let job = try await jobs.create(Job(metadata: ObjectMeta(name: "conflicted"), spec: JobSpec(
            template: PodTemplateSpec(spec: PodSpec(containers: [Container(name: "c", image: "x")], restartPolicy: "Never")))))
        // Someone else changes the object after our read, and the server also injects one conflict.
        _ = try await jobs.patch("conflicted", .merge(["metadata": ["labels": ["touched": "yes"]]]))
        let armed = try await cluster.request("POST", "/admin/faults",
                                              body: #"{"conflict": {"resource": "jobs", "namespace": "default", "name": "conflicted"}}"#)
        try #require(armed.status == 200, "fault endpoint: \(armed.body)")
        let reads = Mutex(0)
        let written = try await StatusUpdater.update(jobs, job) { status in
            reads.withLock { $0 += 1 }
            if status == nil { status = JobStatus() }
            status?.active = 1
        }
        #expect(written.status?.active == 1)
        #expect(written.metadata.labels?["touched"] == "yes")
        #expect(reads.withLock { $0 } >= 2)
        #expect(try await jobs.get("conflicted").status?.active == 1)
        try await client.shutdown()
    }
}
