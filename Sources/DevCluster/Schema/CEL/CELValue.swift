import KubeCore

/// A CEL runtime value. JSON objects become maps with string keys.
enum CELValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case list([CELValue])
    case map([String: CELValue])

    init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .list(a.map(CELValue.init(json:)))
        case .object(let o): self = .map(o.mapValues(CELValue.init(json:)))
        }
    }

    /// The CEL type name used in error messages.
    var typeName: String {
        switch self {
        case .null: return "null_type"
        case .bool: return "bool"
        case .int: return "int"
        case .uint: return "uint"
        case .double: return "double"
        case .string: return "string"
        case .list: return "list"
        case .map: return "map"
        }
    }

    /// The value as a string for `string()` and message expressions.
    var displayString: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .double(let d): return FieldError.goFloat(d)
        case .string(let s): return s
        case .list(let l): return "[" + l.map(\.displayString).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.keys.sorted().map { "\($0): \(m[$0]?.displayString ?? "")" }.joined(separator: ", ") + "}"
        }
    }

    /// A numeric view for heterogeneous comparison (int, uint and double compare by value).
    var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        case .double(let d): return d
        default: return nil
        }
    }

    /// CEL equality: numbers by value across int/uint/double, lists and maps element-wise.
    static func celEqual(_ a: CELValue, _ b: CELValue) -> Bool {
        switch (a, b) {
        case (.list(let x), .list(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { celEqual($0, $1) }
        case (.map(let x), .map(let y)):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { celEqual(v, $0) } ?? false }
        case (.int(let x), .int(let y)): return x == y
        case (.uint(let x), .uint(let y)): return x == y
        case (.int(let x), .uint(let y)): return x >= 0 && UInt64(x) == y
        case (.uint(let x), .int(let y)): return y >= 0 && UInt64(y) == x
        default:
            if let p = a.number, let q = b.number { return p == q }
            return a == b
        }
    }

    /// Ordering for `<`, `<=`, `>`, `>=`: numbers (heterogeneous), strings, bools.
    static func compare(_ a: CELValue, _ b: CELValue) throws(CELError) -> Int {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.uint(let x), .uint(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.string(let x), .string(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        default:
            if let p = a.number, let q = b.number { return p < q ? -1 : (p == q ? 0 : 1) }
            throw CELError.eval("no such overload: \(a.typeName) < \(b.typeName)")
        }
    }
}
