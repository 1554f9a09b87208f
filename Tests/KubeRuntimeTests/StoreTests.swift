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
}
