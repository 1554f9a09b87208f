/// The comprehension macros: `all`, `exists`, `exists_one`/`existsOne`, `filter`, `map` (one
/// variable, or index/key plus value for the two-variable forms), `transformList`,
/// `transformMap`, and the optional macros `optMap`/`optFlatMap`.
struct CELComprehension {
    var evaluator: CELEvaluator

    func run(_ macro: CELMacro, _ range: CELValue, _ variable: String, _ variable2: String?, _ filter: CELExpr?, _ body: CELExpr) throws(CELError) -> CELValue {
        if macro == .optMap || macro == .optFlatMap {
            guard case .optional(let o) = range else { throw CELError.eval("no such overload: \(macro.rawValue) on \(range.typeName)") }
            guard let inner = o else { return range }
            var scoped = evaluator
            scoped.variables[variable] = inner
            let v = try scoped.eval(body)
            return macro == .optMap ? .optional(v) : v
        }
        // (first variable, second variable) per iteration: one-variable forms bind the element
        // (or the map key); two-variable forms bind index/key and value.
        let pairs: [(CELValue, CELValue?)]
        switch range {
        case .list(let l): pairs = variable2 == nil ? l.map { ($0, nil) } : l.enumerated().map { (.int(Int64($0.offset)), $0.element) }
        case .map(let m): pairs = m.keys.sorted().map { (.string($0), variable2 == nil ? nil : m[$0]) }
        default: throw CELError.eval("\(macro.rawValue)() cannot range over \(range.typeName)")
        }
        var scoped = evaluator
        func run(_ expr: CELExpr, _ pair: (CELValue, CELValue?)) throws(CELError) -> CELValue {
            try scoped.meter?.charge(1)
            scoped.variables[variable] = pair.0
            if let variable2 { scoped.variables[variable2] = pair.1 ?? .null }
            return try scoped.eval(expr)
        }
        func predicate(_ expr: CELExpr, _ pair: (CELValue, CELValue?)) throws(CELError) -> Bool {
            let v = try run(expr, pair)
            guard case .bool(let b) = v else { throw CELError.eval("\(macro.rawValue)() predicate must be bool, got \(v.typeName)") }
            return b
        }
        switch macro {
        case .all, .exists:
            let decisive = macro == .exists
            var firstError: CELError?
            for pair in pairs {
                do throws(CELError) {
                    if try predicate(body, pair) == decisive { return .bool(decisive) }
                } catch {
                    if case .cancelled = error { throw error }
                    firstError = firstError ?? error
                }
            }
            if let firstError { throw firstError }
            return .bool(!decisive)
        case .existsOne, .existsOneCamel:
            var count = 0
            for pair in pairs where try predicate(body, pair) { count += 1 }
            return .bool(count == 1)
        case .filter:
            var out: [CELValue] = []
            for pair in pairs where try predicate(body, pair) { out.append(pair.0) }
            return .list(out)
        case .map, .transformList:
            var out: [CELValue] = []
            for pair in pairs {
                if let filter, !(try predicate(filter, pair)) { continue }
                out.append(try run(body, pair))
            }
            return .list(out)
        case .transformMap:
            var out: [String: CELValue] = [:]
            for pair in pairs {
                if let filter, !(try predicate(filter, pair)) { continue }
                guard case .string(let key) = pair.0 else { throw CELError.eval("transformMap() requires string keys") }
                out[key] = try run(body, pair)
            }
            return .map(out)
        case .optMap, .optFlatMap:
            return range
        }
    }
}
