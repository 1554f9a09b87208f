/// One token of a CEL expression.
enum CELToken: Equatable, Sendable {
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case ident(String)
    case op(String)
    case end
}

/// Splits a CEL expression into tokens (the lexical grammar of the CEL spec, minus bytes literals).
struct CELLexer {
    private let scalars: [Unicode.Scalar]
    private var pos = 0

    init(_ source: String) {
        scalars = Array(source.unicodeScalars)
    }

    static func tokenize(_ source: String) throws(CELError) -> [CELToken] {
        try tokenizeWithOffsets(source).map(\.token)
    }

    /// The tokens with the offset (in Unicode scalars) where each starts, for error positions.
    static func tokenizeWithOffsets(_ source: String) throws(CELError) -> [(token: CELToken, offset: Int)] {
        var lexer = CELLexer(source)
        var tokens: [(token: CELToken, offset: Int)] = []
        while true {
            lexer.skipSpaceAndComments()
            let offset = lexer.pos
            let t = try lexer.next()
            tokens.append((t, offset))
            if t == .end { return tokens }
        }
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        pos + offset < scalars.count ? scalars[pos + offset] : nil
    }

    private static let twoCharOps: Set<String> = ["==", "!=", "<=", ">=", "&&", "||"]
    private static let oneCharOps: Set<Unicode.Scalar> = ["+", "-", "*", "/", "%", "<", ">", "!", "?", ":", ".", ",", "[", "]", "(", ")", "{", "}"]

    mutating func next() throws(CELError) -> CELToken {
        skipSpaceAndComments()
        guard let c = peek() else { return .end }
        if c == "\"" || c == "'" { return .string(try readString(raw: false)) }
        if (c == "r" || c == "R"), let q = peek(1), q == "\"" || q == "'" {
            pos += 1
            return .string(try readString(raw: true))
        }
        if (c == "b" || c == "B"), let q = peek(1), q == "\"" || q == "'" {
            pos += 1
            return .bytes(Array(try readString(raw: false).utf8))
        }
        if c.properties.isAlphabetic || c == "_" { return .ident(readIdent()) }
        if c.properties.numericType != nil, c.isASCII { return try readNumber() }
        if c == ".", let d = peek(1), d.isASCII, d.properties.numericType != nil { return try readNumber() }
        if let d = peek(1) {
            let pair = String(c) + String(d)
            if Self.twoCharOps.contains(pair) {
                pos += 2
                return .op(pair)
            }
        }
        if Self.oneCharOps.contains(c) {
            pos += 1
            return .op(String(c))
        }
        throw CELError.syntax("unexpected character '\(c)' at \(pos)")
    }

    mutating func skipSpaceAndComments() {
        while let c = peek() {
            if c.properties.isWhitespace {
                pos += 1
            } else if c == "/", peek(1) == "/" {
                while let d = peek(), d != "\n" { pos += 1 }
            } else {
                return
            }
        }
    }

    private mutating func readIdent() -> String {
        var s = ""
        while let c = peek(), c.properties.isAlphabetic || c == "_" || (c.isASCII && c.properties.numericType != nil) {
            s.unicodeScalars.append(c)
            pos += 1
        }
        return s
    }

    private mutating func readNumber() throws(CELError) -> CELToken {
        if peek() == "0", let x = peek(1), x == "x" || x == "X" {
            pos += 2
            var digits = ""
            while let c = peek(), c.properties.isASCIIHexDigit {
                digits.unicodeScalars.append(c)
                pos += 1
            }
            if peek() == "u" || peek() == "U" {
                pos += 1
                guard let v = UInt64(digits, radix: 16) else { throw CELError.syntax("invalid uint literal 0x\(digits)") }
                return .uint(v)
            }
            guard let v = Int64(digits, radix: 16) else { throw CELError.syntax("invalid int literal 0x\(digits)") }
            return .int(v)
        }
        var text = ""
        var isDouble = false
        func digits(_ lexer: inout CELLexer, _ text: inout String) {
            while let c = lexer.peek(), c.isASCII, c.properties.numericType != nil {
                text.unicodeScalars.append(c)
                lexer.pos += 1
            }
        }
        digits(&self, &text)
        if peek() == ".", let d = peek(1), d.isASCII, d.properties.numericType != nil {
            isDouble = true
            text += "."
            pos += 1
            digits(&self, &text)
        }
        if let e = peek(), e == "e" || e == "E" {
            isDouble = true
            text += "e"
            pos += 1
            if let sign = peek(), sign == "+" || sign == "-" {
                text.unicodeScalars.append(sign)
                pos += 1
            }
            digits(&self, &text)
        }
        if isDouble {
            guard let v = Double(text) else { throw CELError.syntax("invalid double literal \(text)") }
            return .double(v)
        }
        if peek() == "u" || peek() == "U" {
            pos += 1
            guard let v = UInt64(text) else { throw CELError.syntax("invalid uint literal \(text)") }
            return .uint(v)
        }
        guard let v = Int64(text) else { throw CELError.syntax("invalid int literal \(text)") }
        return .int(v)
    }

    private mutating func readString(raw: Bool) throws(CELError) -> String {
        guard let quote = peek() else { throw CELError.syntax("unterminated string") }
        let triple = peek(1) == quote && peek(2) == quote
        pos += triple ? 3 : 1
        var out = ""
        while true {
            guard let c = peek() else { throw CELError.syntax("unterminated string literal") }
            if c == quote {
                if !triple {
                    pos += 1
                    return out
                }
                if peek(1) == quote, peek(2) == quote {
                    pos += 3
                    return out
                }
            }
            if !triple, c == "\n" { throw CELError.syntax("newline in string literal") }
            if c == "\\", !raw {
                pos += 1
                guard let e = peek() else { throw CELError.syntax("unterminated escape") }
                pos += 1
                switch e {
                case "n": out += "\n"
                case "t": out += "\t"
                case "r": out += "\r"
                case "\\": out += "\\"
                case "\"": out += "\""
                case "'": out += "'"
                case "`": out += "`"
                case "?": out += "?"
                case "a": out += "\u{07}"
                case "b": out += "\u{08}"
                case "f": out += "\u{0C}"
                case "v": out += "\u{0B}"
                case "u", "U", "x":
                    let count = e == "u" ? 4 : (e == "U" ? 8 : 2)
                    var hex = ""
                    for _ in 0..<count {
                        guard let h = peek(), h.properties.isASCIIHexDigit else { throw CELError.syntax("invalid escape") }
                        hex.unicodeScalars.append(h)
                        pos += 1
                    }
                    guard let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else { throw CELError.syntax("invalid escape") }
                    out.unicodeScalars.append(scalar)
                default:
                    throw CELError.syntax("unsupported escape \\\(e)")
                }
                continue
            }
            out.unicodeScalars.append(c)
            pos += 1
        }
    }
}

/// Errors of the CEL implementation: compile-time (`syntax`, `unsupported`), evaluation-time
/// (`eval`), and `cancelled` when the runtime cost limit is exceeded (never absorbed by `||`/`&&`).
enum CELError: Error, Equatable, Sendable {
    case syntax(String)
    case unsupported(String)
    case eval(String)
    case cancelled(String)

    var message: String {
        switch self {
        case .syntax(let m): return "syntax error: \(m)"
        case .unsupported(let m): return m
        case .eval(let m): return m
        case .cancelled(let m): return m
        }
    }
}
