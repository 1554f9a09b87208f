import KubeCore

/// `FieldWalker.value(at:in:)` over one object, memoized: paths share prefixes, and each
/// distinct prefix is stepped once (a `k:`/`v:` element's JSON parsed once), instead of
/// walking every path from the root. Gives exactly the values `value(at:in:)` gives.
final class FieldResolver {
    private final class Node {
        let value: JSONValue?
        var children: [PathElement: Node] = [:]
        init(_ value: JSONValue?) { self.value = value }
    }

    private let root: Node
    private let elements: PathElementCache

    init(_ object: JSONValue, elements: PathElementCache = PathElementCache()) {
        root = Node(object)
        self.elements = elements
    }

    /// The value at a managed path, or nil when absent.
    func value(at path: [PathElement]) -> JSONValue? {
        var node = root
        for element in path {
            if let next = node.children[element] {
                node = next
                continue
            }
            guard let current = node.value else { return nil }
            let next = Node(elements.step(current, element))
            node.children[element] = next
            node = next
        }
        return node.value
    }

    /// Whether the path exists in the object.
    func exists(_ path: [PathElement]) -> Bool { value(at: path) != nil }
}

/// Path elements parsed once (`f:` field name, `k:` key object, `v:` set value), with the
/// step `FieldWalker.value(at:in:)` takes for each.
final class PathElementCache {
    private enum Parsed {
        case field(String)
        case key([String: JSONValue])
        case value(JSONValue)
        case invalid
    }

    private var parsed: [PathElement: Parsed] = [:]

    init() {}

    private func parse(_ element: PathElement) -> Parsed {
        if let known = parsed[element] { return known }
        let body = String(element.dropFirst(2))
        let result: Parsed
        switch element.prefix(2) {
        case "f:": result = .field(body)
        case "k:":
            if case .object(let keys)? = try? BodyDecoding.parseJSON(body) { result = .key(keys) } else { result = .invalid }
        case "v:":
            if let v = try? BodyDecoding.parseJSON(body) { result = .value(v) } else { result = .invalid }
        default: result = .invalid
        }
        parsed[element] = result
        return result
    }

    /// One step of `FieldWalker.value(at:in:)` from `current`.
    func step(_ current: JSONValue, _ element: PathElement) -> JSONValue? {
        // Field names, most elements, need no parse (nor a lookup in `parsed`).
        let utf8 = element.utf8
        if utf8.count >= 2, utf8.first == UInt8(ascii: "f"), utf8[utf8.index(after: utf8.startIndex)] == UInt8(ascii: ":") {
            return current[String(element.dropFirst(2))]
        }
        switch parse(element) {
        case .field(let name):
            return current[name]
        case .key(let keys):
            guard case .array(let items) = current else { return nil }
            return items.first { item in keys.allSatisfy { item[$0.key] == $0.value } }
        case .value(let v):
            guard case .array(let items) = current, items.contains(v) else { return nil }
            return v
        case .invalid:
            return nil
        }
    }
}
