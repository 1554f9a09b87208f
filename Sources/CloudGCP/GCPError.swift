import Foundation

/// The one error of the GCP layer: a Google API error answer (`error.code`, `error.status`,
/// `error.message`) or a failure to reach Google, classified into what a user can act on.
///
/// The message is clipped and scrubbed (`GCPRedaction`): it never holds an access token, a signed
/// JWT, a private key or a subject token.
public struct GCPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What a user can do about the error.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// No credentials, a rejected credential or token, or a missing IAM permission.
        case accessDenied
        /// A quota or resource limit was reached (`RESOURCE_EXHAUSTED` that is not plain throttling).
        case quotaExceeded
        /// The request is wrong; retrying it as is cannot help.
        case invalidRequest
        /// The resource does not exist.
        case notFound
        /// The resource exists already or is in the wrong state (`ALREADY_EXISTS`, `FAILED_PRECONDITION`, `ABORTED`).
        case conflict
        /// Throttling (HTTP 429), a 5xx answer or a network failure: worth retrying later.
        case unavailable
    }

    /// Google's canonical status (`PERMISSION_DENIED`, `NOT_FOUND`, `RESOURCE_EXHAUSTED`, ...), an OAuth
    /// error (`invalid_grant`) or a local one (`NetworkError`, `NoCredentials`, `InvalidResponse`, `InvalidArgument`).
    public var status: String
    /// The provider's message, clipped to `GCPError.messageLimit` characters and scrubbed of secrets.
    public var message: String
    /// HTTP status of the answer, when there was one.
    public var httpStatus: Int?
    /// The class of the error.
    public var kind: Kind

    /// The longest message kept.
    public static let messageLimit = 512

    /// An error; `kind` defaults to `GCPError.classify(status:httpStatus:message:)`; `message` is clipped and scrubbed.
    public init(status: String, message: String, httpStatus: Int? = nil, kind: Kind? = nil) {
        self.status = status
        self.message = GCPError.clip(GCPRedaction.scrub(message))
        self.httpStatus = httpStatus
        self.kind = kind ?? GCPError.classify(status: status, httpStatus: httpStatus, message: message)
    }

    /// `STATUS (HTTP 403): message`.
    public var description: String {
        var text = status
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        if !message.isEmpty { text += ": \(message)" }
        return text
    }

    /// The step reason of the contract: `CloudAccessDenied`, `CloudQuotaExceeded`, `CloudUnavailable`, or
    /// `CloudInvalidRequest` (also for `notFound` and `conflict`, which a backend usually handles itself).
    public var stepReason: String {
        switch kind {
        case .accessDenied: return "CloudAccessDenied"
        case .quotaExceeded: return "CloudQuotaExceeded"
        case .unavailable: return "CloudUnavailable"
        case .invalidRequest, .notFound, .conflict: return "CloudInvalidRequest"
        }
    }

    /// Whether a retry may succeed: throttling, 5xx and network errors.
    public var isRetryable: Bool { kind == .unavailable }

    /// The class of an error from Google's canonical status, the HTTP status and the message.
    /// HTTP 429 is throttling (retried) unless the message names a quota that a retry cannot lift
    /// ("Quota exceeded for quota metric ... per day", "limit ... reached").
    public static func classify(status: String, httpStatus: Int?, message: String = "") -> Kind {
        let lower = message.lowercased()
        switch status {
        case "UNAUTHENTICATED", "PERMISSION_DENIED", "NoCredentials", "invalid_grant", "invalid_client",
             "unauthorized_client", "access_denied", "invalid_token", "InvalidCredentials":
            return .accessDenied
        case "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED":
            if lower.contains("quota") && (lower.contains("per day") || lower.contains("limit") || lower.contains("exceeded for quota")) {
                return .quotaExceeded
            }
            return httpStatus == 429 || httpStatus == nil ? .unavailable : .quotaExceeded
        case "NOT_FOUND": return .notFound
        case "ALREADY_EXISTS", "ABORTED", "FAILED_PRECONDITION": return .conflict
        case "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "UNKNOWN", "NetworkError", "InvalidResponse": return .unavailable
        case "INVALID_ARGUMENT", "OUT_OF_RANGE", "UNIMPLEMENTED", "InvalidArgument", "invalid_request", "invalid_scope",
             "unsupported_grant_type":
            return .invalidRequest
        default: break
        }
        switch httpStatus {
        case 401, 403: return .accessDenied
        case 404: return .notFound
        case 409, 412: return .conflict
        case 429: return .unavailable
        case .some(500...): return .unavailable
        default: return .invalidRequest
        }
    }

    /// The canonical status name of an HTTP status with no error body.
    static func statusName(_ http: Int) -> String {
        switch http {
        case 400: return "INVALID_ARGUMENT"
        case 401: return "UNAUTHENTICATED"
        case 403: return "PERMISSION_DENIED"
        case 404: return "NOT_FOUND"
        case 409: return "ALREADY_EXISTS"
        case 412: return "FAILED_PRECONDITION"
        case 429: return "RESOURCE_EXHAUSTED"
        case 501: return "UNIMPLEMENTED"
        case 503: return "UNAVAILABLE"
        case 504: return "DEADLINE_EXCEEDED"
        default: return http >= 500 ? "INTERNAL" : "HTTP\(http)"
        }
    }

    /// Reads an error answer: Google's `{"error": {"code", "message", "status"}}`, an OAuth
    /// `{"error": "invalid_grant", "error_description": ...}`, else the HTTP status and body text.
    public static func parse(status http: Int, body: Data) -> GCPError {
        let text = String(decoding: body.prefix(16_384), as: UTF8.self)
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            if let error = object["error"] as? [String: Any] {
                let status = (error["status"] as? String) ?? statusName(http)
                return GCPError(status: status, message: (error["message"] as? String) ?? "", httpStatus: http)
            }
            if let code = object["error"] as? String {
                return GCPError(status: code, message: (object["error_description"] as? String) ?? "", httpStatus: http)
            }
        }
        return GCPError(status: statusName(http), message: text, httpStatus: http)
    }

    static func clip(_ text: String) -> String {
        let flat = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard flat.count > messageLimit else { return flat }
        return String(flat.prefix(messageLimit - 1)) + "…"
    }
}

/// Removes secrets from text before it reaches an error, a log or a status: bearer tokens, Google
/// OAuth access tokens (`ya29.`), JWTs (three base64url parts), PEM private keys and
/// `access_token` / `assertion` / `subject_token` fields.
public enum GCPRedaction {
    /// `text` with every secret-shaped part (and each of `extra`) replaced by `<redacted>`.
    public static func scrub(_ text: String, extra: [String] = []) -> String {
        var out = text
        for secret in extra where secret.count >= 8 {
            out = out.replacingOccurrences(of: secret, with: "<redacted>")
        }
        let patterns: [(String, String)] = [
            (#"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"#, "<redacted>"),
            (#"(?i)(Bearer\s+)[A-Za-z0-9._~+/=-]+"#, "$1<redacted>"),
            (#"ya29\.[A-Za-z0-9._-]+"#, "<redacted>"),
            (#"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"#, "<redacted>"),
            (#"(?i)("?(access_token|accessToken|assertion|subject_token|id_token|private_key)"?\s*[=:]\s*"?)[^"&\s,}]+"#, "$1<redacted>"),
        ]
        for (pattern, template) in patterns {
            out = out.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
        }
        return out
    }
}
