import Foundation
import KubeCore

/// The CRD-time cost estimate of `x-kubernetes-validations` rules, refused as the
/// apiextensions-apiserver refuses them: a rule whose estimated cost times the number of places it
/// runs is over `StaticEstimatedCostLimit` (10,000,000), a messageExpression over the same limit,
/// and a schema whose rules and messageExpressions total over `StaticEstimatedCRDCostLimit`
/// (100,000,000).
///
/// The number of places a rule runs is the product of the enclosing lists' `maxItems` and maps'
/// `maxProperties`; when one of them is unbounded it is the most values of the rule's node that
/// fit in a 3 MiB request (3 MiB / (minimum serialized size + 1)). Sizes are derived as the
/// apiserver's `SchemaDeclType` derives them: strings `maxLength` × 4 bytes, the longest enum
/// value, 32 for `duration`/`date-time`, else 3 MiB − 2; lists `maxItems` else 3 MiB / (min item
/// size + 1); maps `maxProperties` else 3 MiB / (min value size + 6); map keys 0. Operation costs
/// are cel-go's estimator's (see `callCost`); docs/cel-subset.md says how close it is.
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
        func observe(_ path: String, _ cost: Double, _ name: String) {
            total += cost
            if cost > perExpressionLimit {
                causes.append(FieldError.forbidden(path, message("estimated \(name) cost", cost, perExpressionLimit)))
            }
            if cost >= perCRDLimit / 100 { expensive.append((path, cost)) }
        }
        walk(schema, path: fieldPath, cardinality: 1) { rulePath, cost in observe(rulePath + ".rule", cost, "rule") } message: { rulePath, cost in
            observe(rulePath + ".messageExpression", cost, "messageExpression")
        }
        if total > perCRDLimit {
            for entry in expensive.sorted(by: { $0.cost > $1.cost }).prefix(4) {
                causes.append(FieldError.forbidden(entry.path, "contributed to estimated rule & messageExpression cost total exceeding cost limit for entire OpenAPIv3 schema"))
            }
            causes.append(FieldError.forbidden(fieldPath, message("x-kubernetes-validations estimated rule & messageExpression cost total for entire OpenAPIv3 schema", total, perCRDLimit)))
        }
        return causes
    }

    /// The apiserver's wording, factor included.
    static func message(_ name: String, _ cost: Double, _ limit: Double) -> String {
        let factor = cost / limit
        let text = factor > 100 ? "more than 100x" : (factor < 1.5 ? String(format: "%fx", factor) : String(format: "%.1fx", factor))
        return "\(name) exceeds budget by factor of \(text) (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)"
    }

    /// Visits every rule with its total cost (estimate × cardinality; `cardinality` nil when an
    /// enclosing list or map is unbounded) and every messageExpression with its estimate.
    private static func walk(_ schema: JSONValue, path: String, cardinality: Double?, isRoot: Bool = true,
                             _ rule: (String, Double) -> Void, message: (String, Double) -> Void) {
        guard case .object(let s) = schema else { return }
        let times = cardinality ?? (maxRequestSize / (minSize(schema) + 1)).rounded(.down)
        for (i, entry) in (s["x-kubernetes-validations"]?.arrayValue ?? []).enumerated() {
            let rulePath = FieldPath.index(FieldPath.child(path, "x-kubernetes-validations"), i)
            if let source = entry["rule"]?.stringValue, case .success(let expr) = CELProgramCache.shared.program(source) {
                let cost = estimate(expr, selfSchema: schema).rounded(.up)
                rule(rulePath, cost == 0 ? 0 : cost * times)
            }
            if let source = entry["messageExpression"]?.stringValue, case .success(let expr) = CELProgramCache.shared.program(source) {
                message(rulePath, estimate(expr, selfSchema: schema).rounded(.up))
            }
        }
        let bound = elementBound(schema)
        let childCardinality = cardinality.flatMap { c in bound.map { c * $0 } }
        for key in (s["properties"]?.objectValue ?? [:]).keys.sorted() {
            if let sub = s["properties"]?[key] {
                walk(sub, path: FieldPath.key(FieldPath.child(path, "properties"), key), cardinality: childCardinality, isRoot: false, rule, message: message)
            }
        }
        if let items = s["items"] { walk(items, path: FieldPath.child(path, "items"), cardinality: childCardinality, isRoot: false, rule, message: message) }
        if let additional = s["additionalProperties"], additional.objectValue != nil {
            walk(additional, path: FieldPath.child(path, "additionalProperties"), cardinality: childCardinality, isRoot: false, rule, message: message)
        }
    }

    /// The estimated worst-case cost of one evaluation with `self` of the given schema.
    static func estimate(_ expr: CELExpr, selfSchema: JSONValue) -> Double {
        var scope: [String: Shape] = ["self": .schema(selfSchema), "oldSelf": .schema(selfSchema)]
        return cost(expr, &scope).0
    }

    // MARK: sizes

    /// The factor by which a node multiplies its children's cardinality (`extractMaxElements`):
    /// maxItems / maxProperties, 1 for plain objects and scalars, nil when unbounded.
    static func elementBound(_ schema: JSONValue) -> Double? {
        switch schema["type"]?.stringValue {
        case "array": return schema["maxItems"]?.intValue.map { Double(max(0, $0)) }
        case "object":
            guard schema["additionalProperties"]?.objectValue != nil else { return 1 }
            return schema["maxProperties"]?.intValue.map { Double(max(0, $0)) }
        default: return 1
        }
    }

    /// The most elements a list or map of this schema can hold in one request.
    static func maxElements(_ schema: JSONValue) -> Double {
        if let bound = elementBound(schema) { return bound }
        if schema["type"]?.stringValue == "array" {
            return ((maxRequestSize - 2) / (minSize(schema["items"] ?? .emptyObject) + 1)).rounded(.down)
        }
        return ((maxRequestSize - 2) / (minSize(schema["additionalProperties"] ?? .emptyObject) + 6)).rounded(.down)
    }

    /// The longest a string of this schema can be, in bytes.
    static func maxLength(_ schema: JSONValue) -> Double {
        if schema["x-kubernetes-int-or-string"]?.boolValue == true { return maxRequestSize - 2 }
        switch schema["format"]?.stringValue {
        case "duration", "date-time": return 32
        case "date": return 12
        default: break
        }
        if let n = schema["maxLength"]?.intValue { return Double(max(0, n)) * 4 }
        if let values = schema["enum"]?.arrayValue, !values.isEmpty {
            return Double(values.compactMap { $0.stringValue?.utf8.count }.max() ?? 0)
        }
        return maxRequestSize - 2
    }

    /// The smallest serialized JSON of a value of this schema (`MinSerializedSize`).
    static func minSize(_ schema: JSONValue) -> Double {
        if schema["x-kubernetes-int-or-string"]?.boolValue == true { return 1 }
        switch schema["type"]?.stringValue {
        case "string":
            switch schema["format"]?.stringValue {
            case "duration": return 4
            case "date": return 12
            case "date-time": return 21
            default: return 2
            }
        case "boolean": return 4
        case "integer", "number": return 1
        case "array": return 2
        case "object":
            guard schema["additionalProperties"]?.objectValue == nil else { return 2 }
            let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            var size = 2.0
            for (name, property) in schema["properties"]?.objectValue ?? [:] where required.contains(name) && property["default"] == nil {
                size += Double(name.utf8.count) + minSize(property) + 4
            }
            return size
        default: return 1
        }
    }

    static func size(_ shape: Shape) -> Double {
        switch shape {
        case .schema(let s):
            switch s["type"]?.stringValue {
            case "string": return maxLength(s)
            case "array": return maxElements(s)
            case "object": return s["additionalProperties"]?.objectValue != nil ? maxElements(s) : 1
            default: return s["x-kubernetes-int-or-string"]?.boolValue == true ? maxLength(s) : 1
            }
        case .list(_, let n): return n
        case .string(let n): return n
        case .scalar: return 1
        }
    }

    static func element(_ shape: Shape) -> Shape {
        switch shape {
        case .schema(let s):
            if s["type"]?.stringValue == "array", let items = s["items"] { return .schema(items) }
            if s["type"]?.stringValue == "object" { return .string(0) }  // map keys: the apiserver declares no size for them
            return .scalar
        case .list(let e, _): return e
        default: return .scalar
        }
    }

    static func member(_ shape: Shape, _ field: String) -> Shape {
        guard case .schema(let s) = shape else { return .scalar }
        if let p = s["properties"]?[CELNames.unescape(field)] { return .schema(p) }
        if let a = s["additionalProperties"], a.objectValue != nil { return .schema(a) }
        return .scalar
    }

    static func isString(_ shape: Shape) -> Bool {
        switch shape {
        case .string: return true
        case .schema(let s): return s["type"]?.stringValue == "string" && !["duration", "date", "date-time"].contains(s["format"]?.stringValue ?? "")
        default: return false
        }
    }
}
