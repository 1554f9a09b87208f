import KubeCore

/// Strategic merge patch for built-in kinds, as apimachinery's `strategicpatch` applies it:
/// lists with a merge key merge element-wise, primitive `merge` lists are unions, other lists
/// are replaced; directives `$patch: replace|delete|merge`, `$retainKeys`,
/// `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
enum StrategicMergePatch {
    /// Applies a strategic merge patch to a built-in object (merge keys from the built-in schemas,
    /// `$patch: delete|replace`, `$setElementOrder`, `$retainKeys`, `$deleteFromPrimitiveList`).
    /// Throws a 422 `Status` for malformed directives.
    static func apply(_ patch: JSONValue, to object: JSONValue, resource: GroupVersionResource) throws -> JSONValue {
        guard case .object(let p) = patch else {
            throw invalid("strategic merge patch must be a JSON object, got \(patch.typeName)")
        }
        let merger = Merger(resource: resource.resource)
        return try merger.mergeMap(object.objectValue ?? [:], p, path: []).map(JSONValue.object) ?? .emptyObject
    }

    static func invalid(_ message: String) -> Status {
        Status(message: message, reason: "Invalid", code: 422)
    }

    private struct Merger {
        let resource: String

        func meta(_ path: [String]) -> PatchMeta? {
            BuiltinPatchMeta.lookup(resource: resource, path: path)
        }

        /// Merges `patch` into `original`; nil means "delete this map" (`$patch: delete`).
        func mergeMap(_ original: [String: JSONValue], _ patch: [String: JSONValue], path: [String]) throws -> [String: JSONValue]? {
            var patch = patch
            if let directive = patch.removeValue(forKey: "$patch") {
                switch directive.stringValue {
                case "replace": return try mergeMap([:], patch, path: path)
                case "delete": return nil
                case "merge": break
                default: throw StrategicMergePatch.invalid("Unknown patch type: \(directive.stringValue ?? directive.jsonString) in map: \(JSONValue.object(patch).jsonString)")
                }
            }
            var result = original
            if let retain = patch.removeValue(forKey: "$retainKeys") {
                guard case .array(let keys) = retain else { throw StrategicMergePatch.invalid("$retainKeys must be a list of strings") }
                let kept = Set(keys.compactMap(\.stringValue))
                result = result.filter { kept.contains($0.key) }
            }
            var orders: [String: [JSONValue]] = [:]
            for key in patch.keys.sorted() {
                guard let value = patch[key] else { continue }
                if key.hasPrefix("$setElementOrder/") {
                    guard case .array(let order) = value else { throw StrategicMergePatch.invalid("\(key) must be a list") }
                    orders[String(key.dropFirst("$setElementOrder/".count))] = order
                    continue
                }
                if key.hasPrefix("$deleteFromPrimitiveList/") {
                    let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                    guard case .array(let remove) = value else { throw StrategicMergePatch.invalid("\(key) must be a list") }
                    if case .array(let items)? = result[field] {
                        result[field] = .array(items.filter { !remove.contains($0) })
                    }
                    continue
                }
                if key.hasPrefix("$") { throw StrategicMergePatch.invalid("unknown directive \(key)") }
                let childPath = path + [key]
                if value.isNull {
                    result[key] = nil
                    continue
                }
                switch (result[key], value) {
                case (.object(let o)?, .object(let pv)):
                    result[key] = try mergeMap(o, pv, path: childPath).map(JSONValue.object)
                case (nil, .object(let pv)), (.some, .object(let pv)):
                    result[key] = try mergeMap([:], pv, path: childPath).map(JSONValue.object)
                case (.array(let o)?, .array(let pv)):
                    result[key] = .array(try mergeList(o, pv, path: childPath))
                case (_, .array(let pv)):
                    result[key] = .array(try mergeList([], pv, path: childPath))
                default:
                    result[key] = value
                }
            }
            for (field, order) in orders {
                guard case .array(let items)? = result[field] else { continue }
                result[field] = .array(reorder(items, by: order, key: meta(path + [field])?.mergeKey))
            }
            return result
        }

        func mergeList(_ original: [JSONValue], _ patch: [JSONValue], path: [String]) throws -> [JSONValue] {
            guard let meta = meta(path), meta.merges else {
                return try patch.map { try clean($0, path: path) }
            }
            guard let mergeKey = meta.mergeKey else {
                var result = original
                for item in patch where !result.contains(item) { result.append(item) }
                return result
            }
            if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
                return try patch.filter { $0["$patch"] == nil }.map { try clean($0, path: path) }
            }
            var result = original
            for item in patch {
                guard case .object(var fields) = item else {
                    throw StrategicMergePatch.invalid("list items of \(path.joined(separator: ".")) must be objects with merge key \(mergeKey)")
                }
                let directive = fields["$patch"]?.stringValue
                guard let keyValue = fields[mergeKey] else {
                    throw StrategicMergePatch.invalid("map: \(item.jsonString) does not contain declared merge key: \(mergeKey)")
                }
                let index = result.firstIndex { $0[mergeKey] == keyValue }
                if directive == "delete" {
                    result.removeAll { $0[mergeKey] == keyValue }
                    continue
                }
                if directive == "merge" { fields["$patch"] = nil }
                if let index, case .object(let existing) = result[index] {
                    if let merged = try mergeMap(existing, fields, path: path) { result[index] = .object(merged) } else { result.remove(at: index) }
                } else if let merged = try mergeMap([:], fields, path: path) {
                    result.append(.object(merged))
                }
            }
            return result
        }

        /// A new value from a patch, with nulls and directives removed.
        func clean(_ value: JSONValue, path: [String]) throws -> JSONValue {
            guard case .object(let o) = value else { return value }
            return try mergeMap([:], o, path: path).map(JSONValue.object) ?? .emptyObject
        }

        /// `$setElementOrder`: listed elements first in the given order, the others after them.
        func reorder(_ items: [JSONValue], by order: [JSONValue], key: String?) -> [JSONValue] {
            func identity(_ item: JSONValue) -> JSONValue {
                guard let key else { return item }
                return item[key] ?? .null
            }
            func orderKey(_ entry: JSONValue) -> JSONValue {
                guard let key, entry.objectValue != nil else { return entry }
                return entry[key] ?? .null
            }
            let wanted = order.map(orderKey)
            var ordered: [JSONValue] = []
            for w in wanted { ordered.append(contentsOf: items.filter { identity($0) == w }) }
            ordered.append(contentsOf: items.filter { !wanted.contains(identity($0)) })
            return ordered
        }
    }
}
