import Foundation
import KubeCore

/// The CRD-time cost estimate of `x-kubernetes-validations` rules, refused as the
/// apiextensions-apiserver refuses them: a rule whose estimated cost times the number of places it
/// runs (the product of the enclosing lists' and maps' maxItems/maxProperties) is over
/// `StaticEstimatedCostLimit` (10,000,000), and a schema whose rules total over
/// `StaticEstimatedCRDCostLimit` (100,000,000).
///
/// Sizes come from the schema as the apiserver derives them: `maxLength`, `maxItems`,
/// `maxProperties` when declared, else the most that fits in a 3 MiB request (a list of strings
/// holds at most (3 MiB − 2) / 3 elements, a string (3 MiB − 2) characters; `date-time` and
/// `duration` strings at most 32). Per-operation costs are `CELCost`'s model, which follows cel-go's
/// estimator in shape (traversals at 0.1/char, regexes scaled by pattern length, comprehensions by
/// range size) without matching it unit for unit; docs/cel-subset.md says how close it is.
enum CELCostEstimator {
    static let maxRequestSize = 3.0 * 1024 * 1024
    static let perExpressionLimit = 10_000_000.0
    static let perCRDLimit = 100_000_000.0

    /// What is known of a value's size while estimating.
    indirect enum Shape {
        case schema(JSONValue)
        case list(Shape, Double)
        case string(Double)
        case scalar
    }

    /// Causes for rules over the per-expression limit and for a schema over the total limit.
    static func check(_ schema: JSONValue, fieldPath: String) -> [StatusCause] {
        var causes: [StatusCause] = []
        var total = 0.0
        var expensive: [(path: String, cost: Double)] = []
        walk(schema, path: fieldPath, cardinality: 1) { rulePath, cost in
            total += cost
            if cost > perExpressionLimit {
                causes.append(FieldError.forbidden(rulePath, message("estimated rule cost", cost, perExpressionLimit)))
            }
            if cost >= perCRDLimit / 100 { expensive.append((rulePath, cost)) }
        }
        if total > perCRDLimit {
            for entry in expensive.sorted(by: { $0.cost > $1.cost }).prefix(4) {
                causes.append(FieldError.forbidden(entry.path, "contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema"))
            }
            causes.append(FieldError.forbidden(fieldPath, message("x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema", total, perCRDLimit)))
        }
        return causes
    }

    /// The apiserver's wording, factor included.
    static func message(_ name: String, _ cost: Double, _ limit: Double) -> String {
        let factor = cost / limit
        let text = factor > 100 ? "more than 100x" : (factor < 1.5 ? String(format: "%fx", factor) : String(format: "%.1fx", factor))
        return "\(name) exceeds budget by factor of \(text) (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)"
    }

    private static func walk(_ schema: JSONValue, path: String, cardinality: Double, _ observe: (String, Double) -> Void) {
        guard case .object(let s) = schema else { return }
        for (i, rule) in (s["x-kubernetes-validations"]?.arrayValue ?? []).enumerated() {
            guard let source = rule["rule"]?.stringValue, case .success(let expr) = CELProgramCache.shared.program(source) else { continue }
            let rulePath = FieldPath.child(FieldPath.index(FieldPath.child(path, "x-kubernetes-validations"), i), "rule")
            observe(rulePath, estimate(expr, selfSchema: schema) * cardinality)
        }
        for key in (s["properties"]?.objectValue ?? [:]).keys.sorted() {
            if let sub = s["properties"]?[key] { walk(sub, path: FieldPath.key(FieldPath.child(path, "properties"), key), cardinality: cardinality, observe) }
        }
        if let items = s["items"] { walk(items, path: FieldPath.child(path, "items"), cardinality: cardinality * maxElements(schema), observe) }
        if let additional = s["additionalProperties"], additional.objectValue != nil {
            walk(additional, path: FieldPath.child(path, "additionalProperties"), cardinality: cardinality * maxElements(schema), observe)
        }
    }

    /// The estimated worst-case cost of one evaluation with `self` of the given schema.
    static func estimate(_ expr: CELExpr, selfSchema: JSONValue) -> Double {
        var scope: [String: Shape] = ["self": .schema(selfSchema), "oldSelf": .schema(selfSchema)]
        return cost(expr, &scope).0
    }

    // MARK: sizes

    static func maxElements(_ schema: JSONValue) -> Double {
        switch schema["type"]?.stringValue {
        case "array":
            if let n = schema["maxItems"]?.intValue { return Double(n) }
            return ((maxRequestSize - 2) / (minSize(schema["items"] ?? .emptyObject) + 1)).rounded(.down)
        case "object":
            guard schema["additionalProperties"]?.objectValue != nil else { return 1 }
            if let n = schema["maxProperties"]?.intValue { return Double(n) }
            return ((maxRequestSize - 2) / (minSize(schema["additionalProperties"] ?? .emptyObject) + 4)).rounded(.down)
        default: return 1
        }
    }

    static func maxLength(_ schema: JSONValue) -> Double {
        if let n = schema["maxLength"]?.intValue { return Double(n) }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true { return maxRequestSize - 2 }
        switch schema["format"]?.stringValue {
        case "duration", "date-time": return 32
        case "date": return 12
        default: return maxRequestSize - 2
        }
    }

    private static func minSize(_ schema: JSONValue) -> Double {
        switch schema["type"]?.stringValue {
        case "string": return schema["format"]?.stringValue == "date-time" ? 21 : 2
        case "boolean": return 4
        case "integer", "number": return 1
        case "object", "array": return 2
        default: return 1
        }
    }

    private static func size(_ shape: Shape) -> Double {
        switch shape {
        case .schema(let s):
            switch s["type"]?.stringValue {
            case "string": return maxLength(s)
            case "array", "object": return maxElements(s)
            default: return s["x-kubernetes-int-or-string"]?.boolValue == true ? maxLength(s) : 1
            }
        case .list(_, let n): return n
        case .string(let n): return n
        case .scalar: return 1
        }
    }

    private static func element(_ shape: Shape) -> Shape {
        switch shape {
        case .schema(let s):
            if s["type"]?.stringValue == "array", let items = s["items"] { return .schema(items) }
            if s["type"]?.stringValue == "object" { return .string(maxRequestSize - 2) }  // map keys
            return .scalar
        case .list(let e, _): return e
        default: return .scalar
        }
    }

    private static func member(_ shape: Shape, _ field: String) -> Shape {
        guard case .schema(let s) = shape else { return .scalar }
        if let p = s["properties"]?[CELNames.unescape(field)] { return .schema(p) }
        if let a = s["additionalProperties"], a.objectValue != nil { return .schema(a) }
        return .scalar
    }

    // MARK: cost

    private static func cost(_ e: CELExpr, _ scope: inout [String: Shape]) -> (Double, Shape) {
        switch e {
        case .literal(let v):
            switch v {
            case .string(let s): return (0, .string(Double(s.utf8.count)))
            case .list(let l): return (0, .list(.scalar, Double(l.count)))
            default: return (0, .scalar)
            }
        case .ident(let name): return (1, scope[name] ?? .scalar)
        case .select(let base, let field), .optSelect(let base, let field):
            let (c, s) = cost(base, &scope)
            return (c + 1, member(s, field))
        case .has(let base, _): return (cost(base, &scope).0, .scalar)
        case .index(let base, let i), .optIndex(let base, let i):
            let (c, s) = cost(base, &scope)
            let ci = cost(i, &scope).0
            if case .schema(let node) = s, node["type"]?.stringValue == "object", let a = node["additionalProperties"], a.objectValue != nil {
                return (c + ci + 1, .schema(a))
            }
            return (c + ci + 1, element(s))
        case .list(let items):
            var c = 10.0
            var elem = Shape.scalar
            for item in items {
                let (ic, s) = cost(item, &scope)
                c += ic
                elem = s
            }
            return (c, .list(elem, Double(items.count)))
        case .map(let entries):
            return (entries.reduce(30) { $0 + cost($1.0, &scope).0 + cost($1.1, &scope).0 }, .scalar)
        case .optionalEntry(let inner): return cost(inner, &scope)
        case .unary(_, let x): return (cost(x, &scope).0 + 1, .scalar)
        case .and(let a, let b), .or(let a, let b): return (cost(a, &scope).0 + cost(b, &scope).0, .scalar)
        case .conditional(let c, let a, let b):
            let (ca, sa) = cost(a, &scope)
            let (cb, sb) = cost(b, &scope)
            return (cost(c, &scope).0 + max(ca, cb), ca >= cb ? sa : sb)
        case .binary(let op, let a, let b):
            let (ca, sa) = cost(a, &scope)
            let (cb, sb) = cost(b, &scope)
            let isString: Bool
            switch sa {
            case .string: isString = true
            case .schema(let s): isString = s["type"]?.stringValue == "string"
            default: isString = false
            }
            let shape: Shape = op == "+" ? (isString ? .string(size(sa) + size(sb)) : sa) : .scalar
            return (ca + cb + CELCost.operatorCost(op, size(sa), size(sb), isString: isString), shape)
        case .call(let target, let name, let args):
            var c = 0.0
            var shapes: [Shape] = []
            for arg in (target.map { [$0] } ?? []) + args {
                let (ac, s) = cost(arg, &scope)
                c += ac
                shapes.append(s)
            }
            let sizes = shapes.map(size)
            c += CELCost.callCost(name, sizes, regexLength: sizes.count > 1 ? sizes[1] : 0)
            let first = sizes.first ?? 1
            switch name {
            case "split": return (c, .list(.string(first), first))
            case "substring", "replace", "lowerAscii", "upperAscii", "trim", "reverse", "join", "format", "find", "strings.quote":
                return (c, .string(first))
            case "findAll": return (c, .list(.string(first), first))
            case "dyn", "orValue", "value": return (c, shapes.first ?? .scalar)
            default: return (c, .scalar)
            }
        case .comprehension(let macro, let range, let variable, let variable2, let filter, let body):
            let (rc, rs) = cost(range, &scope)
            let n = size(rs)
            let saved = (scope[variable], variable2.flatMap { scope[$0] })
            if let variable2 {
                scope[variable] = .scalar
                scope[variable2] = element(rs)
            } else {
                scope[variable] = macro == .optMap || macro == .optFlatMap ? rs : element(rs)
            }
            let (bc, bs) = cost(body, &scope)
            let fc = filter.map { cost($0, &scope).0 } ?? 0
            scope[variable] = saved.0
            if let variable2 { scope[variable2] = saved.1 }
            let iterations = macro == .optMap || macro == .optFlatMap ? 1 : n
            let shape: Shape
            switch macro {
            case .filter: shape = rs
            case .map, .transformList: shape = .list(bs, n)
            default: shape = .scalar
            }
            return (rc + iterations * (1 + bc + fc), shape)
        }
    }
}
