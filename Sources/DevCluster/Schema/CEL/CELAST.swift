/// The macros: `list.all(x, p)`, two-variable forms `map.all(k, v, p)`, `transformList`,
/// `transformMap`, and the optional macros `optMap`/`optFlatMap`.
enum CELMacro: String, Sendable {
    case all, exists
    case existsOne = "exists_one"
    case existsOneCamel = "existsOne"
    case map, filter
    case transformList, transformMap
    case optMap, optFlatMap
}

/// A parsed CEL expression.
indirect enum CELExpr: Sendable {
    case literal(CELValue)
    case ident(String)
    /// `operand.field`
    case select(CELExpr, String)
    /// `operand.?field` (optional field selection)
    case optSelect(CELExpr, String)
    /// `has(operand.field)`
    case has(CELExpr, String)
    /// `operand[index]`
    case index(CELExpr, CELExpr)
    /// `operand[?index]`
    case optIndex(CELExpr, CELExpr)
    /// `name(args)` or `target.name(args)`
    case call(target: CELExpr?, name: String, args: [CELExpr])
    case list([CELExpr])
    case map([(CELExpr, CELExpr)])
    /// `?expr` inside a list or map literal: included only when the optional has a value.
    case optionalEntry(CELExpr)
    /// `!x` or `-x`
    case unary(String, CELExpr)
    /// Arithmetic, comparison and `in`.
    case binary(String, CELExpr, CELExpr)
    case and(CELExpr, CELExpr)
    case or(CELExpr, CELExpr)
    case conditional(CELExpr, CELExpr, CELExpr)
    /// `range.macro(variable[, variable2], [filter,] body)`.
    case comprehension(CELMacro, range: CELExpr, variable: String, variable2: String?, filter: CELExpr?, body: CELExpr)
    /// `cel.bind(variable, value, body)`: `body` with `variable` bound to `value`.
    case bind(String, CELExpr, CELExpr)
    /// A sub-expression with the source offset (in Unicode scalars) of its operator, identifier,
    /// `.` or `(`: where cel-go reports a type-check error about it.
    case at(Int, CELExpr)

    /// The expression without its position wrapper.
    var unlocated: CELExpr {
        if case .at(_, let inner) = self { return inner.unlocated }
        return self
    }

    /// Whether the expression mentions `oldSelf` (a transition rule).
    var usesOldSelf: Bool { mentions("oldSelf") }

    /// Whether the identifier `name` occurs in the expression.
    func mentions(_ name: String) -> Bool {
        switch self {
        case .literal: return false
        case .ident(let n): return n == name
        case .select(let e, _), .optSelect(let e, _), .has(let e, _), .unary(_, let e), .optionalEntry(let e), .at(_, let e): return e.mentions(name)
        case .bind(let v, let value, let body): return value.mentions(name) || (v != name && body.mentions(name))
        case .index(let a, let b), .optIndex(let a, let b), .binary(_, let a, let b), .and(let a, let b), .or(let a, let b):
            return a.mentions(name) || b.mentions(name)
        case .call(let t, _, let args): return (t?.mentions(name) ?? false) || args.contains { $0.mentions(name) }
        case .list(let es): return es.contains { $0.mentions(name) }
        case .map(let es): return es.contains { $0.0.mentions(name) || $0.1.mentions(name) }
        case .conditional(let a, let b, let c): return a.mentions(name) || b.mentions(name) || c.mentions(name)
        case .comprehension(_, let r, _, _, let f, let b): return r.mentions(name) || (f?.mentions(name) ?? false) || b.mentions(name)
        }
    }
}

/// Kubernetes' escaping of property names in CEL (`__namespace__`, `__dash__`, ...).
enum CELNames {
    static let reserved: Set<String> = [
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
        "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
    ]

    /// The property name an escaped CEL identifier stands for.
    static func unescape(_ ident: String) -> String {
        guard ident.contains("__") else { return ident }
        if ident.hasPrefix("__"), ident.hasSuffix("__"), ident.count > 4 {
            let inner = String(ident.dropFirst(2).dropLast(2))
            if reserved.contains(inner) { return inner }
        }
        var out = ""
        var rest = Substring(ident)
        let tokens = [("__underscores__", "__"), ("__dot__", "."), ("__dash__", "-"), ("__slash__", "/")]
        outer: while !rest.isEmpty {
            for (token, replacement) in tokens where rest.hasPrefix(token) {
                out += replacement
                rest = rest.dropFirst(token.count)
                continue outer
            }
            out.append(rest.removeFirst())
        }
        return out
    }
}
