import DevCluster
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// KubeRuntime benchmarks: decoding 10k Pods into a `Store` (time and heap bytes per cached
/// object), work-queue throughput with deduplication, and reconciles/s of a no-op reconciler over
/// 10k ConfigMaps against an in-process `sextant dev` API server over HTTPS. Prints; never asserts.
enum RuntimeBenchmarks {
    static func run() async throws {
        #if DEBUG
        print("runtime: debug build (numbers are several times lower than a release build)")
        #endif
        try decodeAndStore()
        await workQueueThroughput()
        try await reconcileThroughput()
    }

    /// Resident set size in bytes (Linux `/proc/self/statm`), for the store's footprint.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func podJSON(_ i: Int) -> String {
        """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"train-\(i)","namespace":"ml","uid":"\(UUID().uuidString.lowercased())",\
        "resourceVersion":"\(1000 + i)","creationTimestamp":"2026-11-27T03:00:00Z","labels":{"app":"train","ml.sextant.dev/pipeline":"p-\(i % 100)"},\
        "ownerReferences":[{"apiVersion":"batch/v1","kind":"Job","name":"job-\(i)","uid":"\(UUID().uuidString.lowercased())","controller":true,"blockOwnerDeletion":true}]},\
        "spec":{"restartPolicy":"Never","containers":[{"name":"main","image":"python:3.12","command":["python","train.py"],\
        "env":[{"name":"EPOCHS","value":"10"},{"name":"DATA","value":"s3://bucket/data"}],"resources":{"limits":{"cpu":"500m","memory":"1Gi"}}}]},\
        "status":{"phase":"Running","podIP":"10.0.0.\(i % 250)","startTime":"2026-11-27T03:00:01Z",\
        "conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-11-27T03:00:02Z"}],\
        "containerStatuses":[{"name":"main","ready":true,"restartCount":0,"image":"python:3.12","state":{"running":{"startedAt":"2026-11-27T03:00:02Z"}}}]}}
        """
    }

    static func decodeAndStore() throws {
        let count = 10_000
        let list = Data(("{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"20000\"},\"items\":["
            + (0..<count).map(podJSON).joined(separator: ",") + "]}").utf8)
        let heapBefore = residentBytes()
        let start = Date()
        let decoded = try JSONDecoder().decode(ResourceList<Pod>.self, from: list)
        let store = Store<Pod>(indexers: ["pipeline": { [$0.metadata.labels?["ml.sextant.dev/pipeline"] ?? ""] }])
        _ = store.replace(decoded.items)
        let seconds = Date().timeIntervalSince(start)
        let heapAfter = residentBytes()
        print("runtime.decode_store_10k_pods_ms \(String(format: "%.0f", seconds * 1000)) (\(store.count) pods, \(list.count / count) JSON bytes each)")
        print("runtime.store_rss_bytes_per_pod \(String(format: "%.0f", Double(heapAfter - heapBefore) / Double(count))) (resident-memory growth while decoding and storing, with namespace/owner/custom indexes)")
        withExtendedLifetime((decoded, store)) {}
    }

    static func workQueueThroughput() async {
        let keys = 10_000, repeats = 10, consumers = 4
        let queue = WorkQueue<ObjectKey>(name: "bench")
        let names = (0..<keys).map { ObjectKey(namespace: "ns", name: "k-\($0)") }
        // Adds: every key 10 times while nothing consumes; duplicates collapse into one queued item.
        var start = Date()
        for r in 0..<repeats {
            for k in 0..<keys { queue.add(names[(k + r * 7) % keys]) }
        }
        let addSeconds = Date().timeIntervalSince(start)
        let depth = queue.depth
        // Gets: 4 workers take and finish every queued item.
        let processed = Locked(0)
        start = Date()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<consumers {
                group.addTask {
                    while let key = await queue.get() {
                        let n = processed.withLock { p -> Int in
                            p += 1
                            return p
                        }
                        queue.done(key)
                        if n == depth { queue.shutDown() }
                    }
                }
            }
        }
        let getSeconds = Date().timeIntervalSince(start)
        let gets = processed.withLock { $0 }
        print("runtime.workqueue_adds_per_second \(String(format: "%.0f", Double(keys * repeats) / addSeconds)) (\(keys * repeats) adds of \(keys) keys → \(depth) queued after dedup)")
        print("runtime.workqueue_gets_per_second \(String(format: "%.0f", Double(gets) / getSeconds)) (get+done of \(gets) items by \(consumers) workers)")
    }

    static func reconcileThroughput() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var devLogger = Logger(label: "bench.dev")
        devLogger.logLevel = .critical
        let server = try await DevClusterServer(configuration: DevClusterConfiguration(port: 0, dataDirectory: dir, historyLimit: 50_000), logger: devLogger)
        let count = 10_000
        let gvr = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
        _ = try await server.store.create(GroupVersionResource(group: "", version: "v1", resource: "namespaces"), namespace: nil, ["metadata": ["name": "bench"]])
        for i in 0..<count {
            _ = try await server.store.create(gvr, namespace: "bench", ["metadata": ["name": .string("cm-\(i)")], "data": ["k": .string("v\(i)")]])
        }
        let (listening, continuation) = AsyncStream.makeStream(of: Int.self)
        let http = try server.makeServices { port in
            continuation.yield(port)
            continuation.finish()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let service = http.first {
                group.addTask { try await service.run() }
            }
            var ports = listening.makeAsyncIterator()
            guard await ports.next() != nil else { return }
            var config = try ClientConfiguration.load(kubeconfig: server.kubeconfigPath.path)
            config.qps = 1_000
            config.burst = 2_000
            var quiet = Logger(label: "bench.runtime")
            quiet.logLevel = .error
            let client = try KubeClient(configuration: config, logger: quiet)
            let reconciled = Locked<(count: Int, first: Date?, last: Date?)>((0, nil, nil))
            let controller = Controller<ConfigMap>("bench", client: client, namespaces: ["bench"], logger: quiet) { _, _ in
                reconciled.withLock { r in
                    let now = Date()
                    r.count += 1
                    if r.first == nil { r.first = now }
                    r.last = now
                }
                return .awaitChange
            }.workers(4)
            let start = Date()
            group.addTask { try await controller.run() }
            while reconciled.withLock({ $0.count }) < count {
                try await Task.sleep(for: .milliseconds(5))
            }
            let (n, first, last) = reconciled.withLock { ($0.count, $0.first ?? start, $0.last ?? start) }
            let total = (last).timeIntervalSince(start)
            let afterSync = max(last.timeIntervalSince(first), 1e-6)
            print("runtime.reconciles_per_second \(String(format: "%.0f", Double(n) / afterSync)) (no-op reconciler, \(n) ConfigMaps, 4 workers, after cache sync)")
            print("runtime.list_sync_and_reconcile_10k_seconds \(String(format: "%.2f", total)) (start → initial list over HTTPS → all reconciled)")
            group.cancelAll()
            try? await client.shutdown()
        }
        await server.shutdown()
    }
}

/// A Mutex-protected value shared by reference between tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T: Sendable>(_ body: (inout sending Value) -> T) -> T { mutex.withLock { body(&$0) } }
}
