import KubeCore

/// Pruning as the apiextensions apiserver does it: fields not specified in a structural
/// schema are dropped, except under `x-kubernetes-preserve-unknown-fields: true`;
/// `apiVersion`, `kind` and `metadata` survive at the root and in embedded resources.
enum SchemaPruning {
    /// Prunes `value` in place and returns the dropped paths (`spec.foo`, `spec.steps[0].bar`).
    static func prune(_ value: inout JSONValue, schema: JSONValue, path: String, isRoot: Bool) -> [String] {
        var pruned: [String] = []
        prune(&value, schema: schema, path: path, keepTypeMeta: isRoot, pruned: &pruned)
        return pruned
    }

    private static func prune(_ value: inout JSONValue, schema: JSONValue, path: String, keepTypeMeta: Bool, pruned: inout [String]) {
        guard case .object(let s) = schema else { return }
        let preserve = s["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
        let embedded = s["x-kubernetes-embedded-resource"]?.boolValue == true
        switch value {
        case .object(var members):
            let properties = s["properties"]?.objectValue
            let additional = s["additionalProperties"]
            for key in members.keys.sorted() {
                guard var child = members[key] else { continue }
                let childPath = FieldPath.child(path, key)
                // ObjectMeta and type meta of a resource are never pruned by the CRD schema, even
                // when the schema lists `metadata: {type: object}` (as generated CRDs do).
                if (keepTypeMeta || embedded), ["apiVersion", "kind", "metadata"].contains(key) {
                    continue
                }
                if let propSchema = properties?[key] {
                    prune(&child, schema: propSchema, path: childPath, keepTypeMeta: false, pruned: &pruned)
                    members[key] = child
                } else if let additional, additional.objectValue != nil {
                    prune(&child, schema: additional, path: childPath, keepTypeMeta: false, pruned: &pruned)
                    members[key] = child
                } else if additional?.boolValue == true || preserve {
                    continue
                } else {
                    members[key] = nil
                    pruned.append(childPath)
                }
            }
            value = .object(members)
        case .array(var items):
            guard let itemSchema = s["items"] else { return }
            for i in items.indices {
                prune(&items[i], schema: itemSchema, path: FieldPath.index(path, i), keepTypeMeta: false, pruned: &pruned)
            }
            value = .array(items)
        default:
            break
        }
    }
}

/// Defaulting as the apiextensions apiserver does it: a property's `default` is set when the
/// property is absent (or null while not nullable) in an object that exists; defaults inside
/// lists and maps apply to every element. Defaults are applied top-down, so a defaulted
/// object gets its own properties' defaults too.
enum SchemaDefaulting {
    static func apply(_ value: inout JSONValue, schema: JSONValue) {
        guard case .object(let s) = schema else { return }
        switch value {
        case .object(var members):
            if let properties = s["properties"]?.objectValue {
                for (key, propSchema) in properties {
                    let current = members[key]
                    if let def = propSchema["default"], current == nil || (current?.isNull == true && propSchema["nullable"]?.boolValue != true) {
                        members[key] = def
                    }
                }
                for key in members.keys {
                    guard let propSchema = properties[key], var child = members[key] else { continue }
                    apply(&child, schema: propSchema)
                    members[key] = child
                }
            } else if let additional = s["additionalProperties"], additional.objectValue != nil {
                for key in members.keys {
                    guard var child = members[key] else { continue }
                    apply(&child, schema: additional)
                    members[key] = child
                }
            }
            value = .object(members)
        case .array(var items):
            guard let itemSchema = s["items"] else { return }
            for i in items.indices {
                apply(&items[i], schema: itemSchema)
            }
            value = .array(items)
        default:
            break
        }
    }
}
