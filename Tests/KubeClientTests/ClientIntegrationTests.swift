import Foundation
import KubeClient
import KubeCore
import Testing
import TestSupport

/// Our client against a real `sextant dev` over HTTPS.
@Suite("KubeClient against sextant dev", .serialized)
struct ClientIntegrationTests {
    static func client(_ cluster: DevClusterProcess, context: String? = nil) throws -> KubeClient {
        try KubeClient(configuration: ClientConfiguration.load(kubeconfig: cluster.kubeconfigPath, context: context))
    }

    @Test("create, get, list with label selector and pages, patch (merge, json, apply), replace, delete")
    func crud() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let client = try Self.client(cluster)
        let api = Api<ConfigMap>(client: client, namespace: "default")
        for i in 0..<7 {
            _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "cm-\(i)", labels: ["group": i % 2 == 0 ? "even" : "odd"]), data: ["i": "\(i)"]))
        }
        let got = try await api.get("cm-3")
        #expect(got.data?["i"] == "3")
        #expect(got.metadata.uid != nil)
        let even = try await api.listAll(ListOptions(labelSelector: "group=even"), pageSize: 2)
        #expect(Set(even.items.map(\.name)) == ["cm-0", "cm-2", "cm-4", "cm-6"])
        let page = try await api.list(ListOptions(limit: 3))
        #expect(page.items.count == 3)
        #expect(page.metadata.continue?.isEmpty == false)

        let merged = try await api.patch("cm-1", .merge(["data": ["extra": "yes"]]))
        #expect(merged.data?["extra"] == "yes")
        let jsonPatched = try await api.patch("cm-1", .json([["op": "replace", "path": "/data/i", "value": "one"]]))
        #expect(jsonPatched.data?["i"] == "one")
        let applied = try await api.patch("cm-applied", .apply(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cm-applied"], "data": ["a": "1"]]),
                                          params: .apply("sextant-test"))
        #expect(applied.data?["a"] == "1")

        var stale = got
        stale.data = ["i": "changed"]
        _ = try await api.replace(stale)
        stale.data = ["i": "again"]
        do {
            _ = try await api.replace(stale)
            Issue.record("a stale replace must fail")
        } catch let error as KubeClientError {
            #expect(error.isConflict)
        }
        do {
            _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "cm-0")))
            Issue.record("a duplicate create must fail")
        } catch let error as KubeClientError {
            #expect(error.isAlreadyExists)
        }
        try await api.delete("cm-0", options: DeleteOptions(propagationPolicy: PropagationPolicy.background))
        #expect(try await api.getOptional("cm-0") == nil)
        do {
            _ = try await api.get("cm-0")
            Issue.record("get of a deleted object must fail")
        } catch let error as KubeClientError {
            #expect(error.isNotFound)
            #expect(error.status?.reason == "NotFound")
        }
        try await client.shutdown()
    }

    @Test("a watch from a resourceVersion streams ADDED, MODIFIED and DELETED in order")
    func watchStream() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let client = try Self.client(cluster)
        let api = Api<ConfigMap>(client: client, namespace: "default")
        let start = try await api.list()
        let rv = try #require(start.metadata.resourceVersion)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Task.sleep(for: .milliseconds(200))
                _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "w"), data: ["v": "1"]))
                _ = try await api.patch("w", .merge(["data": ["v": "2"]]))
                try await api.delete("w")
            }
            var seen: [String] = []
            for try await event in try await api.watch(WatchOptions(resourceVersion: rv, timeoutSeconds: 20)) {
                switch event {
                case .added(let o): seen.append("ADDED \(o.data?["v"] ?? "")")
                case .modified(let o): seen.append("MODIFIED \(o.data?["v"] ?? "")")
                case .deleted: seen.append("DELETED")
                case .bookmark, .error: break
                }
                if seen.count == 3 { break }
            }
            #expect(seen == ["ADDED 1", "MODIFIED 2", "DELETED"])
            try await group.waitForAll()
        }
        try await client.shutdown()
    }

    @Test("against sextant dev, a watch keeps the cached spec for a status write (same generation) and decodes a spec change (new generation)")
    func watchKeepsCachedSpec() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let client = try Self.client(cluster)
        try await Widget.install(client)
        let widgets = Api<Widget>(client: client, namespace: "default")
        let created = try await widgets.create(Widget(metadata: ObjectMeta(name: "w"), spec: ["size": 1]))
        var status = created
        status.status = ["phase": "Ready"]
        let afterStatus = try await widgets.replaceStatus(status)
        _ = try await widgets.patch("w", .merge(["spec": ["size": 2]]))
        // The cache holds the created widget with a spec the server never had: events that keep it
        // were not decoded from the stream.
        var held = created
        held.spec = ["size": "cached"]
        let cache = held
        let reuse = WatchReuse<Widget>(keepingSpecOf: { key in key == cache.objectKey ? cache : nil })
        let rv = try #require(created.metadata.resourceVersion)
        var seen: [Widget] = []
        for try await event in try await widgets.watch(WatchOptions(resourceVersion: rv, timeoutSeconds: 20), reuse: reuse) {
            if case .modified(let o) = event { seen.append(o) }
            if seen.count == 2 { break }
        }
        #expect(afterStatus.metadata.generation == 1)
        #expect(seen.map(\.metadata.generation) == [1, 2])
        #expect(seen.map { $0.spec?["size"] } == ["cached", 2])
        #expect(seen.map { $0.status?["phase"] } == ["Ready", "Ready"])
        try await client.shutdown()
    }

    @Test("the status subresource: replaceStatus writes status only; patchStatus merges")
    func statusSubresource() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let client = try Self.client(cluster)
        // A kind no controller of `sextant dev` touches (its Job controller writes Job status itself).
        try await Widget.install(client)
        let widgets = Api<Widget>(client: client, namespace: "default")
        let widget = try await widgets.create(Widget(metadata: ObjectMeta(name: "w"), spec: ["size": 1]))
        var withStatus = widget
        withStatus.status = ["phase": "Ready", "count": 1]
        withStatus.spec = ["size": 42]
        let written = try await widgets.replaceStatus(withStatus)
        #expect(written.status?["phase"] == "Ready")
        #expect(written.spec?["size"] == 1, "a status write must not change the spec")
        let patched = try await widgets.patchStatus("w", .merge(["status": ["count": 2]]))
        #expect(patched.status?["count"] == 2)
        #expect(patched.status?["phase"] == "Ready")
        let spec = try await widgets.get("w").spec
        #expect(spec?["size"] == 1)
        try await client.shutdown()
    }

    @Test("a status write of a stored copy answers the stored object with the server's new metadata; without a resourceVersion the answer is decoded")
    func statusWriteOfStoredCopy() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let client = try Self.client(cluster)
        try await Widget.install(client)
        let widgets = Api<Widget>(client: client, namespace: "default")
        let created = try await widgets.create(Widget(metadata: ObjectMeta(name: "w"), spec: ["size": 1]))
        var desired = created
        desired.status = ["phase": "Ready", "steps": [["name": "a", "phase": "Succeeded"]]]
        let written = try await widgets.replaceStatus(ofStoredCopy: desired)
        var stored = try await widgets.get("w")
        stored.metadata.managedFields = nil
        #expect(written.metadata == stored.metadata, "the server's new resourceVersion and generation")
        #expect(written.metadata.resourceVersion != created.metadata.resourceVersion)
        #expect(written.status == stored.status)
        #expect(written.spec == stored.spec)
        // A second write from the answer (its resourceVersion is the precondition) succeeds.
        var again = written
        again.status = ["phase": "Done"]
        let second = try await widgets.replaceStatus(ofStoredCopy: again)
        #expect(try await widgets.get("w").metadata.resourceVersion == second.metadata.resourceVersion)
        // No resourceVersion: no precondition, the spec sent may differ from the stored one, so the answer is decoded.
        var unconditional = second
        unconditional.metadata.resourceVersion = nil
        unconditional.spec = ["size": 42]
        unconditional.status = ["phase": "Again"]
        let answer = try await widgets.replaceStatus(ofStoredCopy: unconditional)
        #expect(answer.spec?["size"] == 1)
        #expect(answer.status?["phase"] == "Again")
        #expect(answer.metadata.resourceVersion != nil)
        try await client.shutdown()
    }

    @Test("retries idempotent reads through injected 500/429/503 answers")
    func retriesReads() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        var config = try ClientConfiguration.load(kubeconfig: cluster.kubeconfigPath)
        config.maxRetries = 10
        let client = try KubeClient(configuration: config)
        let api = Api<ConfigMap>(client: client, namespace: "default")
        _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "r"), data: ["k": "v"]))
        let set = try await cluster.request("POST", "/admin/faults", body: #"{"errorRate": 0.5, "retryAfterSeconds": 0}"#)
        #expect(set.status == 200)
        for _ in 0..<10 {
            let cm = try await api.get("r")
            #expect(cm.data?["k"] == "v")
        }
        _ = try await cluster.request("DELETE", "/admin/faults")
        try await client.shutdown()
    }

    @Test("a Status body becomes KubeClientError.api with reason and causes")
    func invalidErrors() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let client = try Self.client(cluster)
        let api = Api<ConfigMap>(client: client, namespace: "default")
        do {
            _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "Not_A_Valid_Name")))
            Issue.record("invalid name must be rejected")
        } catch let error as KubeClientError {
            #expect(error.isInvalid)
            #expect(error.code == 422)
        }
        try await client.shutdown()
    }
}

/// A namespaced custom resource with a status subresource (`widgets.test.sextant.dev`), for tests
/// that need objects no controller writes.
struct Widget: StatusChangesKeepGeneration {
    static let group = "test.sextant.dev"
    static let version = "v1"
    static let kind = "Widget"
    static let plural = "widgets"
    static let namespaced = true

    var apiVersion: String? = "test.sextant.dev/v1"
    var kind: String? = "Widget"
    var metadata: ObjectMeta
    var spec: JSONValue?
    var status: JSONValue?

    init(metadata: ObjectMeta, spec: JSONValue? = nil) {
        self.metadata = metadata
        self.spec = spec
    }

    /// Creates the CRD and waits until it is Established.
    static func install(_ client: KubeClient) async throws {
        let crds = Api<CustomResourceDefinition>(client: client)
        let schema: JSONValue = ["openAPIV3Schema": ["type": "object", "properties": [
            "spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
            "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
        ]]]
        _ = try await crds.create(CustomResourceDefinition(
            metadata: ObjectMeta(name: "widgets.test.sextant.dev"),
            spec: CRDSpec(group: group, names: CRDNames(plural: plural, kind: kind), scope: "Namespaced",
                          versions: [CRDVersion(name: version, schema: schema, subresources: ["status": [:]])])))
        for _ in 0..<100 {
            if try await crds.get("widgets.test.sextant.dev").isEstablished { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("CRD widgets.test.sextant.dev not Established")
    }
}
