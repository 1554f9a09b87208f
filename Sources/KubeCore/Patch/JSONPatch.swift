/// RFC 6902 JSON Patch.
public enum JSONPatch {
    /// Applies a JSON Patch (an array of operations) to a document.
    /// Throws `KubeCoreError.invalidPatch` naming the failing operation and path.
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws -> JSONValue {
        guard case .array(let operations) = patch else {
            throw KubeCoreError.invalidPatch("a JSON patch must be an array of operations, got \(patch.typeName)")
        }
        var doc = document
        for (index, operation) in operations.enumerated() {
            doc = try applyOperation(operation, index: index, to: doc)
        }
        return doc
    }

    private static func applyOperation(_ operation: JSONValue, index: Int, to doc: JSONValue) throws -> JSONValue {
        guard case .object(let op) = operation else {
            throw KubeCoreError.invalidPatch("operation \(index) must be an object")
        }
        guard let name = op["op"]?.stringValue else {
            throw KubeCoreError.invalidPatch("operation \(index) has no \"op\"")
        }
        let pathString = try stringMember(op, "path", name: name, index: index)
        let path = try JSONPointer(pathString)
        switch name {
        case "add":
            return try add(value(op, name: name, index: index), at: path, in: doc)
        case "remove":
            return try remove(at: path, in: doc).document
        case "replace":
            let value = try value(op, name: name, index: index)
            guard path.resolve(in: doc) != nil else {
                throw KubeCoreError.invalidPatch("replace operation does not apply: doc is missing key: \(pathString): missing value")
            }
            if path.tokens.isEmpty { return value }
            let removed = try remove(at: path, in: doc).document
            return try add(value, at: path, in: removed)
        case "move":
            let from = try JSONPointer(stringMember(op, "from", name: name, index: index))
            if from == path { return doc }
            if path.tokens.count > from.tokens.count, Array(path.tokens.prefix(from.tokens.count)) == from.tokens {
                throw KubeCoreError.invalidPatch("move operation cannot move \(from) into its own child \(path)")
            }
            let removed = try remove(at: from, in: doc)
            return try add(removed.value, at: path, in: removed.document)
        case "copy":
            let from = try JSONPointer(stringMember(op, "from", name: name, index: index))
            guard let value = from.resolve(in: doc) else {
                throw KubeCoreError.invalidPatch("copy operation does not apply: doc is missing from path: \(from): missing value")
            }
            return try add(value, at: path, in: doc)
        case "test":
            let expected = try value(op, name: name, index: index)
            let actual = path.resolve(in: doc)
            guard let actual, valuesEqual(actual, expected) else {
                throw KubeCoreError.invalidPatch("testing value \(pathString) failed: test failed")
            }
            return doc
        default:
            throw KubeCoreError.invalidPatch("Unexpected kind: \(name)")
        }
    }

    private static func stringMember(_ op: [String: JSONValue], _ key: String, name: String, index: Int) throws -> String {
        guard let s = op[key]?.stringValue else {
            throw KubeCoreError.invalidPatch("\(name) operation \(index) has no string \"\(key)\"")
        }
        return s
    }

    private static func value(_ op: [String: JSONValue], name: String, index: Int) throws -> JSONValue {
        guard let v = op["value"] else {
            throw KubeCoreError.invalidPatch("\(name) operation \(index) has no \"value\"")
        }
        return v
    }

    /// Numbers compare by value (1 == 1.0), everything else structurally.
    public static func valuesEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { valuesEqual($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, v in y[key].map { valuesEqual(v, $0) } ?? false }
        default:
            if let p = a.doubleValue, let q = b.doubleValue { return p == q }
            return a == b
        }
    }

    static func add(_ value: JSONValue, at path: JSONPointer, in doc: JSONValue) throws -> JSONValue {
        guard let last = path.tokens.last else { return value }
        let parentPath = JSONPointer(tokens: Array(path.tokens.dropLast()))
        return try modify(parentPath, in: doc, original: path) { parent in
            switch parent {
            case .object(var o):
                o[last] = value
                parent = .object(o)
            case .array(var a):
                if last == "-" {
                    a.append(value)
                } else {
                    guard let i = JSONPointer.arrayIndex(last), i <= a.count else {
                        throw KubeCoreError.invalidPatch("add operation does not apply: index \(last) out of bounds for array of length \(a.count) at \(path)")
                    }
                    a.insert(value, at: i)
                }
                parent = .array(a)
            default:
                throw KubeCoreError.invalidPatch("add operation does not apply: \(parentPath) is a \(parent.typeName), not an object or array")
            }
        }
    }

    static func remove(at path: JSONPointer, in doc: JSONValue) throws -> (document: JSONValue, value: JSONValue) {
        guard let last = path.tokens.last else {
            throw KubeCoreError.invalidPatch("remove operation does not apply: cannot remove the whole document")
        }
        var removed = JSONValue.null
        let parentPath = JSONPointer(tokens: Array(path.tokens.dropLast()))
        let result = try modify(parentPath, in: doc, original: path) { parent in
            switch parent {
            case .object(var o):
                guard let v = o.removeValue(forKey: last) else {
                    throw KubeCoreError.invalidPatch("Unable to remove nonexistent key: \(last): missing value")
                }
                removed = v
                parent = .object(o)
            case .array(var a):
                guard let i = JSONPointer.arrayIndex(last), a.indices.contains(i) else {
                    throw KubeCoreError.invalidPatch("Unable to remove index \(last) from array of length \(a.count) at \(path)")
                }
                removed = a.remove(at: i)
                parent = .array(a)
            default:
                throw KubeCoreError.invalidPatch("remove operation does not apply: \(parentPath) is a \(parent.typeName)")
            }
        }
        return (result, removed)
    }

    /// Runs `body` on the container at `parent`, rebuilding the document around it.
    private static func modify(_ parent: JSONPointer, in doc: JSONValue, original: JSONPointer, _ body: (inout JSONValue) throws -> Void) throws -> JSONValue {
        func recurse(_ node: JSONValue, _ tokens: ArraySlice<String>) throws -> JSONValue {
            guard let token = tokens.first else {
                var copy = node
                try body(&copy)
                return copy
            }
            switch node {
            case .object(var o):
                guard let child = o[token] else {
                    throw KubeCoreError.invalidPatch("doc is missing path: \"\(original)\": missing value")
                }
                o[token] = try recurse(child, tokens.dropFirst())
                return .object(o)
            case .array(var a):
                guard let i = JSONPointer.arrayIndex(token), a.indices.contains(i) else {
                    throw KubeCoreError.invalidPatch("doc is missing path: \"\(original)\": missing value")
                }
                a[i] = try recurse(a[i], tokens.dropFirst())
                return .array(a)
            default:
                throw KubeCoreError.invalidPatch("doc is missing path: \"\(original)\": missing value")
            }
        }
        return try recurse(doc, parent.tokens[...])
    }
}
