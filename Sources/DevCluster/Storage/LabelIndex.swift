import KubeCore

/// Stored objects by label (`key=value`), per storage key. A list with an equality requirement
/// (the emulated Job controller's `controller-uid=<uid>` on every sync) reads the objects filed
/// under it instead of the labels of every object of the resource: without it, each Job sync
/// scanned every pod, and with thousands of pods that scan was half of `sextant dev`'s CPU.
struct LabelIndex: Sendable {
    /// storage key → `key=value` → object keys.
    private var entries: [String: [String: Set<String>]] = [:]

    init() {}

    /// The index of `objects` (storage key → object key → object), e.g. after the log's replay.
    init(objects: [String: [String: JSONValue]]) {
        for (storageKey, items) in objects {
            for (key, object) in items { update(storageKey: storageKey, key: key, old: nil, new: object) }
        }
    }

    /// Files `new` (nil: removed) in place of `old` (nil: not stored before).
    mutating func update(storageKey: String, key: String, old: JSONValue?, new: JSONValue?) {
        let before = Self.pairs(old), after = Self.pairs(new)
        if before == after { return }
        for pair in before where !after.contains(pair) {
            entries[storageKey]?[pair]?.remove(key)
            if entries[storageKey]?[pair]?.isEmpty == true { entries[storageKey]?[pair] = nil }
        }
        for pair in after where !before.contains(pair) {
            entries[storageKey, default: [:]][pair, default: []].insert(key)
        }
    }

    /// Forgets every object of a storage key (a custom resource whose CRD was deleted).
    mutating func removeAll(storageKey: String) {
        entries[storageKey] = nil
    }

    /// The keys of the objects that can match `selector`: the smallest set filed under one of its
    /// equality requirements (`k=v`, `k==v`, `k in (v)`). nil when it has none (the caller scans).
    /// The caller still applies the whole selector to these objects.
    func candidates(storageKey: String, selector: ParsedLabelSelector) -> Set<String>? {
        var best: Set<String>?
        for requirement in selector.requirements {
            guard requirement.values.count == 1, let value = requirement.values.first,
                  requirement.op == .equals || requirement.op == .in else { continue }
            let keys = entries[storageKey]?[Self.pair(requirement.key, value)] ?? []
            if best == nil || keys.count < (best?.count ?? 0) { best = keys }
        }
        return best
    }

    static func pair(_ key: String, _ value: String) -> String { "\(key)=\(value)" }

    /// `key=value` of every string label of `object` (label keys cannot contain `=`).
    static func pairs(_ object: JSONValue?) -> [String] {
        guard let labels = object?[path: ["metadata", "labels"]]?.objectValue else { return [] }
        return labels.compactMap { key, value in value.stringValue.map { pair(key, $0) } }.sorted()
    }
}
