import KubeCore

/// One step of a managed-field path, as structured-merge-diff writes them in FieldsV1:
/// `f:name` (field), `k:{"name":"app"}` (associative-list element), `v:"x"` (set element).
typealias PathElement = String

/// A set of field paths owned by one manager. Each path ends at a leaf or at a node the
/// manager owns itself (FieldsV1 `".": {}`).
struct FieldSet: Sendable, Equatable {
    var paths: Set<[PathElement]>

    init(_ paths: Set<[PathElement]> = []) {
        self.paths = paths
    }

    var isEmpty: Bool { paths.isEmpty }

    /// Parses a FieldsV1 object.
    init(fieldsV1: JSONValue) {
        var out = Set<[PathElement]>()
        func walk(_ node: JSONValue, _ prefix: [PathElement]) {
            guard case .object(let children) = node, !children.isEmpty else {
                if !prefix.isEmpty { out.insert(prefix) }
                return
            }
            for (key, child) in children {
                if key == "." {
                    if !prefix.isEmpty { out.insert(prefix) }
                } else {
                    walk(child, prefix + [key])
                }
            }
        }
        walk(fieldsV1, [])
        paths = out
    }

    /// The FieldsV1 object (`{"f:spec":{"f:replicas":{}}}`), with `".": {}` on owned inner nodes.
    var fieldsV1: JSONValue {
        final class Node {
            var children: [String: Node] = [:]
            var owned = false
        }
        let root = Node()
        for path in paths {
            var node = root
            for element in path {
                if let next = node.children[element] {
                    node = next
                } else {
                    let next = Node()
                    node.children[element] = next
                    node = next
                }
            }
            node.owned = true
        }
        func render(_ node: Node) -> JSONValue {
            var out: [String: JSONValue] = [:]
            for (key, child) in node.children { out[key] = render(child) }
            if node.owned, !node.children.isEmpty { out["."] = .emptyObject }
            return .object(out)
        }
        return render(root)
    }

    /// Whether `fieldsV1` is exactly what `fieldsV1` renders for the set it parses to: objects
    /// all the way down, `{}` leaves, and `".": {}` only beside other members below the root.
    /// (Anything else — a `"."` alone or at the root, a non-empty or non-object `"."`, a scalar —
    /// reads back as a set that renders differently.)
    static func isCanonical(fieldsV1: JSONValue) -> Bool {
        func check(_ node: JSONValue, root: Bool) -> Bool {
            guard case .object(let children) = node else { return false }
            for (key, child) in children {
                if key == "." {
                    guard !root, children.count > 1, child == .emptyObject else { return false }
                } else if !check(child, root: false) {
                    return false
                }
            }
            return true
        }
        return check(fieldsV1, root: true)
    }

    func contains(_ path: [PathElement]) -> Bool { paths.contains(path) }

    /// Whether any owned path is `path`, below it, or above it (an owned ancestor leaf).
    func overlaps(_ path: [PathElement]) -> Bool {
        paths.contains { owned in
            owned.count >= path.count ? Array(owned.prefix(path.count)) == path : Array(path.prefix(owned.count)) == owned
        }
    }

    /// Whether `path` itself or anything below it is owned.
    func ownsAtOrBelow(_ path: [PathElement]) -> Bool {
        paths.contains { $0.count >= path.count && Array($0.prefix(path.count)) == path }
    }

    /// Human-readable path for conflict messages: `.spec.containers[name="app"].image`.
    static func describe(_ path: [PathElement]) -> String {
        var out = ""
        for element in path {
            let body = String(element.dropFirst(2))
            switch element.prefix(2) {
            case "f:": out += "." + body
            case "k:":
                if case .object(let keys)? = try? BodyDecoding.parseJSON(body) {
                    out += "[" + keys.keys.sorted().map { "\($0)=\(keys[$0]?.jsonString ?? "")" }.joined(separator: ",") + "]"
                } else {
                    out += "[\(body)]"
                }
            case "v:": out += "[=\(body)]"
            default: out += "[\(body)]"
            }
        }
        return out
    }
}

/// Walks objects with the built-in patch metadata to produce managed-field paths.
struct FieldWalker {
    let resource: String

    /// metadata fields that are managed (the rest is server-owned or identity).
    static let managedMetadata: Set<String> = ["labels", "annotations", "ownerReferences", "finalizers"]
    /// Maps whose entries are owned together with the map itself (FieldsV1 `.` on them).
    static let ownedMaps: Set<String> = ["labels", "annotations"]

    /// Every managed leaf path of an object (`apiVersion`, `kind`, server-owned metadata and,
    /// unless `includeStatus`, `status` excluded; with `onlyStatus`, only `status`).
    func paths(of object: JSONValue, includeStatus: Bool, onlyStatus: Bool = false) -> Set<[PathElement]> {
        var out = Set<[PathElement]>()
        guard case .object(let root) = object else { return out }
        for (key, value) in root {
            switch key {
            case "apiVersion", "kind": continue
            case "status": if !includeStatus && !onlyStatus { continue }
            default: if onlyStatus { continue }
            }
            if key == "metadata", case .object(let meta) = value {
                for (mkey, mvalue) in meta where Self.managedMetadata.contains(mkey) {
                    collect(mvalue, elements: ["f:metadata", "f:\(mkey)"], fields: ["metadata", mkey], into: &out)
                }
                continue
            }
            collect(value, elements: ["f:\(key)"], fields: [key], into: &out)
        }
        return out
    }

    private func collect(_ value: JSONValue, elements: [PathElement], fields: [String], into out: inout Set<[PathElement]>) {
        switch value {
        case .object(let members) where !members.isEmpty:
            if let last = fields.last, Self.ownedMaps.contains(last) { out.insert(elements) }
            for (key, child) in members {
                collect(child, elements: elements + ["f:\(key)"], fields: fields + [key], into: &out)
            }
        case .array(let items):
            let meta = BuiltinPatchMeta.lookup(resource: resource, path: fields)
            switch meta?.listType {
            case "map":
                guard let meta, !items.isEmpty else { out.insert(elements); return }
                for item in items {
                    guard let element = Self.keyElement(item, keys: meta.listMapKeys) else { continue }
                    out.insert(elements + [element])
                    if case .object(let members) = item {
                        for (key, child) in members {
                            collect(child, elements: elements + [element, "f:\(key)"], fields: fields + [key], into: &out)
                        }
                    }
                }
            case "set":
                if items.isEmpty { out.insert(elements) }
                for item in items { out.insert(elements + ["v:" + item.jsonString]) }
            default:
                out.insert(elements)
            }
        default:
            out.insert(elements)
        }
    }

    /// `k:{"name":"app"}` for an associative-list element (keys it lacks are left out).
    static func keyElement(_ item: JSONValue, keys: [String]) -> PathElement? {
        var present: [String: JSONValue] = [:]
        for key in keys { if let v = item[key] { present[key] = v } }
        guard !present.isEmpty else { return nil }
        return "k:" + JSONValue.object(present).jsonString
    }

    /// The value at a managed path, or nil when absent.
    func value(at path: [PathElement], in object: JSONValue) -> JSONValue? {
        var current = object
        for element in path {
            let body = String(element.dropFirst(2))
            switch element.prefix(2) {
            case "f:":
                guard let next = current[body] else { return nil }
                current = next
            case "k:":
                guard case .array(let items) = current, case .object(let keys)? = try? BodyDecoding.parseJSON(body),
                      let match = items.first(where: { item in keys.allSatisfy { item[$0.key] == $0.value } })
                else { return nil }
                current = match
            case "v:":
                guard case .array(let items) = current, let v = try? BodyDecoding.parseJSON(body), items.contains(v) else { return nil }
                current = v
            default:
                return nil
            }
        }
        return current
    }

    /// Removes the value at a managed path (a field, a list element or a set value).
    func remove(_ path: [PathElement], from object: inout JSONValue) {
        guard let first = path.first else { return }
        let body = String(first.dropFirst(2))
        let rest = Array(path.dropFirst())
        switch (first.prefix(2), object) {
        case ("f:", .object(var members)):
            if rest.isEmpty {
                members[body] = nil
            } else if var child = members[body] {
                remove(rest, from: &child)
                members[body] = child
            }
            object = .object(members)
        case ("k:", .array(var items)):
            guard case .object(let keys)? = try? BodyDecoding.parseJSON(body),
                  let index = items.firstIndex(where: { item in keys.allSatisfy { item[$0.key] == $0.value } })
            else { return }
            if rest.isEmpty {
                items.remove(at: index)
            } else {
                remove(rest, from: &items[index])
            }
            object = .array(items)
        case ("v:", .array(var items)):
            guard let v = try? BodyDecoding.parseJSON(body) else { return }
            items.removeAll { $0 == v }
            object = .array(items)
        default:
            return
        }
    }
}
