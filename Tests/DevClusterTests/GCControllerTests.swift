import Foundation
import KubeCore
import Testing
@testable import DevCluster

@Suite("Garbage collector, namespaces, Deployments and Services against an in-memory store")
struct GCControllerTests {
    static let configmaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")

    func ownedConfigMap(_ name: String, owner: JSONValue, block: Bool = true) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "ownerReferences": [[
            "apiVersion": "batch/v1", "kind": "Job", "name": .string(owner.name ?? ""), "uid": .string(owner.uid ?? ""),
            "blockOwnerDeletion": .bool(block),
        ]]]]
    }

    func suspendedJob(_ name: String) -> JSONValue {
        jobObject(name, spec: ["suspend": true])
    }

    @Test("background: dependents of a deleted owner are deleted")
    func background() async throws {
        try await withWorkloadControllers(.simulate) { store, _ in
            let owner = try await store.create(WorkloadResource.jobs, namespace: "default", suspendedJob("owner"))
            _ = try await store.create(Self.configmaps, namespace: "default", ownedConfigMap("dep", owner: owner))
            try await store.delete(WorkloadResource.jobs, namespace: "default", name: "owner", options: DeleteOptions(propagationPolicy: "Background"))
            try await eventually("dependent deleted") { await store.all(Self.configmaps).isEmpty }
        }
    }

    @Test("foreground: blocking dependents go first, then the owner's foregroundDeletion finalizer is removed")
    func foreground() async throws {
        try await withWorkloadControllers(.simulate) { store, _ in
            let owner = try await store.create(WorkloadResource.jobs, namespace: "default", suspendedJob("owner"))
            var dependent = ownedConfigMap("dep", owner: owner)
            dependent[path: ["metadata", "finalizers"]] = ["test/hold"]
            _ = try await store.create(Self.configmaps, namespace: "default", dependent)
            try await store.delete(WorkloadResource.jobs, namespace: "default", name: "owner", options: DeleteOptions(propagationPolicy: "Foreground"))
            try await eventually("dependent marked for deletion") {
                (try? await store.get(Self.configmaps, namespace: "default", name: "dep"))?.isDeleting == true
            }
            // The owner waits for its blocking dependent.
            let waiting = try await store.job("owner")
            #expect(waiting.finalizers.contains("foregroundDeletion"))
            var held = try await store.get(Self.configmaps, namespace: "default", name: "dep")
            held[path: ["metadata", "finalizers"]] = nil
            _ = try await store.update(Self.configmaps, namespace: "default", held)
            try await eventually("owner gone") { (try? await store.job("owner")) == nil }
        }
    }

    @Test("orphan: dependents lose the owner reference and stay; the owner goes")
    func orphan() async throws {
        try await withWorkloadControllers(.simulate) { store, _ in
            let owner = try await store.create(WorkloadResource.jobs, namespace: "default", suspendedJob("owner"))
            _ = try await store.create(Self.configmaps, namespace: "default", ownedConfigMap("dep", owner: owner))
            try await store.delete(WorkloadResource.jobs, namespace: "default", name: "owner", options: DeleteOptions(propagationPolicy: "Orphan"))
            try await eventually("owner gone") { (try? await store.job("owner")) == nil }
            let dep = try await store.get(Self.configmaps, namespace: "default", name: "dep")
            #expect(dep.ownerReferences.isEmpty)
        }
    }

    @Test("deleting a Job deletes its pods through their owner reference")
    func jobPodsCollected() async throws {
        try await withWorkloadControllers(.simulate) { store, _ in
            let job = try await store.create(WorkloadResource.jobs, namespace: "default", jobObject("j", annotations: ["dev.sextant.dev/simulate": #"{"seconds":30}"#]))
            try await eventually("pod created") { await !store.pods(ofJob: job).isEmpty }
            try await store.delete(WorkloadResource.jobs, namespace: "default", name: "j", options: DeleteOptions(propagationPolicy: "Background"))
            try await eventually("pods deleted") { await store.all(WorkloadResource.pods).isEmpty }
        }
    }

    @Test("deleting a namespace deletes its objects, then the namespace")
    func namespaceDeletion() async throws {
        try await withWorkloadControllers(.simulate) { store, _ in
            _ = try await store.create(WorkloadResource.namespaces, namespace: nil, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "scratch"]])
            _ = try await store.create(Self.configmaps, namespace: "scratch", ["metadata": ["name": "a"]])
            _ = try await store.create(Self.configmaps, namespace: "default", ["metadata": ["name": "keep"]])
            try await store.delete(WorkloadResource.namespaces, namespace: nil, name: "scratch", options: DeleteOptions())
            try await eventually("namespace gone") { (try? await store.get(WorkloadResource.namespaces, namespace: nil, name: "scratch")) == nil }
            #expect(await store.all(Self.configmaps).map(\.name) == ["keep"])
        }
    }

    @Test("a local-executor Deployment gets PORT, becomes Available when it listens, and its Service gets a host listener")
    func localDeploymentAndService() async throws {
        try await withWorkloadControllers(.local) { store, _ in
            let server = "exec python3 -m http.server \"$PORT\" --bind 127.0.0.1"
            let deployment: JSONValue = [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
                "spec": ["replicas": 1, "selector": ["matchLabels": ["app": "web"]],
                         "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "web", "image": "x", "command": ["sh", "-c", .string(server)]]]]]],
            ]
            _ = try await store.create(WorkloadResource.deployments, namespace: "default", deployment)
            _ = try await store.create(WorkloadResource.services, namespace: "default", ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"],
                "spec": ["selector": ["app": "web"], "ports": [["port": 80]]]])
            try await eventually("Deployment Available", seconds: 40) {
                let d = try await store.get(WorkloadResource.deployments, namespace: "default", name: "web")
                return d.hasTrueCondition("Available") && d[path: ["status", "availableReplicas"]] == 1
            }
            let pod = try #require(await store.all(WorkloadResource.pods).first)
            let port = try #require(pod.annotations["dev.sextant.dev/host-port"].flatMap(Int.init))
            #expect(HostNetwork.accepts(port: port))
            #expect(pod.labels["pod-template-hash"] != nil)
            #expect(pod[path: ["status", "podIP"]] == "127.0.0.1")
            try await eventually("Service host endpoint") {
                try await store.get(WorkloadResource.services, namespace: "default", name: "web").annotations["dev.sextant.dev/host-endpoint"] != nil
            }
            let service = try await store.get(WorkloadResource.services, namespace: "default", name: "web")
            let listener = try #require(service.annotations["dev.sextant.dev/host-endpoint"]?.split(separator: ":").last.flatMap { Int($0) })
            #expect(listener != port, "the host endpoint is the Service's listener, not one pod's port")
            #expect(HostNetwork.accepts(port: listener))
            #expect(service[path: ["spec", "clusterIP"]]?.stringValue?.hasPrefix("10.") == true)
            let endpoints = try await store.get(WorkloadResource.endpoints, namespace: "default", name: "web")
            #expect(endpoints[path: ["subsets"]]?[0]?["addresses"]?.arrayValue?.count == 1)
            // Scale to two, then roll the template.
            var scaled = try await store.get(WorkloadResource.deployments, namespace: "default", name: "web")
            scaled[path: ["spec", "replicas"]] = 2
            scaled[path: ["spec", "template", "metadata", "annotations"]] = ["rev": "2"]
            _ = try await store.update(WorkloadResource.deployments, namespace: "default", scaled)
            try await eventually("rolled to two ready pods of the new template", seconds: 40) {
                let d = try await store.get(WorkloadResource.deployments, namespace: "default", name: "web")
                let pods = await store.all(WorkloadResource.pods)
                return d[path: ["status", "updatedReplicas"]] == 2 && d[path: ["status", "availableReplicas"]] == 2
                    && pods.count == 2 && !pods.contains { $0.name == pod.name }
            }
        }
    }
}
