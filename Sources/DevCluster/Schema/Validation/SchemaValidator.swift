import Foundation
import KubeCore
import Synchronization

/// Validates a value against a structural (OpenAPI v3) schema the way the apiextensions
/// apiserver does through kube-openapi: causes carry `spec.steps[0].name` paths and the
/// messages kube-openapi writes (`spec.replicas in body must be of type integer: "string"`).
struct SchemaValidator {
    var causes: [StatusCause] = []
    /// Top-level fields not descended into (equal to those of an old object that passed).
    var skipping: Set<String> = []

    mutating func validate(_ value: JSONValue, schema: JSONValue, path: String) {
        guard case .object(let s) = schema else { return }
        let name = path
        if value.isNull {
            if s["nullable"]?.boolValue == true { return }
            if let type = s["type"]?.stringValue {
                causes.append(FieldError.typeInvalid(path, "null", "\(name) in body must be of type \(type): \"null\""))
                return
            }
        }
        if s["x-kubernetes-int-or-string"]?.boolValue == true {
            switch value {
            case .int, .string: break
            case .double(let d) where d.rounded() == d: break
            default:
                causes.append(FieldError.typeInvalid(path, .string(Self.typeName(value)), "\(name) in body must be of type integer,string: \"\(Self.typeName(value))\""))
                return
            }
        } else if let type = s["type"]?.stringValue, !Self.matches(value, type: type) {
            let actual = Self.typeName(value)
            causes.append(FieldError.typeInvalid(path, .string(actual), "\(name) in body must be of type \(type): \"\(actual)\""))
            return
        }
        if let allowed = s["enum"]?.arrayValue, !allowed.contains(where: { JSONPatch.valuesEqual($0, value) }) {
            let names = allowed.map { $0.stringValue ?? $0.jsonString }
            causes.append(FieldError.notSupported(path, value, names))
        }
        switch value {
        case .string(let str): validateString(str, s, path: path)
        case .int, .double: validateNumber(value, s, path: path)
        case .array(let items): validateArray(items, s, path: path)
        case .object(let members): validateObject(members, s, path: path)
        default: break
        }
        for sub in s["allOf"]?.arrayValue ?? [] { validate(value, schema: sub, path: path) }
    }

    private mutating func validateString(_ str: String, _ s: [String: JSONValue], path: String) {
        let length = Int64(str.unicodeScalars.count)
        if let max = s["maxLength"]?.intValue, length > max {
            causes.append(FieldError.tooLong(path, max: max))
        }
        if let min = s["minLength"]?.intValue, length < min {
            causes.append(FieldError.invalid(path, .string(str), "\(path) in body should be at least \(min) chars long"))
        }
        if let pattern = s["pattern"]?.stringValue, let regex = RegexCache.shared.regex(pattern) {
            let range = NSRange(str.startIndex..., in: str)
            if regex.firstMatch(in: str, options: [], range: range) == nil {
                causes.append(FieldError.invalid(path, .string(str), "\(path) in body should match '\(pattern)'"))
            }
        }
        if s["format"]?.stringValue == "date-time", KubeTime.parse(str) == nil, !Self.isRFC3339(str) {
            causes.append(FieldError.typeInvalid(path, .string(str), "\(path) in body must be of type date-time: \(FieldError.goQuote(str))"))
        }
    }

    private mutating func validateNumber(_ value: JSONValue, _ s: [String: JSONValue], path: String) {
        guard let d = value.doubleValue else { return }
        if let max = s["maximum"], let m = max.doubleValue {
            let exclusive = s["exclusiveMaximum"]?.boolValue == true
            if exclusive ? d >= m : d > m {
                let word = exclusive ? "less than" : "less than or equal to"
                causes.append(FieldError.invalid(path, value, "\(path) in body should be \(word) \(FieldError.number(max))"))
            }
        }
        if let min = s["minimum"], let m = min.doubleValue {
            let exclusive = s["exclusiveMinimum"]?.boolValue == true
            if exclusive ? d <= m : d < m {
                let word = exclusive ? "greater than" : "greater than or equal to"
                causes.append(FieldError.invalid(path, value, "\(path) in body should be \(word) \(FieldError.number(min))"))
            }
        }
        if let factor = s["multipleOf"]?.doubleValue, factor > 0 {
            let q = d / factor
            if q.rounded() != q {
                causes.append(FieldError.invalid(path, value, "\(path) in body should be a multiple of \(FieldError.goFloat(factor))"))
            }
        }
    }

    private mutating func validateArray(_ items: [JSONValue], _ s: [String: JSONValue], path: String) {
        if let max = s["maxItems"]?.intValue, Int64(items.count) > max {
            causes.append(FieldError.tooMany(path, actual: items.count, max: max))
        }
        if let min = s["minItems"]?.intValue, Int64(items.count) < min {
            causes.append(FieldError.invalid(path, .int(Int64(items.count)), "\(path) in body should have at least \(min) items"))
        }
        if s["uniqueItems"]?.boolValue == true, Set(items).count != items.count {
            causes.append(FieldError.invalid(path, .string(""), "\(path) in body shouldn't contain duplicates"))
        }
        if let itemSchema = s["items"] {
            for (i, item) in items.enumerated() {
                validate(item, schema: itemSchema, path: FieldPath.index(path, i))
            }
        }
        validateListType(items, s, path: path)
    }

    /// `x-kubernetes-list-type: set|map`: duplicates are `FieldValueDuplicate` causes.
    private mutating func validateListType(_ items: [JSONValue], _ s: [String: JSONValue], path: String) {
        switch s["x-kubernetes-list-type"]?.stringValue {
        case "set":
            var seen = Set<JSONValue>()
            for (i, item) in items.enumerated() where !seen.insert(item).inserted {
                causes.append(FieldError.duplicate(FieldPath.index(path, i), item))
            }
        case "map":
            let keys = s["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard !keys.isEmpty else { return }
            var seen = Set<[JSONValue]>()
            for (i, item) in items.enumerated() {
                let key = keys.map { item[$0] ?? .null }
                if !seen.insert(key).inserted {
                    let rendered: JSONValue = .object(Dictionary(uniqueKeysWithValues: zip(keys, key)))
                    causes.append(FieldError.duplicate(FieldPath.index(path, i), rendered))
                }
            }
        default:
            break
        }
    }

    private mutating func validateObject(_ members: [String: JSONValue], _ s: [String: JSONValue], path: String) {
        if let max = s["maxProperties"]?.intValue, Int64(members.count) > max {
            causes.append(FieldError.tooMany(path, actual: members.count, max: max))
        }
        if let min = s["minProperties"]?.intValue, Int64(members.count) < min {
            causes.append(FieldError.invalid(path, .int(Int64(members.count)), "\(path) in body should have at least \(min) properties"))
        }
        for key in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[key] == nil {
            causes.append(FieldError.required(FieldPath.child(path, key)))
        }
        let properties = s["properties"]?.objectValue ?? [:]
        for key in members.keys.sorted() {
            guard let child = members[key] else { continue }
            if path.isEmpty, skipping.contains(key) { continue }
            if let propSchema = properties[key] {
                validate(child, schema: propSchema, path: FieldPath.child(path, key))
            } else if let additional = s["additionalProperties"], additional.objectValue != nil {
                validate(child, schema: additional, path: FieldPath.child(path, key))
            }
        }
    }

    /// Whether a value has the schema type (integral doubles count as integers, integers as numbers).
    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool): return true
        case ("integer", .int), ("number", .int), ("number", .double): return true
        case ("integer", .double(let d)): return d.rounded() == d
        default: return false
        }
    }

    /// kube-openapi's name for the type of a value.
    static func typeName(_ value: JSONValue) -> String {
        value.typeName
    }

    /// RFC 3339 date-times with an offset or fractional seconds that `KubeTime` does not parse.
    static func isRFC3339(_ s: String) -> Bool {
        let pattern = #"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"#
        return s.range(of: pattern, options: .regularExpression) != nil
    }
}

/// Compiled `pattern`s, shared across requests (patterns come from a handful of CRDs).
final class RegexCache: Sendable {
    static let shared = RegexCache()
    private let cache = Mutex<[String: CachedRegex]>([:])

    /// The compiled pattern, or nil when it does not compile.
    func regex(_ pattern: String) -> NSRegularExpression? {
        if let hit = cache.withLock({ $0[pattern] }) { return hit.regex }
        let compiled = try? NSRegularExpression(pattern: pattern)
        cache.withLock { $0[pattern] = CachedRegex(regex: compiled) }
        return compiled
    }
}

/// NSRegularExpression is immutable once built; it is safe to share between threads.
struct CachedRegex: @unchecked Sendable {
    let regex: NSRegularExpression?
}
