import Foundation
import KubeCore

/// One `metadata.managedFields` entry (`ManagedFieldsEntry`) with its field set parsed.
struct ManagedFieldsEntry: Sendable, Equatable {
    var manager: String { didSet { source = nil } }
    /// `Apply` or `Update`.
    var operation: String { didSet { source = nil } }
    var apiVersion: String { didSet { source = nil } }
    var time: String? { didSet { source = nil } }
    var subresource: String? { didSet { source = nil } }
    var fields: FieldSet { didSet { source = nil } }
    /// The stored entry this one was read from, while nothing of it changed: written back as it
    /// is instead of rendering `fieldsV1` again. Only entries the store wrote itself (through
    /// `json`, whose output reads back to the same entry) keep it; see `read(_:)`.
    private var source: JSONValue?

    init(manager: String, operation: String, apiVersion: String, time: String?, subresource: String?, fields: FieldSet) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.subresource = subresource
        self.fields = fields
    }

    init?(json: JSONValue) {
        guard let manager = json["manager"]?.stringValue else { return nil }
        self.manager = manager
        operation = json["operation"]?.stringValue ?? "Update"
        apiVersion = json["apiVersion"]?.stringValue ?? ""
        time = json["time"]?.stringValue
        subresource = json["subresource"]?.stringValue
        fields = FieldSet(fieldsV1: json["fieldsV1"] ?? .emptyObject)
        source = nil
    }

    static func == (lhs: ManagedFieldsEntry, rhs: ManagedFieldsEntry) -> Bool {
        lhs.manager == rhs.manager && lhs.operation == rhs.operation && lhs.apiVersion == rhs.apiVersion
            && lhs.time == rhs.time && lhs.subresource == rhs.subresource && lhs.fields == rhs.fields
    }

    /// The entry as stored: its source when unchanged, else rendered.
    private var stored: JSONValue { source ?? json }

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
            "fieldsType": "FieldsV1", "fieldsV1": fields.fieldsV1,
        ]
        if let time { o["time"] = .string(time) }
        if let subresource { o["subresource"] = .string(subresource) }
        return .object(o)
    }

    /// Whether `json` is exactly what `json` renders for this entry (read from it): the keys
    /// `json` writes and no other, `fieldsType` FieldsV1, and a `fieldsV1` in canonical form.
    private func rendersAs(_ json: JSONValue) -> Bool {
        guard case .object(let o) = json,
              o.count == 5 + (time == nil ? 0 : 1) + (subresource == nil ? 0 : 1),
              o["manager"]?.stringValue != nil, o["operation"]?.stringValue != nil, o["apiVersion"]?.stringValue != nil,
              o["fieldsType"] == "FieldsV1", let fieldsV1 = o["fieldsV1"]
        else { return false }
        return FieldSet.isCanonical(fieldsV1: fieldsV1)
    }

    /// Entries are identified by manager, operation and subresource.
    func sameIdentity(manager: String, operation: String, subresource: String?) -> Bool {
        self.manager == manager && self.operation == operation && self.subresource == subresource
    }

    /// The entries of a stored object. Each keeps its JSON as `source` when that JSON is exactly
    /// what `json` renders for it (checked by its shape: the five or seven keys `json` writes,
    /// `fieldsType` FieldsV1 and a canonical `fieldsV1`), so an unchanged entry is written back
    /// byte for byte as a fresh rendering would be.
    static func read(_ object: JSONValue?) -> [ManagedFieldsEntry] {
        (object?[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap { json in
            guard var entry = ManagedFieldsEntry(json: json) else { return nil }
            if entry.rendersAs(json) { entry.source = json }
            return entry
        }
    }

    /// A stored entry (`metadata.managedFields` element) as `read(_:)` and `write(_:into:)` give
    /// it back: itself when in the rendered form, else rendered again; nil without a manager.
    static func storedForm(_ json: JSONValue) -> [String: JSONValue]? {
        guard case .object(let o) = json, o["manager"]?.stringValue != nil else { return nil }
        let time = o["time"]?.stringValue, subresource = o["subresource"]?.stringValue
        if o.count == 5 + (time == nil ? 0 : 1) + (subresource == nil ? 0 : 1),
           o["operation"]?.stringValue != nil, o["apiVersion"]?.stringValue != nil,
           o["fieldsType"] == "FieldsV1", let fieldsV1 = o["fieldsV1"], FieldSet.isCanonical(fieldsV1: fieldsV1) {
            return o
        }
        return ManagedFieldsEntry(json: json)?.json.objectValue
    }

    /// Whether a stored form (see `storedForm(_:)`) is identified by manager, operation and subresource.
    static func sameIdentity(_ stored: [String: JSONValue], manager: String, operation: String, subresource: String?) -> Bool {
        stored["manager"]?.stringValue == manager && stored["operation"]?.stringValue == operation
            && stored["subresource"]?.stringValue == subresource
    }

    /// Writes entries into the object (dropping empty ones; no key when none remain).
    static func write(_ entries: [ManagedFieldsEntry], into object: inout JSONValue) {
        let kept = entries.filter { !$0.fields.isEmpty }
        object[path: ["metadata", "managedFields"]] = kept.isEmpty ? nil : .array(kept.map(\.stored))
    }
}
