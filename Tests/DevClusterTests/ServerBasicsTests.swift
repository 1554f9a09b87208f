import Foundation
import KubeCore
import Testing
import TestSupport

/// Runs `body` against a fresh `sextant dev`, always stopping it.
func withDevCluster(_ arguments: [String] = [], _ body: (DevClusterProcess) async throws -> Void) async throws {
    let cluster = try await DevClusterProcess.start(extraArguments: arguments)
    do {
        try await body(cluster)
    } catch {
        cluster.stop()
        throw error
    }
    cluster.stop()
    try? FileManager.default.removeItem(at: cluster.dataDirectory)
}

@Suite("API server basics over HTTPS")
struct ServerBasicsTests {
    @Test("requests without the bearer token get a 401 Unauthorized Status; /version answers a semver gitVersion")
    func authAndVersion() async throws {
        try await withDevCluster { cluster in
            let denied = try await cluster.request("GET", "/api/v1/namespaces", authenticated: false)
            #expect(denied.status == 401)
            #expect(denied.json?["reason"] == "Unauthorized")
            #expect(denied.json?["kind"] == "Status")
            let version = try await cluster.request("GET", "/version")
            #expect(version.json?["gitVersion"] == "v1.32.0-sextant")
            #expect(version.json?["major"] == "1" && version.json?["minor"] == "32")
        }
    }

    @Test("kubectl reads version, namespaces and api-resources with shortNames")
    func kubectlDiscovery() async throws {
        try await withDevCluster { cluster in
            let kubectl = cluster.kubectl
            let version = try await kubectl.run(["version", "-o", "json"])
            #expect(version.succeeded, "\(version.stderr)")
            #expect(version.stdout.contains("v1.32.0-sextant"))
            let namespaces = try await kubectl.run(["get", "ns", "-o", "name"])
            #expect(namespaces.stdout.contains("namespace/default"))
            let resources = try await kubectl.run(["api-resources"])
            #expect(resources.succeeded, "\(resources.stderr)")
            let deployments = resources.stdout.split(separator: "\n").first { $0.hasPrefix("deployments ") }
            #expect(deployments?.contains("deploy") == true)
            #expect(deployments?.contains("apps/v1") == true)
        }
    }

    @Test("aggregated discovery is answered with its Content-Type when asked for, legacy otherwise")
    func aggregatedDiscovery() async throws {
        try await withDevCluster { cluster in
            let accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
            let aggregated = try await cluster.request("GET", "/apis", headers: ["Accept": accept])
            #expect(aggregated.headers["content-type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
            #expect(aggregated.json?["kind"] == "APIGroupDiscoveryList")
            let legacy = try await cluster.request("GET", "/apis")
            #expect(legacy.json?["kind"] == "APIGroupList")
            let core = try await cluster.request("GET", "/api/v1")
            let pods = core.json?["resources"]?.arrayValue?.first { $0["name"] == "pods" }
            #expect(pods?["namespaced"] == true && pods?["kind"] == "Pod")
            #expect(core.json?["resources"]?.arrayValue?.contains { $0["name"] == "pods/log" } == true)
        }
    }

    @Test("kubectl apply, get -o jsonpath, label, annotate, patch --type merge|json and delete work on a Job")
    func kubectlCrud() async throws {
        try await withDevCluster { cluster in
            let kubectl = cluster.kubectl
            let manifest = """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: j1
            spec:
              template:
                spec:
                  containers:
                  - name: main
                    image: busybox
            """
            let apply = try await kubectl.run(["apply", "-f", "-"], stdin: manifest)
            #expect(apply.succeeded, "\(apply.stderr)")
            #expect(apply.stdout.contains("job.batch/j1 created"))
            let label = try await kubectl.run(["label", "job", "j1", "team=ml"])
            #expect(label.succeeded, "\(label.stderr)")
            let annotate = try await kubectl.run(["annotate", "job", "j1", "note=hi"])
            #expect(annotate.succeeded, "\(annotate.stderr)")
            let merge = try await kubectl.run(["patch", "job", "j1", "--type", "merge", "-p", #"{"metadata":{"labels":{"stage":"x"}}}"#])
            #expect(merge.succeeded, "\(merge.stderr)")
            let json = try await kubectl.run(["get", "job", "j1", "-o", "jsonpath={.metadata.labels.team},{.metadata.labels.stage},{.metadata.annotations.note}"])
            #expect(json.stdout == "ml,x,hi")
            let selected = try await kubectl.run(["get", "jobs", "-l", "team in (ml,ops)", "-o", "name"])
            #expect(selected.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "job.batch/j1")
            let deleted = try await kubectl.run(["delete", "job", "j1"])
            #expect(deleted.succeeded, "\(deleted.stderr)")
            let missing = try await kubectl.run(["get", "job", "j1"])
            #expect(missing.exitCode != 0)
            #expect(missing.stderr.contains("Error from server (NotFound): jobs.batch \"j1\" not found"))
        }
    }

    @Test("unsupported field selectors are 400 'field label not supported'; pods accept status.phase")
    func fieldSelectors() async throws {
        try await withDevCluster { cluster in
            let bad = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps?fieldSelector=spec.foo%3Dbar")
            #expect(bad.status == 400)
            #expect(bad.json?["reason"] == "BadRequest")
            #expect(bad.json?["message"] == "field label not supported: spec.foo")
            let ok = try await cluster.request("GET", "/api/v1/pods?fieldSelector=status.phase%3DRunning")
            #expect(ok.status == 200)
        }
    }

    @Test("an acknowledged write survives kill -9 and the restarted server hands out higher resourceVersions")
    func durabilityAcrossKill() async throws {
        let cluster = try await DevClusterProcess.start()
        defer { cluster.stop() }
        let created = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"durable"},"data":{"k":"v"}}"#)
        #expect(created.status == 201)
        let oldRV = Int(created.json?[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") ?? 0
        cluster.kill()
        try await cluster.restart()
        let read = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps/durable")
        #expect(read.status == 200)
        #expect(read.json?[path: ["data", "k"]] == "v")
        let next = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"after"}}"#)
        let newRV = Int(next.json?[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") ?? 0
        #expect(newRV > oldRV)
    }
}
