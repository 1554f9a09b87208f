import Foundation

/// Evaluates a parsed CEL expression with CEL's error semantics: `&&`/`||` (and the `all` /
/// `exists` macros) absorb an error when the other operand decides the result.
struct CELEvaluator {
    var variables: [String: CELValue]

    func eval(_ e: CELExpr) throws(CELError) -> CELValue {
        switch e {
        case .literal(let v): return v
        case .ident(let name):
            guard let v = variables[name] else { throw CELError.eval("undeclared reference to '\(name)'") }
            return v
        case .select(let operand, let field):
            let base = try eval(operand)
            guard case .map(let m) = base else {
                throw CELError.eval("type '\(base.typeName)' does not support field selection")
            }
            guard let v = m[field] else { throw CELError.eval("no such key: \(field)") }
            return v
        case .has(let operand, let field):
            let base = try eval(operand)
            guard case .map(let m) = base else {
                throw CELError.eval("invalid type for field selection: \(base.typeName)")
            }
            return .bool(m[field] != nil)
        case .index(let operand, let index):
            return try CELEvaluator.index(try eval(operand), try eval(index))
        case .list(let items):
            var out: [CELValue] = []
            for item in items { out.append(try eval(item)) }
            return .list(out)
        case .map(let entries):
            var out: [String: CELValue] = [:]
            for (k, v) in entries {
                guard case .string(let key) = try eval(k) else { throw CELError.eval("unsupported map key type: only string keys are supported") }
                out[key] = try eval(v)
            }
            return .map(out)
        case .unary(let op, let operand):
            let v = try eval(operand)
            switch (op, v) {
            case ("!", .bool(let b)): return .bool(!b)
            case ("-", .int(let i)):
                guard i != Int64.min else { throw CELError.eval("integer overflow") }
                return .int(-i)
            case ("-", .double(let d)): return .double(-d)
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
            return try CELOperators.binary(op, try eval(l), try eval(r))
        case .call(let target, let name, let args):
            var values: [CELValue] = []
            if let target { values.append(try eval(target)) }
            for a in args { values.append(try eval(a)) }
            return try CELFunctions.call(name, values, receiverStyle: target != nil)
        case .comprehension(let macro, let range, let variable, let filter, let body):
            return try comprehension(macro, try eval(range), variable, filter, body)
        }
    }

    /// `&&` (decisive false) and `||` (decisive true), commutative with respect to errors.
    private func logical(_ l: CELExpr, _ r: CELExpr, decisive: Bool) throws(CELError) -> CELValue {
        var firstError: CELError?
        var bothDecided = true
        for side in [l, r] {
            do throws(CELError) {
                let v = try eval(side)
                guard case .bool(let b) = v else { throw CELError.eval("no such overload: logical operator on \(v.typeName)") }
                if b == decisive { return .bool(decisive) }
            } catch {
                firstError = firstError ?? error
                bothDecided = false
            }
        }
        if !bothDecided, let firstError { throw firstError }
        return .bool(!decisive)
    }

    private func comprehension(_ macro: CELMacro, _ range: CELValue, _ variable: String, _ filter: CELExpr?, _ body: CELExpr) throws(CELError) -> CELValue {
        let elements: [CELValue]
        switch range {
        case .list(let l): elements = l
        case .map(let m): elements = m.keys.sorted().map(CELValue.string)
        default: throw CELError.eval("\(macro.rawValue)() cannot range over \(range.typeName)")
        }
        var scoped = self
        func run(_ expr: CELExpr, _ element: CELValue) throws(CELError) -> CELValue {
            scoped.variables[variable] = element
            return try scoped.eval(expr)
        }
        func predicate(_ element: CELValue) throws(CELError) -> Bool {
            let v = try run(body, element)
            guard case .bool(let b) = v else { throw CELError.eval("\(macro.rawValue)() predicate must be bool, got \(v.typeName)") }
            return b
        }
        switch macro {
        case .all, .exists:
            let decisive = macro == .exists
            var firstError: CELError?
            for element in elements {
                do throws(CELError) {
                    if try predicate(element) == decisive { return .bool(decisive) }
                } catch {
                    firstError = firstError ?? error
                }
            }
            if let firstError { throw firstError }
            return .bool(!decisive)
        case .existsOne:
            var count = 0
            for element in elements {
                if try predicate(element) { count += 1 }
            }
            return .bool(count == 1)
        case .filter:
            var out: [CELValue] = []
            for element in elements {
                if try predicate(element) { out.append(element) }
            }
            return .list(out)
        case .map:
            var out: [CELValue] = []
            for element in elements {
                if let filter {
                    let keep = try run(filter, element)
                    guard case .bool(let b) = keep else { throw CELError.eval("map() filter must be bool") }
                    if !b { continue }
                }
                out.append(try run(body, element))
            }
            return .list(out)
        }
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
