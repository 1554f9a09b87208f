import Foundation
import KubeCore
import Testing
import TestSupport

let widgetCRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [demo]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            x-kubernetes-validations:
            - {rule: "self.size <= 10", message: "size must be at most 10"}
            properties:
              size: {type: integer, minimum: 1}
              mode: {type: string, enum: [fast, slow], default: fast}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status:
            type: object
            properties:
              phase: {type: string}
"""

@Suite("Custom resources")
struct ServerCRDTests {
    @Test("a CRD whose name is not plural.group is 422 Invalid on metadata.name")
    func crdNameCheck() async throws {
        try await withDevCluster { cluster in
            let bad = widgetCRD.replacingOccurrences(of: "name: widgets.example.com", with: "name: gadgets.example.com")
            let response = try await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: bad, contentType: "application/yaml")
            #expect(response.status == 422 && response.json?["reason"] == "Invalid")
            let cause = response.json?[path: ["details", "causes"]]?[0]
            #expect(cause?["field"] == "metadata.name")
            #expect(cause?["message"] == "Invalid value: \"gadgets.example.com\": must be spec.names.plural+\".\"+spec.group")
            #expect(response.json?[path: ["details", "kind"]] == "CustomResourceDefinition")
        }
    }

    @Test("an established CRD is served at once: conditions, discovery shortNames/categories, kubectl get by short name")
    func crdServed() async throws {
        try await withDevCluster { cluster in
            let created = try await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: widgetCRD, contentType: "application/yaml")
            #expect(created.status == 201)
            let conditions = created.json?[path: ["status", "conditions"]]?.arrayValue ?? []
            #expect(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" })
            #expect(conditions.contains { $0["type"] == "NamesAccepted" && $0["status"] == "True" })
            let discovery = try await cluster.request("GET", "/apis/example.com/v1")
            let widgets = discovery.json?["resources"]?.arrayValue?.first { $0["name"] == "widgets" }
            #expect(widgets?["shortNames"] == ["wd"] && widgets?["categories"] == ["demo"])
            #expect(discovery.json?["resources"]?.arrayValue?.contains { $0["name"] == "widgets/status" } == true)
            let kubectl = cluster.kubectl
            let wait = try await kubectl.run(["wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=10s"])
            #expect(wait.succeeded, "\(wait.stderr)")
            let apply = try await kubectl.run(["apply", "-f", "-"], stdin: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 2}\n")
            #expect(apply.succeeded, "\(apply.stderr)")
            let get = try await kubectl.run(["get", "wd", "-o", "name"])
            #expect(get.stdout.contains("widget.example.com/w1"), "\(get.stderr)")
            let categories = try await kubectl.run(["get", "demo", "-o", "name"])
            #expect(categories.stdout.contains("widget.example.com/w1"), "\(categories.stderr)")
        }
    }

    @Test("custom resources are validated (422 with field paths and CEL messages), defaulted and pruned with a Warning; Strict is 400")
    func crValidationPruningDefaults() async throws {
        try await withDevCluster { cluster in
            _ = try await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: widgetCRD, contentType: "application/yaml")
            let path = "/apis/example.com/v1/namespaces/default/widgets"
            let missing = try await cluster.request("POST", path, body: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"m"},"spec":{}}"#)
            #expect(missing.status == 422)
            #expect(missing.json?[path: ["details", "causes"]]?[0]?["field"] == "spec.size")
            #expect(missing.json?[path: ["details", "causes"]]?[0]?["reason"] == "FieldValueRequired")
            // As kube-apiserver (1.28+): the schema error first, then one cause saying the CEL rules were
            // skipped because the object was already invalid; several causes are listed in brackets.
            #expect(missing.json?["message"]?.stringValue?.hasPrefix("Widget.example.com \"m\" is invalid: [spec.size: Required value, ") == true)
            #expect(missing.json?[path: ["details", "causes"]]?[1]?["message"]?.stringValue?.contains("some validation rules were not checked because the object was invalid") == true)

            let tooBig = try await cluster.request("POST", path, body: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"b"},"spec":{"size":11}}"#)
            #expect(tooBig.status == 422)
            #expect(tooBig.json?["message"]?.stringValue?.contains("size must be at most 10") == true)

            let warned = try await cluster.request("POST", path + "?fieldValidation=Warn", body: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":1,"bogus":true,"extra":{"kept":1}}}"#)
            #expect(warned.status == 201)
            #expect(warned.headers["warning"]?.contains("unknown field \\\"spec.bogus\\\"") == true)
            #expect(warned.json?[path: ["spec", "bogus"]] == nil)
            #expect(warned.json?[path: ["spec", "extra", "kept"]] == 1)
            #expect(warned.json?[path: ["spec", "mode"]] == "fast")

            let strict = try await cluster.request("POST", path + "?fieldValidation=Strict", body: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"s"},"spec":{"size":1,"bogus":true}}"#)
            #expect(strict.status == 400)
            #expect(strict.json?["message"] == "strict decoding error: unknown field \"spec.bogus\"")

            let wrongKind = try await cluster.request("POST", path, body: #"{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g"},"spec":{"size":1}}"#)
            #expect(wrongKind.status == 422)
            #expect(wrongKind.json?["message"] == "Gadget.example.com \"g\" is invalid: kind: Invalid value: \"Gadget\": must be Widget")
        }
    }

    @Test("strategic merge patch on a custom resource is 415; merge patch bumps generation on spec changes only; server-side apply records managedFields")
    func crPatches() async throws {
        try await withDevCluster { cluster in
            _ = try await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: widgetCRD, contentType: "application/yaml")
            let path = "/apis/example.com/v1/namespaces/default/widgets"
            _ = try await cluster.request("POST", path, body: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"p"},"spec":{"size":1}}"#)
            let strategic = try await cluster.request("PATCH", path + "/p", body: #"{"spec":{"size":2}}"#, contentType: "application/strategic-merge-patch+json")
            #expect(strategic.status == 415 && strategic.json?["reason"] == "UnsupportedMediaType")
            #expect(strategic.json?["message"] == "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
            let labelled = try await cluster.request("PATCH", path + "/p", body: #"{"metadata":{"labels":{"a":"b"}}}"#, contentType: "application/merge-patch+json")
            #expect(labelled.json?[path: ["metadata", "generation"]] == 1)
            let resized = try await cluster.request("PATCH", path + "/p", body: #"{"spec":{"size":3}}"#, contentType: "application/merge-patch+json")
            #expect(resized.json?[path: ["metadata", "generation"]] == 2)
            let status = try await cluster.request("PATCH", path + "/p/status", body: #"{"status":{"phase":"Ready"}}"#, contentType: "application/merge-patch+json")
            #expect(status.json?[path: ["status", "phase"]] == "Ready")
            #expect(status.json?[path: ["metadata", "generation"]] == 2)

            let kubectl = cluster.kubectl
            let ssa = try await kubectl.run(["apply", "--server-side", "-f", "-"], stdin: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: s1}\nspec: {size: 4}\n")
            #expect(ssa.succeeded, "\(ssa.stderr)")
            let managers = try await kubectl.run(["get", "widget", "s1", "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager} {.metadata.managedFields[*].operation}"])
            #expect(managers.stdout == "kubectl Apply", "\(managers.stderr)")
        }
    }
}
