import Foundation

/// The one error of the AWS layer: an AWS error answer (code, message, status, request id) or a
/// failure to reach AWS, classified into what a user can act on.
///
/// The message is clipped and scrubbed: it never holds a secret key, a session token, an
/// `Authorization` header or a signature (`AWSRedaction`).
public struct AWSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What a user can do about the error.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Credentials missing, invalid or expired, or the identity lacks a permission.
        case accessDenied
        /// A service quota or limit was reached.
        case quotaExceeded
        /// The request is wrong; retrying it as is cannot help.
        case invalidRequest
        /// The resource does not exist.
        case notFound
        /// The resource exists already or is busy.
        case conflict
        /// Throttling, a 5xx answer or a network failure: worth retrying later.
        case unavailable
    }

    /// The AWS error code (`AccessDeniedException`, `NoSuchKey`, ...) or a local one
    /// (`NetworkError`, `NoCredentials`, `InvalidResponse`, `InvalidArgument`).
    public var code: String
    /// The provider's message, clipped to `AWSError.messageLimit` characters and scrubbed of secrets.
    public var message: String
    /// HTTP status of the answer, when there was one.
    public var httpStatus: Int?
    /// `x-amzn-RequestId` / `x-amz-request-id` of the answer, when there was one.
    public var requestID: String?
    /// The class of the error.
    public var kind: Kind

    /// The longest message kept.
    public static let messageLimit = 512

    /// An error; `kind` defaults to `AWSError.classify(code:status:)`; `message` is clipped.
    public init(code: String, message: String, httpStatus: Int? = nil, requestID: String? = nil, kind: Kind? = nil) {
        self.code = code
        self.message = AWSError.clip(message)
        self.httpStatus = httpStatus
        self.requestID = requestID
        self.kind = kind ?? AWSError.classify(code: code, status: httpStatus)
    }

    /// `Code (HTTP 403): message [request id]`.
    public var description: String {
        var text = code
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        if !message.isEmpty { text += ": \(message)" }
        if let requestID { text += " [request \(requestID)]" }
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

    /// Whether the error is AWS throttling (`ThrottlingException`, `SlowDown`, HTTP 429, ...).
    public var isThrottling: Bool { AWSError.throttlingCodes.contains(code) || httpStatus == 429 }

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
        "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException", "SlowDown",
        "ProvisionedThroughputExceededException", "BandwidthLimitExceeded", "PriorRequestNotComplete",
        "EC2ThrottledException",
    ]

    /// The class of an error from its AWS code and HTTP status, the code first.
    public static func classify(code: String, status: Int?) -> Kind {
        if throttlingCodes.contains(code) || status == 429 { return .unavailable }
        let accessDenied: Set<String> = [
            "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch",
            "InvalidClientTokenId", "IncompleteSignature", "MissingAuthenticationToken",
            "InvalidAccessKeyId", "MissingSecurityHeader", "AuthFailure", "NotAuthorized",
            "UnauthorizedOperation", "InvalidIdentityToken", "IDPRejectedClaim", "IDPCommunicationError",
            "RequestExpired", "NoCredentials", "InvalidToken", "TokenRefreshRequired",
        ]
        if code.hasPrefix("AccessDenied") || code.hasPrefix("ExpiredToken") || accessDenied.contains(code) {
            return .accessDenied
        }
        let quota: Set<String> = ["ResourceLimitExceeded", "ServiceQuotaExceeded", "ServiceQuotaExceededException",
                                  "LimitExceeded", "LimitExceededException", "QuotaExceeded"]
        if quota.contains(code) { return .quotaExceeded }
        if code.hasPrefix("ResourceNotFound") || ["NoSuchKey", "NoSuchBucket", "NotFound", "NoSuchEntity",
                                                  "JobNotFound"].contains(code) {
            return .notFound
        }
        if code.hasPrefix("ResourceInUse") || code.hasPrefix("Conflict") || code == "ResourceAlreadyExists"
            || code == "ResourceAlreadyExistsException" || code == "BucketAlreadyOwnedByYou" || code == "EntityAlreadyExists" {
            return .conflict
        }
        if ["ServiceUnavailable", "ServiceUnavailableException", "InternalFailure", "InternalError",
            "InternalServerError", "InternalServerException", "ServerException", "NetworkError"].contains(code) {
            return .unavailable
        }
        if code.hasPrefix("Validation") || code.hasPrefix("InvalidParameter") || code.hasPrefix("InvalidRequest")
            || ["ClientException", "MissingParameter", "MalformedQueryString", "InvalidArgument", "InvalidAction",
                "SerializationException", "InvalidInput", "InvalidResponse", "MalformedXML"].contains(code) {
            return .invalidRequest
        }
        switch status {
        case 401, 403: return .accessDenied
        case 404: return .notFound
        case 409: return .conflict
        case .some(500...): return .unavailable
        default: return .invalidRequest
        }
    }

    static func clip(_ text: String) -> String {
        let flat = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard flat.count > messageLimit else { return flat }
        return String(flat.prefix(messageLimit - 1)) + "…"
    }
}

/// Removes secrets from text before it reaches an error, a log or a status: the given values
/// (secret key, session token, signature) and anything shaped like an `Authorization` header, a
/// SigV4 signature or a security token.
public enum AWSRedaction {
    /// `text` with every secret of `credentials` and every signature-like part replaced by `<redacted>`.
    public static func scrub(_ text: String, credentials: AWSCredentials? = nil, extra: [String] = []) -> String {
        var out = text
        var secrets = extra
        if let credentials {
            secrets.append(credentials.secretAccessKey)
            if let token = credentials.sessionToken { secrets.append(token) }
        }
        for secret in secrets where secret.count >= 8 {
            out = out.replacingOccurrences(of: secret, with: "<redacted>")
        }
        let patterns = [
            #"(?i)(Signature=)[0-9a-f]{16,}"#,
            #"(?i)(X-Amz-Signature=)[^&\s'"]+"#,
            #"(?i)(X-Amz-Security-Token=)[^&\s'"]+"#,
            #"(?i)(x-amz-security-token:)[^\n'"]+"#,
            #"(?i)(Authorization:)[^\n'"]+"#,
            #"(?i)(AWS4-HMAC-SHA256 Credential=)[^\n'"]+"#,
        ]
        for pattern in patterns {
            out = out.replacingOccurrences(of: pattern, with: "$1<redacted>", options: .regularExpression)
        }
        return out
    }
}
