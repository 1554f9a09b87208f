import Foundation
import KubeCore
import SextantAPI
import Testing

/// Walks a JSON value against a schema; returns every disagreement as `path: problem`.
func disagreements(_ value: JSONValue, _ schema: SchemaNode, path: String = "") -> [String] {
    if schema.preservesUnknownFields { return [] }
    if schema.keywords["x-kubernetes-int-or-string"] != nil {
        switch value {
        case .string, .int: return []
        default: return ["\(path): expected int-or-string, got \(value.typeName)"]
        }
    }
    switch (schema.type, value) {
    case ("object", .object(let o)):
        if let valueSchema = schema.additionalProperties.first {
            return o.keys.sorted().flatMap { disagreements(o[$0] ?? .null, valueSchema, path: "\(path).\($0)") }
        }
        var problems: [String] = []
        let declared = Set(schema.properties.map(\.name))
        for key in o.keys.sorted() where !declared.contains(key) {
            problems.append("\(path).\(key): encoded by the type but not in the schema")
        }
        for p in schema.properties {
            if let child = o[p.name] {
                problems += disagreements(child, p.schema, path: "\(path).\(p.name)")
            } else {
                problems.append("\(path).\(p.name): in the schema but not encoded by the (fully populated) sample")
            }
        }
        for case .string(let r) in schema.keywords["required"]?.arrayValue ?? [] where !declared.contains(r) {
            problems.append("\(path): required \(r) is not a property")
        }
        return problems
    case ("array", .array(let a)):
        guard let item = schema.items.first else { return ["\(path): array without items"] }
        if a.isEmpty { return ["\(path): sample array is empty"] }
        return a.enumerated().flatMap { disagreements($0.element, item, path: "\(path)[\($0.offset)]") }
    case ("string", .string), ("boolean", .bool), ("integer", .int), ("number", .int), ("number", .double):
        return []
    default:
        return ["\(path): schema type \(schema.type ?? "none") but value is \(value.typeName)"]
    }
}

@Suite("API schemas agree with the Swift types")
struct SchemaAgreementTests {
    @Test("MLPipeline spec and status schemas match the Codable encoding key for key")
    func mlpipeline() throws {
        let json = try JSONValue(encoding: Samples.pipeline)
        #expect(disagreements(try #require(json["spec"]), MLPipeline.specSchema, path: ".spec") == [])
        #expect(disagreements(try #require(json["status"]), MLPipeline.statusSchema, path: ".status") == [])
    }

    @Test("ModelVersion spec and status schemas match the Codable encoding key for key")
    func modelVersion() throws {
        let json = try JSONValue(encoding: Samples.modelVersion)
        #expect(disagreements(try #require(json["spec"]), ModelVersion.specSchema, path: ".spec") == [])
        #expect(disagreements(try #require(json["status"]), ModelVersion.statusSchema, path: ".status") == [])
    }

    @Test("RetrainPolicy spec and status schemas match the Codable encoding key for key")
    func retrainPolicy() throws {
        let json = try JSONValue(encoding: Samples.retrainPolicy)
        #expect(disagreements(try #require(json["spec"]), RetrainPolicy.specSchema, path: ".spec") == [])
        #expect(disagreements(try #require(json["status"]), RetrainPolicy.statusSchema, path: ".status") == [])
    }

    @Test("the agreement check notices a field the schema lacks")
    func detectsMismatch() throws {
        var json = try JSONValue(encoding: Samples.pipeline)
        json["spec"]?["surprise"] = "x"
        let problems = disagreements(try #require(json["spec"]), MLPipeline.specSchema, path: ".spec")
        #expect(problems == [".spec.surprise: encoded by the type but not in the schema"])
    }

    @Test("a fully populated object survives a JSON round trip unchanged")
    func roundTrip() throws {
        let json = try JSONValue(encoding: Samples.pipeline)
        #expect(try json.decode(as: MLPipeline.self) == Samples.pipeline)
        let mv = try JSONValue(encoding: Samples.modelVersion)
        #expect(try mv.decode(as: ModelVersion.self) == Samples.modelVersion)
        let rp = try JSONValue(encoding: Samples.retrainPolicy)
        #expect(try rp.decode(as: RetrainPolicy.self) == Samples.retrainPolicy)
    }

    @Test("quantities written as numbers decode and encode as strings")
    func quantities() throws {
        let r = try JSONValue.parse(#"{"requests": {"cpu": 1, "memory": "2Gi"}}"#).decode(as: ComputeResources.self)
        #expect(r.requests?["cpu"] == "1")
        #expect(try JSONValue(encoding: r)[path: ["requests", "cpu"]] == "1")
    }
}
