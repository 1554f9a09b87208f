import Foundation
import KubeCore
import Testing

@testable import DevCluster

let jobsGVR = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")
let configMapsGVR = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
let namespacesGVR = GroupVersionResource(group: "", version: "v1", resource: "namespaces")

func makeStore(dir: URL? = nil, history: Int = 10_000, gc: Bool = false) async throws -> DevStore {
    let store = try DevStore(options: StoreOptions(dataDirectory: dir, historyLimit: history, garbageCollectorRunning: gc))
    try await store.bootstrap()
    return store
}

func job(_ name: String, labels: [String: String] = [:]) -> JSONValue {
    var meta: JSONValue = ["name": .string(name)]
    if !labels.isEmpty { meta["labels"] = .object(labels.mapValues(JSONValue.string)) }
    return ["apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
            "spec": ["template": ["spec": ["containers": [["name": "main", "image": "busybox"]]]]]]
}

func statusOf(_ body: () async throws -> Void) async -> Status? {
    do {
        try await body()
        return nil
    } catch let status as Status {
        return status
    } catch {
        return Status(message: "\(error)", code: -1)
    }
}

@Suite("Object store")
struct StorageTests {
    @Test("create assigns uid, creationTimestamp, generation 1 and a resourceVersion from one global counter")
    func createAssignsServerFields() async throws {
        let store = try await makeStore()
        let a = try await store.create(jobsGVR, namespace: "default", job("a"))
        let b = try await store.create(configMapsGVR, namespace: "default", ["metadata": ["name": "c"]])
        #expect(a[path: ["metadata", "uid"]]?.stringValue?.count == 36)
        #expect(a[path: ["metadata", "creationTimestamp"]]?.stringValue?.hasSuffix("Z") == true)
        #expect(a[path: ["metadata", "generation"]] == 1)
        #expect(b[path: ["metadata", "generation"]] == nil)
        let rvA = try #require(DevStore.rv(of: a)), rvB = try #require(DevStore.rv(of: b))
        #expect(rvB == rvA + 1)
        #expect(a["kind"] == "Job" && a["apiVersion"] == "batch/v1")
    }

    @Test("generateName appends five random characters")
    func generateName() async throws {
        let store = try await makeStore()
        let o = try await store.create(configMapsGVR, namespace: "default", ["metadata": ["generateName": "run-"]])
        let name = try #require(o[path: ["metadata", "name"]]?.stringValue)
        #expect(name.hasPrefix("run-") && name.count == 9)
        #expect(name.dropFirst(4).allSatisfy { $0.isLowercase || $0.isNumber })
    }

    @Test("duplicate create is 409 AlreadyExists, missing get is 404 NotFound, worded like kube-apiserver")
    func alreadyExistsAndNotFound() async throws {
        let store = try await makeStore()
        _ = try await store.create(jobsGVR, namespace: "default", job("x"))
        let dup = await statusOf { _ = try await store.create(jobsGVR, namespace: "default", job("x")) }
        #expect(dup?.code == 409 && dup?.reason == "AlreadyExists")
        #expect(dup?.message == "jobs.batch \"x\" already exists")
        let missing = await statusOf { _ = try await store.get(jobsGVR, namespace: "default", name: "nope") }
        #expect(missing?.code == 404 && missing?.reason == "NotFound")
        #expect(missing?.message == "jobs.batch \"nope\" not found")
        #expect(missing?.details?.kind == "jobs" && missing?.details?.group == "batch")
    }

    @Test("a stale resourceVersion on update is 409 Conflict with the apiserver's message")
    func optimisticConcurrency() async throws {
        let store = try await makeStore()
        let created = try await store.create(jobsGVR, namespace: "default", job("x"))
        var first = created
        first[path: ["metadata", "labels"]] = ["a": "1"]
        _ = try await store.update(jobsGVR, namespace: "default", first)
        var stale = created
        stale[path: ["metadata", "labels"]] = ["a": "2"]
        let conflict = await statusOf { _ = try await store.update(jobsGVR, namespace: "default", stale) }
        #expect(conflict?.code == 409 && conflict?.reason == "Conflict")
        #expect(conflict?.message == "Operation cannot be fulfilled on jobs.batch \"x\": the object has been modified; please apply your changes to the latest version and try again")
    }

    @Test("a no-op update keeps the resourceVersion and emits no watch event")
    func noOpUpdate() async throws {
        let store = try await makeStore()
        let created = try await store.create(jobsGVR, namespace: "default", job("x"))
        let rv = try #require(DevStore.rv(of: created))
        let events = try await store.watch(jobsGVR, namespace: nil, since: rv)
        let same = try await store.update(jobsGVR, namespace: "default", created)
        #expect(DevStore.rv(of: same) == rv)
        var changed = created
        changed[path: ["metadata", "labels"]] = ["b": "1"]
        _ = try await store.update(jobsGVR, namespace: "default", changed)
        var iterator = events.makeAsyncIterator()
        let next = try await iterator.next()
        #expect(next?.kind == .modified)
        #expect(next?.object[path: ["metadata", "labels", "b"]] == "1")
    }

    @Test("generation bumps on spec changes only; status is ignored on the main resource and spec on /status")
    func generationAndStatusSubresource() async throws {
        let store = try await makeStore()
        let created = try await store.create(jobsGVR, namespace: "default", job("x"))
        var labelled = created
        labelled[path: ["metadata", "labels"]] = ["l": "1"]
        labelled["status"] = ["active": 5]
        let afterLabel = try await store.update(jobsGVR, namespace: "default", labelled)
        #expect(afterLabel[path: ["metadata", "generation"]] == 1)
        #expect(afterLabel[path: ["status", "active"]] == nil)
        var specChange = afterLabel
        specChange[path: ["spec", "parallelism"]] = 3
        let afterSpec = try await store.update(jobsGVR, namespace: "default", specChange)
        #expect(afterSpec[path: ["metadata", "generation"]] == 2)
        var statusWrite = afterSpec
        statusWrite["status"] = ["active": 1]
        statusWrite[path: ["spec", "parallelism"]] = 9
        let afterStatus = try await store.updateStatus(jobsGVR, namespace: "default", statusWrite)
        #expect(afterStatus[path: ["status", "active"]] == 1)
        #expect(afterStatus[path: ["spec", "parallelism"]] == 3)
        #expect(afterStatus[path: ["metadata", "generation"]] == 2)
    }

    @Test("finalizers keep a deleted object with deletionTimestamp until the last one is removed")
    func finalizers() async throws {
        let store = try await makeStore()
        var cm: JSONValue = ["metadata": ["name": "f", "finalizers": ["example.com/keep"]]]
        cm = try await store.create(configMapsGVR, namespace: "default", cm)
        let marked = try await store.delete(configMapsGVR, namespace: "default", name: "f", options: DeleteOptions())
        #expect(marked[path: ["metadata", "deletionTimestamp"]] != nil)
        let still = try await store.get(configMapsGVR, namespace: "default", name: "f")
        var cleared = still
        cleared[path: ["metadata", "finalizers"]] = nil
        _ = try await store.update(configMapsGVR, namespace: "default", cleared)
        let gone = await statusOf { _ = try await store.get(configMapsGVR, namespace: "default", name: "f") }
        #expect(gone?.code == 404)
    }

    @Test("delete preconditions on uid and resourceVersion answer 409 Conflict")
    func deletePreconditions() async throws {
        let store = try await makeStore()
        _ = try await store.create(configMapsGVR, namespace: "default", ["metadata": ["name": "p"]])
        let status = await statusOf {
            try await store.delete(configMapsGVR, namespace: "default", name: "p", options: DeleteOptions(preconditions: .init(uid: "other")))
        }
        #expect(status?.code == 409)
        #expect(status?.message?.contains("Precondition failed: UID in precondition: other") == true)
    }

    @Test("with a garbage collector, foreground and orphan deletes add their finalizers")
    func propagationFinalizers() async throws {
        let store = try await makeStore(gc: true)
        _ = try await store.create(jobsGVR, namespace: "default", job("fg"))
        _ = try await store.create(jobsGVR, namespace: "default", job("or"))
        let fg = try await store.delete(jobsGVR, namespace: "default", name: "fg", options: DeleteOptions(propagationPolicy: "Foreground"))
        let or = try await store.delete(jobsGVR, namespace: "default", name: "or", options: DeleteOptions(propagationPolicy: "Orphan"))
        #expect(fg[path: ["metadata", "finalizers"]] == ["foregroundDeletion"])
        #expect(or[path: ["metadata", "finalizers"]] == ["orphan"])
        #expect(fg[path: ["metadata", "deletionTimestamp"]] != nil)
    }

    @Test("creating in a missing namespace is 404 namespaces not found")
    func missingNamespace() async throws {
        let store = try await makeStore()
        let status = await statusOf { _ = try await store.create(configMapsGVR, namespace: "nowhere", ["metadata": ["name": "a"]]) }
        #expect(status?.code == 404 && status?.message == "namespaces \"nowhere\" not found")
    }

    @Test("deleting a namespace deletes its content and then the namespace")
    func namespaceDeletion() async throws {
        let store = try await makeStore()
        _ = try await store.create(namespacesGVR, namespace: nil, ["metadata": ["name": "tmp"]])
        _ = try await store.create(configMapsGVR, namespace: "tmp", ["metadata": ["name": "a"]])
        _ = try await store.delete(namespacesGVR, namespace: nil, name: "tmp", options: DeleteOptions())
        let list = try await store.list(configMapsGVR, namespace: "tmp", labelSelector: nil)
        #expect(list.items.isEmpty)
        let gone = await statusOf { _ = try await store.get(namespacesGVR, namespace: nil, name: "tmp") }
        #expect(gone?.code == 404)
    }

    @Test("list filters by set-based label selectors")
    func listWithLabelSelector() async throws {
        let store = try await makeStore()
        _ = try await store.create(jobsGVR, namespace: "default", job("a", labels: ["tier": "web"]))
        _ = try await store.create(jobsGVR, namespace: "default", job("b", labels: ["tier": "db"]))
        _ = try await store.create(jobsGVR, namespace: "default", job("c"))
        let web = try await store.list(jobsGVR, namespace: "default", labelSelector: "tier in (web,cache)")
        #expect(web.items.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["a"])
        let notDB = try await store.list(jobsGVR, namespace: nil, labelSelector: "tier!=db")
        #expect(notDB.items.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["a", "c"])
    }

    @Test("a watch from a resourceVersion older than the history window is 410 Expired")
    func watchTooOld() async throws {
        let store = try await makeStore(history: 3)
        for i in 0..<6 { _ = try await store.create(configMapsGVR, namespace: "default", ["metadata": ["name": .string("c\(i)")]]) }
        let status = await statusOf { _ = try await store.watch(configMapsGVR, namespace: nil, since: 1) }
        #expect(status?.code == 410 && status?.reason == "Expired")
        #expect(status?.message?.hasPrefix("too old resource version: 1 (") == true)
    }

    @Test("the durable log replays objects and resumes resourceVersions above every one handed out")
    func durability() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try await makeStore(dir: dir)
        _ = try await store.create(configMapsGVR, namespace: "default", ["metadata": ["name": "keep"], "data": ["k": "v"]])
        let last = try await store.create(configMapsGVR, namespace: "default", ["metadata": ["name": "gone"]])
        _ = try await store.delete(configMapsGVR, namespace: "default", name: "gone", options: DeleteOptions())
        let highest = await store.resourceVersion()
        #expect(highest > DevStore.rv(of: last) ?? 0)
        let reopened = try await makeStore(dir: dir)
        let kept = try await reopened.get(configMapsGVR, namespace: "default", name: "keep")
        #expect(kept[path: ["data", "k"]] == "v")
        let missing = await statusOf { _ = try await reopened.get(configMapsGVR, namespace: "default", name: "gone") }
        #expect(missing?.code == 404)
        let next = try await reopened.create(configMapsGVR, namespace: "default", ["metadata": ["name": "new"]])
        #expect((DevStore.rv(of: next) ?? 0) > highest)
    }
}
