import KubeCore

/// The errors of the DevCluster module that are not API-level (`Status`) errors.
public enum DevClusterError: Error, Sendable, CustomStringConvertible {
    /// The data directory or its log cannot be read or written.
    case storage(String)
    /// Certificates or keys cannot be created or loaded.
    case certificates(String)
    /// Bad server configuration.
    case configuration(String)

    public var description: String {
        switch self {
        case .storage(let m): return "storage: \(m)"
        case .certificates(let m): return "certificates: \(m)"
        case .configuration(let m): return "configuration: \(m)"
        }
    }
}

/// `Status` values worded exactly as `k8s.io/apimachinery/pkg/api/errors` words them.
enum APIErrors {
    static func notFound(_ info: ResourceInfo, _ name: String) -> Status {
        Status(message: "\(info.qualifiedResource) \"\(name)\" not found", reason: "NotFound",
               details: StatusDetails(name: name, group: info.group, kind: info.resource), code: 404)
    }

    static func namespaceNotFound(_ namespace: String) -> Status {
        Status(message: "namespaces \"\(namespace)\" not found", reason: "NotFound",
               details: StatusDetails(name: namespace, group: "", kind: "namespaces"), code: 404)
    }

    static func alreadyExists(_ info: ResourceInfo, _ name: String) -> Status {
        Status(message: "\(info.qualifiedResource) \"\(name)\" already exists", reason: "AlreadyExists",
               details: StatusDetails(name: name, group: info.group, kind: info.resource), code: 409)
    }

    static let modifiedMessage = "the object has been modified; please apply your changes to the latest version and try again"

    static func conflict(_ info: ResourceInfo, _ name: String, _ message: String = modifiedMessage) -> Status {
        Status(message: "Operation cannot be fulfilled on \(info.qualifiedResource) \"\(name)\": \(message)", reason: "Conflict",
               details: StatusDetails(name: name, group: info.group, kind: info.resource), code: 409)
    }

    /// 422 Invalid: `Job.batch "x" is invalid: [spec.a: Required value, ...]`.
    static func invalid(_ info: ResourceInfo, _ name: String, _ causes: [StatusCause]) -> Status {
        let errors = causes.map { cause in
            let field = cause.field ?? ""
            return field.isEmpty ? (cause.message ?? "") : "\(field): \(cause.message ?? "")"
        }
        let message: String
        switch errors.count {
        case 0: message = "\(info.qualifiedKind) \"\(name)\" is invalid"
        case 1: message = "\(info.qualifiedKind) \"\(name)\" is invalid: \(errors[0])"
        default: message = "\(info.qualifiedKind) \"\(name)\" is invalid: [\(errors.joined(separator: ", "))]"
        }
        return Status(message: message, reason: "Invalid",
                      details: StatusDetails(name: name, group: info.group, kind: info.kind, causes: causes), code: 422)
    }

    static func badRequest(_ message: String) -> Status {
        Status(message: message, reason: "BadRequest", code: 400)
    }

    static func forbidden(_ info: ResourceInfo, _ name: String, _ message: String) -> Status {
        let subject = name.isEmpty ? info.qualifiedResource : "\(info.qualifiedResource) \"\(name)\""
        return Status(message: "\(subject) is forbidden: \(message)", reason: "Forbidden",
                      details: StatusDetails(name: name.isEmpty ? nil : name, group: info.group, kind: info.resource), code: 403)
    }

    /// 410 for a watch or list from a compacted resourceVersion.
    static func expired(_ message: String) -> Status {
        Status(message: message, reason: "Expired", code: 410)
    }

    static func internalError(_ message: String) -> Status {
        Status(message: "Internal error occurred: \(message)", reason: "InternalError",
               details: StatusDetails(causes: [StatusCause(message: message)]), code: 500)
    }

    static let pathNotFound = Status(message: "the server could not find the requested resource", reason: "NotFound", details: StatusDetails(), code: 404)

    static let methodNotAllowed = Status(message: "the server does not allow this method on the requested resource", reason: "MethodNotAllowed", details: StatusDetails(), code: 405)

    static let unauthorized = Status(message: "Unauthorized", reason: "Unauthorized", code: 401)

    static func tooLarge(limit: Int) -> Status {
        Status(message: "Request entity too large: limit is \(limit)", reason: "RequestEntityTooLarge", code: 413)
    }

    static func unsupportedPatch(_ accepted: [String]) -> Status {
        Status(message: "the body of the request was in an unknown format - accepted media types include: \(accepted.joined(separator: ", "))",
               reason: "UnsupportedMediaType", code: 415)
    }

    /// A required-field cause (`metadata.name: Required value`).
    static func required(_ field: String, _ detail: String? = nil) -> StatusCause {
        StatusCause(reason: "FieldValueRequired", message: detail.map { "Required value: \($0)" } ?? "Required value", field: field)
    }

    /// An invalid-value cause (`Invalid value: "x": detail`).
    static func invalidValue(_ field: String, _ value: JSONValue, _ detail: String) -> StatusCause {
        let shown: String
        switch value {
        case .string(let s): shown = "\"\(s)\""
        case .int(let i): shown = String(i)
        default: shown = value.jsonString
        }
        return StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(shown): \(detail)", field: field)
    }

    static func forbiddenField(_ field: String, _ detail: String) -> StatusCause {
        StatusCause(reason: "FieldValueForbidden", message: "Forbidden: \(detail)", field: field)
    }
}
