import Foundation
import KubeCore

/// Server-side apply and managedFields bookkeeping (structured-merge-diff semantics, with the
/// built-in patch metadata deciding which lists are associative; custom-resource lists are atomic).
enum ServerSideApply {
    /// Merges an applied configuration into the live object (nil = create) for `manager`.
    /// Ownership tracked in metadata.managedFields (FieldsV1). Conflicts with other managers throw a
    /// 409 Status (reason Conflict, causes with field paths and "conflict with \"mgr\"" messages)
    /// unless `force`. Fields the manager applied before and no longer applies are removed when no
    /// other manager owns them. Returns the merged object with managedFields updated.
    static func apply(_ config: JSONValue, to live: JSONValue?, manager: String, force: Bool, resource: GroupVersionResource, now: Date) throws -> JSONValue {
        guard case .object = config else {
            throw Status(message: "apply configuration must be an object", reason: "BadRequest", code: 400)
        }
        let walker = FieldWalker(resource: resource.resource)
        let current = live ?? .emptyObject
        var entries = ManagedFieldsEntry.read(live)
        let applied = FieldSet(walker.paths(of: config, includeStatus: false))
        let apiVersion = config["apiVersion"]?.stringValue ?? resource.apiVersion

        var conflicts: [(manager: String, apiVersion: String, path: [PathElement])] = []
        for entry in entries where entry.manager != manager {
            for path in applied.paths where entry.fields.contains(path) {
                let mine = walker.value(at: path, in: config)
                let theirs = walker.value(at: path, in: current)
                // Owned inner nodes (list elements, maps) conflict through their leaves only.
                if let theirs, let mine, mine.objectValue == nil, !JSONPatch.valuesEqual(mine, theirs) {
                    conflicts.append((entry.manager, entry.apiVersion, path))
                }
            }
        }
        if !conflicts.isEmpty {
            if !force { throw conflictStatus(conflicts, resource: resource, name: config[path: ["metadata", "name"]]?.stringValue) }
            let taken = Set(conflicts.map(\.path))
            for i in entries.indices where entries[i].manager != manager {
                entries[i].fields.paths.subtract(taken)
            }
        }

        var merged = ApplyMerge(resource: resource.resource).merge(current, config, fields: [])
        let previous = entries.first { $0.sameIdentity(manager: manager, operation: "Apply", subresource: nil) }?.fields ?? FieldSet()
        let others = entries.filter { !$0.sameIdentity(manager: manager, operation: "Apply", subresource: nil) }
        let stillOwned = { (path: [PathElement]) in
            applied.ownsAtOrBelow(path) || others.contains { $0.fields.ownsAtOrBelow(path) }
        }
        for path in previous.paths.subtracting(applied.paths).sorted(by: { $0.count < $1.count }) where !stillOwned(path) {
            walker.remove(path, from: &merged)
            // A list or map left empty by the removal goes too when nobody owns it.
            let parent = Array(path.dropLast())
            if parent.count > 1, !stillOwned(parent), let rest = walker.value(at: parent, in: merged),
               rest == .emptyObject || rest == .array([]) {
                walker.remove(parent, from: &merged)
            }
        }

        entries.removeAll { $0.sameIdentity(manager: manager, operation: "Apply", subresource: nil) }
        entries.append(ManagedFieldsEntry(manager: manager, operation: "Apply", apiVersion: apiVersion,
                                          time: KubeTime.format(now), subresource: nil, fields: applied))
        entries = prune(entries, existing: FieldResolver(merged))
        ManagedFieldsEntry.write(entries, into: &merged)
        return merged
    }

    /// Records an Update/Create operation by `manager` in managedFields (kubectl client-side apply
    /// and other writers), so later applies see the right owners: the manager takes the fields it
    /// changed (from any other owner), and fields that no longer exist are dropped from every entry.
    static func recordUpdate(old: JSONValue?, new: JSONValue, manager: String, subresource: String?, now: Date) -> JSONValue {
        // Entries stay in their stored JSON form; their FieldsV1 trees are edited in place.
        var entries: [[String: JSONValue]]
        if let requested = new[path: ["metadata", "managedFields"]], requested != old?[path: ["metadata", "managedFields"]] {
            entries = (requested.arrayValue ?? []).compactMap { ManagedFieldsEntry(json: $0)?.json.objectValue }
        } else {
            entries = (old?[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap(ManagedFieldsEntry.storedForm)
        }
        let cache = PathElementCache()
        let changed = ChangedFields.of(old: old, new: new, resource: resourceName(for: new), onlyStatus: subresource == "status", cache: cache)
        if !changed.isEmpty {
            let mine = entries.firstIndex { ManagedFieldsEntry.sameIdentity($0, manager: manager, operation: "Update", subresource: subresource) }
            // The manager takes the changed fields from every other owner.
            for i in entries.indices where i != mine {
                guard var tree = entries[i]["fieldsV1"]?.objectValue else { continue }
                var taken = false
                for path in changed where FieldsV1Tree.owns(tree, path) {
                    FieldsV1Tree.remove(path[...], from: &tree)
                    taken = true
                }
                if taken { entries[i]["fieldsV1"] = .object(tree) }
            }
            let apiVersion = new["apiVersion"]?.stringValue ?? ""
            var entry = mine.map { entries[$0] }
                ?? ManagedFieldsEntry(manager: manager, operation: "Update", apiVersion: apiVersion, time: nil,
                                      subresource: subresource, fields: FieldSet()).json.objectValue ?? [:]
            var tree = entry["fieldsV1"]?.objectValue ?? [:]
            for path in changed where !FieldsV1Tree.owns(tree, path) { FieldsV1Tree.insert(path[...], into: &tree) }
            entry["fieldsV1"] = .object(tree)
            entry["time"] = .string(KubeTime.format(now))
            entry["apiVersion"] = .string(apiVersion)
            if let mine { entries[mine] = entry } else { entries.append(entry) }
        }
        // Fields that no longer exist leave every entry; entries left empty go.
        var kept: [JSONValue] = []
        for var entry in entries {
            guard var tree = entry["fieldsV1"]?.objectValue else { continue }
            if FieldsV1Tree.prune(&tree, against: new, cache: cache) { entry["fieldsV1"] = .object(tree) }
            if !tree.isEmpty { kept.append(.object(entry)) }
        }
        var result = new
        result[path: ["metadata", "managedFields"]] = kept.isEmpty ? nil : .array(kept)
        return result
    }

    /// Drops owned paths that no longer exist in the resolver's object; an entry losing none is
    /// left as it is (its JSON is written again unchanged).
    private static func prune(_ entries: [ManagedFieldsEntry], existing object: FieldResolver) -> [ManagedFieldsEntry] {
        entries.map { entry in
            guard entry.fields.paths.contains(where: { !object.exists($0) }) else { return entry }
            var e = entry
            e.fields.paths = e.fields.paths.filter { object.exists($0) }
            return e
        }
    }

    /// The plural resource of a built-in kind, for patch metadata lookups in recordUpdate.
    static func resourceName(for object: JSONValue) -> String {
        switch object["kind"]?.stringValue {
        case "Pod": return "pods"
        case "Job": return "jobs"
        case "Deployment": return "deployments"
        case "Service": return "services"
        case "ReplicaSet": return "replicasets"
        case "StatefulSet": return "statefulsets"
        case "DaemonSet": return "daemonsets"
        default: return ""
        }
    }

    private static func conflictStatus(_ conflicts: [(manager: String, apiVersion: String, path: [PathElement])], resource: GroupVersionResource, name: String?) -> Status {
        let sorted = conflicts.sorted { FieldSet.describe($0.path) < FieldSet.describe($1.path) }
        let causes = sorted.map { c in
            StatusCause(reason: "FieldManagerConflict", message: "conflict with \"\(c.manager)\" using \(c.apiVersion)", field: FieldSet.describe(c.path))
        }
        let message: String
        if sorted.count == 1, let c = sorted.first {
            message = "Apply failed with 1 conflict: conflict with \"\(c.manager)\" using \(c.apiVersion): \(FieldSet.describe(c.path))"
        } else {
            var byManager: [String: [String]] = [:]
            var order: [String] = []
            for c in sorted {
                let key = "conflicts with \"\(c.manager)\" using \(c.apiVersion)"
                if byManager[key] == nil { order.append(key) }
                byManager[key, default: []].append(FieldSet.describe(c.path))
            }
            message = "Apply failed with \(sorted.count) conflicts: " + order.map { key in
                key + ":\n" + (byManager[key] ?? []).map { "- \($0)" }.joined(separator: "\n")
            }.joined(separator: "\n")
        }
        let details = StatusDetails(name: name, group: resource.group, kind: resource.resource, causes: causes)
        return Status(message: message, reason: "Conflict", details: details, code: 409)
    }
}

/// The merge of an applied configuration into a live object: maps merge, associative lists
/// merge element-wise by their keys, sets union, everything else is replaced.
struct ApplyMerge {
    let resource: String

    func merge(_ live: JSONValue, _ config: JSONValue, fields: [String]) -> JSONValue {
        switch (live, config) {
        case (.object(var l), .object(let c)):
            for (key, value) in c {
                if value.isNull {
                    l[key] = nil
                } else if let existing = l[key] {
                    l[key] = merge(existing, value, fields: fields + [key])
                } else {
                    l[key] = value
                }
            }
            return .object(l)
        case (.array(let l), .array(let c)):
            let meta = BuiltinPatchMeta.lookup(resource: resource, path: fields)
            switch meta?.listType {
            case "map":
                let keys = meta?.listMapKeys ?? []
                var result = l
                for item in c {
                    let key = FieldWalker.keyElement(item, keys: keys)
                    if let index = result.firstIndex(where: { FieldWalker.keyElement($0, keys: keys) == key }) {
                        result[index] = merge(result[index], item, fields: fields)
                    } else {
                        result.append(item)
                    }
                }
                return .array(result)
            case "set":
                var result = l
                for item in c where !result.contains(item) { result.append(item) }
                return .array(result)
            default:
                return config
            }
        default:
            return config
        }
    }
}
