import DevCluster
import Foundation
import KubeCore

/// API server store benchmarks: durable creates/s one at a time and from 16/64 concurrent writers
/// (group commit), listing ~10k objects, and watch fan-out to 100 watchers. Prints the numbers;
/// never asserts them.
enum APIServerBenchmarks {
    static func run() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("apiserver-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try DevStore(options: StoreOptions(dataDirectory: dir, historyLimit: 50_000))
        try await store.bootstrap()
        let gvr = GroupVersionResource(group: "", version: "v1", resource: "configmaps")

        let creates = 1_000
        var start = Date()
        for i in 0..<creates {
            _ = try await store.create(gvr, namespace: "default", ["metadata": ["name": .string("cm-\(i)")], "data": ["k": "v"]])
        }
        let createSeconds = Date().timeIntervalSince(start)
        print("apiserver.creates_per_second \(String(format: "%.0f", Double(creates) / createSeconds)) (\(creates) durable creates, one at a time: one fsync each)")

        // Group commit: concurrent writers share fsyncs (each create still returns only once durable).
        for writers in [16, 64] {
            let perWriter = 4_500 / writers
            start = Date()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<writers {
                    group.addTask {
                        for i in 0..<perWriter {
                            _ = try await store.create(gvr, namespace: "default", ["metadata": ["name": .string("c\(writers)-\(w)-\(i)")], "data": ["k": "v"]])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let seconds = Date().timeIntervalSince(start)
            print("apiserver.concurrent_creates_per_second \(String(format: "%.0f", Double(writers * perWriter) / seconds)) (\(writers) writers x \(perWriter) durable creates, group commit)")
        }

        start = Date()
        let list = try await store.list(gvr, namespace: "default", labelSelector: nil)
        print("apiserver.list_10k_ms \(String(format: "%.1f", Date().timeIntervalSince(start) * 1000)) (\(list.items.count) items)")

        let watchers = 100, events = 200
        let since = await store.resourceVersion()
        var streams: [AsyncThrowingStream<StoreEvent, Error>] = []
        for _ in 0..<watchers { streams.append(try await store.watch(gvr, namespace: "default", since: since)) }
        start = Date()
        let delivered = try await withThrowingTaskGroup(of: (Int, Double).self) { group in
            for stream in streams {
                group.addTask {
                    var count = 0
                    var lagTotal = 0.0
                    for try await event in stream {
                        if let sent = event.object[path: ["data", "sentAt"]]?.doubleValue {
                            lagTotal += Date().timeIntervalSince1970 - sent
                        }
                        count += 1
                        if count == events { break }
                    }
                    return (count, lagTotal)
                }
            }
            for i in 0..<events {
                let sentAt = JSONValue.double(Date().timeIntervalSince1970)
                _ = try await store.create(gvr, namespace: "default", ["metadata": ["name": .string("w-\(i)")], "data": ["sentAt": sentAt]])
            }
            var total = 0
            var lag = 0.0
            for try await (count, lagTotal) in group {
                total += count
                lag += lagTotal
            }
            return (total, lag)
        }
        let seconds = Date().timeIntervalSince(start)
        print("apiserver.watch_fanout_events_per_second \(String(format: "%.0f", Double(delivered.0) / seconds)) (\(watchers) watchers x \(events) events)")
        print("apiserver.watch_fanout_mean_lag_ms \(String(format: "%.2f", delivered.1 / Double(max(delivered.0, 1)) * 1000))")
        await store.shutdown()
    }
}
