import Foundation

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
            case .optional, .null: throw CELError.eval("no such overload: \(a.typeName) in \(b.typeName)")
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
        case (.bytes(let x), .bytes(let y)) where op == "+":
            return .bytes(x + y)
        default:
            if let timed = try CELTimeLibrary.arithmetic(op, a, b) { return timed }
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

/// Function dispatch: the standard library's conversions and optionals here, the rest in one
/// file per library (strings, collections, time, network, URL, quantity, format).
enum CELFunctions {
    /// Every function name the parser accepts (global, receiver-style or namespace-qualified).
    static let names: Set<String> = Set([
        // standard
        "size", "int", "uint", "double", "string", "bytes", "bool", "duration", "timestamp", "dyn", "type", "matches",
        "startsWith", "endsWith", "contains",
        "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear",
        "getHours", "getMinutes", "getSeconds", "getMilliseconds",
        // strings extension v2 and the regex library
        "charAt", "indexOf", "lastIndexOf", "lowerAscii", "upperAscii", "replace", "split", "substring",
        "trim", "join", "strings.quote", "format", "reverse", "find", "findAll",
        // lists library, lists extension, sets extension
        "isSorted", "sum", "min", "max", "slice", "flatten", "distinct", "sort", "first", "last", "lists.range",
        "sets.contains", "sets.equivalent", "sets.intersects",
        // IP, CIDR, URL, quantity, format libraries
        "isIP", "isCIDR", "ip", "cidr", "ip.isCanonical", "family", "isUnspecified", "isLoopback",
        "isLinkLocalMulticast", "isLinkLocalUnicast", "isGlobalUnicast", "containsIP", "containsCIDR",
        "prefixLength", "masked",
        "url", "isURL", "getScheme", "getHost", "getHostname", "getPort", "getEscapedPath", "getQuery",
        "quantity", "isQuantity", "sign", "isGreaterThan", "isLessThan", "compareTo", "asApproximateFloat",
        "asInteger", "isInteger", "add", "sub",
        "format.named", "validate",
        "isSemver", "semver", "major", "minor", "patch",
        // optional types
        "optional.of", "optional.none", "optional.ofNonZeroValue", "hasValue", "value", "orValue", "or",
    ]).union(CELFormatLibrary.names.map { "format." + $0 })

    static func call(_ name: String, _ args: [CELValue], receiverStyle: Bool) throws(CELError) -> CELValue {
        if let v = try standard(name, args, receiverStyle: receiverStyle) { return v }
        if let v = try CELStrings.call(name, args, receiverStyle: receiverStyle) { return v }
        if let v = try CELCollections.call(name, args, receiverStyle: receiverStyle) { return v }
        if let v = try CELTimeLibrary.call(name, args, receiverStyle: receiverStyle) { return v }
        if let v = try CELNetwork.call(name, args, receiverStyle: receiverStyle) { return v }
        if let v = try CELURLLibrary.call(name, args, receiverStyle: receiverStyle) { return v }
        if let v = try CELQuantityLibrary.call(name, args, receiverStyle: receiverStyle) { return v }
        if let v = try CELFormatLibrary.call(name, args, receiverStyle: receiverStyle) { return v }
        if let v = try CELSemverLibrary.call(name, args, receiverStyle: receiverStyle) { return v }
        throw CELError.eval("no such overload: \(name)(\(args.map(\.typeName).joined(separator: ", ")))")
    }

    private static func standard(_ name: String, _ args: [CELValue], receiverStyle: Bool) throws(CELError) -> CELValue? {
        switch (name, args.count, args.first) {
        case ("size", 1, let v?):
            switch v {
            case .string(let s): return .int(Int64(s.unicodeScalars.count))
            case .list(let l): return .int(Int64(l.count))
            case .map(let m): return .int(Int64(m.count))
            case .bytes(let b): return .int(Int64(b.count))
            default: return nil
            }
        case ("dyn", 1, let v?) where !receiverStyle: return v
        case ("type", 1, let v?) where !receiverStyle: return .type(v.typeName)
        case ("int", 1, let v?) where !receiverStyle: return try convertInt(v)
        case ("uint", 1, let v?) where !receiverStyle:
            switch v {
            case .uint: return v
            case .int(let i) where i >= 0: return .uint(UInt64(i))
            case .double(let d) where d >= 0 && d < 1.8446744073709552e19: return .uint(UInt64(d))
            case .string(let s):
                guard let u = UInt64(s) else { throw CELError.eval("cannot convert \"\(s)\" to uint") }
                return .uint(u)
            case .int, .double: throw CELError.eval("unsigned integer overflow")
            default: return nil
            }
        case ("double", 1, let v?) where !receiverStyle:
            if let n = v.number { return .double(n) }
            if case .string(let s) = v {
                guard let d = Double(s) else { throw CELError.eval("cannot convert \"\(s)\" to double") }
                return .double(d)
            }
            return nil
        case ("string", 1, let v?) where !receiverStyle:
            switch v {
            case .string, .bool, .int, .uint, .double, .duration, .timestamp, .ip, .cidr: return .string(v.displayString)
            case .bytes(let b):
                guard let s = String(bytes: b, encoding: .utf8) else { throw CELError.eval("invalid UTF-8 in bytes, cannot convert to string") }
                return .string(s)
            default: return nil
            }
        case ("bytes", 1, .string(let s)?) where !receiverStyle: return .bytes(Array(s.utf8))
        case ("bytes", 1, .bytes?) where !receiverStyle: return args[0]
        case ("bool", 1, .bool?) where !receiverStyle: return args[0]
        case ("bool", 1, .string(let s)?) where !receiverStyle:
            if ["true", "True", "TRUE", "t", "1"].contains(s) { return .bool(true) }
            if ["false", "False", "FALSE", "f", "0"].contains(s) { return .bool(false) }
            throw CELError.eval("type conversion error from 'string' to 'bool'")
        case ("matches", 2, .string?) where !receiverStyle:
            return try CELStrings.call(name, args, receiverStyle: true)
        default:
            return try optionalFunction(name, args, receiverStyle: receiverStyle)
        }
    }

    private static func optionalFunction(_ name: String, _ args: [CELValue], receiverStyle: Bool) throws(CELError) -> CELValue? {
        switch (name, args.count, args.first) {
        case ("optional.of", 1, let v?): return .optional(v)
        case ("optional.none", 0, _): return .optional(nil)
        case ("optional.ofNonZeroValue", 1, let v?): return .optional(isZero(v) ? nil : v)
        case ("hasValue", 1, .optional(let o)?) where receiverStyle: return .bool(o != nil)
        case ("value", 1, .optional(let o)?) where receiverStyle:
            guard let o else { throw CELError.eval("optional.none() dereference") }
            return o
        case ("orValue", 2, .optional(let o)?) where receiverStyle: return o ?? args[1]
        case ("or", 2, .optional(let o)?) where receiverStyle:
            guard case .optional = args[1] else { return nil }
            return o != nil ? args[0] : args[1]
        default: return nil
        }
    }

    /// The zero value of each type (`optional.ofNonZeroValue`).
    static func isZero(_ v: CELValue) -> Bool {
        switch v {
        case .null: return true
        case .bool(let b): return !b
        case .int(let i): return i == 0
        case .uint(let u): return u == 0
        case .double(let d): return d == 0
        case .string(let s): return s.isEmpty
        case .bytes(let b): return b.isEmpty
        case .list(let l): return l.isEmpty
        case .map(let m): return m.isEmpty
        case .duration(let d): return d.nanos == 0
        case .timestamp(let t): return t.seconds == 0 && t.nanos == 0
        default: return false
        }
    }

    private static func convertInt(_ v: CELValue) throws(CELError) -> CELValue? {
        switch v {
        case .int: return v
        case .uint(let u):
            guard u <= UInt64(Int64.max) else { throw CELError.eval("integer overflow") }
            return .int(Int64(u))
        case .double(let d):
            guard d.isFinite, d > -9.223372036854775808e18, d < 9.223372036854775807e18 else { throw CELError.eval("integer overflow") }
            return .int(Int64(d.rounded(.towardZero)))
        case .string(let s):
            guard let i = Int64(s) else { throw CELError.eval("cannot convert \"\(s)\" to int") }
            return .int(i)
        case .duration(let d): return .int(d.nanos)
        case .timestamp(let t): return .int(t.seconds)
        default: return nil
        }
    }
}
