import Foundation
import KubeCore

/// The errors of the KubeClient module.
public enum KubeClientError: Error, Sendable, CustomStringConvertible {
    /// The API server answered with a `Status` (404, 409, 410, 422, ...).
    case api(Status)
    /// The request did not get an answer (connection refused, TLS failure, timeout).
    case transport(String)
    /// The answer could not be decoded into the expected type.
    case decoding(String)
    /// The kubeconfig / in-cluster configuration / credential plugin is unusable.
    case config(String)

    /// The `Status` of an API error.
    public var status: Status? {
        if case .api(let s) = self { return s }
        return nil
    }

    /// The HTTP code of an API error.
    public var code: Int? { status?.code }

    /// 404 NotFound.
    public var isNotFound: Bool { code == 404 || status?.reason == "NotFound" }
    /// 409 Conflict (stale resourceVersion), not AlreadyExists.
    public var isConflict: Bool { code == 409 && status?.reason != "AlreadyExists" }
    /// 409 AlreadyExists.
    public var isAlreadyExists: Bool { status?.reason == "AlreadyExists" }
    /// 410 Gone / Expired (watch or list from a compacted resourceVersion).
    public var isGone: Bool { code == 410 || status?.reason == "Gone" || status?.reason == "Expired" }
    /// 422 Invalid.
    public var isInvalid: Bool { code == 422 || status?.reason == "Invalid" }
    /// 401/403.
    public var isUnauthorized: Bool { code == 401 || code == 403 }
    /// 429 or 5xx: the server asked to come back later.
    public var isRetryable: Bool {
        if case .transport = self { return true }
        guard let code else { return false }
        return code == 429 || code >= 500
    }

    public var description: String {
        switch self {
        case .api(let s): return "API error \(s.code ?? 0) \(s.reason ?? ""): \(s.message ?? "")"
        case .transport(let m): return "transport error: \(m)"
        case .decoding(let m): return "decoding error: \(m)"
        case .config(let m): return "configuration error: \(m)"
        }
    }
}

extension Error {
    /// This error as a `KubeClientError`, when it is one.
    public var kubeClientError: KubeClientError? { self as? KubeClientError }
    /// True for a 404 API error.
    public var isNotFound: Bool { kubeClientError?.isNotFound ?? ((self as? Status)?.code == 404) }
    /// True for a 409 Conflict API error.
    public var isConflict: Bool { kubeClientError?.isConflict ?? false }
    /// True for a 409 AlreadyExists API error.
    public var isAlreadyExists: Bool { kubeClientError?.isAlreadyExists ?? false }
    /// True for a 410 Gone API error.
    public var isGone: Bool { kubeClientError?.isGone ?? false }
}
