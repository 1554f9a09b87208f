import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("OpenAPI v2/v3 documents")
struct OpenAPIDocumentsTests {
    static let crd: JSONValue = [
        "metadata": ["name": "mlpipelines.ml.sextant.dev"],
        "spec": ["group": "ml.sextant.dev", "scope": "Namespaced", "names": ["kind": "MLPipeline", "plural": "mlpipelines"],
                 "versions": [["name": "v1alpha1", "served": true, "storage": true,
                               "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": ["type": "object", "description": "The pipeline."]]]]]]],
    ]

    @Test("the v3 index lists every group-version with a hashed serverRelativeURL that resolves")
    func index() throws {
        let index = OpenAPIDocuments.v3Index(crds: [Self.crd])
        let paths = try #require(index["paths"]?.objectValue)
        for key in ["api/v1", "apis/apps/v1", "apis/batch/v1", "apis/ml.sextant.dev/v1alpha1", "apis/events.k8s.io/v1", "apis/rbac.authorization.k8s.io/v1"] {
            let url = try #require(paths[key]?["serverRelativeURL"]?.stringValue)
            #expect(url.hasPrefix("/openapi/v3/\(key)?hash="))
            #expect(OpenAPIDocuments.v3(path: key, crds: [Self.crd]) != nil)
        }
        #expect(OpenAPIDocuments.v3(path: "apis/nope/v1", crds: []) == nil)
    }

    @Test("kinds carry their GVK and explain-able descriptions, with refs resolvable in the same document")
    func explainable() throws {
        let doc = try #require(OpenAPIDocuments.v3(path: "apis/apps/v1", crds: []))
        let schemas = try #require(doc[path: ["components", "schemas"]]?.objectValue)
        let deployment = try #require(schemas["io.k8s.api.apps.v1.Deployment"])
        #expect(deployment["x-kubernetes-group-version-kind"] == [["group": "apps", "version": "v1", "kind": "Deployment"]])
        #expect(deployment[path: ["properties", "spec", "properties", "replicas", "description"]]?.stringValue?.hasPrefix("Number of desired pods") == true)
        var refs: [String] = []
        func collect(_ v: JSONValue) {
            switch v {
            case .object(let o):
                if let r = o["$ref"]?.stringValue { refs.append(r) }
                o.values.forEach(collect)
            case .array(let a): a.forEach(collect)
            default: break
            }
        }
        collect(doc)
        #expect(!refs.isEmpty)
        for ref in refs {
            #expect(schemas[String(ref.dropFirst("#/components/schemas/".count))] != nil, "dangling \(ref)")
        }
    }

    @Test("PATCH/POST/PUT operations declare fieldValidation for kubectl's QueryParamVerifierV3")
    func fieldValidation() throws {
        let doc = try #require(OpenAPIDocuments.v3(path: "apis/ml.sextant.dev/v1alpha1", crds: [Self.crd]))
        let item = try #require(doc[path: ["paths", "/apis/ml.sextant.dev/v1alpha1/namespaces/{namespace}/mlpipelines/{name}"]])
        let patch = try #require(item["patch"])
        #expect(patch["x-kubernetes-group-version-kind"] == ["group": "ml.sextant.dev", "version": "v1alpha1", "kind": "MLPipeline"])
        #expect(patch["parameters"]?.arrayValue?.contains { $0["name"] == "fieldValidation" && $0["in"] == "query" } == true)
        let schema = try #require(doc[path: ["components", "schemas", "dev.sextant.ml.v1alpha1.MLPipeline"]])
        #expect(schema[path: ["properties", "spec", "description"]] == "The pipeline.")
    }

    @Test("patch extensions come from the strategic-merge table; v2 uses #/definitions refs")
    func patchExtensionsAndV2() throws {
        let core = try #require(OpenAPIDocuments.v3(path: "api/v1", crds: []))
        let env = try #require(core[path: ["components", "schemas", "io.k8s.api.core.v1.Container", "properties", "env"]])
        #expect(env["x-kubernetes-patch-merge-key"] == "name")
        #expect(env["x-kubernetes-patch-strategy"] == "merge")
        #expect(env["x-kubernetes-list-type"] == "map")
        let v2 = OpenAPIDocuments.v2(crds: [Self.crd])
        #expect(v2["swagger"] == "2.0")
        #expect(v2[path: ["definitions", "dev.sextant.ml.v1alpha1.MLPipeline"]] != nil)
        #expect(!v2.jsonString.contains("#/components/schemas/"))
    }
}
