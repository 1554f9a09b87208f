// SCAFFOLD: signature agreed; body pending (schema work).
/// RFC 6902 JSON Patch.
public enum JSONPatch {
    /// Applies a JSON Patch (an array of operations) to a document.
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws -> JSONValue {
        throw KubeCoreError.invalidPatch("JSON patch is not implemented yet")
    }
}
