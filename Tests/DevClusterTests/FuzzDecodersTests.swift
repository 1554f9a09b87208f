import Foundation
import KubeCore
import NIOCore
import Testing
@testable import DevCluster

/// Seeded in-process fuzzing of the request-body decoders and the patch types: every mutated
/// body is decoded (JSON, YAML, protobuf) and applied as each patch type; each call must return or
/// throw a 4xx `Status` (or the JSON patch error the handler turns into a 422), never crash or throw
/// anything the server would answer with a 500. Bounded for CI; larger runs: docs/dev-cluster.md.
@Suite("Body decoders and patch types under fuzzing: a clean 4xx, never a crash")
struct FuzzDecodersTests {
    static let deployment: JSONValue = (try? JSONValue.parse(#"""
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labels":{"app":"web"},"finalizers":["a","b"],
     "managedFields":[{"manager":"kubectl","operation":"Apply","apiVersion":"apps/v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}}}]},
     "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
     "spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"env":[{"name":"A","value":"1"}]}],
     "volumes":[{"name":"v","emptyDir":{}}]}}}}
    """#)) ?? .null

    static let jsonSeeds: [String] = [
        deployment.jsonString,
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","annotations":{"ünï":"✓"}},"data":{"k":"v\n\u00e9\ud83d\ude00"}}"#,
        #"{"apiVersion":"ml.sextant.dev/v1alpha1","kind":"MLPipeline","metadata":{"name":"p"},"spec":{"steps":[{"name":"a","image":"i","resources":{"limits":{"cpu":"500m"}}}]}}"#,
        #"[{"op":"add","path":"/metadata/labels/x","value":"1"},{"op":"remove","path":"/spec/template/spec/containers/0/env/0"},{"op":"replace","path":"/spec/replicas","value":3},{"op":"move","from":"/metadata/labels/app","path":"/metadata/labels/b"},{"op":"copy","from":"/spec/selector","path":"/spec/s2"},{"op":"test","path":"/spec/replicas","value":3}]"#,
        #"[{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"d"}},{"op":"remove","path":"/metadata/finalizers/1"},{"op":"add","path":"/metadata/labels/a~1b~0c","value":"x"}]"#,
        #"{"metadata":{"labels":{"app":null,"new":"1"}},"spec":{"replicas":null,"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}}"#,
        #"{"spec":{"template":{"spec":{"containers":[{"name":"c","$patch":"delete"},{"name":"e","image":"x"}],"$setElementOrder/containers":[{"name":"e"},{"name":"c"}],"volumes":[{"$patch":"replace"}]}}},"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"$retainKeys":["name","finalizers"]}}"#,
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5,"template":{"spec":{"containers":[{"name":"c","image":"httpd","ports":[{"containerPort":8080,"protocol":"TCP"}]}]}}}}"#,
    ]

    static let yamlSeeds: [String] = [
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {a: b}\ndata:\n  k: |\n    multi\n    line\n  n: \"1\"\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: c\n        image: nginx\n        args: [\"-a\", 2, 1.5, true, null, ~]\n",
        "base: &b {x: 1}\nmetadata:\n  name: n\n  <<: *b\nlist: [&i 1, *i]\n",
    ]

    static let pods = ResourceInfo(group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true)

    /// Valid protobuf bodies: a Pod and a ConfigMap in the k8s envelope.
    static var protobufSeeds: [[UInt8]] {
        func field(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] { [number << 3 | 2, UInt8(bytes.count)] + bytes }
        func envelope(_ apiVersion: String, _ kind: String, _ raw: [UInt8]) -> [UInt8] {
            [0x6b, 0x38, 0x73, 0x00] + field(1, field(1, Array(apiVersion.utf8)) + field(2, Array(kind.utf8))) + field(2, raw)
        }
        let container = field(1, Array("c".utf8)) + field(2, Array("img".utf8)) + [0x18 | 0, 1]
        let pod = field(1, field(1, Array("p".utf8)) + field(11, field(1, Array("app".utf8)) + field(2, Array("x".utf8))))
            + field(2, field(2, container) + [0x50, 0x1e])
        let configMap = field(1, field(1, Array("cm".utf8))) + field(2, field(1, Array("k".utf8)) + field(2, Array("v".utf8)))
        return [envelope("v1", "Pod", pod), envelope("v1", "ConfigMap", configMap)]
    }

    /// Whether a thrown error is one the server answers with a 4xx.
    static func isClean(_ error: any Error) -> Bool {
        if let status = error as? Status { return (400..<500).contains(status.code ?? 500) }
        if let error = error as? KubeCoreError, case .invalidPatch = error { return true }  // PatchHandler: 422
        return false
    }

    /// Runs `body`, recording any error that is not a clean 4xx (with a printable prefix of the input).
    static func expectClean(_ what: String, _ input: [UInt8], _ body: () throws -> Void, failures: inout [String]) {
        do { try body() } catch {
            if !isClean(error) {
                failures.append("\(what): \(String(describing: error).prefix(200)) for input \(String(decoding: input.prefix(120), as: UTF8.self).debugDescription)")
            }
        }
    }

    /// Applies a decoded value as every patch type to the seed Deployment, as PatchHandler does.
    static func applyAllPatchTypes(_ patch: JSONValue, input: [UInt8], failures: inout [String]) {
        let gvr = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
        expectClean("json patch", input, { _ = try JSONPatch.apply(patch, to: deployment) }, failures: &failures)
        guard patch.objectValue != nil else { return }  // the handler answers 400 for the others
        _ = MergePatch.apply(patch, to: deployment)
        expectClean("strategic merge", input, { _ = try StrategicMergePatch.apply(patch, to: deployment, resource: gvr) }, failures: &failures)
        expectClean("apply (create)", input, {
            _ = try ServerSideApply.apply(patch, to: nil, manager: "fuzz", force: false, resource: gvr, now: Date(timeIntervalSince1970: 0))
        }, failures: &failures)
        expectClean("apply (update)", input, {
            _ = try ServerSideApply.apply(patch, to: deployment, manager: "fuzz", force: true, resource: gvr, now: Date(timeIntervalSince1970: 0))
        }, failures: &failures)
    }

    static func decodeAll(_ bytes: [UInt8], failures: inout [String]) {
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        for type in ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"] {
            var decoded: JSONValue?
            expectClean("decode \(type)", bytes, { decoded = try BodyDecoding.decode(buffer, contentType: type, info: pods) }, failures: &failures)
            if let decoded {
                expectClean("type meta", bytes, { try BodyDecoding.checkTypeMeta(decoded, info: pods, name: nil) }, failures: &failures)
                applyAllPatchTypes(decoded, input: bytes, failures: &failures)
            }
        }
        expectClean("yaml documents", bytes, { _ = try YAMLDocuments.parse(String(decoding: bytes, as: UTF8.self)) }, failures: &failures)
    }

    @Test("byte mutations of JSON, YAML and protobuf bodies decode or fail with a 4xx, as every patch type too")
    func byteMutations() throws {
        var r = FuzzRandom(seed: FuzzSettings.seed)
        let seeds = Self.jsonSeeds.map { Array($0.utf8) } + Self.yamlSeeds.map { Array($0.utf8) } + Self.protobufSeeds
        let iterations = FuzzSettings.iterations(300)
        var failures: [String] = []
        let started = Date()
        for _ in 0..<iterations {
            let input = FuzzMutator.mutate(r.pick(seeds), other: r.pick(seeds), &r)
            Self.decodeAll(input, failures: &failures)
        }
        print("fuzz byteMutations: \(iterations) inputs, \(failures.count) failures, \(Date().timeIntervalSince(started)) s")
        #expect(failures.isEmpty, "\(failures.count) inputs not answered with a 4xx:\n\(failures.prefix(20).joined(separator: "\n"))")
    }

    @Test("structural mutations of valid bodies and patches apply or fail with a 4xx for every patch type")
    func structuralMutations() throws {
        var r = FuzzRandom(seed: FuzzSettings.seed &+ 1)
        let seeds = try Self.jsonSeeds.map { try JSONValue.parse($0) }
        let iterations = FuzzSettings.iterations(300)
        var failures: [String] = []
        let started = Date()
        for _ in 0..<iterations {
            var value = r.pick(seeds)
            for _ in 0..<r.int(1..<4) { value = FuzzMutator.mutate(value, &r) }
            let text = Array(value.jsonString.utf8)
            Self.applyAllPatchTypes(value, input: text, failures: &failures)
            // Round trip through the JSON decoder too.
            Self.decodeAll(text, failures: &failures)
        }
        print("fuzz structuralMutations: \(iterations) values, \(failures.count) failures, \(Date().timeIntervalSince(started)) s")
        #expect(failures.isEmpty, "\(failures.count) values not answered with a 4xx:\n\(failures.prefix(20).joined(separator: "\n"))")
    }

    @Test("random protobuf wire data for every kind with a descriptor is a 400, a 415 or an object")
    func protobufWireData() throws {
        var r = FuzzRandom(seed: FuzzSettings.seed &+ 2)
        let kinds = BuiltinResources.all.filter { ProtobufSchemas.topLevel[$0.storageKey] != nil }
        #expect(kinds.count >= 10)
        var failures: [String] = []
        func varint(_ value: UInt64) -> [UInt8] {
            var v = value, out: [UInt8] = []
            repeat { out.append(UInt8(v & 0x7f) | (v > 0x7f ? 0x80 : 0)); v >>= 7 } while v > 0
            return out
        }
        func randomMessage(_ depth: Int) -> [UInt8] {
            var out: [UInt8] = []
            for _ in 0..<r.int(0..<6) {
                let number = UInt8(r.int(1..<16))
                if depth > 0 && r.chance(50) {
                    let inner = randomMessage(depth - 1)
                    out += [number << 3 | 2] + varint(UInt64(inner.count)) + inner
                } else if r.chance(50) {
                    out += [number << 3] + varint(r.next() >> UInt64(r.int(0..<64)))
                } else {
                    let bytes = (0..<r.int(0..<8)).map { _ in UInt8(truncatingIfNeeded: r.next()) }
                    out += [number << 3 | 2] + varint(UInt64(bytes.count)) + bytes
                }
            }
            return out
        }
        let iterations = FuzzSettings.iterations(1_000)
        for _ in 0..<iterations {
            let info = r.pick(kinds)
            let raw = randomMessage(r.int(0..<6))
            var body: [UInt8] = [0x6b, 0x38, 0x73, 0x00, 0x12] + varint(UInt64(raw.count)) + raw
            if r.chance(30) { body = FuzzMutator.mutate(body, other: raw, &r) }
            let input = body
            Self.expectClean("protobuf \(info.kind)", input, { _ = try ProtobufDecoding.decode(Data(input), info: info) }, failures: &failures)
        }
        print("fuzz protobufWireData: \(iterations) bodies over \(kinds.count) kinds, \(failures.count) failures")
        #expect(failures.isEmpty, "\(failures.prefix(20).joined(separator: "\n"))")
    }
}
