import KubeCore

/// Edits of a FieldsV1 object in the form `FieldSet.fieldsV1` renders (objects all the way
/// down, `{}` for an owned leaf, `".": {}` beside the members of an owned inner node), each
/// leaving it exactly the rendering of the edited set. Lets recordUpdate change a stored entry
/// without parsing it into paths and rendering it again.
enum FieldsV1Tree {
    /// Whether `path` (not empty) is in the set `tree` renders.
    static func owns(_ tree: [String: JSONValue], _ path: [PathElement]) -> Bool {
        guard !path.isEmpty else { return false }
        var node = tree
        for element in path {
            guard case .object(let next)? = node[element] else { return false }
            node = next
        }
        return node.isEmpty || node["."] != nil
    }

    /// Adds `path` to the set.
    static func insert(_ path: ArraySlice<PathElement>, into node: inout [String: JSONValue]) {
        guard let first = path.first else { return }
        let rest = path.dropFirst()
        let existing = node.removeValue(forKey: first)?.objectValue
        if rest.isEmpty {
            if var child = existing, !child.isEmpty {
                child["."] = .emptyObject
                node[first] = .object(child)
            } else {
                node[first] = .emptyObject
            }
            return
        }
        var child = existing ?? [:]
        // An owned leaf getting members keeps its ownership as ".".
        let ownedLeaf = existing?.isEmpty == true
        insert(rest, into: &child)
        if ownedLeaf { child["."] = .emptyObject }
        node[first] = .object(child)
    }

    /// Removes `path` from the set (nothing when it is not in it).
    static func remove(_ path: ArraySlice<PathElement>, from node: inout [String: JSONValue]) {
        guard let first = path.first, case .object(var child)? = node[first] else { return }
        let rest = path.dropFirst()
        if rest.isEmpty {
            if child.isEmpty {
                node[first] = nil
            } else if child.removeValue(forKey: ".") != nil {
                node[first] = .object(child)
            }
            return
        }
        guard !child.isEmpty else { return }  // an owned leaf: nothing below it
        remove(rest, from: &child)
        node[first] = settled(child)
    }

    /// Removes every path that does not exist in `value` (as `FieldWalker.value(at:)` resolves
    /// it); true when anything was removed.
    static func prune(_ node: inout [String: JSONValue], against value: JSONValue, cache: PathElementCache) -> Bool {
        var removed = false
        for (element, child) in node where element != "." {
            guard let next = cache.step(value, element) else {
                node[element] = nil
                removed = true
                continue
            }
            guard case .object(var members) = child, !members.isEmpty else { continue }
            if prune(&members, against: next, cache: cache) {
                node[element] = settled(members)
                removed = true
            }
        }
        return removed
    }

    /// A node after removals below it: gone when nothing is left, an owned leaf when only its
    /// own "." is.
    private static func settled(_ node: [String: JSONValue]) -> JSONValue? {
        if node.isEmpty { return nil }
        if node.count == 1, node["."] != nil { return .emptyObject }
        return .object(node)
    }
}
