/// RFC 7386 JSON Merge Patch.
public enum MergePatch {
    /// Applies a merge patch: objects merge recursively, `null` deletes, anything else
    /// (arrays included) replaces. A non-object patch replaces the whole document.
    public static func apply(_ patch: JSONValue, to document: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result = document.objectValue ?? [:]
        for (key, value) in patchObject {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// The merge patch that turns `original` into `modified`: changed keys with their new
    /// values, nested objects as nested patches, `null` for removed keys. Applying the result
    /// to `original` with `apply` yields `modified` (for documents without `null` members).
    public static func diff(from original: JSONValue, to modified: JSONValue) -> JSONValue {
        guard case .object(let o) = original, case .object(let m) = modified else { return modified }
        var patch: [String: JSONValue] = [:]
        for (key, value) in m where o[key] != value {
            if let old = o[key], old.objectValue != nil, value.objectValue != nil {
                patch[key] = diff(from: old, to: value)
            } else {
                patch[key] = value
            }
        }
        for key in o.keys where m[key] == nil { patch[key] = .null }
        return .object(patch)
    }
}
