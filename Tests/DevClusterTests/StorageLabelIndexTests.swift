import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("Object store label index")
struct StorageLabelIndexTests {
    private func names(_ list: StoreList) -> [String] {
        list.items.compactMap { $0[path: ["metadata", "name"]]?.stringValue }
    }

    @Test("a list with an equality selector follows label changes, deletes and namespaces")
    func equalitySelectorFollowsWrites() async throws {
        let store = try await makeStore()
        _ = try await store.create(namespacesGVR, namespace: nil, ["metadata": ["name": "other"]])
        _ = try await store.create(jobsGVR, namespace: "default", job("a", labels: ["owner": "x", "tier": "web"]))
        _ = try await store.create(jobsGVR, namespace: "default", job("b", labels: ["owner": "x", "tier": "db"]))
        _ = try await store.create(jobsGVR, namespace: "default", job("c", labels: ["owner": "y"]))
        _ = try await store.create(jobsGVR, namespace: "other", job("d", labels: ["owner": "x"]))
        #expect(names(try await store.list(jobsGVR, namespace: "default", labelSelector: "owner=x")) == ["a", "b"])
        #expect(names(try await store.list(jobsGVR, namespace: nil, labelSelector: "owner==x")) == ["a", "b", "d"])
        // The whole selector still applies to the indexed candidates.
        #expect(names(try await store.list(jobsGVR, namespace: "default", labelSelector: "owner=x,tier!=db")) == ["a"])
        #expect(names(try await store.list(jobsGVR, namespace: "default", labelSelector: "owner in (x),tier=web")) == ["a"])

        var b = try await store.get(jobsGVR, namespace: "default", name: "b")
        b[path: ["metadata", "labels", "owner"]] = "y"
        _ = try await store.update(jobsGVR, namespace: "default", b)
        _ = try await store.delete(jobsGVR, namespace: "default", name: "a", options: DeleteOptions())
        #expect(names(try await store.list(jobsGVR, namespace: "default", labelSelector: "owner=x")) == [])
        #expect(names(try await store.list(jobsGVR, namespace: "default", labelSelector: "owner=y")) == ["b", "c"])
        #expect(names(try await store.list(jobsGVR, namespace: "default", labelSelector: "owner=none")) == [])
    }

    @Test("the index is rebuilt from the durable log after a restart")
    func indexRebuiltOnReplay() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("label-index-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try await makeStore(dir: dir)
        _ = try await first.create(jobsGVR, namespace: "default", job("a", labels: ["owner": "x"]))
        _ = try await first.create(jobsGVR, namespace: "default", job("b", labels: ["owner": "y"]))
        await first.shutdown()
        let second = try await makeStore(dir: dir)
        #expect(names(try await second.list(jobsGVR, namespace: "default", labelSelector: "owner=x")) == ["a"])
    }

    @Test("candidates are the smallest equality set; a selector without one scans")
    func candidateChoice() {
        var index = LabelIndex()
        let labelled: (String, [String: String]) -> JSONValue = { name, labels in
            ["metadata": ["name": .string(name), "labels": .object(labels.mapValues(JSONValue.string))]]
        }
        index.update(storageKey: "pods", key: "ns/p1", old: nil, new: labelled("p1", ["app": "web", "uid": "1"]))
        index.update(storageKey: "pods", key: "ns/p2", old: nil, new: labelled("p2", ["app": "web", "uid": "2"]))
        let selector = try? ParsedLabelSelector.parse("app=web,uid=2")
        #expect(selector.flatMap { index.candidates(storageKey: "pods", selector: $0) } == ["ns/p2"])
        let setBased = try? ParsedLabelSelector.parse("app in (web,db),uid")
        #expect(setBased.map { index.candidates(storageKey: "pods", selector: $0) == nil } == true)
        index.update(storageKey: "pods", key: "ns/p2", old: labelled("p2", ["app": "web", "uid": "2"]), new: nil)
        #expect(selector.flatMap { index.candidates(storageKey: "pods", selector: $0) } == [])
    }
}
