/// Compile-time type checking of a parsed rule against the schema's types, as cel-go's checker
/// does it for the apiserver: operators and functions must have a matching overload, fields must
/// exist on objects, comprehension ranges must be lists or maps. Where the type is not known
/// (`dyn`: int-or-string, untyped or preserve-unknown-fields schemas) everything is accepted and
/// left to evaluation, as cel-go does.
struct CELTypeChecker {
    private(set) var issues: [CELDiagnostic] = []
    private var scope: [String: CELType]
    /// Offset of the innermost positioned node, where an issue about an unpositioned node is reported.
    private var here = 0

    init(variables: [String: CELType]) {
        scope = variables
    }

    /// The issues of `expr` and its type.
    static func check(_ expr: CELExpr, variables: [String: CELType]) -> (type: CELType, issues: [CELDiagnostic]) {
        var checker = CELTypeChecker(variables: variables)
        let type = checker.type(of: expr)
        return (type, checker.issues)
    }

    private mutating func report(_ message: String) -> CELType {
        issues.append(CELDiagnostic(offset: here, message: message))
        return .dyn
    }

    private mutating func noOverload(_ name: String, _ args: [CELType], receiver: Bool = false) -> CELType {
        var signature = ""
        var rest = args
        if receiver, let target = rest.first {
            signature = target.description + "."
            rest.removeFirst()
        }
        signature += "(" + rest.map(\.description).joined(separator: ", ") + ")"
        return report("found no matching overload for '\(name)' applied to '\(signature)'")
    }

    mutating func type(of e: CELExpr) -> CELType {
        switch e {
        case .at(let offset, let inner):
            let saved = here
            here = offset
            defer { here = saved }
            return type(of: inner)
        case .literal(let v): return Self.literalType(v)
        case .ident(let name): return scope[name] ?? .dyn
        case .select(let operand, let field): return select(type(of: operand), field, optional: false)
        case .optSelect(let operand, let field): return select(type(of: operand), field, optional: true)
        case .has(let operand, let field):
            _ = select(type(of: operand), field, optional: false)
            return .bool
        case .index(let operand, let index): return self.index(type(of: operand), type(of: index), optional: false)
        case .optIndex(let operand, let index): return self.index(type(of: operand), type(of: index), optional: true)
        case .list(let items):
            var element = CELType.dyn
            var first = true
            for item in items {
                var t = type(of: item)
                if case .optionalEntry = item.unlocated, case .optional(let inner) = t { t = inner }
                element = first ? t : element.join(t)
                first = false
            }
            return .list(element)
        case .map(let entries):
            var key = CELType.dyn, value = CELType.dyn
            for (i, (k, v)) in entries.enumerated() {
                let kt = type(of: k)
                var t = type(of: v)
                if case .optionalEntry = v.unlocated, case .optional(let inner) = t { t = inner }
                key = i == 0 ? kt : key.join(kt)
                value = i == 0 ? t : value.join(t)
            }
            return .map(key, value)
        case .optionalEntry(let inner): return type(of: inner)
        case .unary(let op, let operand):
            let t = type(of: operand)
            switch (op, t) {
            case (_, .dyn), ("!", .bool), ("-", .int), ("-", .double), ("-", .duration): return t
            default: return noOverload(op == "!" ? "!_" : "-_", [t])
            }
        case .and(let a, let b), .or(let a, let b):
            let ta = type(of: a), tb = type(of: b)
            guard CELType.bool.accepts(ta), CELType.bool.accepts(tb) else {
                if case .and = e { return noOverload("_&&_", [ta, tb]) }
                return noOverload("_||_", [ta, tb])
            }
            return .bool
        case .conditional(let c, let a, let b):
            let tc = type(of: c), ta = type(of: a), tb = type(of: b)
            guard CELType.bool.accepts(tc), ta.accepts(tb) || tb.accepts(ta) else { return noOverload("_?_:_", [tc, ta, tb]) }
            return ta.join(tb)
        case .binary(let op, let a, let b):
            return binary(op, type(of: a), type(of: b))
        case .call(let target, let name, let args):
            var types: [CELType] = []
            if let target { types.append(type(of: target)) }
            for arg in args { types.append(type(of: arg)) }
            guard let result = CELSignatures.resolve(name, receiver: target != nil, types) else {
                return noOverload(name, types, receiver: target != nil)
            }
            return result
        case .comprehension(let macro, let range, let variable, let variable2, let filter, let body):
            return comprehension(macro, range, variable, variable2, filter, body)
        case .bind(let variable, let value, let body):
            let saved = scope[variable]
            scope[variable] = type(of: value)
            defer { scope[variable] = saved }
            return type(of: body)
        }
    }

    static func literalType(_ v: CELValue) -> CELType {
        switch v {
        case .null: return .null
        case .bool: return .bool
        case .int: return .int
        case .uint: return .uint
        case .double: return .double
        case .string: return .string
        case .bytes: return .bytes
        case .type: return .type
        default: return .dyn
        }
    }

    private mutating func select(_ base: CELType, _ field: String, optional: Bool) -> CELType {
        switch base {
        case .dyn: return optional ? .optional(.dyn) : .dyn
        case .optional(let inner):
            let t = select(inner, field, optional: false)
            if case .optional = t { return t }
            return .optional(t)
        case .object(let object):
            guard let t = object.field(field) else { return report("undefined field '\(field)'") }
            return optional ? .optional(t) : t
        case .map(let k, let v):
            guard k.accepts(.string) else { return report("type '\(base.description)' does not support field selection") }
            return optional ? .optional(v) : v
        default:
            return report("type '\(base.description)' does not support field selection")
        }
    }

    private mutating func index(_ base: CELType, _ i: CELType, optional: Bool) -> CELType {
        let element: CELType
        switch base {
        case .dyn: element = .dyn
        case .optional(let inner):
            let t = index(inner, i, optional: false)
            if case .optional = t { return t }
            return .optional(t)
        case .list(let e):
            guard [CELType.int, .uint, .dyn].contains(i) else { return noOverload("_[_]", [base, i]) }
            element = e
        case .map(let k, let v):
            guard k.accepts(i) else { return noOverload("_[_]", [base, i]) }
            element = v
        case .object:
            guard case .string = i else { return i.isDyn ? .dyn : noOverload("_[_]", [base, i]) }
            element = .dyn
        default: return noOverload("_[_]", [base, i])
        }
        return optional ? .optional(element) : element
    }

    private mutating func binary(_ op: String, _ a: CELType, _ b: CELType) -> CELType {
        let name = op == "in" ? "@in" : "_\(op)_"
        let numeric: Set<String> = ["int", "uint", "double"]
        switch op {
        case "==", "!=":
            return a.accepts(b) || b.accepts(a) ? .bool : noOverload(name, [a, b])
        case "<", "<=", ">", ">=":
            if a.isDyn || b.isDyn { return .bool }
            if numeric.contains(a.description), numeric.contains(b.description) { return .bool }
            let ordered: [CELType] = [.bool, .string, .bytes, .timestamp, .duration]
            return a == b && ordered.contains(a) ? .bool : noOverload(name, [a, b])
        case "in":
            switch b {
            case .dyn: return .bool
            case .list(let e): return e.accepts(a) || a.accepts(e) ? .bool : noOverload(name, [a, b])
            case .map(let k, _): return k.accepts(a) ? .bool : noOverload(name, [a, b])
            default: return noOverload(name, [a, b])
            }
        default:
            if a.isDyn || b.isDyn {
                if a == .dyn, b == .dyn { return .dyn }
                let known = a.isDyn ? b : a
                return [CELType.int, .uint, .double, .string, .bytes].contains(known) ? known : .dyn
            }
            switch (op, a, b) {
            case ("+", .list(let x), .list(let y)):
                return x.accepts(y) || y.accepts(x) ? .list(x.join(y)) : noOverload(name, [a, b])
            case ("+", .string, .string), ("+", .bytes, .bytes): return a
            case ("+", .timestamp, .duration), ("+", .duration, .timestamp), ("-", .timestamp, .duration): return .timestamp
            case ("+", .duration, .duration), ("-", .duration, .duration), ("-", .timestamp, .timestamp): return .duration
            case ("+", _, _), ("-", _, _), ("*", _, _), ("/", _, _):
                return a == b && numeric.contains(a.description) ? a : noOverload(name, [a, b])
            case ("%", _, _):
                return a == b && (a == .int || a == .uint) ? a : noOverload(name, [a, b])
            default: return noOverload(name, [a, b])
            }
        }
    }

    private mutating func comprehension(_ macro: CELMacro, _ range: CELExpr, _ variable: String, _ variable2: String?,
                                        _ filter: CELExpr?, _ body: CELExpr) -> CELType {
        let rangeType = type(of: range)
        var first = CELType.dyn, second = CELType.dyn
        switch (macro, rangeType) {
        case (.optMap, .optional(let t)), (.optFlatMap, .optional(let t)): first = t
        case (.optMap, .dyn), (.optFlatMap, .dyn): break
        case (.optMap, _), (.optFlatMap, _): return noOverload(macro.rawValue, [rangeType], receiver: true)
        case (_, .list(let e)):
            if variable2 != nil { (first, second) = (.int, e) } else { first = e }
        case (_, .map(let k, let v)):
            (first, second) = (k, v)
        case (_, .dyn): break
        default:
            if case .at(let offset, _) = range { here = offset }
            return report("expression of type '\(rangeType.description)' cannot be range of a comprehension (must be list, map, or dynamic)")
        }
        let saved = (scope[variable], variable2.flatMap { scope[$0] })
        scope[variable] = first
        if let variable2 { scope[variable2] = second }
        defer {
            scope[variable] = saved.0
            if let variable2 { scope[variable2] = saved.1 }
        }
        if let filter {
            let f = type(of: filter)
            if !CELType.bool.accepts(f) { return noOverload("_&&_", [.bool, f]) }
        }
        let b = type(of: body)
        switch macro {
        case .all, .exists, .existsOne, .existsOneCamel, .filter:
            guard CELType.bool.accepts(b) else { return noOverload(macro == .all ? "_&&_" : "_||_", [.bool, b]) }
            if macro == .filter { return .list(first) }
            return .bool
        case .map, .transformList: return .list(b)
        case .transformMap: return .map(first, b)
        case .optMap: return .optional(b)
        case .optFlatMap:
            if case .optional = b { return b }
            return b.isDyn ? .dyn : noOverload("optFlatMap", [rangeType, b], receiver: true)
        }
    }
}
