import KubeCore

/// The structural-schema rules the apiextensions apiserver enforces on a CRD's
/// `openAPIV3Schema` (paths like `spec.versions[0].schema.openAPIV3Schema.properties[spec].type`).
enum StructuralSchemaCheck {
    static let supportedTypes = ["array", "boolean", "integer", "number", "object", "string"]

    static func check(_ schema: JSONValue, fieldPath: String) -> [StatusCause] {
        var causes: [StatusCause] = []
        guard case .object(let root) = schema else {
            return [FieldError.required(fieldPath, "must not be empty")]
        }
        if let type = root["type"]?.stringValue, type != "object" {
            causes.append(FieldError.invalid(FieldPath.child(fieldPath, "type"), .string(type), "must be object at the root"))
        } else if root["type"] == nil {
            causes.append(FieldError.required(FieldPath.child(fieldPath, "type"), "must not be empty at the root"))
        }
        check(node: root, path: fieldPath, context: .root, causes: &causes)
        return causes
    }

    enum Context { case root, property, items, additionalProperties }

    private static func check(node: [String: JSONValue], path: String, context: Context, causes: inout [StatusCause]) {
        let intOrString = node["x-kubernetes-int-or-string"]?.boolValue == true
        let preserve = node["x-kubernetes-preserve-unknown-fields"]
        let type = node["type"]?.stringValue
        if let type {
            if !supportedTypes.contains(type) {
                causes.append(FieldError.notSupported(FieldPath.child(path, "type"), .string(type), supportedTypes))
            }
            if intOrString {
                causes.append(FieldError.invalid(FieldPath.child(path, "type"), .string(type), "must be empty if x-kubernetes-int-or-string is true"))
            }
        } else if !intOrString, preserve?.boolValue != true, context != .root {
            let detail = context == .items ? "must not be empty for specified array items" : "must not be empty for specified object fields"
            causes.append(FieldError.required(FieldPath.child(path, "type"), detail))
        }
        if preserve?.boolValue == false {
            causes.append(FieldError.invalid(FieldPath.child(path, "x-kubernetes-preserve-unknown-fields"), false, "must be true or undefined"))
        }
        if node["x-kubernetes-embedded-resource"]?.boolValue == true, type != "object" {
            causes.append(FieldError.invalid(FieldPath.child(path, "type"), .string(type ?? ""), "must be object if x-kubernetes-embedded-resource is true"))
        }
        if node["$ref"] != nil {
            causes.append(FieldError.forbidden(FieldPath.child(path, "$ref"), "$ref is not supported"))
        }
        if node["uniqueItems"]?.boolValue == true {
            causes.append(FieldError.forbidden(FieldPath.child(path, "uniqueItems"), "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"))
        }
        if let pattern = node["pattern"]?.stringValue, RegexCache.shared.regex(pattern) == nil {
            causes.append(FieldError.invalid(FieldPath.child(path, "pattern"), .string(pattern), "must be a valid regular expression"))
        }
        let properties = node["properties"]?.objectValue
        if let additional = node["additionalProperties"] {
            if properties != nil {
                causes.append(FieldError.forbidden(FieldPath.child(path, "additionalProperties"), "additionalProperties and properties are mutual exclusive"))
            }
            if additional.boolValue == false {
                causes.append(FieldError.forbidden(FieldPath.child(path, "additionalProperties"), "additionalProperties cannot be set to false"))
            }
            if case .object(let sub) = additional {
                check(node: sub, path: FieldPath.child(path, "additionalProperties"), context: .additionalProperties, causes: &causes)
            }
        }
        if type == "array" {
            if case .object(let items) = node["items"] {
                check(node: items, path: FieldPath.child(path, "items"), context: .items, causes: &causes)
            } else {
                causes.append(FieldError.required(FieldPath.child(path, "items"), "must be specified"))
            }
        }
        for key in (properties ?? [:]).keys.sorted() {
            guard case .object(let sub)? = properties?[key] else { continue }
            check(node: sub, path: FieldPath.key(FieldPath.child(path, "properties"), key), context: .property, causes: &causes)
        }
        if let def = node["default"] {
            var probe = SchemaValidator()
            probe.validate(def, schema: .object(node), path: FieldPath.child(path, "default"))
            causes.append(contentsOf: probe.causes)
        }
    }
}
