import Foundation

/// String functions: the standard ones, cel-go's strings extension v2 (as Kubernetes enables it),
/// and the Kubernetes regex library (`find`, `findAll`). Indexes count code points.
enum CELStrings {
    static func call(_ name: String, _ args: [CELValue], receiverStyle: Bool) throws(CELError) -> CELValue? {
        if name == "strings.quote", !receiverStyle, args.count == 1, case .string(let s) = args[0] { return .string(quote(s)) }
        if name == "join", receiverStyle, case .list(let l)? = args.first, args.count <= 2 {
            var sep = ""
            if args.count == 2 {
                guard case .string(let s) = args[1] else { return nil }
                sep = s
            }
            var parts: [String] = []
            for item in l {
                guard case .string(let s) = item else { throw CELError.eval("join: list must contain strings") }
                parts.append(s)
            }
            return .string(parts.joined(separator: sep))
        }
        guard case .string(let s)? = args.first else { return nil }
        let a1 = args.count > 1 ? args[1] : nil
        let a2 = args.count > 2 ? args[2] : nil
        switch (name, args.count, a1, a2) {
        case ("startsWith", 2, .string(let p)?, _): return .bool(s.unicodeScalars.starts(with: p.unicodeScalars))
        case ("endsWith", 2, .string(let p)?, _): return .bool(s.unicodeScalars.reversed().starts(with: p.unicodeScalars.reversed()))
        case ("contains", 2, .string(let p)?, _): return .bool(p.isEmpty || s.contains(p))
        case ("matches", 2, .string(let pattern)?, _): return .bool(try regex(pattern).firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil)
        case ("find", 2, .string(let pattern)?, _) where receiverStyle:
            guard let m = try regex(pattern).firstMatch(in: s, range: NSRange(s.startIndex..., in: s)), let r = Range(m.range, in: s) else { return .string("") }
            return .string(String(s[r]))
        case ("findAll", 2, .string(let pattern)?, _) where receiverStyle, ("findAll", 3, .string(let pattern)?, .int?) where receiverStyle:
            var limit = Int64.max
            if case .int(let n)? = a2 { limit = n < 0 ? Int64.max : n }
            guard limit > 0 else { return .list([]) }
            let matches = try regex(pattern).matches(in: s, range: NSRange(s.startIndex..., in: s))
            return .list(matches.prefix(Int(min(limit, Int64(matches.count)))).compactMap { Range($0.range, in: s).map { .string(String(s[$0])) } })
        case ("lowerAscii", 1, _, _): return .string(String(String.UnicodeScalarView(s.unicodeScalars.map { $0.isASCII ? Unicode.Scalar(UInt8(ascii: $0) | ($0.properties.isUppercase ? 0x20 : 0)) : $0 })))
        case ("upperAscii", 1, _, _): return .string(String(String.UnicodeScalarView(s.unicodeScalars.map { $0.isASCII && $0.properties.isLowercase ? Unicode.Scalar(UInt8(ascii: $0) & 0xdf) : $0 })))
        case ("trim", 1, _, _): return .string(s.trimmingCharacters(in: .whitespacesAndNewlines))
        case ("reverse", 1, _, _): return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed())))
        case ("indexOf", 2, .string(let sub)?, _), ("indexOf", 3, .string(let sub)?, .int?):
            return .int(try index(of: sub, in: s, from: a2, last: false))
        case ("lastIndexOf", 2, .string(let sub)?, _), ("lastIndexOf", 3, .string(let sub)?, .int?):
            return .int(try index(of: sub, in: s, from: a2, last: true))
        case ("split", 2, .string(let sep)?, _), ("split", 3, .string(let sep)?, .int?):
            var limit = -1
            if case .int(let n)? = a2 { limit = Int(clamping: n) }
            return .list(split(s, sep, limit).map(CELValue.string))
        case ("replace", 3, .string(let old)?, .string(let new)?), ("replace", 4, .string(let old)?, .string(let new)?):
            var limit = -1
            if args.count == 4 {
                guard case .int(let n) = args[3] else { return nil }
                limit = Int(clamping: n)
            }
            return .string(replace(s, old, new, limit))
        case ("charAt", 2, .int(let i)?, _):
            let scalars = Array(s.unicodeScalars)
            guard i >= 0, i <= scalars.count else { throw CELError.eval("index out of range: \(i)") }
            return .string(i == scalars.count ? "" : String(scalars[Int(i)]))
        case ("substring", 2, .int(let start)?, _), ("substring", 3, .int(let start)?, .int?):
            let scalars = Array(s.unicodeScalars)
            var end = Int64(scalars.count)
            if case .int(let e)? = a2 { end = e }
            guard start >= 0, start <= scalars.count else { throw CELError.eval("index out of range: \(start)") }
            guard end >= 0, end <= scalars.count else { throw CELError.eval("index out of range: \(end)") }
            guard start <= end else { throw CELError.eval("invalid substring range. start: \(start), end: \(end)") }
            return .string(String(String.UnicodeScalarView(scalars[Int(start)..<Int(end)])))
        case ("format", 2, .list(let l)?, _) where receiverStyle: return .string(try CELStringFormat.format(s, l))
        default: return nil
        }
    }

    static func regex(_ pattern: String) throws(CELError) -> NSRegularExpression {
        guard let r = RegexCache.shared.regex(pattern) else { throw CELError.eval("invalid regular expression: \(pattern)") }
        return r
    }

    private static func index(of sub: String, in s: String, from: CELValue?, last: Bool) throws(CELError) -> Int64 {
        let hay = Array(s.unicodeScalars), needle = Array(sub.unicodeScalars)
        var offset = last ? hay.count : 0
        if case .int(let o)? = from {
            guard o >= 0, o <= hay.count else { throw CELError.eval("index out of range: \(o)") }
            offset = Int(o)
        }
        if needle.isEmpty { return Int64(offset) }
        guard needle.count <= hay.count else { return -1 }
        let candidates = last ? Array(stride(from: min(offset, hay.count - needle.count), through: 0, by: -1))
                              : Array(stride(from: offset, through: hay.count - needle.count, by: 1))
        for i in candidates where hay[i..<(i + needle.count)].elementsEqual(needle) { return Int64(i) }
        return -1
    }

    private static func split(_ s: String, _ sep: String, _ limit: Int) -> [String] {
        if limit == 0 { return [] }
        if sep.isEmpty {
            let chars = s.unicodeScalars.map { String($0) }
            guard limit > 0, chars.count > limit else { return chars }
            return Array(chars.prefix(limit - 1)) + [chars.dropFirst(limit - 1).joined()]
        }
        var parts = s.components(separatedBy: sep)
        if limit > 0, parts.count > limit {
            parts = Array(parts.prefix(limit - 1)) + [parts.dropFirst(limit - 1).joined(separator: sep)]
        }
        return parts
    }

    private static func replace(_ s: String, _ old: String, _ new: String, _ limit: Int) -> String {
        if limit == 0 { return s }
        var parts = split(s, old, limit < 0 ? -1 : limit + 1)
        if old.isEmpty {
            // Go's strings.Replace with an empty old string inserts `new` around every code point.
            parts = s.unicodeScalars.map { String($0) }
            let n = limit < 0 ? parts.count + 1 : min(limit, parts.count + 1)
            var out = ""
            for (i, p) in parts.enumerated() { out += (i < n ? new : "") + p }
            return out + (parts.count < n ? new : "")
        }
        parts = parts.isEmpty ? [s] : parts
        return parts.joined(separator: new)
    }

    /// `strings.quote`: a double-quoted CEL string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}

/// `"...".format([args])` of cel-go's strings extension: `%s %d %f %e %x %X %o %b %%`, precision `%.Nf`.
enum CELStringFormat {
    static func format(_ template: String, _ args: [CELValue]) throws(CELError) -> String {
        var out = ""
        var it = Array(template.unicodeScalars)[...]
        var argIndex = 0
        while let c = it.first {
            it = it.dropFirst()
            guard c == "%" else {
                out.unicodeScalars.append(c)
                continue
            }
            var precision: Int?
            if it.first == "." {
                it = it.dropFirst()
                let digits = it.prefix { $0.properties.numericType != nil && $0.isASCII }
                precision = Int(String(String.UnicodeScalarView(digits)))
                it = it.dropFirst(digits.count)
            }
            guard let verb = it.first else { throw CELError.eval("could not parse formatting clause: unexpected end of string") }
            it = it.dropFirst()
            if verb == "%" {
                out += "%"
                continue
            }
            guard argIndex < args.count else { throw CELError.eval("index \(argIndex) out of range") }
            let arg = args[argIndex]
            argIndex += 1
            out += try clause(verb, precision, arg)
        }
        return out
    }

    private static func clause(_ verb: Unicode.Scalar, _ precision: Int?, _ arg: CELValue) throws(CELError) -> String {
        func integer() throws(CELError) -> (negative: Bool, magnitude: UInt64) {
            switch arg {
            case .int(let i): return (i < 0, i.magnitude)
            case .uint(let u): return (false, u)
            default: throw CELError.eval("error during formatting: integer clause can only be used on integers, was given \(arg.typeName)")
            }
        }
        switch verb {
        case "s": return arg.displayString
        case "d":
            let (neg, mag) = try integer()
            return (neg ? "-" : "") + String(mag)
        case "f", "e":
            guard let d = arg.number else { throw CELError.eval("error during formatting: fixed-point clause can only be used on doubles, was given \(arg.typeName)") }
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
            return String(format: "%.\(precision ?? 6)\(verb)", d)
        case "x", "X", "o", "b":
            let radix = verb == "o" ? 8 : (verb == "b" ? 2 : 16)
            if case .string(let s) = arg, radix == 16 {
                let hex = s.utf8.map { String(format: "%02x", $0) }.joined()
                return verb == "X" ? hex.uppercased() : hex
            }
            let (neg, mag) = try integer()
            let digits = String(mag, radix: radix, uppercase: verb == "X")
            return (neg ? "-" : "") + digits
        default:
            throw CELError.eval("could not parse formatting clause: unrecognized formatting clause \"\(verb)\"")
        }
    }
}
