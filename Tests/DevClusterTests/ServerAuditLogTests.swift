import Foundation
import KubeCore
import Testing
import TestSupport
@testable import DevCluster

@Suite("Request audit log (--audit-log-path)")
struct ServerAuditLogTests {
    @Test("request info maps method, path and query to the RBAC verb and object reference like RequestInfoFactory")
    func requestInfo() {
        func parse(_ method: String, _ uri: String) -> RequestInfo {
            let parts = uri.split(separator: "?", maxSplits: 1).map(String.init)
            return RequestInfo.parse(method: method, path: parts[0], query: Query(parts.count > 1 ? parts[1] : nil))
        }
        #expect(parse("GET", "/api/v1/pods?limit=500").verb == "list")
        #expect(parse("GET", "/api/v1/namespaces/ns/pods?watch=true").verb == "watch")
        #expect(parse("GET", "/api/v1/watch/namespaces/ns/pods") == RequestInfo(isResourceRequest: true, verb: "watch", apiVersion: "v1", namespace: "ns", resource: "pods"))
        #expect(parse("GET", "/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Dx").name == "x")
        #expect(parse("DELETE", "/apis/apps/v1/namespaces/ns/deployments").verb == "deletecollection")
        #expect(parse("PUT", "/apis/batch/v1/namespaces/ns/jobs/j/status")
            == RequestInfo(isResourceRequest: true, verb: "update", apiGroup: "batch", apiVersion: "v1", namespace: "ns", resource: "jobs", subresource: "status", name: "j"))
        #expect(parse("GET", "/api/v1/namespaces/ns") == RequestInfo(isResourceRequest: true, verb: "get", apiVersion: "v1", namespace: "ns", resource: "namespaces", name: "ns"))
        #expect(parse("PUT", "/api/v1/namespaces/ns/finalize").subresource == "finalize")
        #expect(parse("PATCH", "/apis/example.com/v1/widgets/w").verb == "patch")
        #expect(parse("GET", "/apis/apps/v1").isResourceRequest == false)
        #expect(parse("GET", "/version") == RequestInfo(verb: "get"))
    }

    @Test("every kubectl and client request is one audit Event line with the RBAC verb, objectRef, code and user agent")
    func auditLogLines() async throws {
        let auditPath = FileManager.default.temporaryDirectory.appendingPathComponent("sextant-audit-\(UUID().uuidString.prefix(8)).log")
        defer { try? FileManager.default.removeItem(at: auditPath) }
        try await withDevCluster(["--audit-log-path", auditPath.path, "--no-controller"]) { cluster in
            let kubectl = cluster.kubectl
            #expect(try await kubectl("create", "configmap", "a", "--from-literal=k=v").succeeded)
            #expect(try await kubectl("get", "configmaps").succeeded)
            #expect(try await kubectl("label", "configmap", "a", "x=y").succeeded)
            #expect(try await kubectl("get", "configmap", "missing").succeeded == false)
            #expect(try await kubectl("delete", "configmap", "a").succeeded)
            _ = try await cluster.request("PUT", "/api/v1/namespaces/default/pods/nope/status",
                                          body: #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"nope"}}"#)
            _ = try await cluster.request("DELETE", "/api/v1/namespaces/default/secrets")
            _ = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1")
            _ = try await cluster.request("GET", "/version")

            let text = try String(contentsOf: auditPath, encoding: .utf8)
            let events = try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
            #expect(events.allSatisfy { $0["kind"] == "Event" && $0["apiVersion"] == "audit.k8s.io/v1" && $0["stage"] == "ResponseComplete" })
            #expect(events.allSatisfy { $0["requestReceivedTimestamp"]?.stringValue != nil && $0["stageTimestamp"]?.stringValue != nil })
            let kubectlEvents = events.filter { $0["userAgent"]?.stringValue?.hasPrefix("kubectl/") == true }
            func find(_ verb: String, _ resource: String, name: String? = nil, code: Int) -> JSONValue? {
                kubectlEvents.first { e in
                    e["verb"]?.stringValue == verb && e[path: ["objectRef", "resource"]]?.stringValue == resource
                        && (name == nil || e[path: ["objectRef", "name"]]?.stringValue == name) && e[path: ["responseStatus", "code"]] == .int(Int64(code))
                }
            }
            let create = try #require(find("create", "configmaps", code: 201))
            #expect(create[path: ["objectRef", "namespace"]] == "default")
            #expect(create[path: ["objectRef", "apiVersion"]] == "v1")
            #expect(create[path: ["objectRef", "apiGroup"]] == "")
            #expect(create[path: ["user", "username"]] == "admin")
            let list = try #require(find("list", "configmaps", code: 200))
            #expect(list["requestURI"]?.stringValue?.hasPrefix("/api/v1/namespaces/default/configmaps?limit=500") == true)
            #expect(find("patch", "configmaps", name: "a", code: 200) != nil)
            let missing = try #require(find("get", "configmaps", name: "missing", code: 404))
            #expect(missing[path: ["responseStatus", "reason"]] == "NotFound")
            #expect(find("delete", "configmaps", name: "a", code: 200) != nil)
            // Non-resource requests (discovery may come from kubectl's cache, so /version via curl below) have no objectRef.
            #expect(kubectlEvents.filter { $0["objectRef"] == nil }.allSatisfy { $0["requestURI"]?.stringValue?.hasPrefix("/api/v1/") != true })

            let curlEvents = events.filter { $0["userAgent"]?.stringValue?.hasPrefix("curl/") == true }
            let status = try #require(curlEvents.first { $0[path: ["objectRef", "subresource"]] == "status" })
            #expect(status["verb"] == "update")
            #expect(status[path: ["objectRef", "name"]] == "nope")
            #expect(status[path: ["objectRef", "resource"]] == "pods")
            #expect(status[path: ["responseStatus", "code"]] == 404)
            #expect(curlEvents.contains { $0["verb"] == "deletecollection" && $0[path: ["objectRef", "resource"]] == "secrets" && $0[path: ["responseStatus", "code"]] == 200 })
            #expect(curlEvents.contains { $0["verb"] == "watch" && $0[path: ["objectRef", "resource"]] == "configmaps" })
            let version = try #require(curlEvents.first { $0["requestURI"] == "/version" })
            #expect(version["verb"] == "get" && version["objectRef"] == nil && version[path: ["responseStatus", "code"]] == 200)
        }
    }

    @Test("every create line names its object like kube-apiserver: from the request's object, and for generateName the generated name")
    func createLinesNameTheirObject() async throws {
        let auditPath = FileManager.default.temporaryDirectory.appendingPathComponent("sextant-audit-\(UUID().uuidString.prefix(8)).log")
        defer { try? FileManager.default.removeItem(at: auditPath) }
        try await withDevCluster(["--audit-log-path", auditPath.path, "--no-controller"]) { cluster in
            let kubectl = cluster.kubectl
            #expect(try await kubectl("create", "namespace", "audited").succeeded)
            #expect(try await kubectl("-n", "audited", "create", "configmap", "named", "--from-literal=k=v").succeeded)
            #expect(try await kubectl("-n", "audited", "create", "configmap", "named").succeeded == false, "AlreadyExists")
            let applied = try await kubectl.run(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: Secret\nmetadata: {name: applied, namespace: audited}\n")
            #expect(applied.succeeded, "\(applied.stderr)")
            let generated = try await cluster.request("POST", "/api/v1/namespaces/audited/configmaps",
                                                      body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"gen-"}}"#)
            #expect(generated.status == 201, "\(generated.body)")
            let generatedName = try #require(generated.json?[path: ["metadata", "name"]]?.stringValue)
            #expect(generatedName.hasPrefix("gen-") && generatedName.count > 4)

            let text = try String(contentsOf: auditPath, encoding: .utf8)
            let events = try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
            let creates = events.filter { $0["verb"] == "create" && $0[path: ["objectRef", "resource"]] != nil }
            func names(_ resource: String, code: Int) -> [String] {
                creates.filter { $0[path: ["objectRef", "resource"]]?.stringValue == resource && $0[path: ["responseStatus", "code"]] == .int(Int64(code)) }
                    .map { $0[path: ["objectRef", "name"]]?.stringValue ?? "" }
            }
            #expect(names("namespaces", code: 201) == ["audited"])
            #expect(names("configmaps", code: 201).sorted() == [generatedName, "named"])
            #expect(names("configmaps", code: 409) == ["named"], "a failed create names the object it asked for")
            #expect(names("secrets", code: 201) == ["applied"], "kubectl apply creates with POST")
            // The property itself: no create line in this log leaves objectRef.name empty.
            #expect(creates.count >= 5)
            let unnamed = creates.filter { ($0[path: ["objectRef", "name"]]?.stringValue ?? "").isEmpty }
            #expect(unnamed.isEmpty, "create lines without objectRef.name: \(unnamed.map(\.jsonString))")
        }
    }

    @Test("without --audit-log-path no audit file is written")
    func offByDefault() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            #expect(try await cluster.kubectl("get", "ns").succeeded)
            let files = try FileManager.default.contentsOfDirectory(atPath: cluster.dataDirectory.path)
            #expect(!files.contains { $0.contains("audit") })
        }
    }
}
