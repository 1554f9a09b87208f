import Foundation
import KubeCore
import Testing
@testable import SextantAPI
@testable import SextantControllers

/// An in-memory store under `mem://` that counts its calls.
private final class MemoryStore: DataVersionStore, @unchecked Sendable {
    private let lock = NSLock()
    private var objects: [String: Data]
    private var versions: [String: String]
    private(set) var calls: [String] = []
    var schemes: [String] { ["mem"] }

    init(_ objects: [String: String] = [:], versions: [String: String] = [:]) {
        self.objects = objects.mapValues { Data($0.utf8) }
        self.versions = versions
    }
    func set(_ uri: String, version: String) { lock.withLock { versions[uri] = version } }
    private func record(_ call: String) { lock.withLock { calls.append(call) } }

    func objectVersion(_ uri: String) async throws -> String {
        record("version \(uri)")
        guard let v = lock.withLock({ versions[uri] }) else { throw ControllerError.dataVersion(uri: uri, reason: "does not exist") }
        return v
    }
    func read(_ uri: String) async throws -> Data? {
        record("read \(uri)")
        return lock.withLock { objects[uri] }
    }
    func list(_ prefixURI: String, startAfter: String?) async throws -> [String] {
        record("list \(prefixURI) after \(startAfter ?? "-")")
        let prefix = prefixURI + "/"
        return lock.withLock { objects.keys }.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            .filter { name in startAfter.map { $0 < name } ?? true }.sorted()
    }
}

private func commit(_ v: Int64) -> String { "mem://t/_delta_log/\(DeltaLog.fileName(v)).json" }

@Suite("Data versions: formats and polling (in memory)")
struct DataVersionFormatTests {
    @Test("delta: without _last_checkpoint the highest commit file wins; other files and sub-folders are ignored")
    func deltaWithoutCheckpoint() async throws {
        let store = MemoryStore([commit(0): "{}", commit(1): "{}", commit(2): "{}", "mem://t/_delta_log/00000000000000000002.crc": "",
                                 "mem://t/_delta_log/_commits/00000000000000000009.json": "{}", "mem://t/part-0.parquet": ""])
        #expect(try await DeltaLog.latestVersion(table: "mem://t", store: store) == 2)
        #expect(store.calls.contains("list mem://t/_delta_log after -"))
    }

    @Test("delta: _last_checkpoint's version is the start; listing begins after it and version 0 need not exist")
    func deltaFromCheckpoint() async throws {
        let store = MemoryStore(["mem://t/_delta_log/_last_checkpoint": #"{"version":10,"size":4}"#,
                                 "mem://t/_delta_log/00000000000000000010.checkpoint.parquet": "", commit(10): "{}", commit(11): "{}", commit(12): "{}"])
        #expect(try await DeltaLog.latestVersion(table: "mem://t/", store: store) == 12)
        #expect(store.calls.contains("list mem://t/_delta_log after 00000000000000000010"))
        let onlyCheckpoint = MemoryStore(["mem://t/_delta_log/_last_checkpoint": #"{"version":10}"#,
                                          "mem://t/_delta_log/00000000000000000010.checkpoint.parquet": ""])
        #expect(try await DeltaLog.latestVersion(table: "mem://t", store: onlyCheckpoint) == 10)
    }

    @Test("delta: a location without a log is an error that says so")
    func deltaMissing() async {
        await #expect(throws: ControllerError.self) { try await DeltaLog.latestVersion(table: "mem://t", store: MemoryStore()) }
    }

    @Test("dvc: the md5 of the first output, for a file and for a directory")
    func dvcMD5() throws {
        let file = "outs:\n- md5: 9a0364b9e99bb480dd25e1f0284c8555\n  size: 7\n  hash: md5\n  path: data.csv\n"
        #expect(try DVCFile.md5(file, uri: "x") == "9a0364b9e99bb480dd25e1f0284c8555")
        let dir = "outs:\n- md5: b6923e1e4ad16ea1a7e2b328842d56a2.dir\n  size: 12\n  nfiles: 2\n  path: images\n"
        #expect(try DVCFile.md5(dir, uri: "x") == "b6923e1e4ad16ea1a7e2b328842d56a2.dir")
        #expect(throws: ControllerError.self) { try DVCFile.md5("deps:\n- md5: abc\n", uri: "x") }
    }

    @Test("the reader picks the store by scheme and names unknown schemes and formats")
    func readerDispatch() async throws {
        let store = MemoryStore(versions: ["mem://b/k": "v7"])
        let reader = DataVersionReader([store])
        #expect(try await reader.version(of: "mem://b/k", format: "object") == "v7")
        await #expect(throws: ControllerError.self) { try await reader.version(of: "ftp://b/k", format: "object") }
        await #expect(throws: ControllerError.self) { try await reader.version(of: "mem://b/k", format: "iceberg") }
    }

    @Test("the poller reads a source once per interval, answers from its cache in between and reads a changed source at once")
    func pollerInterval() async throws {
        let store = MemoryStore(versions: ["mem://b/k": "v1", "mem://b/other": "o1"])
        let poller = DataVersionPoller(reader: DataVersionReader([store]), jitter: { 0.5 })
        let t0 = Date(timeIntervalSince1970: 1_795_000_000)
        let first = await poller.poll(key: "p", dataset: "d", uri: "mem://b/k", format: "object", intervalSeconds: 60, now: t0)
        #expect(first.polled && first.observation?.version == "v1" && first.nextPoll == t0.addingTimeInterval(63))
        store.set("mem://b/k", version: "v2")
        for s in [1.0, 30, 62.9] {
            let cached = await poller.poll(key: "p", dataset: "d", uri: "mem://b/k", format: "object", intervalSeconds: 60, now: t0.addingTimeInterval(s))
            #expect(!cached.polled && cached.observation?.version == "v1")
        }
        let due = await poller.poll(key: "p", dataset: "d", uri: "mem://b/k", format: "object", intervalSeconds: 60, now: t0.addingTimeInterval(63))
        #expect(due.polled && due.observation?.version == "v2")
        let moved = await poller.poll(key: "p", dataset: "d", uri: "mem://b/other", format: "object", intervalSeconds: 60, now: t0.addingTimeInterval(64))
        #expect(moved.polled && moved.observation?.version == "o1")
        #expect(store.calls.count == 3)
        #expect(await poller.reads == 3)
    }

    @Test("a failed poll keeps the last good version and reports the error; the next success clears it")
    func pollerError() async throws {
        let store = MemoryStore(versions: ["mem://b/k": "v1"])
        let poller = DataVersionPoller(reader: DataVersionReader([store]), jitter: { 0 })
        let t0 = Date(timeIntervalSince1970: 1_795_000_000)
        _ = await poller.poll(key: "p", dataset: "d", uri: "mem://b/k", format: "object", intervalSeconds: 10, now: t0)
        let failed = await poller.poll(key: "p", dataset: "d", uri: "mem://b/k", format: "dvc", intervalSeconds: 10, now: t0.addingTimeInterval(10))
        #expect(failed.error?.contains(".dvc file does not exist") == true && failed.observation == nil)
        let bad = await poller.poll(key: "p", dataset: "d", uri: "mem://b/gone", format: "object", intervalSeconds: 10, now: t0.addingTimeInterval(20))
        #expect(bad.error?.contains("does not exist") == true)
    }

    @Test("a policy without triggers makes no source calls")
    func noTriggersNoCalls() async throws {
        let store = MemoryStore(versions: ["mem://b/k": "v1"])
        let sources = RetrainTriggerSources(dataVersions: DataVersionPoller(reader: DataVersionReader([store])), metric: nil)
        let template = MLPipelineSpec(datasets: [Dataset(name: "events", uri: "mem://b/k")], steps: [])
        let policy = RetrainPolicy(metadata: ObjectMeta(name: "p", namespace: "ml"),
                                   spec: RetrainPolicySpec(pipeline: PipelineTemplate(spec: template), schedule: "@daily"))
        let observed = await RetrainTriggerObserver.observe(policy, sources: sources, now: Date())
        #expect(observed.nextPolls.isEmpty && observed.data == nil)
        #expect(store.calls.isEmpty)
        var withTrigger = policy
        withTrigger.spec.triggers = RetrainTriggers(dataChange: DataChangeTrigger(dataset: "events", pollIntervalSeconds: 60))
        let polled = await RetrainTriggerObserver.observe(withTrigger, sources: sources, now: Date())
        #expect(polled.data?.version == "v1" && store.calls == ["version mem://b/k"])
    }
}

@Suite("RetrainPolicy trigger status glue")
struct RetrainTriggerStatusTests {
    @Test("TriggerHealthy: False with the failing trigger's reason when either fails, True when all succeed, removed without triggers")
    func health() {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        var c: [Condition] = []
        var observed = ObservedTriggers()
        observed.dataHealth = (ConditionStatus.false, "DataVersionUnavailable", "dataChange: boom")
        observed.metric = MetricTriggerEvaluation(health: (ConditionStatus.true, "Polling", "metric ok"))
        observed.nextPolls = [now]
        RetrainTriggerObserver.setHealth(&c, observed: observed, generation: 1, now: now)
        #expect(c.condition("TriggerHealthy")?.status == "False" && c.condition("TriggerHealthy")?.reason == "DataVersionUnavailable")
        #expect(c.condition("TriggerHealthy")?.message == "dataChange: boom")
        observed.dataHealth = (ConditionStatus.true, "Polling", "data ok")
        RetrainTriggerObserver.setHealth(&c, observed: observed, generation: 1, now: now)
        #expect(c.condition("TriggerHealthy")?.status == "True" && c.condition("TriggerHealthy")?.message == "data ok; metric ok")
        RetrainTriggerObserver.setHealth(&c, observed: ObservedTriggers(), generation: 2, now: now)
        #expect(c.condition("TriggerHealthy") == nil)
    }

    @Test("status.metric carries the planner's handled breach over the evaluator's state; nothing without a metric trigger")
    func metricStatus() {
        let evaluated = RetrainMetricStatus(value: 0.8, observedAt: "2026-11-26T10:00:00Z", breachingSince: "2026-11-26T09:30:00Z")
        #expect(RetrainTriggerObserver.metricStatus(evaluated, handled: "2026-11-26T09:30:00Z", hasTrigger: true)?.handledBreach == "2026-11-26T09:30:00Z")
        #expect(RetrainTriggerObserver.metricStatus(evaluated, handled: nil, hasTrigger: false) == nil)
    }

    @Test("an HTTP dataset URI's query and user info never reach an error message")
    func redaction() async {
        #expect(DataVersionHTTPStore.redacted("https://user:pw@data.example.com/x.csv?sig=SECRET") == "https://data.example.com/x.csv")
        let reader = DataVersionReader([DataVersionFileStore()])
        await #expect { try await reader.version(of: "https://data.example.com/x.csv?sig=SECRET", format: "object") } throws: { error in
            !String(describing: error).contains("SECRET")
        }
    }
}
