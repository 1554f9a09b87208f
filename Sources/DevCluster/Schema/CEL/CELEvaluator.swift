import Foundation

/// Evaluates a parsed CEL expression with CEL's error semantics: `&&`/`||` (and the `all` /
/// `exists` macros) absorb an error when the other operand decides the result. With a cost meter
/// the evaluation is charged as cel-go's cost tracker charges it (see `CELCost`), and cancelled
/// past the limit.
struct CELEvaluator {
    var variables: [String: CELValue]
    var meter: CELCostMeter?

    init(variables: [String: CELValue], meter: CELCostMeter? = nil) {
        self.variables = variables
        self.meter = meter
    }

    private func charge(_ units: Int64) throws(CELError) {
        try meter?.charge(units)
    }

    func eval(_ e: CELExpr) throws(CELError) -> CELValue {
        switch e {
        case .literal(let v): return v
        case .ident(let name):
            try charge(1)
            guard let v = variables[name] else { throw CELError.eval("undeclared reference to '\(name)'") }
            return v
        case .select(let operand, let field):
            let base = try eval(operand)
            try charge(1)
            return try Self.select(base, field)
        case .optSelect(let operand, let field):
            let base = try eval(operand)
            try charge(1)
            return try Self.optionalSelect(base) { v throws(CELError) in
                guard case .map(let m) = v else { throw CELError.eval("type '\(v.typeName)' does not support field selection") }
                return m[CELNames.unescape(field)]
            }
        case .has(let operand, let field):
            let base = try eval(operand)
            switch base {
            case .map(let m): return .bool(m[CELNames.unescape(field)] != nil)
            case .optional(let o):
                guard case .map(let m)? = o else { return .bool(false) }
                return .bool(m[CELNames.unescape(field)] != nil)
            default: throw CELError.eval("invalid type for field selection: \(base.typeName)")
            }
        case .index(let operand, let index):
            let base = try eval(operand), i = try eval(index)
            try charge(1)
            if case .optional = base {
                return try Self.optionalSelect(base) { v throws(CELError) in try Self.index(v, i) }
            }
            return try Self.index(base, i)
        case .optIndex(let operand, let index):
            let base = try eval(operand), i = try eval(index)
            try charge(1)
            return try Self.optionalSelect(base) { v throws(CELError) in
                switch (v, i) {
                case (.map(let m), .string(let k)): return m[k]
                case (.list(let l), .int(let n)): return n >= 0 && n < l.count ? l[Int(n)] : nil
                default: return try Self.index(v, i)
                }
            }
        case .list(let items):
            try charge(10)
            var out: [CELValue] = []
            for item in items {
                if case .optionalEntry(let inner) = item {
                    let v = try eval(inner)
                    guard case .optional(let o) = v else { throw CELError.eval("no such overload: optional list element of type \(v.typeName)") }
                    if let o { out.append(o) }
                } else {
                    out.append(try eval(item))
                }
            }
            return .list(out)
        case .map(let entries):
            try charge(30)
            var out: [String: CELValue] = [:]
            for (k, v) in entries {
                guard case .string(let key) = try eval(k) else { throw CELError.eval("unsupported map key type: only string keys are supported") }
                if case .optionalEntry(let inner) = v {
                    let value = try eval(inner)
                    guard case .optional(let o) = value else { throw CELError.eval("no such overload: optional map entry of type \(value.typeName)") }
                    if let o { out[key] = o }
                } else {
                    out[key] = try eval(v)
                }
            }
            return .map(out)
        case .optionalEntry(let inner):
            return try eval(inner)
        case .unary(let op, let operand):
            let v = try eval(operand)
            try charge(1)
            switch (op, v) {
            case ("!", .bool(let b)): return .bool(!b)
            case ("-", .int(let i)):
                guard i != Int64.min else { throw CELError.eval("integer overflow") }
                return .int(-i)
            case ("-", .double(let d)): return .double(-d)
            case ("-", .duration(let d)):
                guard d.nanos != Int64.min else { throw CELError.eval("integer overflow") }
                return .duration(CELDuration(nanos: -d.nanos))
            default: throw CELError.eval("no such overload: \(op)\(v.typeName)")
            }
        case .and(let l, let r):
            return try logical(l, r, decisive: false)
        case .or(let l, let r):
            return try logical(l, r, decisive: true)
        case .conditional(let c, let a, let b):
            guard case .bool(let cond) = try eval(c) else { throw CELError.eval("no such overload: ternary on non-bool") }
            return try eval(cond ? a : b)
        case .binary(let op, let l, let r):
            let a = try eval(l), b = try eval(r)
            try charge(CELCost.operatorCost(op, a, b))
            return try CELOperators.binary(op, a, b)
        case .call(let target, let name, let args):
            var values: [CELValue] = []
            if let target { values.append(try eval(target)) }
            for a in args { values.append(try eval(a)) }
            try charge(CELCost.callCost(name, values))
            return try CELFunctions.call(name, values, receiverStyle: target != nil)
        case .comprehension(let macro, let range, let variable, let variable2, let filter, let body):
            let r = try eval(range)
            return try CELComprehension(evaluator: self).run(macro, r, variable, variable2, filter, body)
        case .bind(let variable, let value, let body):
            var scoped = self
            scoped.variables[variable] = try eval(value)
            return try scoped.eval(body)
        case .at(_, let inner):
            return try eval(inner)
        }
    }

    /// Field selection (`a.b`) on maps, and on optionals (the result stays optional).
    static func select(_ base: CELValue, _ field: String) throws(CELError) -> CELValue {
        switch base {
        case .map(let m):
            guard let v = m[CELNames.unescape(field)] else { throw CELError.eval("no such key: \(CELNames.unescape(field))") }
            return v
        case .optional:
            return try optionalSelect(base) { v throws(CELError) in try select(v, field) }
        default:
            throw CELError.eval("type '\(base.typeName)' does not support field selection")
        }
    }

    /// Applies `pick` inside an optional (or to a plain value), giving an optional: none stays none.
    static func optionalSelect(_ base: CELValue, _ pick: (CELValue) throws(CELError) -> CELValue?) throws(CELError) -> CELValue {
        if case .optional(let o) = base {
            guard let inner = o else { return .optional(nil) }
            return .optional(try pick(inner))
        }
        return .optional(try pick(base))
    }

    /// `&&` (decisive false) and `||` (decisive true), commutative with respect to errors; a
    /// cancelled evaluation (cost limit) is never absorbed.
    private func logical(_ l: CELExpr, _ r: CELExpr, decisive: Bool) throws(CELError) -> CELValue {
        var firstError: CELError?
        var bothDecided = true
        for side in [l, r] {
            do throws(CELError) {
                let v = try eval(side)
                guard case .bool(let b) = v else { throw CELError.eval("no such overload: logical operator on \(v.typeName)") }
                if b == decisive { return .bool(decisive) }
            } catch {
                if case .cancelled = error { throw error }
                firstError = firstError ?? error
                bothDecided = false
            }
        }
        if !bothDecided, let firstError { throw firstError }
        return .bool(!decisive)
    }

    static func index(_ base: CELValue, _ index: CELValue) throws(CELError) -> CELValue {
        switch (base, index) {
        case (.list(let l), _):
            let i: Int64
            switch index {
            case .int(let v): i = v
            case .uint(let v): i = Int64(clamping: v)
            case .double(let d) where d.rounded() == d: i = Int64(d)
            default: throw CELError.eval("no such overload: list[\(index.typeName)]")
            }
            guard i >= 0, i < l.count else { throw CELError.eval("index out of bounds: \(i)") }
            return l[Int(i)]
        case (.map(let m), .string(let key)):
            guard let v = m[key] else { throw CELError.eval("no such key: \(key)") }
            return v
        default:
            throw CELError.eval("no such overload: \(base.typeName)[\(index.typeName)]")
        }
    }
}
