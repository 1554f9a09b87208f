import Foundation
import KubeCore

/// The one error of the Azure layer, classified (`kind`) into what a user can act on and into the
/// step reasons of the contract (`stepReason`). Every message is clipped and scrubbed of bearer
/// tokens, client secrets and assertions (`AzureRedaction`) before it is stored here.
public enum AzureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No credential source applies (no `AZURE_CLIENT_ID`/`AZURE_TENANT_ID` with a federated token
    /// file or a client secret), or the federated token file cannot be read.
    case noCredentials(String)
    /// Entra ID refused or failed the token request: its `error` code (`invalid_client`, ...) and
    /// `error_description`; `status` nil when the answer was not JSON.
    case tokenRequest(status: Int?, code: String, message: String)
    /// An error answer of Resource Manager, Azure ML or Storage: `error.code` (or the Storage
    /// `<Code>`, or `x-ms-error-code`) and message.
    case service(status: Int, code: String, message: String, requestID: String?)
    /// The server could not be reached (connection, timeout).
    case network(String)
    /// The server answered something the layer cannot read.
    case invalidResponse(String)
    /// A request the layer refuses to send (not a blob URL, not a URL, ...).
    case invalidArgument(String)

    /// What a user can do about an error.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Credentials missing, invalid or expired, or the identity lacks a role assignment.
        case accessDenied
        /// A quota or limit was reached (cores, jobs).
        case quotaExceeded
        /// The request is wrong; sending it again as is cannot help.
        case invalidRequest
        /// The resource does not exist.
        case notFound
        /// The resource exists already or is in a state that forbids the call.
        case conflict
        /// Throttling (429), 5xx or the network: worth retrying later.
        case unavailable
    }

    /// The longest message kept.
    public static let messageLimit = 512

    /// The class of the error.
    public var kind: Kind {
        switch self {
        case .noCredentials: return .accessDenied
        case .tokenRequest(let status, _, _):
            if let status, status == 429 || status >= 500 { return .unavailable }
            return status == nil ? .unavailable : .accessDenied
        case .service(let status, let code, let message, _): return AzureError.classify(status: status, code: code, message: message)
        case .network, .invalidResponse: return .unavailable
        case .invalidArgument: return .invalidRequest
        }
    }

    /// The step reason: `CloudAccessDenied`, `CloudQuotaExceeded`, `CloudUnavailable`, or
    /// `CloudInvalidRequest` (also for `notFound` and `conflict`, which a backend usually handles itself).
    public var stepReason: String {
        switch kind {
        case .accessDenied: return "CloudAccessDenied"
        case .quotaExceeded: return "CloudQuotaExceeded"
        case .unavailable: return "CloudUnavailable"
        case .invalidRequest, .notFound, .conflict: return "CloudInvalidRequest"
        }
    }

    /// The error code: Azure's (`AuthorizationFailed`, `invalid_client`, `BlobNotFound`) or a local one
    /// (`NoCredentials`, `NetworkError`, `InvalidResponse`, `InvalidArgument`).
    public var code: String {
        switch self {
        case .noCredentials: return "NoCredentials"
        case .tokenRequest(_, let code, _), .service(_, let code, _, _): return code
        case .network: return "NetworkError"
        case .invalidResponse: return "InvalidResponse"
        case .invalidArgument: return "InvalidArgument"
        }
    }

    /// The message (clipped, no secret).
    public var message: String {
        switch self {
        case .noCredentials(let m), .network(let m), .invalidResponse(let m), .invalidArgument(let m): return m
        case .tokenRequest(_, _, let m), .service(_, _, let m, _): return m
        }
    }

    /// The HTTP status of the answer, when there was one.
    public var httpStatus: Int? {
        switch self {
        case .tokenRequest(let status, _, _): return status
        case .service(let status, _, _, _): return status
        default: return nil
        }
    }

    /// Whether a later try may succeed (throttling, 5xx, network).
    public var isRetryable: Bool { kind == .unavailable }

    /// `Code (HTTP 403): message [request id]`.
    public var description: String {
        var text = code
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        if !message.isEmpty { text += ": \(message)" }
        if case .service(_, _, _, let id?) = self { text += " [request \(id)]" }
        return text
    }

    static let accessDeniedCodes: Set<String> = [
        "AuthorizationFailed", "LinkedAuthorizationFailed", "AuthenticationFailed", "InvalidAuthenticationToken",
        "InvalidAuthenticationTokenTenant", "InvalidAuthenticationTokenAudience", "ExpiredAuthenticationToken",
        "AuthorizationPermissionMismatch", "AuthorizationFailure", "InvalidAuthenticationInfo", "NoCredentials",
        "Unauthorized", "Forbidden", "AuthorizationPermissionDenied",
    ]
    static let quotaCodes: Set<String> = [
        "QuotaExceeded", "OperationNotAllowedQuota", "InsufficientQuota", "QuotaLimitReached", "ResourceQuotaExceeded",
        "SubscriptionQuotaExceeded", "TooManyJobs", "TotalCoreLimitExceeded",
    ]
    static let notFoundCodes: Set<String> = [
        "ResourceNotFound", "NotFound", "BlobNotFound", "ContainerNotFound", "ResourceGroupNotFound", "ParentResourceNotFound",
        "UserError.NotFound",
    ]
    static let unavailableCodes: Set<String> = [
        "TooManyRequests", "ServerBusy", "ServiceUnavailable", "InternalServerError", "InternalError", "OperationTimedOut",
        "GatewayTimeout", "RetryableError", "NetworkError", "InvalidResponse",
    ]

    /// The class of an error answer from its status, code and message: throttling and 5xx first,
    /// then access, quota (also an `OperationNotAllowed`/`UserError` whose message speaks of quota),
    /// missing, conflict, else by status (401/403 access, 404 missing, 409 conflict, else invalid).
    public static func classify(status: Int, code: String, message: String) -> Kind {
        if status == 429 || status >= 500 || unavailableCodes.contains(code) { return .unavailable }
        if status == 401 || accessDeniedCodes.contains(code) { return .accessDenied }
        let lower = message.lowercased()
        if quotaCodes.contains(code) || lower.contains("quota") { return .quotaExceeded }
        if status == 403 { return .accessDenied }
        if notFoundCodes.contains(code) || status == 404 { return .notFound }
        if status == 409 || code == "Conflict" || code.hasSuffix("AlreadyExists") { return .conflict }
        return .invalidRequest
    }

    static func clip(_ text: String) -> String {
        let flat = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard flat.count > messageLimit else { return flat }
        return String(flat.prefix(messageLimit - 1)) + "…"
    }

    /// The error of an answer at or above 300: ARM/Azure ML `{"error": {"code", "message", "details",
    /// "innerError"}}` (the innermost code that classifies wins), Storage `<Error><Code>` or
    /// `x-ms-error-code`, Entra `{"error", "error_description"}`, else the status.
    static func parse(_ response: AzureHTTPResponse, secrets: [String]) -> AzureError {
        var code: String?
        var message: String?
        if let json = try? JSONValue.parse(response.body) {
            if let error = json["error"], error.objectValue != nil {
                code = error["code"]?.stringValue
                message = error["message"]?.stringValue
                if let inner = innermostCode(error) { code = inner }
            } else if let error = json["error"]?.stringValue {
                code = error
                message = json["error_description"]?.stringValue
            } else {
                code = json["code"]?.stringValue
                message = json["message"]?.stringValue
            }
        } else {
            let text = String(decoding: response.body.prefix(16_384), as: UTF8.self)
            code = xmlValue("Code", in: text)
            message = xmlValue("Message", in: text)
        }
        if code == nil || code?.isEmpty == true { code = response.header("x-ms-error-code") }
        let scrubbed = AzureRedaction.scrub(message ?? "", secrets: secrets)
        return .service(status: response.status, code: code ?? statusCode(response.status), message: clip(scrubbed),
                        requestID: response.requestID)
    }

    /// The code of the deepest `innerError`/`details[0]` that is more specific than `UserError`/`SystemError`.
    static func innermostCode(_ error: JSONValue) -> String? {
        var found: String?
        var node: JSONValue? = error["innerError"] ?? error["innererror"] ?? error["details"]?[0]
        var depth = 0
        while let current = node, depth < 8 {
            if let c = current["code"]?.stringValue, !c.isEmpty { found = c }
            node = current["innerError"] ?? current["innererror"] ?? current["details"]?[0]
            depth += 1
        }
        return found
    }

    static func xmlValue(_ tag: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(tag)>"), let close = text.range(of: "</\(tag)>", range: open.upperBound..<text.endIndex) else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }

    static func statusCode(_ status: Int) -> String {
        switch status {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 409: return "Conflict"
        case 429: return "TooManyRequests"
        case 503: return "ServiceUnavailable"
        default: return status >= 500 ? "InternalServerError" : "HTTP\(status)"
        }
    }
}

/// Removes secrets from text before it reaches an error, a log or a status: the given values (access
/// tokens, client secret, federated token) and anything shaped like a bearer token, a JWT or a SAS signature.
public enum AzureRedaction {
    /// `text` with every given secret and every token-like part replaced by `<redacted>`.
    public static func scrub(_ text: String, secrets: [String] = []) -> String {
        var out = text
        for secret in secrets where secret.count >= 8 {
            out = out.replacingOccurrences(of: secret, with: "<redacted>")
        }
        let patterns = [
            #"(?i)(Bearer\s+)[A-Za-z0-9._~+/=-]+"#,
            #"()eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"#,
            #"(?i)([?&]sig=)[^&\s'"]+"#,
            #"(?i)(client_secret=)[^&\s'"]+"#,
            #"(?i)(client_assertion=)[^&\s'"]+"#,
        ]
        for pattern in patterns {
            out = out.replacingOccurrences(of: pattern, with: "$1<redacted>", options: .regularExpression)
        }
        return out
    }
}
