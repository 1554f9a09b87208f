import Foundation

/// The one error of the MLflow client: an MLflow error answer (`{"error_code": ..., "message": ...}`)
/// classified by its code, or a failure to reach the server.
///
/// `isRetryable` tells a server that is down, overloaded or unreachable (network errors, timeouts,
/// 429 and 5xx answers) from an answer that retrying cannot change. Messages never hold the
/// tracking token or password (the client never puts them in one).
public enum MLflowError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `RESOURCE_ALREADY_EXISTS` (HTTP 400): an experiment, registered model or alias of that name exists.
    case resourceAlreadyExists(String)
    /// `RESOURCE_DOES_NOT_EXIST` (HTTP 404): no experiment, run, model or version of that name or id.
    case resourceDoesNotExist(String)
    /// `INVALID_PARAMETER_VALUE` (HTTP 400): a bad argument, or a param logged again with another value.
    case invalidParameterValue(String)
    /// HTTP 401/403 (`UNAUTHENTICATED`, `PERMISSION_DENIED`): missing or wrong credentials.
    case accessDenied(status: Int, message: String)
    /// HTTP 403 "Invalid Host header": the server refuses the `Host` the client used (start it with
    /// `--allowed-hosts` naming that host).
    case hostNotAllowed(String)
    /// Any other error answer that retrying cannot change (its `error_code`, or `HTTP_<status>`).
    case rejected(code: String, status: Int, message: String)
    /// The server could not be reached, timed out, or answered 429/5xx: retry later.
    case unavailable(String)
    /// A 2xx answer the client could not read.
    case invalidResponse(String)
    /// The tracking URI or a call's arguments are unusable (no request was sent).
    case invalidArgument(String)

    /// The longest message kept.
    public static let messageLimit = 400

    /// Whether a later retry may succeed: the server was unreachable, overloaded or failing.
    public var isRetryable: Bool {
        if case .unavailable = self { return true }
        return false
    }

    /// MLflow's error code (`RESOURCE_ALREADY_EXISTS`, ...) or a local one (`UNAVAILABLE`, ...).
    public var code: String {
        switch self {
        case .resourceAlreadyExists: return "RESOURCE_ALREADY_EXISTS"
        case .resourceDoesNotExist: return "RESOURCE_DOES_NOT_EXIST"
        case .invalidParameterValue: return "INVALID_PARAMETER_VALUE"
        case .accessDenied: return "PERMISSION_DENIED"
        case .hostNotAllowed: return "HOST_NOT_ALLOWED"
        case .rejected(let code, _, _): return code
        case .unavailable: return "UNAVAILABLE"
        case .invalidResponse: return "INVALID_RESPONSE"
        case .invalidArgument: return "INVALID_ARGUMENT"
        }
    }

    /// The message without the code.
    public var message: String {
        switch self {
        case .resourceAlreadyExists(let m), .resourceDoesNotExist(let m), .invalidParameterValue(let m),
             .hostNotAllowed(let m), .unavailable(let m), .invalidResponse(let m), .invalidArgument(let m):
            return m
        case .accessDenied(_, let m), .rejected(_, _, let m):
            return m
        }
    }

    /// A condition reason for it: `MLflowUnavailable`, `MLflowAccessDenied`, `MLflowHostNotAllowed`,
    /// `MLflowInvalidResponse` or `MLflowRejected`.
    public var reason: String {
        switch self {
        case .unavailable: return "MLflowUnavailable"
        case .accessDenied: return "MLflowAccessDenied"
        case .hostNotAllowed: return "MLflowHostNotAllowed"
        case .invalidResponse: return "MLflowInvalidResponse"
        case .resourceAlreadyExists, .resourceDoesNotExist, .invalidParameterValue, .rejected, .invalidArgument:
            return "MLflowRejected"
        }
    }

    /// `CODE: message`.
    public var description: String { message.isEmpty ? code : "\(code): \(message)" }

    /// The error of a non-2xx answer: MLflow's JSON `error_code` first, then the status.
    public static func fromAnswer(status: Int, body: Data) -> MLflowError {
        var code: String?
        var message = String(decoding: body.prefix(4096), as: UTF8.self)
        if let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] {
            code = object["error_code"] as? String
            if let m = object["message"] as? String { message = m }
        }
        message = clip(message)
        switch code {
        case "RESOURCE_ALREADY_EXISTS": return .resourceAlreadyExists(message)
        case "RESOURCE_DOES_NOT_EXIST", "NOT_FOUND": return .resourceDoesNotExist(message)
        case "INVALID_PARAMETER_VALUE": return .invalidParameterValue(message)
        case "UNAUTHENTICATED", "PERMISSION_DENIED", "UNAUTHORIZED": return .accessDenied(status: status, message: message)
        case "TEMPORARILY_UNAVAILABLE", "REQUEST_LIMIT_EXCEEDED", "INTERNAL_ERROR", "SERVICE_UNDER_MAINTENANCE":
            return .unavailable("HTTP \(status) \(code ?? ""): \(message)")
        default: break
        }
        if status == 429 || status >= 500 { return .unavailable("HTTP \(status): \(message)") }
        if status == 403, message.contains("Invalid Host header") { return .hostNotAllowed(message) }
        if status == 401 || status == 403 { return .accessDenied(status: status, message: message) }
        if status == 404, code == nil { return .resourceDoesNotExist("HTTP 404: \(message)") }
        return .rejected(code: code ?? "HTTP_\(status)", status: status, message: message)
    }

    static func clip(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count > messageLimit else { return trimmed }
        return String(trimmed.prefix(messageLimit)) + "…"
    }
}
