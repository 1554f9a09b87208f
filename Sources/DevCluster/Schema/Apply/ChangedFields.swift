import KubeCore

/// The managed paths an update changed: the paths `FieldWalker.paths(of:)` gives for the new
/// object whose `FieldWalker.value(at:)` differs in the old one (all of them without an old
/// one). Found by walking both objects together once, skipping every subtree whose values are
/// equal in both (a status update leaves spec and metadata alone; an unchanged list element is
/// one comparison), instead of listing every path and looking each up in both objects.
struct ChangedFields {
    let resource: String
    let cache: PathElementCache
    private(set) var paths = Set<[PathElement]>()

    init(resource: String, cache: PathElementCache) {
        self.resource = resource
        self.cache = cache
    }

    /// The changed paths of `new` against `old`; with `onlyStatus`, only under `status`, else
    /// everything but `status` (as `FieldWalker.paths(of:includeStatus:onlyStatus:)`).
    static func of(old: JSONValue?, new: JSONValue, resource: String, onlyStatus: Bool, cache: PathElementCache) -> Set<[PathElement]> {
        var walk = ChangedFields(resource: resource, cache: cache)
        walk.collect(old: old, new: new, onlyStatus: onlyStatus)
        return walk.paths
    }

    private mutating func collect(old: JSONValue?, new: JSONValue, onlyStatus: Bool) {
        guard case .object(let root) = new else { return }
        for (key, value) in root {
            switch key {
            case "apiVersion", "kind": continue
            case "status": if !onlyStatus { continue }
            default: if onlyStatus { continue }
            }
            if key == "metadata", case .object(let meta) = value {
                let oldMeta = old?["metadata"]
                for (mkey, mvalue) in meta where FieldWalker.managedMetadata.contains(mkey) {
                    visit(mvalue, new: mvalue, old: oldMeta?[mkey], elements: ["f:metadata", "f:\(mkey)"], fields: ["metadata", mkey])
                }
                continue
            }
            visit(value, new: value, old: old?[key], elements: ["f:\(key)"], fields: [key])
        }
    }

    /// `walked` is the value `FieldWalker` descends into at `elements`; `new` and `old` are the
    /// values `value(at: elements)` resolves to in either object (nil when absent). They differ
    /// from `walked` only below a list holding two elements with the same key.
    private mutating func visit(_ walked: JSONValue, new: JSONValue?, old: JSONValue?, elements: [PathElement], fields: [String]) {
        // Equal here: every path below resolves to equal values too.
        if let old, let new, old == new { return }
        switch walked {
        case .object(let members) where !members.isEmpty:
            if let last = fields.last, FieldWalker.ownedMaps.contains(last) { paths.insert(elements) }
            for (key, child) in members {
                visit(child, new: new?[key], old: old?[key], elements: elements + ["f:\(key)"], fields: fields + [key])
            }
        case .array(let items):
            let meta = BuiltinPatchMeta.lookup(resource: resource, path: fields)
            switch meta?.listType {
            case "map":
                guard let meta, !items.isEmpty else { paths.insert(elements); return }
                for item in items {
                    guard let element = FieldWalker.keyElement(item, keys: meta.listMapKeys) else { continue }
                    let newItem = new.flatMap { cache.step($0, element) }
                    let oldItem = old.flatMap { cache.step($0, element) }
                    if let oldItem, let newItem, oldItem == newItem { continue }
                    paths.insert(elements + [element])
                    if case .object(let members) = item {
                        for (key, child) in members {
                            visit(child, new: newItem?[key], old: oldItem?[key], elements: elements + [element, "f:\(key)"], fields: fields + [key])
                        }
                    }
                }
            case "set":
                if items.isEmpty { paths.insert(elements) }
                for item in items {
                    let element = "v:" + item.jsonString
                    let oldItem = old.flatMap { cache.step($0, element) }
                    if oldItem == nil || oldItem != new.flatMap({ cache.step($0, element) }) { paths.insert(elements + [element]) }
                }
            default:
                paths.insert(elements)
            }
        default:
            paths.insert(elements)
        }
    }
}
