import KubeCore

/// The 422 validation of ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects
/// (a subset of kubernetes/pkg/apis/admissionregistration/validation, same field paths), and
/// their API defaults. Every CEL expression is compiled: one outside the supported subset is
/// rejected, never treated as passing.
enum AdmissionPolicyValidation {
    static let operations = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"]
    static let reasons = ["Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized"]

    static func policy(_ object: JSONValue) -> [StatusCause] {
        let spec = object["spec"] ?? .emptyObject
        var causes: [StatusCause] = []
        if let policy = spec["failurePolicy"]?.stringValue, !["Fail", "Ignore"].contains(policy) {
            causes.append(BuiltinValidation.notSupported("spec.failurePolicy", policy, ["Fail", "Ignore"]))
        }
        if let kind = spec["paramKind"] {
            for field in ["apiVersion", "kind"] where (kind[field]?.stringValue ?? "").isEmpty {
                causes.append(APIErrors.required("spec.paramKind.\(field)"))
            }
        }
        if let match = spec["matchConstraints"] {
            causes += matchResources(match, path: "spec.matchConstraints", requireRules: true)
        } else {
            causes.append(APIErrors.required("spec.matchConstraints"))
        }
        let validations = spec["validations"]?.arrayValue ?? []
        let audits = spec["auditAnnotations"]?.arrayValue ?? []
        if validations.isEmpty && audits.isEmpty {
            causes.append(APIErrors.required("spec.validations", "validations or auditAnnotations must contain at least one item"))
        }
        for (i, v) in validations.enumerated() {
            let path = "spec.validations[\(i)]"
            causes += expression(v["expression"], path: "\(path).expression", required: true)
            causes += expression(v["messageExpression"], path: "\(path).messageExpression", required: false)
            if let reason = v["reason"]?.stringValue, !reasons.contains(reason) {
                causes.append(BuiltinValidation.notSupported("\(path).reason", reason, reasons))
            }
        }
        for (i, a) in audits.enumerated() {
            if (a["key"]?.stringValue ?? "").isEmpty { causes.append(APIErrors.required("spec.auditAnnotations[\(i)].key")) }
            causes += expression(a["valueExpression"], path: "spec.auditAnnotations[\(i)].valueExpression", required: true)
        }
        causes += named(spec["matchConditions"], path: "spec.matchConditions")
        causes += named(spec["variables"], path: "spec.variables")
        return causes
    }

    static func binding(_ object: JSONValue) -> [StatusCause] {
        let spec = object["spec"] ?? .emptyObject
        var causes: [StatusCause] = []
        if (spec["policyName"]?.stringValue ?? "").isEmpty { causes.append(APIErrors.required("spec.policyName")) }
        let actions = spec["validationActions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if actions.isEmpty { causes.append(APIErrors.required("spec.validationActions")) }
        var seen = Set<String>()
        for (i, action) in actions.enumerated() {
            if !["Audit", "Deny", "Warn"].contains(action) {
                causes.append(BuiltinValidation.notSupported("spec.validationActions[\(i)]", action, ["Audit", "Deny", "Warn"]))
            } else if !seen.insert(action).inserted {
                causes.append(StatusCause(reason: "FieldValueDuplicate", message: "Duplicate value: \"\(action)\"", field: "spec.validationActions[\(i)]"))
            }
        }
        if seen.contains("Deny") && seen.contains("Warn") {
            causes.append(APIErrors.invalidValue("spec.validationActions", .array(actions.map(JSONValue.string)),
                                                 "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)"))
        }
        if let ref = spec["paramRef"] {
            let hasName = !(ref["name"]?.stringValue ?? "").isEmpty
            let hasSelector = ref["selector"]?.objectValue != nil
            if hasName && hasSelector {
                causes.append(APIErrors.forbiddenField("spec.paramRef.name", "name and selector are mutually exclusive"))
            } else if !hasName && !hasSelector {
                causes.append(APIErrors.required("spec.paramRef", "one of name or selector must be specified"))
            }
            switch ref["parameterNotFoundAction"]?.stringValue {
            case nil: causes.append(APIErrors.required("spec.paramRef.parameterNotFoundAction"))
            case let action? where !["Allow", "Deny"].contains(action):
                causes.append(BuiltinValidation.notSupported("spec.paramRef.parameterNotFoundAction", action, ["Allow", "Deny"]))
            default: break
            }
        }
        if let match = spec["matchResources"] {
            causes += matchResources(match, path: "spec.matchResources", requireRules: false)
        }
        return causes
    }

    private static func matchResources(_ match: JSONValue, path: String, requireRules: Bool) -> [StatusCause] {
        var causes: [StatusCause] = []
        let rules = match["resourceRules"]?.arrayValue ?? []
        if requireRules && rules.isEmpty { causes.append(APIErrors.required("\(path).resourceRules")) }
        if let policy = match["matchPolicy"]?.stringValue, !["Equivalent", "Exact"].contains(policy) {
            causes.append(BuiltinValidation.notSupported("\(path).matchPolicy", policy, ["Equivalent", "Exact"]))
        }
        for (list, items) in [("resourceRules", rules), ("excludeResourceRules", match["excludeResourceRules"]?.arrayValue ?? [])] {
            for (i, rule) in items.enumerated() {
                let p = "\(path).\(list)[\(i)]"
                let strings: (String) -> [String] = { rule[$0]?.arrayValue?.compactMap(\.stringValue) ?? [] }
                for field in ["operations", "apiGroups", "apiVersions", "resources"] where strings(field).isEmpty {
                    causes.append(APIErrors.required("\(p).\(field)"))
                }
                for (j, op) in strings("operations").enumerated() where !operations.contains(op) {
                    causes.append(BuiltinValidation.notSupported("\(p).operations[\(j)]", op, operations))
                }
                if let scope = rule["scope"]?.stringValue, !["*", "Cluster", "Namespaced"].contains(scope) {
                    causes.append(BuiltinValidation.notSupported("\(p).scope", scope, ["*", "Cluster", "Namespaced"]))
                }
            }
        }
        return causes
    }

    private static func named(_ list: JSONValue?, path: String) -> [StatusCause] {
        var causes: [StatusCause] = []
        var names = Set<String>()
        for (i, item) in (list?.arrayValue ?? []).enumerated() {
            let name = item["name"]?.stringValue ?? ""
            if name.isEmpty {
                causes.append(APIErrors.required("\(path)[\(i)].name"))
            } else if !names.insert(name).inserted {
                causes.append(StatusCause(reason: "FieldValueDuplicate", message: "Duplicate value: \"\(name)\"", field: "\(path)[\(i)].name"))
            }
            causes += expression(item["expression"], path: "\(path)[\(i)].expression", required: true)
        }
        return causes
    }

    private static func expression(_ value: JSONValue?, path: String, required: Bool) -> [StatusCause] {
        guard let source = value?.stringValue, !source.trimmingCharacters(in: .whitespaces).isEmpty else {
            return required ? [APIErrors.required(path)] : []
        }
        if case .failure(let error) = AdmissionCEL.shared.program(source) {
            return [APIErrors.invalidValue(path, .string(source), "compilation failed: \(error.message)")]
        }
        return []
    }

    /// kube-apiserver's defaults: failurePolicy Fail; matchPolicy Equivalent, empty namespace and
    /// object selectors and rule scope `*` in matchConstraints / matchResources.
    static func applyDefaults(_ object: inout JSONValue, resource: String) {
        let matchKey = resource == "validatingadmissionpolicies" ? "matchConstraints" : "matchResources"
        if resource == "validatingadmissionpolicies", object[path: ["spec", "failurePolicy"]] == nil {
            object[path: ["spec", "failurePolicy"]] = "Fail"
        }
        guard var match = object[path: ["spec", matchKey]], match.objectValue != nil else { return }
        if match["matchPolicy"] == nil { match["matchPolicy"] = "Equivalent" }
        for selector in ["namespaceSelector", "objectSelector"] where match[selector] == nil { match[selector] = .emptyObject }
        for list in ["resourceRules", "excludeResourceRules"] {
            guard let rules = match[list]?.arrayValue else { continue }
            match[list] = .array(rules.map { rule in
                var r = rule
                if r["scope"] == nil { r["scope"] = "*" }
                return r
            })
        }
        object[path: ["spec", matchKey]] = match
    }
}
