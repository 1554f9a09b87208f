import Foundation
import KubeCore

/// A CEL type as the checker sees it: the schema's types (objects keep their schema so fields
/// can be checked), the library types, and `dyn` where nothing is known.
indirect enum CELType: Equatable, Sendable {
    case dyn
    case null, bool, int, uint, double, string, bytes, duration, timestamp
    case list(CELType)
    case map(CELType, CELType)
    /// An object of the schema (fields from `properties`); `open` when unknown fields are
    /// tolerated (`x-kubernetes-preserve-unknown-fields`).
    case object(CELObjectType)
    /// Library types: `net.IP`, `net.CIDR`, `kubernetes.URL`, `kubernetes.Quantity`,
    /// `kubernetes.NamedFormat`, `kubernetes.Semver`.
    case opaque(String)
    case optional(CELType)
    /// A type value (`int`, `type(x)`).
    case type

    /// cel-go's `FormatCELType` spelling, used in overload errors.
    var description: String {
        switch self {
        case .dyn: return "dyn"
        case .null: return "null_type"
        case .bool: return "bool"
        case .int: return "int"
        case .uint: return "uint"
        case .double: return "double"
        case .string: return "string"
        case .bytes: return "bytes"
        case .duration: return "google.protobuf.Duration"
        case .timestamp: return "google.protobuf.Timestamp"
        case .list(let e): return "list(\(e.description))"
        case .map(let k, let v): return "map(\(k.description), \(v.description))"
        case .object: return "object"
        case .opaque(let name): return name
        case .optional(let t): return "optional_type(\(t.description))"
        case .type: return "type"
        }
    }

    var isDyn: Bool { self == .dyn }

    /// Whether a value of type `other` may be used where `self` is expected (dyn on either side
    /// matches; null matches objects, optionals and library types; lists and maps element-wise).
    func accepts(_ other: CELType) -> Bool {
        switch (self, other) {
        case (.dyn, _), (_, .dyn): return true
        case (.list(let a), .list(let b)): return a.accepts(b)
        case (.map(let k1, let v1), .map(let k2, let v2)): return k1.accepts(k2) && v1.accepts(v2)
        case (.optional(let a), .optional(let b)): return a.accepts(b)
        case (.object, .object): return true
        case (.object, .null), (.null, .object), (.optional, .null), (.opaque, .null), (.null, .opaque),
             (.duration, .null), (.timestamp, .null), (.null, .duration), (.null, .timestamp):
            return true
        default: return self == other
        }
    }

    /// The more specific of two compatible types (used for list literals and ternaries).
    func join(_ other: CELType) -> CELType {
        if isDyn { return other }
        if other.isDyn || self == other { return self }
        if case .null = self { return other }
        if case .null = other { return self }
        return accepts(other) ? self : .dyn
    }
}

/// An object type of the schema: its properties, and whether other fields may be present.
struct CELObjectType: Equatable, Sendable {
    var schema: JSONValue
    /// The root of a resource (or an embedded resource): `apiVersion`, `kind` and
    /// `metadata.name`/`metadata.generateName` are accessible even when undeclared.
    var isResourceRoot: Bool

    /// The type of a field, nil when the object has no such field.
    func field(_ escaped: String) -> CELType? {
        let name = CELNames.unescape(escaped)
        if isResourceRoot {
            switch name {
            case "apiVersion", "kind": return .string
            case "metadata": return .object(CELObjectType(schema: Self.metadataSchema, isResourceRoot: false))
            default: break
            }
        }
        if let property = schema["properties"]?[name] { return CELType.of(property) }
        if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true { return .dyn }
        return nil
    }

    static let metadataSchema: JSONValue = ["type": "object", "properties": ["name": ["type": "string"], "generateName": ["type": "string"]]]
}

extension CELType {
    /// The CEL type of values of a structural schema, as the apiserver declares it
    /// (`SchemaDeclType`): `format: duration` strings are durations, `date`/`date-time` timestamps,
    /// `byte` bytes; int-or-string is dyn; objects with `additionalProperties` are maps.
    static func of(_ schema: JSONValue, isResourceRoot: Bool = false) -> CELType {
        guard case .object(let s) = schema else { return .dyn }
        if s["x-kubernetes-int-or-string"]?.boolValue == true { return .dyn }
        let embedded = s["x-kubernetes-embedded-resource"]?.boolValue == true
        switch s["type"]?.stringValue {
        case "array":
            guard let items = s["items"] else { return .list(.dyn) }
            return .list(of(items))
        case "object":
            if let additional = s["additionalProperties"], additional.objectValue != nil {
                return .map(.string, of(additional))
            }
            if s["properties"] == nil, s["x-kubernetes-preserve-unknown-fields"]?.boolValue == true, !(isResourceRoot || embedded) {
                return .dyn
            }
            return .object(CELObjectType(schema: schema, isResourceRoot: isResourceRoot || embedded))
        case "string":
            switch s["format"]?.stringValue {
            case "duration": return .duration
            case "date", "date-time": return .timestamp
            case "byte": return .bytes
            default: return .string
            }
        case "boolean": return .bool
        case "number": return .double
        case "integer": return .int
        default: return .dyn
        }
    }
}

/// One type-check error, at a source offset; printed as cel-go prints issues.
struct CELDiagnostic: Sendable, Equatable {
    var offset: Int
    var message: String

    /// `ERROR: <input>:line:column: message` followed by the source line and a caret.
    func display(in source: String) -> String {
        let scalars = Array(source.unicodeScalars)
        var line = 1, lineStart = 0
        for i in 0..<min(offset, scalars.count) where scalars[i] == "\n" {
            line += 1
            lineStart = i + 1
        }
        var lineEnd = lineStart
        while lineEnd < scalars.count, scalars[lineEnd] != "\n" { lineEnd += 1 }
        let column = offset - lineStart
        var text = String(String.UnicodeScalarView(scalars[lineStart..<lineEnd])).replacingOccurrences(of: "\t", with: " ")
        if text.hasSuffix("\r") { text.removeLast() }
        let dots = scalars[lineStart..<min(lineStart + column, lineEnd)].map { $0.value > 0x7f ? "\u{FF0E}" : "." }.joined()
        let caret = offset < lineEnd && scalars[offset].value > 0x7f ? "\u{FF3E}" : "^"
        return "ERROR: <input>:\(line):\(column + 1): \(message)\n | \(text)\n | \(dots)\(caret)"
    }

    /// Several issues, sorted by position and joined as cel-go's `Issues.String()` joins them.
    static func display(_ issues: [CELDiagnostic], in source: String) -> String {
        issues.sorted { $0.offset < $1.offset }.map { $0.display(in: source) }.joined(separator: "\n")
    }
}
