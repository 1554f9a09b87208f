import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("Structural schema validation, pruning and defaulting")
struct SchemaValidationTests {
    static let schema: JSONValue = try! JSONValue.parse(#"""
    {"type":"object","properties":{
      "spec":{"type":"object","required":["name"],"properties":{
        "name":{"type":"string","pattern":"^[a-z]+$","minLength":2,"maxLength":5},
        "replicas":{"type":"integer","minimum":1,"maximum":10,"default":1},
        "ratio":{"type":"number","exclusiveMinimum":true,"minimum":0},
        "mode":{"type":"string","enum":["a","b"]},
        "port":{"x-kubernetes-int-or-string":true},
        "note":{"type":"string","nullable":true},
        "when":{"type":"string","format":"date-time"},
        "labels":{"type":"object","additionalProperties":{"type":"string"},"maxProperties":2},
        "steps":{"type":"array","minItems":1,"maxItems":2,"items":{"type":"object","required":["name"],
          "properties":{"name":{"type":"string"},"image":{"type":"string","default":"python:3"}}}},
        "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
        "template":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object"}}}
      }},
      "status":{"type":"object","properties":{"phase":{"type":"string"}}}
    }}
    """#)

    private func causes(_ json: String) throws -> [StatusCause] {
        SchemaValidation.validate(try JSONValue.parse(json), schema: Self.schema)
    }

    @Test("a wrong type is FieldValueTypeInvalid with the kube-openapi message")
    func typeMismatch() throws {
        let c = try causes(#"{"apiVersion":"x/v1","kind":"K","metadata":{"name":"n"},"spec":{"name":"ab","replicas":"three"}}"#)
        #expect(c == [StatusCause(reason: "FieldValueTypeInvalid", message: #"Invalid value: "string": spec.replicas in body must be of type integer: "string""#, field: "spec.replicas")])
    }

    @Test("integers are accepted for number fields, integral doubles for integer fields, fractions are not")
    func integerVersusNumber() throws {
        #expect(try causes(#"{"spec":{"name":"ab","ratio":2,"replicas":3.0}}"#).isEmpty)
        #expect(try causes(#"{"spec":{"name":"ab","replicas":1.5}}"#).map(\.message) == [#"Invalid value: "number": spec.replicas in body must be of type integer: "number""#])
    }

    @Test("missing required fields are FieldValueRequired with 'Required value'")
    func required() throws {
        #expect(try causes(#"{"spec":{}}"#) == [StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.name")])
        #expect(try causes(#"{"spec":{"name":"ab","steps":[{"image":"x"}]}}"#) == [StatusCause(reason: "FieldValueRequired", message: "Required value", field: "spec.steps[0].name")])
    }

    @Test("enum violations are FieldValueNotSupported listing the supported values")
    func enumValues() throws {
        #expect(try causes(#"{"spec":{"name":"ab","mode":"x"}}"#) == [StatusCause(reason: "FieldValueNotSupported", message: #"Unsupported value: "x": supported values: "a", "b""#, field: "spec.mode")])
    }

    @Test("pattern, minLength and maxLength report FieldValueInvalid / FieldValueTooLong")
    func strings() throws {
        #expect(try causes(#"{"spec":{"name":"AB"}}"#) == [StatusCause(reason: "FieldValueInvalid", message: #"Invalid value: "AB": spec.name in body should match '^[a-z]+$'"#, field: "spec.name")])
        #expect(try causes(#"{"spec":{"name":"a"}}"#).map(\.message) == [#"Invalid value: "a": spec.name in body should be at least 2 chars long"#])
        #expect(try causes(#"{"spec":{"name":"abcdefg"}}"#) == [StatusCause(reason: "FieldValueTooLong", message: "Too long: may not be more than 5 bytes", field: "spec.name")])
    }

    @Test("minimum, maximum and exclusiveMinimum print the bound as kube-openapi does")
    func numbers() throws {
        #expect(try causes(#"{"spec":{"name":"ab","replicas":0}}"#).map(\.message) == ["Invalid value: 0: spec.replicas in body should be greater than or equal to 1"])
        #expect(try causes(#"{"spec":{"name":"ab","replicas":11}}"#).map(\.message) == ["Invalid value: 11: spec.replicas in body should be less than or equal to 10"])
        #expect(try causes(#"{"spec":{"name":"ab","ratio":0}}"#).map(\.message) == ["Invalid value: 0: spec.ratio in body should be greater than 0"])
    }

    @Test("minItems, maxItems and maxProperties: FieldValueInvalid and FieldValueTooMany")
    func collections() throws {
        #expect(try causes(#"{"spec":{"name":"ab","steps":[]}}"#).map(\.message) == ["Invalid value: 0: spec.steps in body should have at least 1 items"])
        #expect(try causes(#"{"spec":{"name":"ab","steps":[{"name":"a"},{"name":"b"},{"name":"c"}]}}"#) == [StatusCause(reason: "FieldValueTooMany", message: "Too many: 3: must have at most 2 items", field: "spec.steps")])
        #expect(try causes(#"{"spec":{"name":"ab","labels":{"a":"1","b":"2","c":"3"}}}"#).map(\.reason) == ["FieldValueTooMany"])
        #expect(try causes(#"{"spec":{"name":"ab","labels":{"a":1}}}"#).map(\.field) == ["spec.labels.a"])
    }

    @Test("nullable, int-or-string and date-time formats")
    func specialTypes() throws {
        #expect(try causes(#"{"spec":{"name":"ab","note":null,"port":"http","when":"2026-01-02T03:04:05Z"}}"#).isEmpty)
        #expect(try causes(#"{"spec":{"name":"ab","port":8080}}"#).isEmpty)
        #expect(try causes(#"{"spec":{"name":null}}"#).map(\.message) == [#"Invalid value: "null": spec.name in body must be of type string: "null""#])
        #expect(try causes(#"{"spec":{"name":"ab","port":true}}"#).map(\.reason) == ["FieldValueTypeInvalid"])
        #expect(try causes(#"{"spec":{"name":"ab","when":"yesterday"}}"#).map(\.message) == [#"Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday""#])
    }

    @Test("pruning drops unknown fields and reports their paths, keeping type meta, preserved and embedded fields")
    func pruning() throws {
        var object = try JSONValue.parse(#"""
        {"apiVersion":"x/v1","kind":"K","metadata":{"name":"n"},"extra":1,
         "spec":{"name":"ab","bogus":true,"steps":[{"name":"a","typo":1}],"free":{"any":{"thing":1}},
                 "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"x":1},"junk":1}}}
        """#)
        let pruned = SchemaValidation.prune(&object, schema: Self.schema)
        #expect(pruned.sorted() == ["extra", "spec.bogus", "spec.steps[0].typo", "spec.template.junk", "spec.template.spec.x"])
        #expect(object["apiVersion"] == "x/v1")
        #expect(object[path: ["metadata", "name"]] == "n")
        #expect(object[path: ["spec", "free", "any", "thing"]] == 1)
        #expect(object[path: ["spec", "template", "kind"]] == "Pod")
        #expect(object[path: ["spec", "steps"]] == [["name": "a"]])
    }

    @Test("metadata declared in the schema (as CRD generators do) is never pruned")
    func metadataDeclaredInSchema() throws {
        var schema = Self.schema
        schema[path: ["properties", "metadata"]] = ["type": "object"]
        var object = try JSONValue.parse(#"{"apiVersion":"x/v1","kind":"K","metadata":{"name":"n","namespace":"d","uid":"u"},"spec":{"name":"ab"}}"#)
        #expect(SchemaValidation.prune(&object, schema: schema).isEmpty)
        #expect(object[path: ["metadata", "uid"]] == "u")
        #expect(SchemaValidation.validate(object, schema: schema).isEmpty)
    }

    @Test("defaults fill absent properties of objects that exist, including list items")
    func defaults() throws {
        var object = try JSONValue.parse(#"{"spec":{"name":"ab","steps":[{"name":"a"},{"name":"b","image":"custom"}]}}"#)
        SchemaValidation.applyDefaults(&object, schema: Self.schema)
        #expect(object[path: ["spec", "replicas"]] == 1)
        #expect(object[path: ["spec", "steps"]] == [["name": "a", "image": "python:3"], ["name": "b", "image": "custom"]])
        var noSpec = try JSONValue.parse(#"{"metadata":{}}"#)
        SchemaValidation.applyDefaults(&noSpec, schema: Self.schema)
        #expect(noSpec["spec"] == nil)
    }

    @Test("CRD schemas must be structural: types everywhere, items for arrays, no properties with additionalProperties")
    func structuralRules() throws {
        let bad = try JSONValue.parse(#"""
        {"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}},
          "list":{"type":"array"},
          "both":{"type":"object","properties":{"x":{"type":"string"}},"additionalProperties":{"type":"string"}},
          "weird":{"type":"text"},
          "uniq":{"type":"array","uniqueItems":true,"items":{"type":"string"}},
          "ok":{"x-kubernetes-preserve-unknown-fields":true},
          "ios":{"x-kubernetes-int-or-string":true}}}
        """#)
        let root = "spec.versions[0].schema.openAPIV3Schema"
        let causes = SchemaValidation.validateCRDSchema(bad, fieldPath: root)
        let byField = Dictionary(causes.map { ($0.field ?? "", $0.message ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(byField["\(root).properties[spec].type"] == "Required value: must not be empty for specified object fields")
        #expect(byField["\(root).properties[list].items"] == "Required value: must be specified")
        #expect(byField["\(root).properties[both].additionalProperties"] == "Forbidden: additionalProperties and properties are mutual exclusive")
        #expect(byField["\(root).properties[weird].type"] == #"Unsupported value: "text": supported values: "array", "boolean", "integer", "number", "object", "string""#)
        #expect(byField["\(root).properties[uniq].uniqueItems"] != nil)
        #expect(causes.count == 5)
        #expect(SchemaValidation.validateCRDSchema(Self.schema, fieldPath: root).isEmpty)
        #expect(SchemaValidation.validateCRDSchema(["type": "string"], fieldPath: root).map(\.message) == [#"Invalid value: "string": must be object at the root"#])
    }
}
