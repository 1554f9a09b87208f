import Foundation
import KubeCore

/// A CEL runtime value. JSON objects become maps with string keys; the Kubernetes library types
/// (duration, timestamp, IP, CIDR, URL, quantity, named format) and optionals have their own cases.
enum CELValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list([CELValue])
    case map([String: CELValue])
    case duration(CELDuration)
    case timestamp(CELTimestamp)
    case ip(CELIPAddress)
    case cidr(CELCIDR)
    case url(CELURL)
    case quantity(CELQuantity)
    case format(CELNamedFormat)
    case semver(CELSemver)
    /// A CEL type value (`type(x)`, `int`, `string`, ...).
    case type(String)
    /// `optional.of(v)` (`.some`) or `optional.none()` (`nil`).
    indirect case optional(CELValue?)

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

    /// A JSON value typed by its schema, as the apiserver's `UnstructuredToVal` types it: strings of
    /// `format: duration` are durations, `date`/`date-time` timestamps (kept as strings when they
    /// do not parse); everything else as `init(json:)`.
    init(json: JSONValue, schema: JSONValue?) {
        guard let schema, case .object(let s) = schema else {
            self.init(json: json)
            return
        }
        switch json {
        case .string(let text):
            switch s["format"]?.stringValue {
            case "duration":
                if let d = try? CELDuration.parse(text) { self = .duration(d); return }
            case "date-time":
                if let t = try? CELTimestamp.parse(text) { self = .timestamp(t); return }
            case "date":
                if let t = try? CELTimestamp.parse(text + "T00:00:00Z") { self = .timestamp(t); return }
            case "byte":
                if let data = Data(base64Encoded: text) { self = .bytes(Array(data)); return }
            default: break
            }
            self = .string(text)
        case .array(let items):
            let itemSchema = s["items"]
            self = .list(items.map { CELValue(json: $0, schema: itemSchema) })
        case .object(let members):
            let properties = s["properties"]?.objectValue
            let additional = s["additionalProperties"]
            self = .map(members.reduce(into: [:]) { out, member in
                out[member.key] = CELValue(json: member.value, schema: properties?[member.key] ?? additional)
            })
        default:
            self.init(json: json)
        }
    }

    /// The CEL type name used in error messages and by `type()`.
    var typeName: String {
        switch self {
        case .null: return "null_type"
        case .bool: return "bool"
        case .int: return "int"
        case .uint: return "uint"
        case .double: return "double"
        case .string: return "string"
        case .bytes: return "bytes"
        case .list: return "list"
        case .map: return "map"
        case .duration: return "google.protobuf.Duration"
        case .timestamp: return "google.protobuf.Timestamp"
        case .ip: return "net.IP"
        case .cidr: return "net.CIDR"
        case .url: return "kubernetes.URL"
        case .quantity: return "kubernetes.Quantity"
        case .format: return "kubernetes.NamedFormat"
        case .semver: return "kubernetes.Semver"
        case .type: return "type"
        case .optional: return "optional_type"
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
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .list(let l): return "[" + l.map(\.displayString).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.keys.sorted().map { "\($0): \(m[$0]?.displayString ?? "")" }.joined(separator: ", ") + "}"
        case .duration(let d): return d.description
        case .timestamp(let t): return t.description
        case .ip(let ip): return ip.description
        case .cidr(let c): return c.description
        case .url(let u): return u.raw
        case .quantity(let q): return q.text
        case .format(let f): return f.name
        case .semver(let v): return v.text
        case .type(let t): return t
        case .optional(let v): return v.map { "optional(\($0.displayString))" } ?? "optional.none()"
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

    /// The string payload, if the value is a string.
    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// CEL equality: numbers by value across int/uint/double, lists and maps element-wise,
    /// quantities by amount (`1` == `1000m`), optionals by content.
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
        case (.quantity(let x), .quantity(let y)): return x.amount == y.amount
        case (.optional(let x), .optional(let y)):
            switch (x, y) {
            case (nil, nil): return true
            case (let p?, let q?): return celEqual(p, q)
            default: return false
            }
        default:
            if let p = a.number, let q = b.number { return p == q }
            return a == b
        }
    }

    /// Ordering for `<`, `<=`, `>`, `>=`: numbers (heterogeneous), strings, bools, durations, timestamps.
    static func compare(_ a: CELValue, _ b: CELValue) throws(CELError) -> Int {
        func order<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case (.int(let x), .int(let y)): return order(x, y)
        case (.uint(let x), .uint(let y)): return order(x, y)
        case (.string(let x), .string(let y)):
            // Go compares UTF-8 bytes, which orders like code points.
            if x == y { return 0 }
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) { $0.value < $1.value } ? -1 : 1
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.bytes(let x), .bytes(let y)): return x == y ? 0 : (x.lexicographicallyPrecedes(y) ? -1 : 1)
        case (.duration(let x), .duration(let y)): return order(x.nanos, y.nanos)
        case (.timestamp(let x), .timestamp(let y)): return order(x, y)
        default:
            if let p = a.number, let q = b.number { return order(p, q) }
            throw CELError.eval("no such overload: \(a.typeName) < \(b.typeName)")
        }
    }
}
