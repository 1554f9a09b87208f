import Foundation
import KubeCore
import Yams

/// Deterministic YAML rendering of JSON documents (block style, keys in a readable order).
public enum YAMLWriter {
    /// Keys that come first in a mapping, in this order; the rest follow alphabetically.
    static let leadingKeys = ["apiVersion", "kind", "metadata", "name", "type", "description", "spec", "status"]

    /// Renders one YAML document.
    public static func document(_ value: JSONValue) throws -> String {
        do {
            return try Yams.serialize(node: node(value), width: -1, sortKeys: false)
        } catch {
            throw SextantAPIError.serialization(String(describing: error))
        }
    }

    static func order(_ keys: [String]) -> [String] {
        let lead = leadingKeys.filter { keys.contains($0) }
        return lead + keys.filter { !leadingKeys.contains($0) }.sorted()
    }

    static func node(_ value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Node(String(i), Tag(.int))
        case .double(let d):
            if d.rounded() == d, abs(d) < 1e15 { return Node(String(Int64(d)), Tag(.int)) }
            return Node(String(d), Tag(.float))
        case .string(let s):
            // Strings a YAML 1.1 reader (kubectl, go-yaml) would take for another type are quoted.
            let scalar = Node.Scalar(s)
            let ambiguous = Bool.construct(from: scalar) != nil || Int.construct(from: scalar) != nil
                || Double.construct(from: scalar) != nil || NSNull.construct(from: scalar) != nil
            return Node(s, Tag(.str), ambiguous ? .doubleQuoted : .any)
        case .array(let a): return Node(a.map(node))
        case .object(let o):
            let pairs = order(Array(o.keys)).compactMap { key in o[key].map { (Node(key), node($0)) } }
            return Node(pairs)
        }
    }
}

/// Parsing of YAML documents into `JSONValue` (examples, committed CRDs).
public enum YAMLReader {
    /// Every document of a YAML stream, as JSON (empty documents skipped).
    public static func documents(_ yaml: String) throws -> [JSONValue] {
        let loaded: [Any?]
        do {
            loaded = Array(try Yams.load_all(yaml: yaml))
        } catch {
            throw SextantAPIError.serialization(String(describing: error))
        }
        return try loaded.compactMap { doc in
            guard let doc else { return nil }
            let value = try json(doc)
            return value.isNull ? nil : value
        }
    }

    static func json(_ any: Any) throws -> JSONValue {
        switch any {
        case is NSNull: return .null
        case let b as Bool: return .bool(b)
        case let i as Int: return .int(Int64(i))
        case let d as Double: return .double(d)
        case let s as String: return .string(s)
        case let a as [Any]: return .array(try a.map(json))
        case let o as [String: Any]: return .object(try o.mapValues(json))
        case let o as [AnyHashable: Any]:
            var out: [String: JSONValue] = [:]
            for (k, v) in o { out[String(describing: k.base)] = try json(v) }
            return .object(out)
        default:
            throw SextantAPIError.serialization("unsupported YAML value \(type(of: any))")
        }
    }
}
