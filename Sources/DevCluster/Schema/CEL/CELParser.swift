/// Recursive-descent parser for the CEL grammar (operator precedence as in the CEL spec).
/// Checks while parsing that only known functions, macros and identifiers are used.
struct CELParser {
    private var tokens: [CELToken]
    private var offsets: [Int]
    private let source: String
    private var pos = 0
    private var scope: [String]

    /// Namespaces of qualified function names (`sets.contains`, `optional.of`, `format.uri`, ...).
    static let namespaces: Set<String> = ["sets", "optional", "format", "strings", "lists", "ip"]
    /// Type names usable as values (`type(x) == string`).
    static let typeNames: Set<String> = ["int", "uint", "double", "string", "bool", "bytes", "list", "map", "null_type", "type"]

    static func parse(_ source: String, variables: [String] = ["self", "oldSelf"]) throws(CELError) -> CELExpr {
        let lexed = try CELLexer.tokenizeWithOffsets(source)
        var parser = CELParser(tokens: lexed.map(\.token), offsets: lexed.map(\.offset), source: source, scope: variables)
        let expr = try parser.expression()
        guard parser.current == .end else { throw CELError.syntax("unexpected \(parser.describe(parser.current))") }
        return expr
    }

    private init(tokens: [CELToken], offsets: [Int], source: String, scope: [String]) {
        self.tokens = tokens
        self.offsets = offsets
        self.source = source
        self.scope = scope
    }

    private var current: CELToken { tokens[pos] }
    /// Source offset of the current token.
    private var offset: Int { offsets[pos] }

    /// An `undeclared reference` error as cel-go's checker prints it, at the given offset.
    private func undeclared(_ name: String, at offset: Int) -> CELError {
        CELError.unsupported(CELDiagnostic(offset: offset, message: "undeclared reference to '\(name)' (in container '')").display(in: source))
    }

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
        case .bytes(let b): return "b\"\(String(decoding: b, as: UTF8.self))\""
        case .int(let i): return String(i)
        case .uint(let u): return "\(u)u"
        case .double(let d): return String(d)
        }
    }

    mutating func expression() throws(CELError) -> CELExpr {
        let cond = try conditionalOr()
        let question = offset
        if accept("?") {
            let a = try conditionalOr()
            try expect(":")
            let b = try expression()
            return .at(question, .conditional(cond, a, b))
        }
        return cond
    }

    private mutating func conditionalOr() throws(CELError) -> CELExpr {
        var e = try conditionalAnd()
        while current == .op("||") {
            let at = offset
            pos += 1
            e = .at(at, .or(e, try conditionalAnd()))
        }
        return e
    }

    private mutating func conditionalAnd() throws(CELError) -> CELExpr {
        var e = try relation()
        while current == .op("&&") {
            let at = offset
            pos += 1
            e = .at(at, .and(e, try relation()))
        }
        return e
    }

    private mutating func relation() throws(CELError) -> CELExpr {
        var e = try addition()
        while true {
            let at = offset
            if case .op(let o) = current, ["<", "<=", ">", ">=", "==", "!="].contains(o) {
                pos += 1
                e = .at(at, .binary(o, e, try addition()))
            } else if current == .ident("in") {
                pos += 1
                e = .at(at, .binary("in", e, try addition()))
            } else {
                return e
            }
        }
    }

    private mutating func addition() throws(CELError) -> CELExpr {
        var e = try multiplication()
        while case .op(let o) = current, o == "+" || o == "-" {
            let at = offset
            pos += 1
            e = .at(at, .binary(o, e, try multiplication()))
        }
        return e
    }

    private mutating func multiplication() throws(CELError) -> CELExpr {
        var e = try unary()
        while case .op(let o) = current, o == "*" || o == "/" || o == "%" {
            let at = offset
            pos += 1
            e = .at(at, .binary(o, e, try unary()))
        }
        return e
    }

    private mutating func unary() throws(CELError) -> CELExpr {
        let at = offset
        if accept("!") { return .at(at, .unary("!", try unary())) }
        if accept("-") {
            if case .int(let i) = current {
                pos += 1
                return try postfix(.literal(.int(-i)))
            }
            return .at(at, .unary("-", try unary()))
        }
        return try postfix(try primary())
    }

    private mutating func postfix(_ base: CELExpr) throws(CELError) -> CELExpr {
        var e = base
        while true {
            let at = offset
            if accept(".") {
                let optional = accept("?")
                let nameOffset = offset
                guard case .ident(let name) = advance() else { throw CELError.syntax("expected a field name after '.'") }
                if optional {
                    e = .at(at, .optSelect(e, name))
                } else if current == .op("(") {
                    let open = offset
                    pos += 1
                    e = .at(open, try receiverCall(e, name, nameOffset: nameOffset))
                } else {
                    e = .at(at, .select(e, name))
                }
            } else if accept("[") {
                let optional = accept("?")
                let idx = try expression()
                try expect("]")
                e = .at(at, optional ? .optIndex(e, idx) : .index(e, idx))
            } else {
                return e
            }
        }
    }

    private mutating func receiverCall(_ target: CELExpr, _ name: String, nameOffset: Int) throws(CELError) -> CELExpr {
        if let macro = CELMacro(rawValue: name) {
            guard case .ident(let variable) = advance() else {
                throw CELError.syntax("\(name)() requires a variable name as its first argument")
            }
            try expect(",")
            var variable2: String?
            if case .ident(let second) = current, tokens.count > pos + 1, tokens[pos + 1] == .op(","),
               [.all, .exists, .existsOne, .existsOneCamel, .transformList, .transformMap].contains(macro) {
                variable2 = second
                pos += 2
            }
            guard variable2 != nil || ![.transformList, .transformMap].contains(macro) else {
                throw CELError.syntax("\(name)() requires two variable names")
            }
            scope.append(variable)
            if let variable2 { scope.append(variable2) }
            defer {
                scope.removeLast()
                if variable2 != nil { scope.removeLast() }
            }
            var first = try expression()
            var filter: CELExpr?
            if [.map, .transformList, .transformMap].contains(macro), accept(",") {
                filter = first
                first = try expression()
            }
            try expect(")")
            return .comprehension(macro, range: target, variable: variable, variable2: variable2, filter: filter, body: first)
        }
        guard CELFunctions.names.contains(name) else { throw undeclared(name, at: nameOffset) }
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
        let start = offset
        switch advance() {
        case .int(let i): return .literal(.int(i))
        case .uint(let u): return .literal(.uint(u))
        case .double(let d): return .literal(.double(d))
        case .string(let s): return .literal(.string(s))
        case .bytes(let b): return .literal(.bytes(b))
        case .ident(let name):
            switch name {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "null": return .literal(.null)
            default: break
            }
            var qualified = name
            if Self.namespaces.contains(name), !scope.contains(name), current == .op("."),
               case .ident(let member) = tokens[min(pos + 1, tokens.count - 1)], CELFunctions.names.contains(name + "." + member) {
                pos += 2
                qualified = name + "." + member
            }
            let open = offset
            if accept("(") {
                if qualified == "has" {
                    let arg = try expression()
                    try expect(")")
                    guard case .at(let at, let selection) = arg, case .select(let operand, let field) = selection else {
                        throw CELError.syntax("invalid argument to has() macro")
                    }
                    return .at(at, .has(operand, field))
                }
                guard CELFunctions.names.contains(qualified) else { throw undeclared(qualified, at: open) }
                return .at(open, .call(target: nil, name: qualified, args: try arguments()))
            }
            if name == "cel", !scope.contains(name), current == .op("."), tokens[min(pos + 1, tokens.count - 1)] == .ident("bind") {
                return try bind()
            }
            if scope.contains(name) { return .at(start, .ident(name)) }
            if Self.typeNames.contains(name) { return .literal(.type(name)) }
            throw undeclared(name, at: start)
        case .op("("):
            let e = try expression()
            try expect(")")
            return e
        case .op("["):
            var items: [CELExpr] = []
            if !accept("]") {
                repeat {
                    if current == .op("]") { break }
                    items.append(accept("?") ? .optionalEntry(try expression()) : try expression())
                } while accept(",")
                try expect("]")
            }
            return .list(items)
        case .op("{"):
            var entries: [(CELExpr, CELExpr)] = []
            if !accept("}") {
                repeat {
                    if current == .op("}") { break }
                    let optional = accept("?")
                    let k = try expression()
                    try expect(":")
                    let v = try expression()
                    entries.append((k, optional ? .optionalEntry(v) : v))
                } while accept(",")
                try expect("}")
            }
            return .map(entries)
        case let t:
            throw CELError.syntax("unexpected \(describe(t))")
        }
    }

    /// `cel.bind(name, value, body)` (cel-go's bindings extension), after `cel`.
    private mutating func bind() throws(CELError) -> CELExpr {
        pos += 2
        try expect("(")
        guard case .ident(let variable) = advance() else { throw CELError.syntax("cel.bind() variable name must be a simple identifier") }
        try expect(",")
        let value = try expression()
        try expect(",")
        scope.append(variable)
        defer { scope.removeLast() }
        let body = try expression()
        try expect(")")
        return .bind(variable, value, body)
    }
}
