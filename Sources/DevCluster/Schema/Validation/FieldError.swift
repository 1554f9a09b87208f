import Foundation
import KubeCore

/// Builders for `StatusCause`s worded exactly as apimachinery's `field.Error.ErrorBody()`:
/// the cause `field` is the path, the `message` the body (`Invalid value: "x": detail`).
enum FieldError {
    /// A bad value as `field.Error` prints it: strings quoted Go-style, numbers and booleans bare,
    /// anything else as compact JSON.
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return goQuote(s)
        case .int(let i): return String(i)
        case .double(let d): return goFloat(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "\"null\""
        default: return value.jsonString
        }
    }

    /// `FieldValueRequired`: "Required value" with an optional detail.
    static func required(_ field: String, _ detail: String = "") -> StatusCause {
        StatusCause(reason: "FieldValueRequired", message: join("Required value", detail), field: field)
    }

    /// `FieldValueInvalid`: `Invalid value: <value>: <detail>`.
    static func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> StatusCause {
        StatusCause(reason: "FieldValueInvalid", message: join("Invalid value: " + render(value), detail), field: field)
    }

    /// `FieldValueTypeInvalid`: `Invalid value: <value>: <detail>`.
    static func typeInvalid(_ field: String, _ value: JSONValue, _ detail: String) -> StatusCause {
        StatusCause(reason: "FieldValueTypeInvalid", message: join("Invalid value: " + render(value), detail), field: field)
    }

    /// `FieldValueNotSupported`: `Unsupported value: <value>: supported values: "a", "b"`.
    static func notSupported(_ field: String, _ value: JSONValue, _ supported: [String]) -> StatusCause {
        let detail = supported.isEmpty ? "" : "supported values: " + supported.map(goQuote).joined(separator: ", ")
        return StatusCause(reason: "FieldValueNotSupported", message: join("Unsupported value: " + render(value), detail), field: field)
    }

    /// `FieldValueForbidden`: "Forbidden: <detail>".
    static func forbidden(_ field: String, _ detail: String) -> StatusCause {
        StatusCause(reason: "FieldValueForbidden", message: join("Forbidden", detail), field: field)
    }

    /// `FieldValueDuplicate`: "Duplicate value: <value>".
    static func duplicate(_ field: String, _ value: JSONValue) -> StatusCause {
        StatusCause(reason: "FieldValueDuplicate", message: "Duplicate value: " + render(value), field: field)
    }

    /// `FieldValueTooLong`: "Too long: may not be more than N bytes" (the value is not printed).
    static func tooLong(_ field: String, max: Int64) -> StatusCause {
        let detail = max >= 0 ? "may not be more than \(max) \(max == 1 ? "byte" : "bytes")" : "value is too long"
        return StatusCause(reason: "FieldValueTooLong", message: "Too long: " + detail, field: field)
    }

    /// `FieldValueTooMany`: "Too many: <actual>: must have at most N items".
    static func tooMany(_ field: String, actual: Int, max: Int64) -> StatusCause {
        StatusCause(reason: "FieldValueTooMany", message: "Too many: \(actual): must have at most \(max) items", field: field)
    }

    private static func join(_ head: String, _ detail: String) -> String {
        detail.isEmpty ? head : head + ": " + detail
    }

    /// Go's `%q` for strings (the common escapes; non-printable scalars as `\u`/`\x`).
    static func goQuote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20 || c.value == 0x7f:
                out += String(format: "\\x%02x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Go's `%v` for float64: integral values without a decimal point.
    static func goFloat(_ d: Double) -> String {
        if d.isFinite, d.rounded() == d, abs(d) < 1e21 { return String(Int64(d)) }
        return String(d)
    }

    /// A schema number (minimum, maximum) as kube-openapi prints it with `%v`.
    static func number(_ v: JSONValue) -> String {
        if case .int(let i) = v { return String(i) }
        return goFloat(v.doubleValue ?? 0)
    }
}

/// Field paths as apimachinery's `field.Path` prints them: `spec.steps[0].name`.
enum FieldPath {
    /// `parent.child` (or `child` at the root).
    static func child(_ parent: String, _ name: String) -> String {
        parent.isEmpty ? name : parent + "." + name
    }

    /// `parent[i]`.
    static func index(_ parent: String, _ i: Int) -> String {
        parent + "[\(i)]"
    }

    /// `parent[key]` (map keys in CRD schema paths: `properties[spec]`).
    static func key(_ parent: String, _ key: String) -> String {
        parent + "[\(key)]"
    }
}
