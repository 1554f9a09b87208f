import Foundation
import KubeCore
import Testing
import TestSupport

/// The JSON lines of a finished watch response.
func watchEvents(_ result: DevClusterProcess.HTTPResult) -> [JSONValue] {
    result.body.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
}

@Suite("Watch over HTTPS")
struct WatchTests {
    @Test("RV unset gives synthetic ADDED for existing objects; RV=N gives only later events in order")
    func initialAndLaterEvents() async throws {
        try await withDevCluster { cluster in
            let first = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"a"}}"#)
            let rv = try #require(first.json?[path: ["metadata", "resourceVersion"]]?.stringValue)
            _ = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"b"}}"#)
            _ = try await cluster.request("DELETE", "/api/v1/namespaces/default/configmaps/a")

            let initial = watchEvents(try await cluster.request("GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1"))
            #expect(initial.map { $0["type"] } == ["ADDED"])
            #expect(initial.first?[path: ["object", "metadata", "name"]] == "b")

            let later = watchEvents(try await cluster.request("GET", "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(rv)&timeoutSeconds=1"))
            #expect(later.map { $0["type"] } == ["ADDED", "DELETED"])
            #expect(later.map { $0[path: ["object", "metadata", "name"]] } == ["b", "a"])
            #expect(later.first?[path: ["object", "kind"]] == "ConfigMap")
        }
    }

    @Test("after a forced compaction, a watch from an old resourceVersion gets an ERROR event with a 410 Expired Status")
    func expiredAfterCompaction() async throws {
        try await withDevCluster { cluster in
            let first = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"a"}}"#)
            let rv = try #require(first.json?[path: ["metadata", "resourceVersion"]]?.stringValue)
            _ = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"b"}}"#)
            let admin = try await cluster.request("POST", "/admin/faults", body: #"{"compact":true}"#)
            #expect(admin.status == 200)
            let response = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(rv)&timeoutSeconds=2")
            #expect(response.status == 200)
            let events = watchEvents(response)
            #expect(events.count == 1)
            #expect(events.first?["type"] == "ERROR")
            #expect(events.first?[path: ["object", "code"]] == 410)
            #expect(events.first?[path: ["object", "reason"]] == "Expired")
            #expect(events.first?[path: ["object", "message"]]?.stringValue?.hasPrefix("too old resource version: \(rv)") == true)
        }
    }

    @Test("sendInitialEvents with bookmarks ends the initial state with a k8s.io/initial-events-end BOOKMARK")
    func initialEventsEndBookmark() async throws {
        try await withDevCluster { cluster in
            _ = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"a"}}"#)
            let response = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1")
            let events = watchEvents(response)
            #expect(events.map { $0["type"] } == ["ADDED", "BOOKMARK"])
            #expect(events.last?[path: ["object", "metadata", "annotations", "k8s.io/initial-events-end"]] == "true")
            #expect(events.last?[path: ["object", "kind"]] == "ConfigMap")
        }
    }

    @Test("with a label selector, an object leaving the selection is reported as DELETED")
    func selectorTransitions() async throws {
        try await withDevCluster { cluster in
            let created = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"s","labels":{"app":"web"}}}"#)
            let rv = try #require(created.json?[path: ["metadata", "resourceVersion"]]?.stringValue)
            let patched = try await cluster.request("PATCH", "/api/v1/namespaces/default/configmaps/s", body: #"{"metadata":{"labels":{"app":"db"}}}"#, contentType: "application/merge-patch+json")
            #expect(patched.status == 200)
            let events = watchEvents(try await cluster.request("GET", "/api/v1/namespaces/default/configmaps?watch=true&labelSelector=app%3Dweb&resourceVersion=\(rv)&timeoutSeconds=1"))
            #expect(events.map { $0["type"] } == ["DELETED"])
        }
    }

    @Test("kubectl get -w prints objects created while it watches")
    func kubectlGetWatch() async throws {
        try await withDevCluster { cluster in
            async let watched = ProcessRunner.run("/usr/bin/timeout", ["20", Kubectl.defaultExecutable, "get", "configmaps", "-w", "-o", "name"],
                                                  environment: ["KUBECONFIG": cluster.kubeconfigPath])
            // kubectl needs a moment to start watching on a loaded machine; create a few times over 8 seconds.
            for i in 0..<4 {
                try await Task.sleep(for: .seconds(2))
                _ = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: "{\"metadata\":{\"name\":\"seen-by-watch-\(i)\"}}")
            }
            let result = try await watched
            #expect(result.stdout.contains("configmap/seen-by-watch-3"), "\(result.stdout) \(result.stderr)")
        }
    }

    @Test("the Python client's watch sees ADDED, MODIFIED, DELETED after its list resourceVersion")
    func pythonWatch() async throws {
        try await withDevCluster { cluster in
            let result = try await cluster.python.run(script: "apiserver_client.py", ["watch"])
            #expect(result.succeeded, "\(result.stderr)")
            let json = try JSONValue.parse(result.stdout)
            let types = json["events"]?.arrayValue?.map { $0["type"] } ?? []
            #expect(types == ["ADDED", "MODIFIED", "DELETED"])
            let rvs = json["events"]?.arrayValue?.compactMap { $0["rv"]?.stringValue.flatMap { Int($0) } } ?? []
            #expect(rvs == rvs.sorted() && rvs.count == 3)
        }
    }
}
