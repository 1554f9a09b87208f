@testable import DevCluster
import Foundation
import KubeCore
import Testing
import TestSupport

/// A protobuf wire reader for the assertions: the fields of one message (number → values).
struct WireMessage {
    var fields: [Int: [[UInt8]]] = [:]
    var varints: [Int: [UInt64]] = [:]

    init(_ bytes: [UInt8]) throws {
        var i = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw TestSupportError.startFailed("truncated varint") }
                let b = bytes[i]
                i += 1
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return result }
                shift += 7
            }
        }
        while i < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: varints[number, default: []].append(try varint())
            case 1: i += 8
            case 2:
                let length = Int(try varint())
                guard i + length <= bytes.count else { throw TestSupportError.startFailed("truncated field \(number)") }
                fields[number, default: []].append(Array(bytes[i..<(i + length)]))
                i += length
            case 5: i += 4
            default: throw TestSupportError.startFailed("wire type \(key & 7)")
            }
        }
    }

    func string(_ n: Int) -> String? { fields[n]?.first.map { String(decoding: $0, as: UTF8.self) } }
    func strings(_ n: Int) -> [String] { (fields[n] ?? []).map { String(decoding: $0, as: UTF8.self) } }
    func message(_ n: Int) throws -> WireMessage? { try fields[n]?.first.map(WireMessage.init) }
    func messages(_ n: Int) throws -> [WireMessage] { try (fields[n] ?? []).map(WireMessage.init) }
    /// A `Named*` entry list (name = 1, value = 2) as a dictionary.
    func named(_ n: Int) throws -> [String: WireMessage] {
        var out: [String: WireMessage] = [:]
        for entry in try messages(n) {
            if let name = entry.string(1), let value = try entry.message(2) { out[name] = value }
        }
        return out
    }
}

@Suite("/openapi/v2 answers the gnostic protobuf when asked for it")
struct OpenAPIProtobufTests {
    @Test("the encoder writes Document fields with gnostic's numbers: swagger, info, paths with operations, definitions with types, refs and vendor extensions")
    func encoderFieldNumbers() throws {
        let doc: JSONValue = [
            "swagger": "2.0", "info": ["title": "Kubernetes", "version": "v1.32.0"],
            "paths": ["/api/v1/namespaces": ["get": ["operationId": "listNamespace", "x-kubernetes-action": "list",
                                                      "parameters": [["name": "limit", "in": "query", "type": "integer", "uniqueItems": true]],
                                                      "responses": ["200": ["description": "OK", "schema": ["$ref": "#/definitions/x.Namespace"]]]]]],
            "definitions": ["x.Namespace": [
                "type": "object", "description": "A namespace.", "required": ["metadata"],
                "properties": ["spec": ["type": "object", "additionalProperties": ["type": "string"]], "finalizers": ["type": "array", "items": ["type": "string"]]],
                "x-kubernetes-group-version-kind": [["group": "", "kind": "Namespace", "version": "v1"]],
            ]],
        ]
        let root = try WireMessage(OpenAPIv2Protobuf.encode(doc))
        #expect(root.string(1) == "2.0")
        let info = try #require(try root.message(2))
        #expect(info.string(1) == "Kubernetes" && info.string(2) == "v1.32.0")
        let paths = try #require(try root.message(8)).named(2)
        let get = try #require(try paths["/api/v1/namespaces"]?.message(2))
        #expect(get.string(5) == "listNamespace")
        let action = try get.named(13)["x-kubernetes-action"]
        #expect(action?.string(2)?.trimmingCharacters(in: .whitespacesAndNewlines) == "\"list\"")
        // parameters[0] → Parameter(1) → NonBodyParameter(2) → QueryParameterSubSchema(3): name 4, type 6, unique_items 20.
        let query = try #require(try get.messages(8).first?.message(1)?.message(2)?.message(3))
        #expect(query.string(4) == "limit" && query.string(2) == "query" && query.string(6) == "integer" && query.varints[20] == [1])
        let ok = try #require(try get.message(9)?.named(1)["200"]?.message(1))
        #expect(ok.string(1) == "OK")
        #expect(try ok.message(2)?.message(1)?.string(1) == "#/definitions/x.Namespace")
        let namespace = try #require(try root.message(9)?.named(1)["x.Namespace"])
        #expect(try namespace.message(22)?.strings(1) == ["object"])
        #expect(namespace.string(4) == "A namespace.")
        #expect(namespace.strings(19) == ["metadata"])
        let properties = try #require(try namespace.message(25)).named(1)
        #expect(try properties["spec"]?.message(21)?.message(1)?.message(22)?.strings(1) == ["string"])
        #expect(try properties["finalizers"]?.message(23)?.messages(1).first?.message(22)?.strings(1) == ["string"])
        let gvk = try #require(try namespace.named(31)["x-kubernetes-group-version-kind"]?.string(2))
        #expect(try JSONValue.parse(gvk) == [["group": "", "kind": "Namespace", "version": "v1"]])
    }

    @Test("a protobuf Accept gets the protobuf with kube-apiserver's Content-Type, JSON stays JSON, others 406; kubectl explain reads it")
    func servedAndReadByKubectl() async throws {
        try await withDevCluster { cluster in
            let file = cluster.dataDirectory.appendingPathComponent("openapi.pb")
            let curl = try await ProcessRunner.run("/usr/bin/curl", [
                "-sS", "--cacert", cluster.caPath, "-H", "Authorization: Bearer \(cluster.token)",
                "-H", "Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf", "-D", "-", "-o", file.path, cluster.url + "/openapi/v2",
            ])
            #expect(curl.stdout.hasPrefix("HTTP/1.1 200"), "\(curl.stdout)")
            #expect(curl.stdout.lowercased().contains("content-type: application/com.github.proto-openapi.spec.v2.v1.0+protobuf"), "\(curl.stdout)")
            let document = try WireMessage(Array(try Data(contentsOf: file)))
            #expect(document.string(1) == "2.0")
            let definitions = try #require(try document.message(9)).named(1)
            #expect(definitions["io.k8s.api.core.v1.Pod"] != nil)
            #expect(definitions["io.k8s.api.apps.v1.Deployment"] != nil)

            let json = try await cluster.request("GET", "/openapi/v2", headers: ["Accept": "application/json"])
            #expect(json.status == 200 && json.headers["content-type"] == "application/json" && json.json?["swagger"] == "2.0")
            let xml = try await cluster.request("GET", "/openapi/v2", headers: ["Accept": "application/xml"])
            #expect(xml.status == 406, "\(xml.status) \(xml.body.prefix(200))")

            // kubectl's OpenAPI v2 path (client-go's DiscoveryClient.OpenAPISchema asks for the protobuf).
            let explain = try await cluster.kubectl.run(["explain", "deployments.spec.replicas", "--output=plaintext-openapiv2"])
            #expect(explain.succeeded, "\(explain.stderr)")
            #expect(explain.stdout.contains("replicas"), "\(explain.stdout)")
            #expect(!explain.stderr.contains("failed to download openapi") && !explain.stderr.contains("wire-format"), "\(explain.stderr)")
        }
    }

    @Test("kubectl apply of built-in and custom objects prints no OpenAPI download warning")
    func kubectlApplyHasNoOpenAPIWarning() async throws {
        try await withDevCluster { cluster in
            let crd = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec:
              group: example.com
              scope: Namespaced
              names: {plural: widgets, singular: widget, kind: Widget}
              versions:
              - name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec: {type: object, properties: {size: {type: integer}}}
            """
            let applied = try await cluster.kubectl.run(["apply", "-f", "-"], stdin: crd)
            #expect(applied.succeeded, "\(applied.stderr)")
            for manifest in [
                "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {size: 3}\n",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c1, namespace: default}\ndata: {a: b}\n",
            ] {
                for _ in 0..<2 {  // create, then a client-side apply patch
                    let r = try await cluster.kubectl.run(["apply", "-f", "-"], stdin: manifest)
                    #expect(r.succeeded, "\(r.stderr)")
                    #expect(!r.stderr.contains("openapi") && !r.stderr.contains("wire-format"), "\(r.stderr)")
                }
            }
        }
    }
}
