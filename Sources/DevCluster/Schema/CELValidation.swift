import KubeCore

/// `x-kubernetes-validations` rules: compiled at CRD creation (a rule that does not compile, or
/// whose estimated cost is over the apiserver's limits, is rejected, never silently passed) and
/// evaluated on create and update. The supported language is documented in docs/cel-subset.md.
enum CELValidation {
    /// The rules' causes after the schema's, as the apiextensions-apiserver orders them: a schema
    /// with rules is not evaluated when the schema errors include a blocking one (NotSupported,
    /// Required, TooLong, TooMany, TypeInvalid); that is reported instead.
    static func causes(after schemaCauses: [StatusCause], new: JSONValue, old: JSONValue?, schema: JSONValue) -> [StatusCause] {
        causes(after: schemaCauses, new: new, old: old, schema: schema, unchanged: UnchangedSubtrees()).causes
    }

    /// What the rules of one write found.
    struct Outcome: Sendable {
        var causes: [StatusCause] = []
        /// Ratcheted failures (KEP-4008, on by default since Kubernetes 1.30): a rule without
        /// oldSelf that fails on a value equal to its correlated old value is a `Warning`, not an
        /// error, as kube-apiserver reports it (`<field>: <message>`).
        var warnings: [String] = []
        /// The cost spent (an upper bound when rules were skipped).
        var cost: Int64 = 0
    }

    /// As `causes(after:new:old:schema:)`, evaluating inside `unchanged.keys` (top-level fields
    /// equal to those of an old object whose rules all passed against the same schema) only the
    /// transition rules: a rule without oldSelf on the same value passes again. The cost the old
    /// object's rules spent (`unchanged.priorCost`, an upper bound) still counts against the runtime
    /// budget: when the total could exceed it, everything is evaluated. Returns the cost spent (an
    /// upper bound when rules were skipped), for the next update's `priorCost`.
    static func causes(after schemaCauses: [StatusCause], new: JSONValue, old: JSONValue?, schema: JSONValue, unchanged: UnchangedSubtrees) -> Outcome {
        guard unchanged.transitions?.anyRule ?? hasRules(schema) else { return Outcome() }
        let blocking: Set<String> = ["FieldValueNotSupported", "FieldValueRequired", "FieldValueTooLong", "FieldValueTooMany", "FieldValueTypeInvalid"]
        if schemaCauses.contains(where: { blocking.contains($0.reason ?? "") }) {
            return Outcome(causes: [FieldError.invalid("<nil>", .null, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation")])
        }
        let root = Correlation(correlated: old != nil)
        if !unchanged.keys.isEmpty {
            var run = Run(skipping: unchanged.keys)
            run.validateNode(new, old: old, schema: schema, path: "", correlation: root, transitions: unchanged.transitions ?? TransitionRules(schema))
            let spent = runtimeBudget - run.remaining
            if !run.exhausted, spent + unchanged.priorCost <= runtimeBudget {
                return Outcome(causes: run.causes, warnings: run.warnings, cost: spent + unchanged.priorCost)
            }
        }
        var run = Run()
        run.validateNode(new, old: old, schema: schema, path: "", correlation: root)
        return Outcome(causes: run.causes, warnings: run.warnings, cost: runtimeBudget - run.remaining)
    }

    /// Top-level fields whose value-only rules need not run again, what the old object's rules
    /// cost, and where the schema's rules are (transition rules still run in unchanged fields).
    struct UnchangedSubtrees: Sendable {
        var keys: Set<String> = []
        var priorCost: Int64 = 0
        var transitions: TransitionRules?
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
        run.validateNode(new, old: old, schema: schema, path: "", correlation: Correlation(correlated: old != nil))
        return run.causes
    }

    /// How a node relates to the old object for ratcheting (apiextensions' ratchetingOptions): a
    /// correlated node (an object member, an item of a `map` list by its keys) is unchanged when
    /// equal to its old value (none: it is new); another node (an item of another list, a member
    /// of an atomic map) when its nearest correlated ancestor is.
    struct Correlation {
        var correlated: Bool
        /// For a node that is not correlated: the nearest correlated ancestor and its old value.
        var ancestor: (value: JSONValue, old: JSONValue?)?

        func unchanged(_ value: JSONValue, old: JSONValue?) -> Bool {
            if correlated { return old == value }
            guard let ancestor, let ancestorOld = ancestor.old else { return false }
            return ancestorOld == ancestor.value
        }

        /// A child's: correlated only below a correlated node, when `correlates` (not atomic).
        func child(correlates: Bool, value: JSONValue, old: JSONValue?) -> Correlation {
            if correlated && correlates { return Correlation(correlated: true) }
            let nearest: (value: JSONValue, old: JSONValue?)? = correlated ? (value: value, old: old) : ancestor
            return Correlation(correlated: false, ancestor: nearest)
        }
    }

    private struct Run {
        /// Top-level fields where only transition rules run.
        var skipping: Set<String> = []
        var causes: [StatusCause] = []
        var warnings: [String] = []
        var remaining = CELValidation.runtimeBudget
        var exhausted = false

        /// With `unchanged` (inside a skipped field), only the rules using oldSelf run, and only
        /// where `transitions` (the node's part of the schema's map) shows some.
        mutating func validateNode(_ value: JSONValue, old: JSONValue?, schema: JSONValue, path: String, correlation: Correlation,
                                   unchanged: Bool = false, transitions node: TransitionRules? = nil) {
            guard case .object(let s) = schema, !exhausted else { return }
            if unchanged, node?.below != true { return }
            if let rules = s["x-kubernetes-validations"]?.arrayValue, !value.isNull, !unchanged || node?.here == true {
                for rule in rules {
                    if exhausted { return }
                    if let cause = evaluate(rule, value: value, old: old, schema: s, path: path, correlation: correlation, onlyTransition: unchanged) {
                        causes.append(cause)
                    }
                }
            }
            switch value {
            case .object(let members):
                let properties = s["properties"]?.objectValue
                let correlates = s["x-kubernetes-map-type"]?.stringValue != "atomic"
                for key in members.keys.sorted() {
                    guard let child = members[key] else { continue }
                    let childSchema = properties?[key] ?? s["additionalProperties"]
                    guard let childSchema, childSchema.objectValue != nil else { continue }
                    let skip = unchanged || (path.isEmpty && skipping.contains(key))
                    let childNode = skip ? node?.child(key, isProperty: properties?[key] != nil) : nil
                    // apiVersion and kind are not ratcheted (both sides show the request's).
                    let childCorrelation = path.isEmpty && (key == "apiVersion" || key == "kind")
                        ? Correlation(correlated: false) : correlation.child(correlates: correlates, value: value, old: old)
                    validateNode(child, old: old?[key], schema: childSchema, path: FieldPath.child(path, key), correlation: childCorrelation,
                                 unchanged: skip, transitions: childNode)
                }
            case .array(let items):
                guard let itemSchema = s["items"] else { return }
                let oldItems = CELValidation.correlatedOldItems(items, old: old?.arrayValue, schema: s)
                let itemCorrelation = correlation.child(correlates: s["x-kubernetes-list-type"]?.stringValue == "map", value: value, old: old)
                for (i, item) in items.enumerated() {
                    validateNode(item, old: oldItems[i], schema: itemSchema, path: FieldPath.index(path, i), correlation: itemCorrelation,
                                 unchanged: unchanged, transitions: node?.items)
                }
            default:
                break
            }
        }

        private mutating func evaluate(_ rule: JSONValue, value: JSONValue, old: JSONValue?, schema: [String: JSONValue], path: String,
                                       correlation: Correlation, onlyTransition: Bool = false) -> StatusCause? {
            guard let source = rule["rule"]?.stringValue else { return nil }
            if onlyTransition, case .success(let e) = CELProgramCache.shared.program(source), !e.usesOldSelf { return nil }
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
            let cause: StatusCause
            switch rule["reason"]?.stringValue {
            case "FieldValueForbidden": cause = FieldError.forbidden(field, message)
            case "FieldValueRequired": cause = FieldError.required(field, message)
            case "FieldValueDuplicate": cause = FieldError.duplicate(field, typeName)
            default: cause = FieldError.invalid(field, typeName, message)
            }
            // Ratcheting: only a rule's false result, never a transition rule's, never an evaluation error.
            if !expr.usesOldSelf, correlation.unchanged(value, old: old) {
                warnings.append("\(cause.field ?? field): \(cause.message ?? message)")
                return nil
            }
            return cause
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

/// Where a schema's transition rules are (rules using oldSelf; a rule that does not compile counts,
/// so its error is always reported): built once per schema, walked beside the values.
final class TransitionRules: Sendable {
    /// The schema has x-kubernetes-validations at this node or below (any rule).
    let anyRule: Bool
    /// The node itself has one.
    let here: Bool
    /// The node or a node below has one.
    let below: Bool
    let properties: [String: TransitionRules]
    let additionalProperties: TransitionRules?
    let items: TransitionRules?

    init(_ schema: JSONValue) {
        let s = schema.objectValue ?? [:]
        let rules = s["x-kubernetes-validations"]?.arrayValue ?? []
        let here = rules.contains { rule in
            guard let source = rule["rule"]?.stringValue else { return false }
            guard case .success(let expr) = CELProgramCache.shared.program(source) else { return true }
            return expr.usesOldSelf
        }
        let properties = (s["properties"]?.objectValue ?? [:]).mapValues(TransitionRules.init)
        let additional = s["additionalProperties"].flatMap { $0.objectValue == nil ? nil : TransitionRules($0) }
        let items = s["items"].map(TransitionRules.init)
        let children = Array(properties.values) + [additional, items].compactMap { $0 }
        self.here = here
        self.properties = properties
        self.additionalProperties = additional
        self.items = items
        below = here || children.contains { $0.below }
        anyRule = !rules.isEmpty || children.contains { $0.anyRule }
    }

    /// The node of a member: a declared property's, else additionalProperties'.
    func child(_ key: String, isProperty: Bool) -> TransitionRules? {
        isProperty ? properties[key] : additionalProperties
    }
}

extension CELError {
    var isCancelled: Bool {
        if case .cancelled = self { return true }
        return false
    }
}
