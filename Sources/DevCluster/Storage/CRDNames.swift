import Foundation
import KubeCore

/// The apiextensions-apiserver naming controller: which of a CRD's requested names are accepted,
/// given the names other CRDs of the same group already hold (`status.acceptedNames`).
enum CRDNames {
    /// The outcome: the accepted names and the NamesAccepted condition's status/reason/message.
    struct Decision: Equatable {
        var accepted: JSONValue
        var namesAccepted: Bool
        var reason: String
        var message: String
    }

    /// `calculateNamesAndConditions`: plural, singular, shortNames (only when changed), kind and
    /// listKind are checked in turn against the names in use; a conflicting name keeps its old
    /// accepted value and the last conflict found is the condition's reason.
    static func decide(requested: JSONValue, accepted old: JSONValue?, group: String, others: [JSONValue]) -> Decision {
        var resources = Set<String>()
        var kinds = Set<String>()
        for crd in others where crd[path: ["spec", "group"]]?.stringValue == group {
            let names = crd[path: ["status", "acceptedNames"]] ?? .emptyObject
            for key in ["plural", "singular"] { if let v = names[key]?.stringValue, !v.isEmpty { resources.insert(v) } }
            for v in names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? [] { resources.insert(v) }
            for key in ["kind", "listKind"] { if let v = names[key]?.stringValue, !v.isEmpty { kinds.insert(v) } }
        }
        let accepted = old ?? .emptyObject
        var result = accepted.objectValue == nil ? JSONValue.emptyObject : accepted
        var decision = Decision(accepted: .emptyObject, namesAccepted: true, reason: "NoConflicts", message: "no conflicts found")
        func conflict(_ requested: String, _ acceptedName: String, _ used: Set<String>) -> String? {
            requested == acceptedName || !used.contains(requested) ? nil : "\"\(requested)\" is already in use"
        }
        for (key, reason, used) in [("plural", "PluralConflict", resources), ("singular", "SingularConflict", resources)] {
            let want = requested[key]?.stringValue ?? ""
            if let message = conflict(want, accepted[key]?.stringValue ?? "", used) {
                decision = Decision(accepted: .emptyObject, namesAccepted: false, reason: reason, message: message)
            } else {
                result[key] = .string(want)
            }
        }
        let wantShort = requested["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let haveShort = accepted["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if wantShort != haveShort {
            let errors = wantShort.filter { !haveShort.contains($0) }.compactMap { conflict($0, "", resources) }
            if errors.isEmpty {
                result["shortNames"] = wantShort.isEmpty ? nil : .array(wantShort.map(JSONValue.string))
            } else {
                decision = Decision(accepted: .emptyObject, namesAccepted: false, reason: "ShortNamesConflict",
                                    message: errors.count == 1 ? errors[0] : "[\(errors.joined(separator: ", "))]")
            }
        }
        for (key, reason) in [("kind", "KindConflict"), ("listKind", "ListKindConflict")] {
            let want = requested[key]?.stringValue ?? ""
            if let message = conflict(want, accepted[key]?.stringValue ?? "", kinds) {
                decision = Decision(accepted: .emptyObject, namesAccepted: false, reason: reason, message: message)
            } else {
                result[key] = .string(want)
            }
        }
        // Categories are never in conflict.
        result["categories"] = requested["categories"]
        decision.accepted = result
        return decision
    }
}
