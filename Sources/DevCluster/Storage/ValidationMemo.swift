import KubeCore

/// What the store remembers of custom objects it validated, so an update need not walk again the
/// top-level fields it leaves unchanged (a status update leaves `spec` as it was).
///
/// Pruning, defaulting and validation of a field's subtree (schema checks and CEL rules without
/// `oldSelf`) depend on that value and the schema alone. An object stored after passing every rule
/// (no error, no ratcheted warning) passed them in every subtree, and its fields are already pruned
/// and defaulted; the same value under the same schema passes again and prunes/defaults to itself,
/// so walking it again can only repeat the same result. Transition rules still run there. Entries are for the exact stored version (uid and resourceVersion); any other
/// write of the object drops its entry, and a change of any CRD drops them all. Objects read back
/// from the durable log at start have none (their first update is validated in full).
struct ValidationMemo: Sendable {
    struct Entry: Sendable {
        var resourceVersion: String
        /// What the object's CEL rules cost (an upper bound), still charged to the runtime budget.
        var celCost: Int64
    }

    private var entries: [String: Entry] = [:]
    /// Per served version: where its schema's transition rules are.
    private var transitionRules: [GroupVersionResource: TransitionRules] = [:]

    /// The entry of `old` when it is the version that was validated.
    func entry(for old: JSONValue) -> Entry? {
        guard let uid = old.uid, let entry = entries[uid],
              entry.resourceVersion == old[path: ["metadata", "resourceVersion"]]?.stringValue else { return nil }
        return entry
    }

    /// Records the stored version of an object that passed validation (`celCost` nil: it did not
    /// go through validation, any entry is dropped).
    mutating func record(_ stored: JSONValue?, removed: JSONValue?, celCost: Int64?) {
        if let uid = removed?.uid { entries[uid] = nil }
        guard let stored, let uid = stored.uid else { return }
        if let celCost, let rv = stored[path: ["metadata", "resourceVersion"]]?.stringValue {
            entries[uid] = Entry(resourceVersion: rv, celCost: celCost)
        } else {
            entries[uid] = nil
        }
    }

    /// The schemas changed: nothing validated before counts.
    mutating func reset() {
        entries = [:]
        transitionRules = [:]
    }

    /// The top-level schema fields (not metadata) of `new` equal to those of `old`, when `old` is
    /// the version that was validated (else none): their schema checks and value-only rules would
    /// repeat a pass (transition rules still run; see `CELValidation`).
    func equalFields(schema: JSONValue, new: JSONValue, old: JSONValue?) -> [String: JSONValue] {
        guard let old, entry(for: old) != nil, case .object(let members) = new else { return [:] }
        return members.filter { Self.isUnchangedField($0.key, $0.value, old: old, schema: schema) }
    }

    /// A top-level field of the schema, not metadata, with the same value in `old`.
    private static func isUnchangedField(_ key: String, _ value: JSONValue, old: JSONValue, schema: JSONValue) -> Bool {
        key != "metadata" && schema["properties"]?[key] != nil && old[key] == value
    }

    /// Without `old` (or an entry for it): nothing is unchanged, only the schema's rule map is given.
    /// Fields in `known` are already known to be equal.
    mutating func unchanged(_ gvr: GroupVersionResource, schema: JSONValue, new: JSONValue, old: JSONValue?,
                            known: Set<String> = []) -> CELValidation.UnchangedSubtrees {
        let rules: TransitionRules
        if let known = transitionRules[gvr] {
            rules = known
        } else {
            rules = TransitionRules(schema)
            transitionRules[gvr] = rules
        }
        guard let old, let prior = entry(for: old), case .object(let members) = new else {
            return CELValidation.UnchangedSubtrees(transitions: rules)
        }
        var keys = known
        for (key, value) in members where !known.contains(key) && Self.isUnchangedField(key, value, old: old, schema: schema) {
            keys.insert(key)
        }
        return CELValidation.UnchangedSubtrees(keys: keys, priorCost: prior.celCost, transitions: rules)
    }
}
