import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("CEL type checking of x-kubernetes-validations at CRD time")
struct CELTypeCheckTests {
    private let root = "spec.versions[0].schema.openAPIV3Schema"

    private func schema(_ rule: JSONValue, properties: JSONValue = [:], extra: [String: JSONValue] = [:]) -> JSONValue {
        var s: [String: JSONValue] = ["type": "object", "properties": properties, "x-kubernetes-validations": [rule]]
        for (k, v) in extra { s[k] = v }
        return .object(s)
    }

    private let fields: JSONValue = [
        "name": ["type": "string"], "count": ["type": "integer"], "ratio": ["type": "number"],
        "tags": ["type": "array", "maxItems": 16, "items": ["type": "string"]],
        "labels": ["type": "object", "maxProperties": 16, "additionalProperties": ["type": "string"]],
        "port": ["x-kubernetes-int-or-string": true], "timeout": ["type": "string", "format": "duration"],
        "at": ["type": "string", "format": "date-time"], "metadata": ["type": "object"],
    ]

    private func causes(_ rule: String, messageExpression: String? = nil, extra: [String: JSONValue] = [:]) -> [StatusCause] {
        var r: [String: JSONValue] = ["rule": .string(rule)]
        if let messageExpression { r["messageExpression"] = .string(messageExpression) }
        return CELValidation.checkRules(in: schema(.object(r), properties: fields, extra: extra), fieldPath: root)
    }

    @Test("an operator without a matching overload is refused with cel-go's issue: position, source line and caret")
    func operatorOverload() {
        let found = causes("self.name + 1 == 2")
        #expect(found.count == 1)
        #expect(found.first?.field == "\(root).x-kubernetes-validations[0].rule")
        #expect(found.first?.reason == "FieldValueInvalid")
        let value = #"apiextensions.ValidationRule{Rule:"self.name + 1 == 2", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}"#
        #expect(found.first?.message == "Invalid value: \(value): compilation failed: ERROR: <input>:1:11: found no matching overload for '_+_' applied to '(string, int)'\n | self.name + 1 == 2\n | ..........^")
    }

    @Test("fields the schema does not declare are refused, unless the object preserves unknown fields")
    func undefinedFields() {
        #expect(causes("self.nope == 1").first?.message?.hasSuffix("compilation failed: ERROR: <input>:1:5: undefined field 'nope'\n | self.nope == 1\n | ....^") == true)
        #expect(causes("has(self.nope)").first?.message?.contains("undefined field 'nope'") == true)
        #expect(causes("self.nope == 1", extra: ["x-kubernetes-preserve-unknown-fields": true]).isEmpty)
        // The resource root always has apiVersion, kind and metadata.name/generateName, and nothing else of metadata.
        #expect(causes("self.metadata.name.startsWith('a') && self.kind == 'K' && self.apiVersion != ''").isEmpty)
        #expect(causes("self.metadata.labels.size() > 0").first?.message?.contains("undefined field 'labels'") == true)
        #expect(causes("self.name.nope == 1").first?.message?.contains("type 'string' does not support field selection") == true)
    }

    @Test("functions check their receiver and argument types; several issues are reported in source order")
    func functionOverloads() throws {
        #expect(causes("self.count.startsWith('a')").first?.message?.contains("found no matching overload for 'startsWith' applied to 'int.(string)'") == true)
        #expect(causes("size(self.count) > 0").first?.message?.contains("found no matching overload for 'size' applied to '(int)'") == true)
        let two = try #require(causes("self.count.all(x, x > 0) || self.ratio == 1").first?.message)
        #expect(two.contains("ERROR: <input>:1:5: expression of type 'int' cannot be range of a comprehension (must be list, map, or dynamic)"), "\(two)")
        #expect(two.contains("ERROR: <input>:1:40: found no matching overload for '_==_' applied to '(double, int)'"), "\(two)")
        #expect(two.range(of: "1:5:")?.lowerBound ?? two.endIndex < two.range(of: "1:40")?.lowerBound ?? two.startIndex)
        #expect(causes("{'a': 1}['a'] + 'x' == 'y'").first?.message?.contains("found no matching overload for '_+_' applied to '(int, string)'") == true)
        #expect(causes("frobnicate(self.name)").first?.message?.contains("compilation failed: ERROR: <input>:1:11: undeclared reference to 'frobnicate' (in container '')") == true)
    }

    @Test("what type-checks: lists, maps, int-or-string as dyn, durations and timestamps from formats, optionals, library types")
    func wellTyped() {
        let good = [
            "self.tags.all(t, t.size() < 64) && self.labels.all(k, k.startsWith('a') && self.labels[k] != '')",
            "self.port > 0 || self.port.matches('^[0-9]+%$')",
            "self.timeout < duration('1h') && self.at > timestamp('2020-01-01T00:00:00Z') && self.at + self.timeout > self.at",
            "self.ratio > 1 && self.ratio == 1.5 && self.count < 2.5 && self.count in [1, 2]",
            "self.?name.orValue('') != '' && self.tags.filter(t, t != '').map(t, t.size()).sum() < 10",
            "quantity('1Gi').isGreaterThan(quantity('1Mi')) && isCIDR(self.name) && url('https://x').getScheme() == 'https'",
            "dyn(self.count) == 'x' && type(self.name) == string",
            "cel.bind(n, self.tags.size(), n > 0 && n < 10)",
            "{'a': 1}['a'] + 1 == 2 && {'k': self.count}.all(k, k.startsWith('k'))",
        ]
        for rule in good { #expect(causes(rule).isEmpty, "\(rule): \(causes(rule))") }
    }

    @Test("a rule must be a bool; a messageExpression must compile and be a string")
    func resultTypes() {
        #expect(causes("self.name").first?.message?.hasSuffix(": cel expression must evaluate to a bool") == true)
        let message = causes("self.count > 0", messageExpression: "self.count")
        #expect(message.first?.field == "\(root).x-kubernetes-validations[0].messageExpression")
        #expect(message.first?.message?.hasSuffix(": messageExpression must evaluate to a string") == true)
        let broken = causes("self.count > 0", messageExpression: "'count ' + self.count")
        #expect(broken.first?.message?.contains("messageExpression compilation failed: ERROR: <input>:1:10: found no matching overload for '_+_' applied to '(string, int)'") == true)
        #expect(causes("self.count > 0", messageExpression: "'count ' + string(self.count)").isEmpty)
    }

    @Test("optionalOldSelf types oldSelf as an optional and may only be set on transition rules")
    func optionalOldSelf() {
        let rule: JSONValue = ["rule": "!oldSelf.hasValue() || oldSelf.value().count <= self.count", "optionalOldSelf": true]
        #expect(CELValidation.checkRules(in: schema(rule, properties: fields), fieldPath: root).isEmpty)
        let unused: JSONValue = ["rule": "self.count > 0", "optionalOldSelf": true]
        let found = CELValidation.checkRules(in: schema(unused, properties: fields), fieldPath: root)
        #expect(found.first?.field == "\(root).x-kubernetes-validations[0].optionalOldSelf")
        #expect(found.first?.message == "Invalid value: true: may not be set if oldSelf is not used in rule")
    }

    @Test("duration and date-time fields are durations and timestamps when rules run, as the apiserver converts them")
    func typedValuesAtRuntime() {
        let s = schema(["rule": "self.timeout <= duration('1h') && self.at < timestamp('2030-01-01T00:00:00Z')"], properties: fields)
        #expect(CELValidation.checkRules(in: s, fieldPath: root).isEmpty)
        #expect(CELValidation.validate(new: ["timeout": "30m", "at": "2024-05-01T10:00:00Z"], old: nil, schema: s).isEmpty)
        let refused = CELValidation.validate(new: ["timeout": "2h", "at": "2024-05-01T10:00:00Z"], old: nil, schema: s)
        #expect(refused.count == 1 && refused.first?.message?.contains("failed rule") == true, "\(refused)")
    }
}
