import Foundation
import KubeCore

/// The CRD-time checks of `x-kubernetes-validations`, as the apiextensions-apiserver makes them
/// when a CRD is created or updated: every rule and messageExpression is parsed and type-checked
/// against the schema's types (cel-go's `compilation failed: ERROR: <input>:1:5: ...` issues), a
/// rule must be a bool and a messageExpression a string, and the estimated cost of each rule
/// (times the number of places it can run) and of the whole schema must be within the limits.
extension CELValidation {
    /// Causes for rules that do not compile or type-check, and for rules over the cost limits
    /// (the CRD is then refused with 422: a rule is never silently treated as passing).
    static func checkRules(in schema: JSONValue, fieldPath: String) -> [StatusCause] {
        var causes: [StatusCause] = []
        checkNode(schema, path: fieldPath, isResourceRoot: true, causes: &causes)
        if causes.isEmpty { causes += CELCostEstimator.check(schema, fieldPath: fieldPath) }
        return causes
    }

    private static func checkNode(_ schema: JSONValue, path: String, isResourceRoot: Bool, causes: inout [StatusCause]) {
        guard case .object(let s) = schema else { return }
        for (i, rule) in (s["x-kubernetes-validations"]?.arrayValue ?? []).enumerated() {
            let rulePath = FieldPath.index(FieldPath.child(path, "x-kubernetes-validations"), i)
            causes += checkRule(rule, schema: schema, isResourceRoot: isResourceRoot, path: rulePath)
        }
        for key in (s["properties"]?.objectValue ?? [:]).keys.sorted() {
            if let sub = s["properties"]?[key] {
                checkNode(sub, path: FieldPath.key(FieldPath.child(path, "properties"), key), isResourceRoot: false, causes: &causes)
            }
        }
        if let items = s["items"] { checkNode(items, path: FieldPath.child(path, "items"), isResourceRoot: false, causes: &causes) }
        if let additional = s["additionalProperties"], additional.objectValue != nil {
            checkNode(additional, path: FieldPath.child(path, "additionalProperties"), isResourceRoot: false, causes: &causes)
        }
    }

    /// The causes of one rule: compilation (parse and type check), result types, `reason`, `optionalOldSelf`.
    static func checkRule(_ rule: JSONValue, schema: JSONValue, isResourceRoot: Bool, path rulePath: String) -> [StatusCause] {
        var causes: [StatusCause] = []
        guard let source = rule["rule"]?.stringValue, !source.trimmingCharacters(in: .whitespaces).isEmpty else {
            return [FieldError.required(FieldPath.child(rulePath, "rule"), "rule is not specified")]
        }
        let selfType = CELType.of(schema, isResourceRoot: isResourceRoot)
        let optionalOldSelf = rule["optionalOldSelf"]?.boolValue == true
        let variables: [String: CELType] = ["self": selfType, "oldSelf": optionalOldSelf ? .optional(selfType) : selfType]
        func invalid(_ field: String, _ detail: String) -> StatusCause {
            StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(goDump(rule)): \(detail)", field: FieldPath.child(rulePath, field))
        }
        switch CELProgramCache.shared.program(source) {
        case .failure(let error):
            causes.append(invalid("rule", "compilation failed: \(error.message)"))
        case .success(let expr):
            let checked = CELTypeChecker.check(expr, variables: variables)
            if !checked.issues.isEmpty {
                causes.append(invalid("rule", "compilation failed: " + CELDiagnostic.display(checked.issues, in: source)))
            } else if !CELType.bool.accepts(checked.type) {
                causes.append(invalid("rule", "cel expression must evaluate to a bool"))
            }
            if rule["optionalOldSelf"] != nil, !expr.usesOldSelf {
                causes.append(FieldError.invalid(FieldPath.child(rulePath, "optionalOldSelf"), rule["optionalOldSelf"] ?? .null,
                                                 "may not be set if oldSelf is not used in rule"))
            }
        }
        if let messageExpression = rule["messageExpression"]?.stringValue {
            switch CELProgramCache.shared.program(messageExpression) {
            case .failure(let error):
                causes.append(invalid("messageExpression", "messageExpression compilation failed: \(error.message)"))
            case .success(let expr):
                let checked = CELTypeChecker.check(expr, variables: variables)
                if !checked.issues.isEmpty {
                    causes.append(invalid("messageExpression", "messageExpression compilation failed: " + CELDiagnostic.display(checked.issues, in: messageExpression)))
                } else if !CELType.string.accepts(checked.type) {
                    causes.append(invalid("messageExpression", "messageExpression must evaluate to a string"))
                }
            }
        }
        if let reason = rule["reason"]?.stringValue,
           !["FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate"].contains(reason) {
            causes.append(FieldError.notSupported(FieldPath.child(rulePath, "reason"), .string(reason),
                                                  ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"]))
        }
        return causes
    }

    /// The rule as Go's `%#v` prints an `apiextensions.ValidationRule` (the bad value of the
    /// apiserver's compile errors). Go prints set pointer fields as addresses; a fixed
    /// placeholder address stands in for them.
    static func goDump(_ rule: JSONValue) -> String {
        func text(_ key: String) -> String { FieldError.goQuote(rule[key]?.stringValue ?? "") }
        let reason = rule["reason"] == nil ? "(nil)" : "(0xc000000000)"
        let optionalOldSelf = rule["optionalOldSelf"] == nil ? "(nil)" : "(0xc000000001)"
        return "apiextensions.ValidationRule{Rule:\(text("rule")), Message:\(text("message")), MessageExpression:\(text("messageExpression")), "
            + "Reason:(*apiextensions.FieldValueErrorReason)\(reason), FieldPath:\(text("fieldPath")), OptionalOldSelf:(*bool)\(optionalOldSelf)}"
    }
}
