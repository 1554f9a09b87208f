import Foundation
import KubeCore
import Testing
import TestSupport

@Suite("REST semantics over HTTPS")
struct ServerRESTTests {
    @Test("bad input gets the real server's Status: malformed JSON 400, wrong apiVersion 400, >3MiB 413, unknown resource 404, wrong verb 405")
    func badInput() async throws {
        try await withDevCluster { cluster in
            let malformed = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: "{\"metadata\":")
            #expect(malformed.status == 400 && malformed.json?["reason"] == "BadRequest")
            #expect(malformed.json?["message"]?.stringValue?.hasPrefix("couldn't get version/kind; json parse error") == true)

            let wrongVersion = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"}}"#)
            #expect(wrongVersion.status == 400)
            #expect(wrongVersion.json?["message"] == "the API version in the data (apps/v1) does not match the expected API version (v1)")

            let big = "{\"metadata\":{\"name\":\"big\"},\"data\":{\"k\":\"" + String(repeating: "x", count: 3 * 1024 * 1024 + 10) + "\"}}"
            let tooLarge = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: big)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.json?["reason"] == "RequestEntityTooLarge")

            let unknown = try await cluster.request("GET", "/apis/example.com/v1/widgets")
            #expect(unknown.status == 404 && unknown.json?["reason"] == "NotFound")
            #expect(unknown.json?["message"] == "the server could not find the requested resource")

            let post = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps/x", body: "{}")
            #expect(post.status == 405 && post.json?["reason"] == "MethodNotAllowed")

            let badName = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"Bad_Name"}}"#)
            #expect(badName.status == 422 && badName.json?["reason"] == "Invalid")
            #expect(badName.json?[path: ["details", "causes"]]?[0]?["field"] == "metadata.name")
            #expect(badName.json?["message"]?.stringValue?.hasPrefix("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain") == true)
        }
    }

    @Test("the Python client creates, lists by selector, patches, deletes, and sees 409/404 Status errors")
    func pythonCrud() async throws {
        try await withDevCluster { cluster in
            let result = try await cluster.python.run(script: "apiserver_client.py", ["crud"])
            #expect(result.succeeded, "\(result.stderr)")
            let json = try JSONValue.parse(result.stdout)
            #expect(json["listed"] == ["py-cm"])
            #expect(json["patched_data"] == ["a": "1", "b": "2"])
            #expect(json[path: ["duplicate", "status"]] == 409)
            #expect(json[path: ["duplicate", "reason"]] == "AlreadyExists")
            #expect(json[path: ["missing", "message"]] == "configmaps \"missing\" not found")
            #expect(json["delete_status"] == "Success")
            #expect(json["deployment_generation"] == 1)
            #expect(json["deployment_replicas"] == 1)
        }
    }

    @Test("the Python client's stale replace gets 409 Conflict with the apiserver's message")
    func pythonConflict() async throws {
        try await withDevCluster { cluster in
            let result = try await cluster.python.run(script: "apiserver_client.py", ["conflict"])
            #expect(result.succeeded, "\(result.stderr)")
            let json = try JSONValue.parse(result.stdout)
            #expect(json["status"] == 409)
            #expect(json["message"] == "Operation cannot be fulfilled on configmaps \"cc\": the object has been modified; please apply your changes to the latest version and try again")
        }
    }

    @Test("list with limit pages through continue tokens with remainingItemCount")
    func limitAndContinue() async throws {
        try await withDevCluster { cluster in
            for i in 0..<5 {
                _ = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: "{\"metadata\":{\"name\":\"c\(i)\"}}")
            }
            let page1 = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps?limit=2")
            #expect(page1.json?["items"]?.arrayValue?.count == 2)
            #expect(page1.json?[path: ["metadata", "remainingItemCount"]] == 3)
            let token = try #require(page1.json?[path: ["metadata", "continue"]]?.stringValue)
            let encoded = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token
            let page2 = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps?limit=10&continue=\(encoded)")
            let names = page2.json?["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue }
            #expect(names == ["c2", "c3", "c4"])
            #expect(page2.json?[path: ["metadata", "continue"]] == nil)
            #expect(page2.json?[path: ["metadata", "resourceVersion"]] == page1.json?[path: ["metadata", "resourceVersion"]])
        }
    }

    @Test("status subresource: PUT /status changes only status; the main resource ignores status; dryRun stores nothing")
    func statusSubresourceAndDryRun() async throws {
        try await withDevCluster { cluster in
            // A kind with a status subresource and no controller writing its status.
            let body = #"{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"p"},"spec":{"minAvailable":1},"status":{"currentHealthy":3}}"#
            let created = try await cluster.request("POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", body: body)
            #expect(created.status == 201)
            #expect(created.json?[path: ["status", "currentHealthy"]] == nil)
            var object = try #require(created.json)
            object["status"] = ["currentHealthy": 1]
            object[path: ["spec", "minAvailable"]] = 5
            let status = try await cluster.request("PUT", "/apis/policy/v1/namespaces/default/poddisruptionbudgets/p/status", body: object.jsonString)
            #expect(status.json?[path: ["status", "currentHealthy"]] == 1)
            #expect(status.json?[path: ["spec", "minAvailable"]] == 1)
            #expect(status.json?[path: ["metadata", "generation"]] == 1)
            let dry = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", body: #"{"metadata":{"name":"dry"}}"#)
            #expect(dry.status == 201)
            let read = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps/dry")
            #expect(read.status == 404)
        }
    }

    @Test("kubectl create namespace/configmap (protobuf bodies) and patch --type json|strategic work")
    func kubectlProtobufAndPatches() async throws {
        try await withDevCluster { cluster in
            let kubectl = cluster.kubectl
            let ns = try await kubectl.run(["create", "namespace", "team-a"])
            #expect(ns.succeeded, "\(ns.stderr)")
            let cm = try await kubectl.run(["create", "configmap", "settings", "-n", "team-a", "--from-literal=mode=fast"])
            #expect(cm.succeeded, "\(cm.stderr)")
            let value = try await kubectl.run(["get", "configmap", "settings", "-n", "team-a", "-o", "jsonpath={.data.mode}"])
            #expect(value.stdout == "fast")
            let jsonPatch = try await kubectl.run(["patch", "configmap", "settings", "-n", "team-a", "--type", "json", "-p", #"[{"op":"replace","path":"/data/mode","value":"slow"}]"#])
            #expect(jsonPatch.succeeded, "\(jsonPatch.stderr)")
            let deployment = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: team-a}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - {name: web, image: nginx:1}
                  - {name: sidecar, image: envoy:1}
            """
            let applied = try await kubectl.run(["apply", "-f", "-"], stdin: deployment)
            #expect(applied.succeeded, "\(applied.stderr)")
            let strategic = try await kubectl.run(["patch", "deployment", "web", "-n", "team-a", "--type", "strategic", "-p", #"{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}}"#])
            #expect(strategic.succeeded, "\(strategic.stderr)")
            let images = try await kubectl.run(["get", "deployment", "web", "-n", "team-a", "-o", "jsonpath={.spec.template.spec.containers[*].image}"])
            #expect(images.stdout == "nginx:2 envoy:1")
            let mode = try await kubectl.run(["get", "configmap", "settings", "-n", "team-a", "-o", "jsonpath={.data.mode}"])
            #expect(mode.stdout == "slow")
        }
    }

    @Test("deletecollection with a label selector deletes only matching objects; a terminating namespace refuses new content")
    func deleteCollectionAndTerminatingNamespace() async throws {
        try await withDevCluster { cluster in
            _ = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"a","labels":{"x":"1"}}}"#)
            _ = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata":{"name":"b"}}"#)
            let deleted = try await cluster.request("DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=x%3D1")
            #expect(deleted.json?["items"]?.arrayValue?.count == 1)
            let remaining = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps")
            #expect(remaining.json?["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["b"])

            _ = try await cluster.request("POST", "/api/v1/namespaces", body: #"{"metadata":{"name":"busy"}}"#)
            _ = try await cluster.request("POST", "/api/v1/namespaces/busy/configmaps", body: #"{"metadata":{"name":"held","finalizers":["example.com/hold"]}}"#)
            let nsDelete = try await cluster.request("DELETE", "/api/v1/namespaces/busy")
            #expect(nsDelete.json?[path: ["status", "phase"]] == "Terminating")
            let refused = try await cluster.request("POST", "/api/v1/namespaces/busy/configmaps", body: #"{"metadata":{"name":"new"}}"#)
            #expect(refused.status == 403 && refused.json?["reason"] == "Forbidden")
            #expect(refused.json?["message"] == "configmaps \"new\" is forbidden: unable to create new content in namespace busy because it is being terminated")
            _ = try await cluster.request("PATCH", "/api/v1/namespaces/busy/configmaps/held", body: #"{"metadata":{"finalizers":null}}"#, contentType: "application/merge-patch+json")
            let gone = try await cluster.request("GET", "/api/v1/namespaces/busy")
            #expect(gone.status == 404)
        }
    }
}
