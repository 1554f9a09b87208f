import Foundation
import KubeCore
import Testing
import TestSupport

/// A Namespaced CRD `widgets.example.com` (v1, `spec.size` integer) for the edge-rule tests, as JSON.
func widgetCRD(group: String = "example.com", plural: String = "widgets", kind: String = "Widget", shortNames: [String] = [],
               sizeDefault: Int64? = nil, columns: [JSONValue]? = nil) -> String {
    var size: JSONValue = ["type": "integer"]
    if let sizeDefault { size["default"] = .int(sizeDefault) }
    var names: JSONValue = ["plural": .string(plural), "singular": .string(String(plural.dropLast())), "kind": .string(kind)]
    if !shortNames.isEmpty { names["shortNames"] = .array(shortNames.map(JSONValue.string)) }
    var version: JSONValue = [
        "name": "v1", "served": true, "storage": true,
        "schema": ["openAPIV3Schema": ["type": "object", "properties": [
            "spec": ["type": "object", "properties": ["size": size]],
            "status": ["type": "object", "properties": ["at": ["type": "string"]]],
        ]]],
    ]
    if let columns { version["additionalPrinterColumns"] = .array(columns) }
    let crd: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": .string("\(plural).\(group)")],
        "spec": ["group": .string(group), "scope": "Namespaced", "names": names, "versions": [version]],
    ]
    return crd.jsonString
}

@Suite("API edge rules as kube-apiserver implements them")
struct ServerEdgeRulesTests {
    @Test("update: a uid in the body is a precondition (409), deletionTimestamp cannot be set (422), no finalizer can be added while deleting (422)")
    func updatePreconditions() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let created = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps",
                                                    body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":["a/b"]},"data":{"k":"v"}}"#)
            try #require(created.status == 201, "\(created.body)")
            let uid = created.json?[path: ["metadata", "uid"]]?.stringValue ?? ""
            let wrongUID = try await cluster.request("PUT", "/api/v1/namespaces/default/configmaps/c",
                                                     body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","uid":"00000000-0000-0000-0000-000000000000","finalizers":["a/b"]}}"#)
            #expect(wrongUID.status == 409)
            #expect(wrongUID.json?["message"]?.stringValue == "Operation cannot be fulfilled on configmaps \"c\": Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: \(uid)")
            let sameUID = try await cluster.request("PUT", "/api/v1/namespaces/default/configmaps/c",
                                                    body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","uid":"\#(uid)","finalizers":["a/b"]},"data":{"k":"w"}}"#)
            #expect(sameUID.status == 200, "\(sameUID.body)")
            let stamped = try await cluster.request("PUT", "/api/v1/namespaces/default/configmaps/c",
                                                    body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","deletionTimestamp":"2030-01-01T00:00:00Z","finalizers":["a/b"]}}"#)
            #expect(stamped.status == 422)
            #expect(stamped.json?[path: ["details", "causes"]]?[0]?["field"] == "metadata.deletionTimestamp", "\(stamped.body)")
            let deleted = try await cluster.request("DELETE", "/api/v1/namespaces/default/configmaps/c")
            #expect(deleted.status == 200 && deleted.json?[path: ["metadata", "deletionTimestamp"]] != nil, "\(deleted.body)")
            let more = try await cluster.request("PUT", "/api/v1/namespaces/default/configmaps/c",
                                                 body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":["a/b","c/d"]}}"#)
            #expect(more.status == 422)
            #expect(more.json?["message"]?.stringValue?.contains("metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"c/d\"}") == true, "\(more.body)")
        }
    }

    @Test("creating in a terminating namespace is 403 Forbidden with cause NamespaceTerminating (raw and kubectl)")
    func terminatingNamespace() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            _ = try await cluster.request("POST", "/api/v1/namespaces", body: #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"going"}}"#)
            // A finalizer keeps content, so the namespace stays Terminating.
            _ = try await cluster.request("POST", "/api/v1/namespaces/going/configmaps", body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["x/y"]}}"#)
            let deleted = try await cluster.request("DELETE", "/api/v1/namespaces/going")
            #expect(deleted.status == 200)
            let denied = try await cluster.request("POST", "/api/v1/namespaces/going/configmaps", body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"new"}}"#)
            #expect(denied.status == 403)
            #expect(denied.json?["reason"] == "Forbidden")
            #expect(denied.json?["message"]?.stringValue == "configmaps \"new\" is forbidden: unable to create new content in namespace going because it is being terminated")
            let cause = denied.json?[path: ["details", "causes"]]?[0]
            #expect(cause?["reason"] == "NamespaceTerminating" && cause?["field"] == "metadata.namespace", "\(denied.body)")
            #expect(cause?["message"] == "namespace going is being terminated")
            let kubectl = try await cluster.kubectl.run(["-n", "going", "create", "configmap", "viakubectl", "--from-literal=a=b"])
            #expect(!kubectl.succeeded && kubectl.stderr.contains("because it is being terminated"), "\(kubectl.stderr)")
        }
    }

    @Test("a delete that completes answers a Success Status with details (custom resources, configmaps); pods and services return the object")
    func deleteReturnsStatus() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            let crd = try await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: widgetCRD())
            try #require(crd.status == 201, "\(crd.body)")
            let w = try await cluster.request("POST", "/apis/example.com/v1/namespaces/default/widgets", body: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}}"#)
            let uid = w.json?[path: ["metadata", "uid"]]
            let gone = try await cluster.request("DELETE", "/apis/example.com/v1/namespaces/default/widgets/w")
            #expect(gone.status == 200)
            #expect(gone.json?["kind"] == "Status" && gone.json?["status"] == "Success", "\(gone.body)")
            #expect(gone.json?["details"] == ["name": "w", "group": "example.com", "kind": "widgets", "uid": uid ?? ""])
            _ = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#)
            let cm = try await cluster.request("DELETE", "/api/v1/namespaces/default/configmaps/c")
            #expect(cm.json?["kind"] == "Status" && cm.json?[path: ["details", "kind"]] == "configmaps")
            _ = try await cluster.request("POST", "/api/v1/namespaces/default/services", body: #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":80}]}}"#)
            let svc = try await cluster.request("DELETE", "/api/v1/namespaces/default/services/s")
            #expect(svc.json?["kind"] == "Service", "\(svc.body)")
        }
    }

    @Test("marking an object with finalizers for deletion bumps its generation (custom resource and Deployment)")
    func deletionBumpsGeneration() async throws {
        try await withDevCluster(["--no-controller"]) { cluster in
            _ = try await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: widgetCRD())
            let w = try await cluster.request("POST", "/apis/example.com/v1/namespaces/default/widgets",
                                              body: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","finalizers":["example.com/hold"]},"spec":{"size":1}}"#)
            #expect(w.json?[path: ["metadata", "generation"]] == 1)
            let marked = try await cluster.request("DELETE", "/apis/example.com/v1/namespaces/default/widgets/w")
            #expect(marked.json?[path: ["metadata", "generation"]] == 2, "\(marked.body)")
            #expect(marked.json?[path: ["metadata", "deletionTimestamp"]] != nil)
            // A second delete does not bump it again.
            let again = try await cluster.request("DELETE", "/apis/example.com/v1/namespaces/default/widgets/w")
            #expect(again.json?[path: ["metadata", "generation"]] == 2)
            let deployment = #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","finalizers":["example.com/hold"]},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}"#
            _ = try await cluster.request("POST", "/apis/apps/v1/namespaces/default/deployments", body: deployment)
            let d = try await cluster.request("DELETE", "/apis/apps/v1/namespaces/default/deployments/d")
            #expect(d.json?[path: ["metadata", "generation"]] == 2, "\(d.body)")
        }
    }

    @Test("GC: a dependent whose ownerReference names an object of another namespace is collected, with a Warning event OwnerRefInvalidNamespace")
    func crossNamespaceOwner() async throws {
        try await withDevCluster { cluster in
            _ = try await cluster.kubectl.run(["create", "namespace", "other"])
            let owner = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"owner"}}"#)
            let uid = try #require(owner.json?[path: ["metadata", "uid"]]?.stringValue)
            let ref = #""ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"owner","uid":"\#(uid)"}]"#
            _ = try await cluster.request("POST", "/api/v1/namespaces/default/configmaps", body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"same",\#(ref)}}"#)
            _ = try await cluster.request("POST", "/api/v1/namespaces/other/configmaps", body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"elsewhere",\#(ref)}}"#)
            _ = try await kubectlEventually(cluster.kubectl, ["-n", "other", "get", "configmaps", "-o", "name"]) { !$0.contains("elsewhere") }
            let events = try await kubectlEventually(cluster.kubectl, ["-n", "other", "get", "events", "--field-selector", "reason=OwnerRefInvalidNamespace",
                                                                       "-o", "jsonpath={.items[*].message}"]) { !$0.isEmpty }
            #expect(events == "ownerRef [v1/ConfigMap, namespace: other, name: owner, uid: \(uid)] does not exist in namespace \"other\"")
            // The same-namespace dependent of the existing owner stays.
            try await Task.sleep(for: .seconds(1))
            let same = try await cluster.request("GET", "/api/v1/namespaces/default/configmaps/same")
            #expect(same.status == 200)
        }
    }
}
