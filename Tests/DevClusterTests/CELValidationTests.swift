import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("CEL subset: x-kubernetes-validations")
struct CELValidationTests {
    private func eval(_ rule: String, _ selfJSON: String, old: String? = nil) throws -> CELValue {
        let expr = try CELParser.parse(rule)
        var vars: [String: CELValue] = ["self": CELValue(json: try JSONValue.parse(selfJSON))]
        if let old { vars["oldSelf"] = CELValue(json: try JSONValue.parse(old)) }
        return try CELEvaluator(variables: vars).eval(expr)
    }

    private func schema(rules: [JSONValue], type: String = "object", extra: [String: JSONValue] = [:]) -> JSONValue {
        var s: [String: JSONValue] = ["type": .string(type), "x-kubernetes-validations": .array(rules)]
        for (k, v) in extra { s[k] = v }
        return .object(s)
    }

    @Test("literals, arithmetic, comparison, ternary and string functions evaluate as CEL does")
    func basics() throws {
        #expect(try eval("1 + 2 * 3 == 7 && 7 / 2 == 3 && 7 % 2 == 1", "{}") == .bool(true))
        #expect(try eval("2u + 3u == 5u && 1.5 * 2.0 == 3.0 && -3 < 0", "{}") == .bool(true))
        #expect(try eval("'ab' + \"cd\" == 'abcd' && size('héllo') == 5", "{}") == .bool(true))
        #expect(try eval("self.name.startsWith('tr') && self.name.endsWith('in') && self.name.contains('ai')", #"{"name":"train"}"#) == .bool(true))
        #expect(try eval("self.name.matches('^[a-z]+$') ? 'ok' : 'bad'", #"{"name":"train"}"#) == .string("ok"))
        #expect(try eval("[1, 2, 3].map(x, x * 2) == [2, 4, 6] && {'a': 1}.a == 1 && {'a': 1}['a'] == 1", "{}") == .bool(true))
        #expect(try eval("2 in [1, 2] && 'k' in {'k': null} && !(3 in [1, 2]) && null == null", "{}") == .bool(true))
        #expect(try eval("self.n > 1.5 && self.n == 2.0 && int('42') == 42 && string(7) == '7'", #"{"n":2}"#) == .bool(true))
    }

    @Test("&& and || absorb errors when the other side decides; otherwise the error surfaces")
    func errorAbsorption() throws {
        #expect(try eval("self.missing == 1 || true", "{}") == .bool(true))
        #expect(try eval("false && self.missing == 1", "{}") == .bool(false))
        #expect(throws: CELError.eval("no such key: missing")) { try eval("self.missing == 1 && true", "{}") }
        #expect(throws: CELError.eval("division by zero")) { try eval("1 / 0 == 1", "{}") }
        #expect(try eval("[0, 1].exists(x, 1 / x == 1)", "{}") == .bool(true))
    }

    @Test("has() tests presence; field selection of an absent field is an error")
    func presence() throws {
        #expect(try eval("has(self.a) && !has(self.b)", #"{"a":1}"#) == .bool(true))
        #expect(throws: CELError.eval("no such key: b")) { try eval("self.b == 1", #"{"a":1}"#) }
    }

    @Test("the project's step-name uniqueness rule: all + exists_one")
    func uniqueNames() throws {
        let rule = "self.all(s, self.exists_one(t, t.name == s.name))"
        #expect(try eval(rule, #"[{"name":"a"},{"name":"b"}]"#) == .bool(true))
        #expect(try eval(rule, #"[{"name":"a"},{"name":"a"}]"#) == .bool(false))
    }

    @Test("the project's exactly-one-backend rule: list of has() filtered and counted")
    func exactlyOne() throws {
        let rule = "[has(self.container), has(self.sagemaker), has(self.vertexAI), has(self.azureML)].filter(x, x).size() == 1"
        #expect(try eval(rule, #"{"container":{}}"#) == .bool(true))
        #expect(try eval(rule, #"{"container":{},"sagemaker":{}}"#) == .bool(false))
        #expect(try eval(rule, #"{}"#) == .bool(false))
    }

    @Test("the project's dependsOn rule: every dependency names an existing step")
    func dependsOn() throws {
        let rule = "cel.bind(names, self.steps.map(t, t.name), self.steps.all(s, !has(s.dependsOn) || s.dependsOn.all(d, d in names)))"
        #expect(try eval(rule, #"{"steps":[{"name":"a"},{"name":"b","dependsOn":["a"]}]}"#) == .bool(true))
        #expect(try eval(rule, #"{"steps":[{"name":"a"},{"name":"b","dependsOn":["zz"]}]}"#) == .bool(false))
    }

    @Test("the project's immutability transition rule compares lists and maps structurally")
    func transitionEquality() throws {
        let rule = "self.steps == oldSelf.steps && self.params == oldSelf.params"
        let old = #"{"steps":[{"name":"a","n":1}],"params":{"k":"v","x":1}}"#
        #expect(try eval(rule, #"{"steps":[{"n":1,"name":"a"}],"params":{"x":1.0,"k":"v"}}"#, old: old) == .bool(true))
        #expect(try eval(rule, #"{"steps":[{"name":"b","n":1}],"params":{"k":"v","x":1}}"#, old: old) == .bool(false))
        #expect(try eval(rule, #"{"steps":[{"name":"a","n":1}],"params":{"k":"w","x":1}}"#, old: old) == .bool(false))
    }

    @Test("validate reports failed rules at the node's path with message, messageExpression or the default")
    func validateCauses() throws {
        let spec = schema(rules: [
            ["rule": "self.replicas >= 1"],
            ["rule": "self.name.size() < 4", "message": "name too long"],
            ["rule": "self.replicas < 5", "messageExpression": "'replicas is ' + string(self.replicas)", "reason": "FieldValueForbidden"],
        ], extra: ["properties": ["replicas": ["type": "integer"], "name": ["type": "string"]]])
        let root = schema(rules: [["rule": "self.metadata.name.startsWith('p')"]], extra: ["properties": ["spec": spec]])
        let object = try JSONValue.parse(#"{"metadata":{"name":"x"},"spec":{"replicas":9,"name":"longer"}}"#)
        let causes = CELValidation.validate(new: object, old: nil, schema: root)
        #expect(causes == [
            StatusCause(reason: "FieldValueInvalid", message: #"Invalid value: "object": failed rule: self.metadata.name.startsWith('p')"#, field: "<nil>"),
            StatusCause(reason: "FieldValueInvalid", message: #"Invalid value: "object": name too long"#, field: "spec"),
            StatusCause(reason: "FieldValueForbidden", message: "Forbidden: replicas is 9", field: "spec"),
        ])
        let ok = try JSONValue.parse(#"{"metadata":{"name":"p"},"spec":{"replicas":2,"name":"abc"}}"#)
        #expect(CELValidation.validate(new: ok, old: nil, schema: root).isEmpty)
    }

    @Test("transition rules run only on update; rules inside lists run per element")
    func transitionOnlyOnUpdate() throws {
        let spec = schema(rules: [["rule": "self.steps == oldSelf.steps", "message": "steps are immutable"]], extra: [
            "properties": ["steps": ["type": "array", "items": ["type": "object", "x-kubernetes-validations": [["rule": "self.name != ''"]]]]],
        ])
        let root: JSONValue = ["type": "object", "properties": ["spec": spec]]
        let v1 = try JSONValue.parse(#"{"spec":{"steps":[{"name":"a"}]}}"#)
        let v2 = try JSONValue.parse(#"{"spec":{"steps":[{"name":"b"},{"name":""}]}}"#)
        #expect(CELValidation.validate(new: v1, old: nil, schema: root).isEmpty)
        #expect(CELValidation.validate(new: v1, old: v1, schema: root).isEmpty)
        let causes = CELValidation.validate(new: v2, old: v1, schema: root)
        #expect(causes.map(\.field) == ["spec", "spec.steps[1]"])
        #expect(causes.first?.message == #"Invalid value: "object": steps are immutable"#)
    }

    @Test("runtime errors are reported with 'evaluating rule', never as passing")
    func runtimeErrors() throws {
        let s = schema(rules: [["rule": "self.a == 1"]])
        let causes = CELValidation.validate(new: ["b": 1], old: nil, schema: s)
        #expect(causes.map(\.message) == [#"Invalid value: "object": no such key: a evaluating rule: self.a == 1"#])
    }

    @Test("checkRules rejects rules that do not compile with a cause naming the rule's path")
    func unsupportedRules() throws {
        let s: JSONValue = ["type": "object", "properties": ["spec": schema(rules: [
            ["rule": "self.x == 1 && self.ts != ''"],
            ["rule": "self.ts > frobnicate('2020-01-01T00:00:00Z')"],
            ["rule": "self.x == "],
            ["rule": "unknownVar == 1"],
        ], extra: ["properties": ["ts": ["type": "string"], "x": ["type": "integer"]]])]]
        let causes = CELValidation.checkRules(in: s, fieldPath: "spec.validation.openAPIV3Schema")
        #expect(causes.map(\.field) == [
            "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[1].rule",
            "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[2].rule",
            "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[3].rule",
        ])
        let rule = #"apiextensions.ValidationRule{Rule:"self.ts > frobnicate('2020-01-01T00:00:00Z')", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}"#
        #expect(causes.first?.message == "Invalid value: \(rule): compilation failed: ERROR: <input>:1:21: undeclared reference to 'frobnicate' (in container '')\n | self.ts > frobnicate('2020-01-01T00:00:00Z')\n | ....................^")
        #expect(causes.allSatisfy { $0.reason == "FieldValueInvalid" && ($0.message ?? "").contains("compilation failed") })
    }
}
