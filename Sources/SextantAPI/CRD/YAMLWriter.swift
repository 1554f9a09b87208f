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
        case .string(let s): return Node(s, Tag(.str), .any)
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
        do {
            var out: [JSONValue] = []
            for node in try Yams.compose_all(yaml: yaml) {
                let value = json(node)
                if !value.isNull { out.append(value) }
            }
            return out
        } catch let error as SextantAPIError {
            throw error
        } catch {
            throw SextantAPIError.serialization(String(describing: error))
        }
    }

    static func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let s):
            switch s.tag.description {
            case "tag:yaml.org,2002:null": return .null
            case "tag:yaml.org,2002:bool": return Bool.construct(from: s).map { .bool($0) } ?? .string(s.string)
            case "tag:yaml.org,2002:int": return Int.construct(from: s).map { .int(Int64($0)) } ?? .string(s.string)
            case "tag:yaml.org,2002:float": return Double.construct(from: s).map { .double($0) } ?? .string(s.string)
            default: return .string(s.string)
            }
        case .sequence(let seq): return .array(seq.map(json))
        case .mapping(let map):
            var o: [String: JSONValue] = [:]
            for (k, v) in map { o[k.string ?? ""] = json(v) }
            return .object(o)
        case .alias: return .null  // anchors are not used in Kubernetes manifests
        }
    }
}
