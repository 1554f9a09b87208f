/// The macros of the supported subset (`list.all(x, p)`, ...).
enum CELMacro: String, Sendable {
    case all, exists
    case existsOne = "exists_one"
    case map, filter
}

/// A parsed CEL expression.
indirect enum CELExpr: Sendable {
    case literal(CELValue)
    case ident(String)
    /// `operand.field`
    case select(CELExpr, String)
    /// `has(operand.field)`
    case has(CELExpr, String)
    /// `operand[index]`
    case index(CELExpr, CELExpr)
    /// `name(args)` or `target.name(args)`
    case call(target: CELExpr?, name: String, args: [CELExpr])
    case list([CELExpr])
    case map([(CELExpr, CELExpr)])
    /// `!x` or `-x`
    case unary(String, CELExpr)
    /// Arithmetic, comparison and `in`.
    case binary(String, CELExpr, CELExpr)
    case and(CELExpr, CELExpr)
    case or(CELExpr, CELExpr)
    case conditional(CELExpr, CELExpr, CELExpr)
    /// `range.macro(variable, body)`; `map` with a filter has `filter` set.
    case comprehension(CELMacro, range: CELExpr, variable: String, filter: CELExpr?, body: CELExpr)

    /// Whether the expression mentions `oldSelf` (a transition rule).
    var usesOldSelf: Bool {
        switch self {
        case .literal: return false
        case .ident(let n): return n == "oldSelf"
        case .select(let e, _), .has(let e, _), .unary(_, let e): return e.usesOldSelf
        case .index(let a, let b), .binary(_, let a, let b), .and(let a, let b), .or(let a, let b):
            return a.usesOldSelf || b.usesOldSelf
        case .call(let t, _, let args): return (t?.usesOldSelf ?? false) || args.contains { $0.usesOldSelf }
        case .list(let es): return es.contains { $0.usesOldSelf }
        case .map(let es): return es.contains { $0.0.usesOldSelf || $0.1.usesOldSelf }
        case .conditional(let a, let b, let c): return a.usesOldSelf || b.usesOldSelf || c.usesOldSelf
        case .comprehension(_, let r, _, let f, let b): return r.usesOldSelf || (f?.usesOldSelf ?? false) || b.usesOldSelf
        }
    }
}

/// Recursive-descent parser for the CEL grammar (operator precedence as in the CEL spec).
/// Checks while parsing that only supported functions, macros and identifiers are used.
struct CELParser {
    private var tokens: [CELToken]
    private var pos = 0
    private var scope: [String]

    /// Functions (global or receiver-style) the evaluator implements.
    static let functions: Set<String> = [
        "size", "startsWith", "endsWith", "contains", "matches", "int", "uint", "double", "string", "bool",
        "lowerAscii", "upperAscii", "trim", "join", "split", "indexOf", "lastIndexOf", "isSorted", "sum", "min", "max",
        "isIP", "isCIDR", "replace", "substring", "charAt",
    ]

    static func parse(_ source: String, variables: [String] = ["self", "oldSelf"]) throws(CELError) -> CELExpr {
        var parser = CELParser(tokens: try CELLexer.tokenize(source), scope: variables)
        let expr = try parser.expression()
        guard parser.current == .end else { throw CELError.syntax("unexpected \(parser.describe(parser.current))") }
        return expr
    }

    private init(tokens: [CELToken], scope: [String]) {
        self.tokens = tokens
        self.scope = scope
    }

    private var current: CELToken { tokens[pos] }

    private mutating func advance() -> CELToken {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    private mutating func accept(_ op: String) -> Bool {
        if current == .op(op) {
            pos += 1
            return true
        }
        return false
    }

    private mutating func expect(_ op: String) throws(CELError) {
        guard accept(op) else { throw CELError.syntax("expected '\(op)' but found \(describe(current))") }
    }

    private func describe(_ t: CELToken) -> String {
        switch t {
        case .end: return "end of expression"
        case .op(let o): return "'\(o)'"
        case .ident(let i): return "'\(i)'"
        case .string(let s): return "\"\(s)\""
        case .int(let i): return String(i)
        case .uint(let u): return "\(u)u"
        case .double(let d): return String(d)
        }
    }

    mutating func expression() throws(CELError) -> CELExpr {
        let cond = try conditionalOr()
        if accept("?") {
            let a = try conditionalOr()
            try expect(":")
            let b = try expression()
            return .conditional(cond, a, b)
        }
        return cond
    }

    private mutating func conditionalOr() throws(CELError) -> CELExpr {
        var e = try conditionalAnd()
        while accept("||") { e = .or(e, try conditionalAnd()) }
        return e
    }

    private mutating func conditionalAnd() throws(CELError) -> CELExpr {
        var e = try relation()
        while accept("&&") { e = .and(e, try relation()) }
        return e
    }

    private mutating func relation() throws(CELError) -> CELExpr {
        var e = try addition()
        while true {
            if case .op(let o) = current, ["<", "<=", ">", ">=", "==", "!="].contains(o) {
                pos += 1
                e = .binary(o, e, try addition())
            } else if current == .ident("in") {
                pos += 1
                e = .binary("in", e, try addition())
            } else {
                return e
            }
        }
    }

    private mutating func addition() throws(CELError) -> CELExpr {
        var e = try multiplication()
        while case .op(let o) = current, o == "+" || o == "-" {
            pos += 1
            e = .binary(o, e, try multiplication())
        }
        return e
    }

    private mutating func multiplication() throws(CELError) -> CELExpr {
        var e = try unary()
        while case .op(let o) = current, o == "*" || o == "/" || o == "%" {
            pos += 1
            e = .binary(o, e, try unary())
        }
        return e
    }

    private mutating func unary() throws(CELError) -> CELExpr {
        if accept("!") { return .unary("!", try unary()) }
        if accept("-") {
            if case .int(let i) = current {
                pos += 1
                return try postfix(.literal(.int(-i)))
            }
            return .unary("-", try unary())
        }
        return try postfix(try primary())
    }

    private mutating func postfix(_ base: CELExpr) throws(CELError) -> CELExpr {
        var e = base
        while true {
            if accept(".") {
                guard case .ident(let name) = advance() else { throw CELError.syntax("expected a field name after '.'") }
                if accept("(") {
                    e = try receiverCall(e, name)
                } else {
                    e = .select(e, name)
                }
            } else if accept("[") {
                let idx = try expression()
                try expect("]")
                e = .index(e, idx)
            } else {
                return e
            }
        }
    }

    private mutating func receiverCall(_ target: CELExpr, _ name: String) throws(CELError) -> CELExpr {
        if let macro = CELMacro(rawValue: name) {
            guard case .ident(let variable) = advance() else {
                throw CELError.syntax("\(name)() requires a variable name as its first argument")
            }
            try expect(",")
            scope.append(variable)
            defer { scope.removeLast() }
            var first = try expression()
            var filter: CELExpr?
            if macro == .map, accept(",") {
                filter = first
                first = try expression()
            }
            try expect(")")
            return .comprehension(macro, range: target, variable: variable, filter: filter, body: first)
        }
        guard Self.functions.contains(name) else {
            throw CELError.unsupported("undeclared reference to '\(name)'")
        }
        return .call(target: target, name: name, args: try arguments())
    }

    private mutating func arguments() throws(CELError) -> [CELExpr] {
        var args: [CELExpr] = []
        if accept(")") { return args }
        repeat { args.append(try expression()) } while accept(",")
        try expect(")")
        return args
    }

    private mutating func primary() throws(CELError) -> CELExpr {
        switch advance() {
        case .int(let i): return .literal(.int(i))
        case .uint(let u): return .literal(.uint(u))
        case .double(let d): return .literal(.double(d))
        case .string(let s): return .literal(.string(s))
        case .ident(let name):
            switch name {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "null": return .literal(.null)
            default: break
            }
            if accept("(") {
                if name == "has" {
                    let arg = try expression()
                    try expect(")")
                    guard case .select(let operand, let field) = arg else {
                        throw CELError.syntax("invalid argument to has() macro")
                    }
                    return .has(operand, field)
                }
                guard Self.functions.contains(name) else {
                    throw CELError.unsupported("undeclared reference to '\(name)'")
                }
                return .call(target: nil, name: name, args: try arguments())
            }
            guard scope.contains(name) else { throw CELError.unsupported("undeclared reference to '\(name)'") }
            return .ident(name)
        case .op("("):
            let e = try expression()
            try expect(")")
            return e
        case .op("["):
            var items: [CELExpr] = []
            if !accept("]") {
                repeat {
                    if current == .op("]") { break }
                    items.append(try expression())
                } while accept(",")
                try expect("]")
            }
            return .list(items)
        case .op("{"):
            var entries: [(CELExpr, CELExpr)] = []
            if !accept("}") {
                repeat {
                    if current == .op("}") { break }
                    let k = try expression()
                    try expect(":")
                    entries.append((k, try expression()))
                } while accept(",")
                try expect("}")
            }
            return .map(entries)
        case let t:
            throw CELError.syntax("unexpected \(describe(t))")
        }
    }
}
