import KubeCore

/// Structural-schema validation, pruning and defaulting for custom resources, as the
/// apiextensions apiserver does them. Pure functions: no I/O.
enum SchemaValidation {
    /// Structural check of a CRD's openAPIV3Schema (422 causes on `spec.versions[i].schema.openAPIV3Schema...`).
    static func validateCRDSchema(_ schema: JSONValue, fieldPath: String) -> [StatusCause] {
        StructuralSchemaCheck.check(schema, fieldPath: fieldPath)
    }

    /// Validates an object against a structural schema. Causes carry field paths as the
    /// apiserver writes them (`spec.replicas`, `spec.steps[0].name`) and its reasons/messages.
    /// `apiVersion`, `kind` and `metadata` at the root are not checked against the schema.
    /// Fields in `skipping` (top-level, equal to those of an old object that passed against the
    /// same schema) are not walked: every check below a field depends on that field's value alone.
    static func validate(_ object: JSONValue, schema: JSONValue, skipping: Set<String> = []) -> [StatusCause] {
        var validator = SchemaValidator(skipping: skipping)
        var body = object
        var rootSchema = schema
        for key in ["apiVersion", "kind", "metadata"] {
            body[key] = nil
            rootSchema["properties"]?[key] = nil
        }
        if var required = rootSchema["required"]?.arrayValue {
            required.removeAll { ["apiVersion", "kind", "metadata"].contains($0.stringValue ?? "") }
            rootSchema["required"] = .array(required)
        }
        validator.validate(body, schema: rootSchema, path: "")
        return validator.causes
    }

    /// Removes fields unknown to the schema (honouring x-kubernetes-preserve-unknown-fields,
    /// additionalProperties, x-kubernetes-embedded-resource). Returns the pruned paths without
    /// a leading dot (`spec.foo`, `spec.steps[0].bar`), as they appear in the apiserver's
    /// `unknown field "spec.foo"` warnings and strict-validation errors.
    static func prune(_ object: inout JSONValue, schema: JSONValue) -> [String] {
        SchemaPruning.prune(&object, schema: schema, path: "", isRoot: true)
    }

    /// Applies `default`s (apiextensions rules: defaults inside objects that exist).
    static func applyDefaults(_ object: inout JSONValue, schema: JSONValue) {
        SchemaDefaulting.apply(&object, schema: schema)
    }
}
