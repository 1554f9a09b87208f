import Foundation
import KubeCore
import Logging
import Synchronization
import Testing
@testable import DevCluster

/// A log file in memory: `written` is what reached the page cache, `durable` what an fsync made
/// durable. `crashAtSync` makes that fsync (1-based) fail, as if the process died before it ended:
/// after the "crash" only `durable` survives.
final class SimulatedLogFile: LogFile, Sendable {
    struct State {
        var written = Data()
        var durable = Data()
        var syncs = 0
        var crashAtSync: Int?
    }
    let state: Mutex<State>
    let syncDelay: Duration

    init(crashAtSync: Int? = nil, syncDelay: Duration = .milliseconds(2)) {
        state = Mutex(State(crashAtSync: crashAtSync))
        self.syncDelay = syncDelay
    }

    func write(_ data: Data) throws { state.withLock { $0.written.append(data) } }

    func sync() throws {
        Thread.sleep(forTimeInterval: Double(syncDelay.components.attoseconds) / 1e18 + Double(syncDelay.components.seconds))
        try state.withLock { s in
            s.syncs += 1
            if s.syncs == s.crashAtSync { throw DevClusterError.storage("simulated crash before fsync completed") }
            s.durable = s.written
        }
    }

    func close() {}
    /// The `n`th fsync from now fails (a crash before it completes).
    func crash(atSyncFromNow n: Int) { state.withLock { $0.crashAtSync = $0.syncs + n } }
    var durable: Data { state.withLock { $0.durable } }
    var syncs: Int { state.withLock { $0.syncs } }
}

@Suite("Group-commit log")
struct GroupCommitLogTests {
    static let configmaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")

    static func store(_ file: SimulatedLogFile) async throws -> DevStore {
        var logger = Logger(label: "group-commit-test")
        logger.logLevel = .warning
        let log = DurableLog(file: file, path: URL(fileURLWithPath: "/simulated/objects.jsonl"))
        let store = DevStore(log: log, objects: [:], resourceVersion: 0, options: StoreOptions(), logger: logger)
        try await store.bootstrap()
        return store
    }

    /// Creates `count` ConfigMaps concurrently; returns the names each acknowledged or failed.
    static func burst(_ store: DevStore, count: Int) async -> (acked: Set<String>, failed: Set<String>) {
        await withTaskGroup(of: (String, Bool).self) { group in
            for i in 0..<count {
                group.addTask {
                    let name = "cm-\(i)"
                    do {
                        _ = try await store.create(Self.configmaps, namespace: "default", ["metadata": ["name": .string(name)], "data": ["i": .string("\(i)")]])
                        return (name, true)
                    } catch {
                        return (name, false)
                    }
                }
            }
            var acked = Set<String>(), failed = Set<String>()
            for await (name, ok) in group { if ok { acked.insert(name) } else { failed.insert(name) } }
            return (acked, failed)
        }
    }

    static func names(afterCrash file: SimulatedLogFile) -> Set<String> {
        let (objects, _) = DurableLog.replay(file.durable)
        return Set((objects["configmaps"] ?? [:]).keys.map { String($0.dropFirst("default/".count)) })
    }

    @Test("concurrent writes share fsyncs and each is acknowledged only once durable")
    func writesShareFsync() async throws {
        let file = SimulatedLogFile()
        let store = try await Self.store(file)
        let syncsBefore = file.syncs
        let (acked, failed) = await Self.burst(store, count: 200)
        #expect(acked.count == 200 && failed.isEmpty)
        #expect(file.syncs - syncsBefore < 100, "200 concurrent writes took \(file.syncs - syncsBefore) fsyncs")
        #expect(Self.names(afterCrash: file) == acked)
    }

    @Test("a crash between write and fsync loses nothing acknowledged and reports nothing unacknowledged as stored")
    func crashBetweenWriteAndFsync() async throws {
        for crashAt in [2, 3, 5] {
            let file = SimulatedLogFile()
            let store = try await Self.store(file)
            file.crash(atSyncFromNow: crashAt)
            let (acked, failed) = await Self.burst(store, count: 150)
            let survived = Self.names(afterCrash: file)
            #expect(!failed.isEmpty, "the simulated crash at fsync \(crashAt) failed no write")
            #expect(acked.isSubset(of: survived), "acknowledged but lost: \(acked.subtracting(survived).sorted())")
            #expect(survived.isDisjoint(with: failed), "reported as failed but stored: \(survived.intersection(failed).sorted())")
            // After the failure nothing more is acknowledged.
            await #expect(throws: (any Error).self) {
                _ = try await store.create(Self.configmaps, namespace: "default", ["metadata": ["name": "late"]])
            }
        }
    }

    @Test("a real data directory replays every acknowledged write after reopening")
    func reopenReplays() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("group-commit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try DevStore(options: StoreOptions(dataDirectory: dir))
        try await store.bootstrap()
        let (acked, _) = await Self.burst(store, count: 100)
        #expect(acked.count == 100)
        await store.shutdown()
        let reopened = try DevStore(options: StoreOptions(dataDirectory: dir))
        let list = try await reopened.list(Self.configmaps, namespace: "default", labelSelector: nil)
        #expect(Set(list.items.compactMap { $0[path: ["metadata", "name"]]?.stringValue }) == acked)
        await reopened.shutdown()
    }
}
