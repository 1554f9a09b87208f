import Foundation

/// How the client authenticates to the tracking server, read from the controller's environment the
/// way the `mlflow` Python client reads it: `MLFLOW_TRACKING_TOKEN` (a bearer token) first, else
/// `MLFLOW_TRACKING_USERNAME` + `MLFLOW_TRACKING_PASSWORD` (HTTP basic), else nothing.
///
/// `description` never shows the secret.
public enum MLflowCredentials: Sendable, Hashable, CustomStringConvertible {
    /// No `Authorization` header.
    case none
    /// `Authorization: Bearer <token>`.
    case bearer(token: String)
    /// `Authorization: Basic base64(user:password)`.
    case basic(username: String, password: String)

    /// The credentials of `environment` (the process environment by default).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let token = environment["MLFLOW_TRACKING_TOKEN"], !token.isEmpty {
            self = .bearer(token: token)
        } else if let user = environment["MLFLOW_TRACKING_USERNAME"], !user.isEmpty {
            self = .basic(username: user, password: environment["MLFLOW_TRACKING_PASSWORD"] ?? "")
        } else {
            self = .none
        }
    }

    /// The `Authorization` header value, if any.
    public var authorizationHeader: String? {
        switch self {
        case .none: return nil
        case .bearer(let token): return "Bearer \(token)"
        case .basic(let user, let password): return "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        }
    }

    /// `none`, `bearer token`, or `basic (user NAME)`: never the secret.
    public var description: String {
        switch self {
        case .none: return "none"
        case .bearer: return "bearer token"
        case .basic(let user, _): return "basic (user \(user))"
        }
    }
}
