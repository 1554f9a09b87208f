import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Binary operators of the subset: arithmetic, comparison, equality and `in`.
enum CELOperators {
    static func binary(_ op: String, _ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch op {
        case "==": return .bool(CELValue.celEqual(a, b))
        case "!=": return .bool(!CELValue.celEqual(a, b))
        case "<": return .bool(try CELValue.compare(a, b) < 0)
        case "<=": return .bool(try CELValue.compare(a, b) <= 0)
        case ">": return .bool(try CELValue.compare(a, b) > 0)
        case ">=": return .bool(try CELValue.compare(a, b) >= 0)
        case "in":
            switch b {
            case .list(let l): return .bool(l.contains { CELValue.celEqual($0, a) })
            case .map(let m):
                guard case .string(let key) = a else { return .bool(false) }
                return .bool(m[key] != nil)
            default: throw CELError.eval("no such overload: \(a.typeName) in \(b.typeName)")
            }
        default:
            return try arithmetic(op, a, b)
        }
    }

    private static func arithmetic(_ op: String, _ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let result: (Int64, Bool)
            switch op {
            case "+": result = x.addingReportingOverflow(y)
            case "-": result = x.subtractingReportingOverflow(y)
            case "*": result = x.multipliedReportingOverflow(by: y)
            case "/":
                guard y != 0 else { throw CELError.eval("division by zero") }
                result = x.dividedReportingOverflow(by: y)
            case "%":
                guard y != 0 else { throw CELError.eval("modulus by zero") }
                result = x.remainderReportingOverflow(dividingBy: y)
            default: throw CELError.eval("no such overload: int \(op) int")
            }
            guard !result.1 else { throw CELError.eval("integer overflow") }
            return .int(result.0)
        case (.uint(let x), .uint(let y)):
            let result: (UInt64, Bool)
            switch op {
            case "+": result = x.addingReportingOverflow(y)
            case "-": result = x.subtractingReportingOverflow(y)
            case "*": result = x.multipliedReportingOverflow(by: y)
            case "/":
                guard y != 0 else { throw CELError.eval("division by zero") }
                result = (x / y, false)
            case "%":
                guard y != 0 else { throw CELError.eval("modulus by zero") }
                result = (x % y, false)
            default: throw CELError.eval("no such overload: uint \(op) uint")
            }
            guard !result.1 else { throw CELError.eval("unsigned integer overflow") }
            return .uint(result.0)
        case (.string(let x), .string(let y)) where op == "+":
            return .string(x + y)
        case (.list(let x), .list(let y)) where op == "+":
            return .list(x + y)
        default:
            // JSON numbers of `type: number` fields may arrive as integers: compute in double.
            if let x = a.number, let y = b.number, a.isDoubleLike || b.isDoubleLike {
                switch op {
                case "+": return .double(x + y)
                case "-": return .double(x - y)
                case "*": return .double(x * y)
                case "/": return .double(x / y)
                default: break
                }
            }
            throw CELError.eval("no such overload: \(a.typeName) \(op) \(b.typeName)")
        }
    }
}

extension CELValue {
    fileprivate var isDoubleLike: Bool {
        if case .double = self { return true }
        return false
    }
}

/// The functions of the subset (standard CEL plus a few Kubernetes string/list extensions).
enum CELFunctions {
    static func call(_ name: String, _ args: [CELValue], receiverStyle: Bool) throws(CELError) -> CELValue {
        let a0: CELValue? = args.first
        let a1: CELValue? = args.count > 1 ? args[1] : nil
        switch (name, args.count, a0, a1) {
        case ("size", 1, _, _):
            switch args[0] {
            case .string(let s): return .int(Int64(s.unicodeScalars.count))
            case .list(let l): return .int(Int64(l.count))
            case .map(let m): return .int(Int64(m.count))
            default: break
            }
        case ("startsWith", 2, .string(let s)?, .string(let p)?): return .bool(s.hasPrefix(p))
        case ("endsWith", 2, .string(let s)?, .string(let p)?): return .bool(s.hasSuffix(p))
        case ("contains", 2, .string(let s)?, .string(let p)?): return .bool(p.isEmpty || s.contains(p))
        case ("matches", 2, .string(let s)?, .string(let pattern)?):
            guard let regex = RegexCache.shared.regex(pattern) else { throw CELError.eval("invalid regular expression: \(pattern)") }
            return .bool(regex.firstMatch(in: s, options: [], range: NSRange(s.startIndex..., in: s)) != nil)
        case ("lowerAscii", 1, .string(let s)?, _): return .string(String(s.map { $0.isASCII ? Character($0.lowercased()) : $0 }))
        case ("upperAscii", 1, .string(let s)?, _): return .string(String(s.map { $0.isASCII ? Character($0.uppercased()) : $0 }))
        case ("trim", 1, .string(let s)?, _): return .string(s.trimmingCharacters(in: .whitespacesAndNewlines))
        case ("indexOf", 2, .string(let s)?, .string(let sub)?):
            guard let r = s.range(of: sub) else { return .int(-1) }
            return .int(Int64(s.unicodeScalars.distance(from: s.unicodeScalars.startIndex, to: r.lowerBound)))
        case ("lastIndexOf", 2, .string(let s)?, .string(let sub)?):
            guard let r = s.range(of: sub, options: .backwards) else { return .int(-1) }
            return .int(Int64(s.unicodeScalars.distance(from: s.unicodeScalars.startIndex, to: r.lowerBound)))
        case ("split", 2, .string(let s)?, .string(let sep)?):
            return .list(s.components(separatedBy: sep).map(CELValue.string))
        case ("join", 1, .list(let l)?, _), ("join", 2, .list(let l)?, .string?):
            let sep = args.count > 1 ? (args[1].stringLiteral ?? "") : ""
            var parts: [String] = []
            for item in l {
                guard case .string(let s) = item else { throw CELError.eval("join() requires a list of strings") }
                parts.append(s)
            }
            return .string(parts.joined(separator: sep))
        case ("isSorted", 1, .list(let l)?, _):
            for i in l.indices.dropFirst() {
                if try CELValue.compare(l[i - 1], l[i]) > 0 { return .bool(false) }
            }
            return .bool(true)
        case ("sum", 1, .list(let l)?, _):
            var total = CELValue.int(0)
            for item in l { total = try CELOperators.binary("+", total, item) }
            return total
        case ("min", 1, .list(let l)?, _), ("max", 1, .list(let l)?, _):
            guard var best = l.first else { throw CELError.eval("\(name)() called on an empty list") }
            for item in l.dropFirst() {
                let c = try CELValue.compare(item, best)
                if (name == "min" && c < 0) || (name == "max" && c > 0) { best = item }
            }
            return best
        // Kubernetes IP library (the Gateway API TLSRoute/HTTPRoute rules use isIP).
        case ("isIP", 1, .string(let s)?, _) where !receiverStyle: return .bool(CELNetwork.isIP(s))
        case ("isCIDR", 1, .string(let s)?, _) where !receiverStyle: return .bool(CELNetwork.isCIDR(s))
        // Kubernetes strings library.
        case ("replace", 3, .string(let s)?, .string(let old)?):
            guard case .string(let new) = args[2] else { break }
            return .string(old.isEmpty ? s : s.replacingOccurrences(of: old, with: new))
        case ("charAt", 2, .string(let s)?, .int(let i)?):
            let scalars = Array(s.unicodeScalars)
            guard i >= 0, i <= scalars.count else { throw CELError.eval("index out of range: \(i)") }
            return .string(i == scalars.count ? "" : String(scalars[Int(i)]))
        case ("substring", 2, .string(let s)?, .int(let start)?), ("substring", 3, .string(let s)?, .int(let start)?):
            let scalars = Array(s.unicodeScalars)
            var end = Int64(scalars.count)
            if args.count == 3 {
                guard case .int(let e) = args[2] else { break }
                end = e
            }
            guard start >= 0, start <= end, end <= Int64(scalars.count) else { throw CELError.eval("index out of range: \(start), \(end)") }
            var out = String.UnicodeScalarView()
            out.append(contentsOf: scalars[Int(start)..<Int(end)])
            return .string(String(out))
        case ("int", 1, let v?, _) where !receiverStyle: return try convertInt(v)
        case ("uint", 1, let v?, _) where !receiverStyle:
            switch v {
            case .uint: return v
            case .int(let i) where i >= 0: return .uint(UInt64(i))
            case .double(let d) where d >= 0 && d < 1.8e19: return .uint(UInt64(d))
            case .string(let s): if let u = UInt64(s) { return .uint(u) }
            default: break
            }
        case ("double", 1, let v?, _) where !receiverStyle:
            if let n = v.number { return .double(n) }
            if case .string(let s) = v, let d = Double(s) { return .double(d) }
        case ("string", 1, let v?, _) where !receiverStyle: return .string(v.displayString)
        case ("bool", 1, .bool(let b)?, _) where !receiverStyle: return .bool(b)
        case ("bool", 1, .string(let s)?, _) where !receiverStyle:
            if ["true", "True", "TRUE", "t", "1"].contains(s) { return .bool(true) }
            if ["false", "False", "FALSE", "f", "0"].contains(s) { return .bool(false) }
        default: break
        }
        throw CELError.eval("no matching overload for '\(name)' applied to (\(args.map(\.typeName).joined(separator: ", ")))")
    }

    private static func convertInt(_ v: CELValue) throws(CELError) -> CELValue {
        switch v {
        case .int: return v
        case .uint(let u):
            guard u <= UInt64(Int64.max) else { throw CELError.eval("integer overflow") }
            return .int(Int64(u))
        case .double(let d):
            guard d.isFinite, d > -9.2e18, d < 9.2e18 else { throw CELError.eval("integer overflow") }
            return .int(Int64(d.rounded(.towardZero)))
        case .string(let s):
            guard let i = Int64(s) else { throw CELError.eval("cannot convert \"\(s)\" to int") }
            return .int(i)
        default:
            throw CELError.eval("no matching overload for 'int' applied to (\(v.typeName))")
        }
    }
}

extension CELValue {
    fileprivate var stringLiteral: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

/// The Kubernetes CEL IP library's parsing (Go's `netip`): dotted-decimal IPv4 without leading
/// zeros, IPv6 without zones.
enum CELNetwork {
    static func isIP(_ s: String) -> Bool {
        if s.contains(":") {
            guard !s.contains("%") else { return false }
            var addr = in6_addr()
            return inet_pton(AF_INET6, s, &addr) == 1
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber), let n = Int(part), n <= 255 else { return false }
            return part.count == 1 || part.first != "0"
        }
    }

    static func isCIDR(_ s: String) -> Bool {
        let pieces = s.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2, isIP(String(pieces[0])), let bits = Int(pieces[1]), pieces[1].allSatisfy(\.isNumber),
              pieces[1].count == 1 || pieces[1].first != "0" else { return false }
        return bits >= 0 && bits <= (pieces[0].contains(":") ? 128 : 32)
    }
}
