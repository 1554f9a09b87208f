import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("CEL cost limits: the per-call runtime limit, the per-object budget, the CRD-time estimate")
struct CELCostTests {
    private let root = "spec.versions[0].schema.openAPIV3Schema"

    @Test("a rule over its per-call limit is cancelled with the apiserver's message, and no further rules run")
    func perCallLimit() throws {
        // A regex over 1,000,000 characters with a 43-character pattern: 100,000 × 11 units > 1,000,000.
        let rule = "self.s.matches('^[a-z]+[a-z]+[a-z]+[a-z]+[a-z]+[a-z]+[a-z]+$')"
        let schema: JSONValue = ["type": "object", "properties": ["s": ["type": "string"]],
                                 "x-kubernetes-validations": [["rule": .string(rule)], ["rule": "false", "message": "never reached"]]]
        let causes = CELValidation.validate(new: ["s": .string(String(repeating: "a", count: 1_000_000))], old: nil, schema: schema)
        #expect(causes.count == 1, "\(causes)")
        #expect(causes.first?.message == #"Invalid value: "object": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: "# + rule)
        // The same rule over a short string passes, and the second rule then runs.
        let small = CELValidation.validate(new: ["s": "abcdefg"], old: nil, schema: schema)
        #expect(small.map(\.message) == [#"Invalid value: "object": never reached"#])
    }

    @Test("the meter charges per identifier, selection, call and iteration, and cancels past its limit")
    func meter() throws {
        let expr = try CELParser.parse("self.l.all(x, x > 0)")
        let meter = CELCostMeter()
        #expect(try CELEvaluator(variables: ["self": .map(["l": .list([.int(1), .int(2), .int(3)])])], meter: meter).eval(expr) == .bool(true))
        #expect(meter.spent > 6 && meter.spent < 30, "\(meter.spent)")
        let tiny = CELCostMeter(limit: 5)
        #expect(throws: CELError.cancelled("operation cancelled: actual cost limit exceeded")) {
            try CELEvaluator(variables: ["self": .map(["l": .list((1...10).map(CELValue.int))])], meter: tiny).eval(expr)
        }
        // || does not absorb a cancellation the way it absorbs an error.
        let or = try CELParser.parse("self.l.all(x, x > 0) || true")
        #expect(throws: CELError.cancelled("operation cancelled: actual cost limit exceeded")) {
            try CELEvaluator(variables: ["self": .map(["l": .list((1...10).map(CELValue.int))])], meter: CELCostMeter(limit: 5)).eval(or)
        }
    }

    @Test("an object whose rules together spend over the runtime budget stops with 'running out of cost budget'")
    func perObjectBudget() throws {
        // 120 elements, each running a regex rule over 100,000 characters (about 100,000 units each):
        // the 10,000,000 budget runs out part way through the list.
        let pattern = "^[a-z]+[a-z]+[a-z]+[a-z]+[a-z]+[a-z]+[a-z]+$"
        let element: JSONValue = ["type": "object", "properties": ["s": ["type": "string"]],
                                  "x-kubernetes-validations": [["rule": .string("self.s.matches('\(pattern)')")]]]
        let schema: JSONValue = ["type": "object", "properties": ["list": ["type": "array", "items": element]]]
        let long = JSONValue.string(String(repeating: "a", count: 100_000))
        let object: JSONValue = ["list": .array(Array(repeating: ["s": long], count: 120))]
        let causes = CELValidation.validate(new: object, old: nil, schema: schema)
        #expect(causes.count == 1, "\(causes.count)")
        #expect(causes.first?.message == #"Invalid value: "object": validation failed due to running out of cost budget, no further validation rules will be run"#)
        #expect(causes.first?.field?.hasPrefix("list[") == true)
    }

    @Test("a rule on an unbounded list of unbounded strings is refused at CRD time with the factor; maxItems/maxLength make it fit")
    func estimatedRuleCost() throws {
        let rule: JSONValue = ["rule": "self.all(x, x.matches('^[a-z]+(-[a-z]+)*$'))"]
        let unbounded: JSONValue = ["type": "object", "properties": ["names": ["type": "array", "items": ["type": "string"], "x-kubernetes-validations": [rule]]]]
        let causes = CELCostEstimator.check(unbounded, fieldPath: root)
        #expect(causes.first?.field == "\(root).properties[names].x-kubernetes-validations[0].rule")
        #expect(causes.first?.reason == "FieldValueForbidden")
        #expect(causes.first?.message == "Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)")
        let bounded: JSONValue = ["type": "object", "properties": ["names": ["type": "array", "maxItems": 64, "items": ["type": "string", "maxLength": 253],
                                                                             "x-kubernetes-validations": [rule]]]]
        #expect(CELCostEstimator.check(bounded, fieldPath: root).isEmpty)
    }

    @Test("a rule inside a list runs once per element: its estimate is multiplied by the enclosing maxItems")
    func cardinality() throws {
        let item: JSONValue = ["type": "object", "properties": ["name": ["type": "string", "maxLength": 4096]],
                               "x-kubernetes-validations": [["rule": "self.name.matches('^(a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p)+$')"]]]
        let few: JSONValue = ["type": "array", "maxItems": 10, "items": item]
        let many: JSONValue = ["type": "array", "maxItems": 100_000, "items": item]
        let one = CELCostEstimator.estimate(try CELParser.parse("self.name.matches('^(a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p)+$')"), selfSchema: item)
        #expect(one > 1000 && one < 10_000_000, "\(one)")
        #expect(CELCostEstimator.check(["type": "object", "properties": ["l": few]], fieldPath: root).isEmpty)
        let refused = CELCostEstimator.check(["type": "object", "properties": ["l": many]], fieldPath: root)
        #expect(refused.first?.field == "\(root).properties[l].items.x-kubernetes-validations[0].rule", "\(refused)")
    }

    @Test("the total over all rules is limited too: many affordable rules add up to a refusal naming the most expensive")
    func totalLimit() throws {
        var properties: [String: JSONValue] = [:]
        for i in 0..<30 {
            properties["f\(i)"] = ["type": "array", "maxItems": 5000, "items": ["type": "string", "maxLength": 250],
                                   "x-kubernetes-validations": [["rule": "self.all(x, x.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'))"]]]
        }
        let causes = CELCostEstimator.check(["type": "object", "properties": .object(properties)], fieldPath: root)
        #expect(causes.last?.field == root, "\(causes)")
        #expect(causes.last?.message?.hasPrefix("Forbidden: x-kubernetes-validations estimated rule & messageExpression cost total for entire OpenAPIv3 schema exceeds budget by factor of") == true)
        #expect(causes.filter { $0.message == "Forbidden: contributed to estimated rule & messageExpression cost total exceeding cost limit for entire OpenAPIv3 schema" }.count == 4)
    }

    @Test("a nested all() over unbounded lists of unbounded strings is refused; the limit is inclusive, one element more is refused")
    func nestedAndBoundary() throws {
        let nested: JSONValue = ["type": "object",
                                 "properties": ["a": ["type": "array", "items": ["type": "string"]], "b": ["type": "array", "items": ["type": "string"]]],
                                 "x-kubernetes-validations": [["rule": "self.a.all(x, self.b.all(y, x != y))"]]]
        let refused = CELCostEstimator.check(nested, fieldPath: root)
        #expect(refused.first?.field == "\(root).x-kubernetes-validations[0].rule")
        #expect(refused.first?.message?.hasPrefix("Forbidden: estimated rule cost exceeds budget by factor of more than 100x") == true)
        // self.l (2) + all's accumulator and result (1) + n × (loop condition and step 3 + x.size() < 10: 3) = 3 + 6n.
        func list(_ n: Int) -> JSONValue {
            ["type": "object", "properties": ["l": ["type": "array", "maxItems": .int(Int64(n)), "items": ["type": "string"]]],
             "x-kubernetes-validations": [["rule": "self.l.all(x, x.size() < 10)"]]]
        }
        #expect(CELCostEstimator.estimate(try CELParser.parse("self.l.all(x, x.size() < 10)"), selfSchema: list(7)) == 45)
        #expect(CELCostEstimator.check(list(1_666_666), fieldPath: root).isEmpty)  // 9,999,999
        #expect(CELCostEstimator.check(list(1_666_667), fieldPath: root).count == 1)  // 10,000,005
        let over = CELCostEstimator.check(list(1_700_000), fieldPath: root)  // 10,200,003
        #expect(over.map(\.message) == ["Forbidden: estimated rule cost exceeds budget by factor of 1.020000x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)"])
    }

    @Test("under an unbounded list a rule runs at most 3 MiB / (its node's minimum size + 1) times, not a product per level")
    func unboundedCardinality() throws {
        // Objects with a required 4-character string: minimum size 2 + 4 + 2 + 4 = 12 bytes, so 241,979 places.
        let item: JSONValue = ["type": "object", "required": ["name"], "properties": ["name": ["type": "string", "maxLength": 4]],
                               "x-kubernetes-validations": [["rule": "self.name != 'x'"]]]
        let nested: JSONValue = ["type": "object", "properties": ["outer": ["type": "array", "items": ["type": "array", "items": item]]]]
        #expect(CELCostEstimator.minSize(item) == 12)
        #expect(CELCostEstimator.check(nested, fieldPath: root).isEmpty)
        // A regex over an unbounded string at that cardinality is over the limit.
        let costly: JSONValue = ["type": "object", "required": ["name"], "properties": ["name": ["type": "string"]],
                                 "x-kubernetes-validations": [["rule": "self.name.matches('^[a-z]+$')"]]]
        let refused = CELCostEstimator.check(["type": "object", "properties": ["outer": ["type": "array", "items": ["type": "array", "items": costly]]]], fieldPath: root)
        #expect(refused.first?.field == "\(root).properties[outer].items.items.x-kubernetes-validations[0].rule", "\(refused)")
    }

    @Test("the apiserver's factor wording: 6 decimals under 1.5x, one decimal up to 100x, then 'more than 100x'")
    func factorWording() {
        #expect(CELCostEstimator.message("estimated rule cost", 12_000_000, 10_000_000).contains("factor of 1.200000x"))
        #expect(CELCostEstimator.message("estimated rule cost", 25_000_000, 10_000_000).contains("factor of 2.5x"))
        #expect(CELCostEstimator.message("estimated rule cost", 2e9, 10_000_000).contains("factor of more than 100x"))
    }
}

@Suite("CEL cost estimate of real CRDs")
struct CELRealCRDCostTests {
    /// Every CRD the project ships and every third-party CRD in Tests/harness/crds compiles.
    @Test("the project's CRDs and the harness's third-party CRDs compile (checkRules finds nothing)")
    func realCRDsFit() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("crds").path).map { "crds/\($0)" }
        files += ["gateway-api/standard-install.yaml", "prometheus-operator/crds.yaml", "cert-manager/crds.yaml", "kueue/crds.yaml", "argo-cd/crds.yaml", "keda/crds.yaml"]
            .map { "Tests/harness/crds/\($0)" }
        var checked = 0
        for file in files {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for doc in try YAMLDocuments.parse(text) where doc["kind"]?.stringValue == "CustomResourceDefinition" {
                for (i, version) in (doc[path: ["spec", "versions"]]?.arrayValue ?? []).enumerated() {
                    guard let schema = version[path: ["schema", "openAPIV3Schema"]] else { continue }
                    let causes = CELValidation.checkRules(in: schema, fieldPath: "spec.versions[\(i)].schema.openAPIV3Schema")
                    #expect(causes.isEmpty, "\(file) \(doc[path: ["metadata", "name"]]?.stringValue ?? ""): \(causes)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 17)
    }
}
