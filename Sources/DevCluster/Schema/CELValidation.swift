import KubeCore

/// `x-kubernetes-validations` rules: compiled at CRD creation (a rule that does not compile, or
/// whose estimated cost is over the apiserver's limits, is rejected, never silently passed) and
/// evaluated on create and update. The supported language is documented in docs/cel-subset.md.
enum CELValidation {
    /// The rules' causes after the schema's, as the apiextensions-apiserver orders them: a schema
    /// with rules is not evaluated when the schema errors include a blocking one (NotSupported,
    /// Required, TooLong, TooMany, TypeInvalid); that is reported instead.
    static func causes(after schemaCauses: [StatusCause], new: JSONValue, old: JSONValue?, schema: JSONValue) -> [StatusCause] {
        guard hasRules(schema) else { return [] }
        let blocking: Set<String> = ["FieldValueNotSupported", "FieldValueRequired", "FieldValueTooLong", "FieldValueTooMany", "FieldValueTypeInvalid"]
        if schemaCauses.contains(where: { blocking.contains($0.reason ?? "") }) {
            return [FieldError.invalid("<nil>", .null, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation")]
        }
        return validate(new: new, old: old, schema: schema)
    }

    /// Whether any node of the schema declares x-kubernetes-validations.
    static func hasRules(_ schema: JSONValue) -> Bool {
        guard case .object(let s) = schema else { return false }
        if !(s["x-kubernetes-validations"]?.arrayValue ?? []).isEmpty { return true }
        if (s["properties"]?.objectValue ?? [:]).values.contains(where: hasRules) { return true }
        return s["items"].map(hasRules) == true || s["additionalProperties"].map(hasRules) == true
    }

    /// k8s.io/apiserver/pkg/apis/cel `RuntimeCELCostBudget`: the cost all rules of one object may spend.
    static let runtimeBudget: Int64 = 10_000_000

    /// Evaluates the rules for a create (`old == nil`) or update; transition rules (those using
    /// oldSelf) only on update, where the old value at the same place exists, unless the rule sets
    /// `optionalOldSelf` (then oldSelf is an optional, none on create). Causes as the apiserver
    /// reports them: the node's path (`<nil>` at the root), reason FieldValueInvalid or the rule's
    /// `reason`, message = messageExpression / `message` / "failed rule: <rule>". Each rule runs
    /// under the per-call cost limit and all of them under the per-object runtime budget.
    static func validate(new: JSONValue, old: JSONValue?, schema: JSONValue) -> [StatusCause] {
        var run = Run()
        run.validateNode(new, old: old, schema: schema, path: "")
        return run.causes
    }

    private struct Run {
        var causes: [StatusCause] = []
        var remaining = CELValidation.runtimeBudget
        var exhausted = false

        mutating func validateNode(_ value: JSONValue, old: JSONValue?, schema: JSONValue, path: String) {
            guard case .object(let s) = schema, !exhausted else { return }
            if let rules = s["x-kubernetes-validations"]?.arrayValue, !value.isNull {
                for rule in rules {
                    if exhausted { return }
                    if let cause = evaluate(rule, value: value, old: old, schema: s, path: path) { causes.append(cause) }
                }
            }
            switch value {
            case .object(let members):
                let properties = s["properties"]?.objectValue
                for key in members.keys.sorted() {
                    guard let child = members[key] else { continue }
                    let childSchema = properties?[key] ?? s["additionalProperties"]
                    guard let childSchema, childSchema.objectValue != nil else { continue }
                    validateNode(child, old: old?[key], schema: childSchema, path: FieldPath.child(path, key))
                }
            case .array(let items):
                guard let itemSchema = s["items"] else { return }
                let oldItems = CELValidation.correlatedOldItems(items, old: old?.arrayValue, schema: s)
                for (i, item) in items.enumerated() {
                    validateNode(item, old: oldItems[i], schema: itemSchema, path: FieldPath.index(path, i))
                }
            default:
                break
            }
        }

        private mutating func evaluate(_ rule: JSONValue, value: JSONValue, old: JSONValue?, schema: [String: JSONValue], path: String) -> StatusCause? {
            guard let source = rule["rule"]?.stringValue else { return nil }
            var fieldPath = path
            if let extra = rule["fieldPath"]?.stringValue, !extra.isEmpty {
                fieldPath = path + (path.isEmpty ? String(extra.drop { $0 == "." }) : extra)
            }
            let field = fieldPath.isEmpty ? "<nil>" : fieldPath
            let typeName = JSONValue.string(schema["type"]?.stringValue ?? (schema["x-kubernetes-int-or-string"] != nil ? "integer,string" : "object"))
            let ruleText = rule["message"]?.stringValue ?? source.trimmingCharacters(in: .whitespacesAndNewlines)
            let expr: CELExpr
            switch CELProgramCache.shared.program(source) {
            case .success(let e): expr = e
            case .failure(let error):
                return FieldError.invalid(field, typeName, "rule compile error: \(error.message)")
            }
            let optionalOldSelf = rule["optionalOldSelf"]?.boolValue == true
            if expr.usesOldSelf, old == nil, !optionalOldSelf { return nil }
            let node = JSONValue.object(schema)
            var variables: [String: CELValue] = ["self": CELValue(json: value, schema: node)]
            if optionalOldSelf {
                variables["oldSelf"] = .optional(old.map { CELValue(json: $0, schema: node) })
            } else if let old {
                variables["oldSelf"] = CELValue(json: old, schema: node)
            }
            let meter = CELCostMeter(limit: min(CELCostMeter.perCallLimit, remaining))
            let evaluator = CELEvaluator(variables: variables, meter: meter)
            let passed: Bool
            do {
                let result = try evaluator.eval(expr)
                remaining -= meter.spent
                guard case .bool(let b) = result else {
                    return FieldError.invalid(field, typeName, "rule did not evaluate to a bool (got \(result.typeName)) evaluating rule: \(ruleText)")
                }
                passed = b
            } catch {
                exhausted = error.isCancelled
                remaining -= meter.spent
                if exhausted, meter.limit < CELCostMeter.perCallLimit {
                    return FieldError.invalid(field, typeName, "validation failed due to running out of cost budget, no further validation rules will be run")
                }
                if exhausted {
                    return FieldError.invalid(field, typeName, "'\(error.message)': no further validation rules will be run due to call cost exceeds limit for rule: \(ruleText)")
                }
                if error.message.hasPrefix("no such overload") {
                    return FieldError.invalid(field, typeName, "'\(error.message)': call arguments did not match a supported operator, function or macro signature for rule: \(ruleText)")
                }
                return FieldError.invalid(field, typeName, "\(error.message) evaluating rule: \(ruleText)")
            }
            if passed { return nil }
            var message = rule["message"]?.stringValue ?? "failed rule: \(source.trimmingCharacters(in: .whitespacesAndNewlines))"
            if let messageExpression = rule["messageExpression"]?.stringValue,
               case .success(let mexpr) = CELProgramCache.shared.program(messageExpression),
               case .string(let evaluated)? = try? CELEvaluator(variables: variables, meter: CELCostMeter()).eval(mexpr),
               !evaluated.trimmingCharacters(in: .whitespaces).isEmpty, !evaluated.contains("\n") {
                message = evaluated
            }
            switch rule["reason"]?.stringValue {
            case "FieldValueForbidden": return FieldError.forbidden(field, message)
            case "FieldValueRequired": return FieldError.required(field, message)
            case "FieldValueDuplicate": return FieldError.duplicate(field, typeName)
            default: return FieldError.invalid(field, typeName, message)
            }
        }
    }

    /// Old list elements correlate with new ones only in `x-kubernetes-list-type: map` lists (by key).
    static func correlatedOldItems(_ items: [JSONValue], old: [JSONValue]?, schema: [String: JSONValue]) -> [JSONValue?] {
        guard let old, schema["x-kubernetes-list-type"]?.stringValue == "map",
              let keys = schema["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue), !keys.isEmpty
        else { return items.map { _ in nil } }
        return items.map { item in
            old.first { candidate in keys.allSatisfy { candidate[$0] == item[$0] } }
        }
    }
}

extension CELError {
    var isCancelled: Bool {
        if case .cancelled = self { return true }
        return false
    }
}
