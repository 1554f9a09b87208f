import Foundation
import KubeCore

extension DevStore {
    /// Kind-specific validation before a write: CRD rules, custom resources against their
    /// schema (pruning, defaults, structural validation, CEL). Returns the 422 causes; throws the
    /// Strict-validation 400 itself. Unknown-field warnings are appended to `warnings`. A custom
    /// object that passes sets `celCost` (for `commit` to remember it, see `ValidationMemo`).
    func validate(_ info: ResourceInfo, _ object: inout JSONValue, old: JSONValue?, opts: WriteOptions, warnings: inout [String], celCost: inout Int64?) throws -> [StatusCause] {
        if info.storageKey == ResourceCatalog.crdStorageKey {
            let name = object[path: ["metadata", "name"]]?.stringValue
            let others = (objects[ResourceCatalog.crdStorageKey] ?? [:]).values.filter { $0[path: ["metadata", "name"]]?.stringValue != name }
            return CRDRules.validateAndSetStatus(&object, old: old, now: opts.now, others: Array(others))
        }
        if !info.isCustom {
            // Built-ins written through the API (not the in-process controllers): strict decoding
            // against the built-in schemas, then the kind's validation.
            guard opts.validateBuiltins && opts.subresource == nil else { return [] }
            try reportUnknownFields(try BuiltinFieldCheck.check(&object, info: info), opts: opts, warnings: &warnings)
            return BuiltinValidation.validate(info, object)
        }
        guard let version = catalog.custom[info.gvr], let schema = version.schema else { return [] }
        // Top-level fields equal to those of the remembered old object were pruned and defaulted
        // then: pruning and defaulting them again changes nothing, so they stay out of that walk.
        let equal = validationMemo.equalFields(schema: schema, new: object, old: old)
        var rest = object
        for key in equal.keys { rest[key] = nil }
        try reportUnknownFields(SchemaValidation.prune(&rest, schema: schema), opts: opts, warnings: &warnings)
        SchemaValidation.applyDefaults(&rest, schema: schema)
        for (key, value) in equal { rest[key] = value }
        object = rest
        let unchanged = validationMemo.unchanged(info.gvr, schema: schema, new: object, old: old, known: Set(equal.keys))
        let causes = SchemaValidation.validate(object, schema: schema, skipping: unchanged.keys)
        let cel = CELValidation.causes(after: causes, new: object, old: old, schema: schema, unchanged: unchanged)
        warnings += cel.warnings
        // Remembered only when every rule passed (a ratcheted failure would be warned again).
        if causes.isEmpty && cel.causes.isEmpty && cel.warnings.isEmpty { celCost = cel.cost }
        return causes + cel.causes
    }

    /// Dropped unknown fields: a 400 with `fieldValidation=Strict`, `Warning` headers with Warn
    /// (the default), nothing with Ignore.
    func reportUnknownFields(_ pruned: [String], opts: WriteOptions, warnings: inout [String]) throws {
        let unknown = pruned.map { path in "unknown field \"\(path.hasPrefix(".") ? String(path.dropFirst()) : path)\"" }
        guard !unknown.isEmpty else { return }
        switch opts.fieldValidation {
        case "Strict": throw APIErrors.badRequest("strict decoding error: \(unknown.joined(separator: ", "))")
        case "Ignore": break
        default: warnings.append(contentsOf: unknown)
        }
    }
}

/// The apiextensions-apiserver's CRD validation and its NamesAccepted/Established controller,
/// collapsed into the write (conditions are set before the CRD is returned, so it is served at once).
enum CRDRules {
    static func validateAndSetStatus(_ crd: inout JSONValue, old: JSONValue?, now: Date, others: [JSONValue] = []) -> [StatusCause] {
        var causes: [StatusCause] = []
        let spec = crd["spec"] ?? .emptyObject
        let group = spec["group"]?.stringValue ?? ""
        let plural = spec[path: ["names", "plural"]]?.stringValue ?? ""
        let kind = spec[path: ["names", "kind"]]?.stringValue ?? ""
        let name = crd[path: ["metadata", "name"]]?.stringValue ?? ""
        if name != "\(plural).\(group)" {
            causes.append(APIErrors.invalidValue("metadata.name", .string(name), "must be spec.names.plural+\".\"+spec.group"))
        }
        if group.isEmpty {
            causes.append(APIErrors.required("spec.group", nil))
        } else if !group.contains(".") {
            causes.append(APIErrors.invalidValue("spec.group", .string(group), "should be a domain with at least one dot"))
        }
        if plural.isEmpty {
            causes.append(APIErrors.required("spec.names.plural", nil))
        } else if !ObjectRules.isDNS1123Label(plural) {
            causes.append(APIErrors.invalidValue("spec.names.plural", .string(plural), ObjectRules.dns1123LabelMessage))
        }
        if kind.isEmpty {
            causes.append(APIErrors.required("spec.names.kind", nil))
        }
        let scope = spec["scope"]?.stringValue ?? ""
        if scope != "Namespaced" && scope != "Cluster" {
            if scope.isEmpty {
                causes.append(APIErrors.required("spec.scope", nil))
            } else {
                causes.append(StatusCause(reason: "FieldValueNotSupported", message: "Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\"", field: "spec.scope"))
            }
        }
        if let old, let oldScope = old[path: ["spec", "scope"]]?.stringValue, oldScope != scope, !scope.isEmpty {
            causes.append(APIErrors.invalidValue("spec.scope", .string(scope), "field is immutable"))
        }
        let versions = spec["versions"]?.arrayValue ?? []
        if versions.isEmpty {
            causes.append(APIErrors.required("spec.versions", "must have exactly one version marked as storage version"))
        } else if versions.filter({ $0["storage"]?.boolValue == true }).count != 1 {
            causes.append(APIErrors.invalidValue("spec.versions", .string("[...]"), "must have exactly one version marked as storage version"))
        }
        for (i, version) in versions.enumerated() {
            let path = "spec.versions[\(i)].schema.openAPIV3Schema"
            guard let schema = version[path: ["schema", "openAPIV3Schema"]] else {
                causes.append(APIErrors.required(path, "schemas are required"))
                continue
            }
            causes += SchemaValidation.validateCRDSchema(schema, fieldPath: path)
            causes += CELValidation.checkRules(in: schema, fieldPath: path)
        }
        guard causes.isEmpty else { return causes }

        var names = spec["names"] ?? .emptyObject
        if names["singular"] == nil { names["singular"] = .string(kind.lowercased()) }
        if names["listKind"] == nil { names["listKind"] = .string("\(kind)List") }
        crd[path: ["spec", "names"]] = names
        var status = old?["status"] ?? .emptyObject
        let decision = CRDNames.decide(requested: names, accepted: status["acceptedNames"], group: group, others: others)
        status["acceptedNames"] = decision.accepted
        var conditions = (try? (status["conditions"] ?? .array([])).decode(as: [Condition].self)) ?? []
        conditions.set(type: "NamesAccepted", status: decision.namesAccepted ? ConditionStatus.true : ConditionStatus.false,
                       reason: decision.reason, message: decision.message, observedGeneration: nil, now: now)
        let established = conditions.first { $0.type == "Established" }?.status == ConditionStatus.true
        if decision.namesAccepted || established {
            conditions.set(type: "Established", status: ConditionStatus.true, reason: "InitialNamesAccepted", message: "the initial names have been accepted", observedGeneration: nil, now: now)
        } else {
            conditions.set(type: "Established", status: ConditionStatus.false, reason: "NotAccepted", message: "not all names are accepted", observedGeneration: nil, now: now)
        }
        status["conditions"] = (try? JSONValue(encoding: conditions)) ?? .array([])
        var stored = status["storedVersions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for version in versions where version["storage"]?.boolValue == true {
            if let v = version["name"]?.stringValue, !stored.contains(v) { stored.append(v) }
        }
        status["storedVersions"] = .array(stored.map(JSONValue.string))
        crd["status"] = status
        return []
    }
}
