import Foundation
import KubeCore
import KubeRuntime
import Testing

@Suite("Store")
struct StoreTests {
    func pod(_ ns: String, _ name: String, owner: String? = nil, rv: String = "1", label: String? = nil) -> Pod {
        var meta = ObjectMeta(name: name, namespace: ns, labels: label.map { ["app": $0] })
        meta.resourceVersion = rv
        if let owner { meta.ownerReferences = [OwnerReference(apiVersion: "batch/v1", kind: "Job", name: owner, uid: "uid-\(owner)", controller: true)] }
        return Pod(metadata: meta)
    }

    @Test("indexes by namespace, owner uid and custom functions, and keeps them current")
    func indexes() {
        let store = Store<Pod>(indexers: ["app": { p in p.metadata.labels?["app"].map { [$0] } ?? [] }])
        store.apply(pod("a", "p1", owner: "j1", label: "web"))
        store.apply(pod("a", "p2", owner: "j1"))
        store.apply(pod("b", "p3", owner: "j2", label: "web"))
        #expect(store.list(namespace: "a").count == 2)
        #expect(Set(store.owned(by: "uid-j1").map(\.name)) == ["p1", "p2"])
        #expect(store.byIndex("app", "web").count == 2)
        store.apply(pod("a", "p1", owner: "j2", rv: "2", label: "db"))
        #expect(store.owned(by: "uid-j1").map(\.name) == ["p2"])
        #expect(store.byIndex("app", "web").map(\.name) == ["p3"])
        store.delete(pod("b", "p3"))
        #expect(store.byIndex("app", "web").isEmpty)
        #expect(store.count == 2)
    }

    @Test("replace reports objects deleted while not watching, scoped to a namespace when given")
    func replaceDiff() {
        let store = Store<Pod>()
        #expect(!store.hasSynced)
        store.replace([pod("a", "p1"), pod("b", "p2")])
        #expect(store.hasSynced)
        let removed = store.replace([pod("a", "p3")], namespace: "a")
        #expect(removed.map(\.name) == ["p1"])
        #expect(Set(store.list().map(\.name)) == ["p2", "p3"])
    }

    @Test("the reflector's transform drops managedFields from listed, applied and deleted objects and keeps the rest")
    func stripsManagedFields() {
        var p = pod("a", "p1", owner: "j1", rv: "5", label: "web")
        p.metadata.managedFields = [["manager": "kubectl", "fieldsV1": ["f:metadata": ["f:labels": [:]]]]]
        guard case .applied(let applied) = WatcherEvent<Pod>.applied(p).strippingManagedFields(),
              case .restarted(let listed) = WatcherEvent<Pod>.restarted([p, p]).strippingManagedFields(),
              case .deleted(let deleted) = WatcherEvent<Pod>.deleted(p).strippingManagedFields() else {
            Issue.record("the transform changed the event kind")
            return
        }
        for o in [applied, deleted] + listed {
            #expect(o.metadata.managedFields == nil)
            #expect(o.metadata.labels == ["app": "web"])
            #expect(o.metadata.resourceVersion == "5")
            #expect(o.metadata.ownerReferences?.first?.uid == "uid-j1")
        }
        #expect(listed.count == 2)
    }

    @Test("a written-through copy replaces the older cached one; older watch versions are ignored until the watch delivers the write, reported once")
    func writeThrough() {
        let store = Store<Pod>()
        #expect(store.applyWatched(pod("a", "p1", owner: "j1", rv: "5")).isAdded)
        #expect(store.applyWritten(pod("a", "p1", owner: "j2", rv: "9")))
        #expect(store.get(namespace: "a", name: "p1")?.metadata.resourceVersion == "9")
        #expect(store.owned(by: "uid-j2").map(\.name) == ["p1"])
        #expect(store.owned(by: "uid-j1").isEmpty)
        // The watch still delivers versions from before the write: the cache keeps the written copy.
        #expect(store.applyWatched(pod("a", "p1", owner: "j1", rv: "7")).isStale)
        #expect(store.get(namespace: "a", name: "p1")?.metadata.resourceVersion == "9")
        // The watch's copy of the write is reported (as without write-through), then only newer ones.
        #expect(store.applyWatched(pod("a", "p1", owner: "j2", rv: "9")).updatedFrom == "9")
        #expect(store.applyWatched(pod("a", "p1", owner: "j2", rv: "9")).isUnchanged)
        #expect(store.applyWatched(pod("a", "p1", owner: "j2", rv: "10")).updatedFrom == "9")
    }

    @Test("write-through never inserts an uncached object, never replaces a newer one and leaves opaque resourceVersions to the watch")
    func writeThroughGuards() {
        let store = Store<Pod>()
        #expect(!store.applyWritten(pod("a", "gone", rv: "3")))
        #expect(store.get(namespace: "a", name: "gone") == nil)
        store.apply(pod("a", "p1", rv: "12"))
        #expect(!store.applyWritten(pod("a", "p1", rv: "11")))
        #expect(store.get(namespace: "a", name: "p1")?.metadata.resourceVersion == "12")
        store.apply(pod("a", "p2", rv: "abc"))
        #expect(!store.applyWritten(pod("a", "p2", rv: "abd")))
        #expect(store.applyWatched(pod("a", "p2", rv: "abb")).updatedFrom == "abc")
        // A newer watch version clears the mark; a relist clears all marks.
        #expect(store.applyWritten(pod("a", "p1", rv: "20")))
        #expect(store.applyWatched(pod("a", "p1", rv: "21")).updatedFrom == "20")
        #expect(store.applyWatched(pod("a", "p1", rv: "20")).updatedFrom == "21")
        #expect(store.applyWritten(pod("a", "p1", rv: "30")))
        store.replace([pod("a", "p1", rv: "25")])
        #expect(store.applyWatched(pod("a", "p1", rv: "26")).updatedFrom == "25")
    }
}

extension Store.WatchedApply {
    var isAdded: Bool { if case .added = self { return true } else { return false } }
    var isStale: Bool { if case .stale = self { return true } else { return false } }
    var isUnchanged: Bool { if case .unchanged = self { return true } else { return false } }
    /// The resourceVersion of the replaced copy, for `.updated`.
    var updatedFrom: String? { if case .updated(let old) = self { return old.metadata.resourceVersion } else { return nil } }
}
