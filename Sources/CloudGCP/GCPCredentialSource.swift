import Foundation

/// A service-account key file (`"type": "service_account"`), as `gcloud iam service-accounts keys create` writes it.
public struct GCPServiceAccountKey: Sendable, Hashable {
    /// `client_email`: the JWT's issuer.
    public var clientEmail: String
    /// `private_key`: PEM (PKCS#8 or PKCS#1) RSA key.
    public var privateKey: String
    /// `private_key_id`: the JWT header's `kid`.
    public var privateKeyID: String?
    /// `token_uri` (default `https://oauth2.googleapis.com/token`).
    public var tokenURI: String
    /// `project_id`.
    public var projectID: String?
}

/// A workload-identity-federation file (`"type": "external_account"`), as
/// `gcloud iam workload-identity-pools create-cred-config` writes it.
public struct GCPExternalAccount: Sendable, Hashable {
    /// `audience`: `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/R`.
    public var audience: String
    /// `subject_token_type` (`urn:ietf:params:oauth:token-type:jwt`).
    public var subjectTokenType: String
    /// `token_url` (default `https://sts.googleapis.com/v1/token`).
    public var tokenURL: String
    /// `service_account_impersonation_url` (`...:generateAccessToken`), when the federated identity
    /// impersonates a service account.
    public var impersonationURL: String?
    /// `credential_source.file`: where the subject token is read (Kubernetes projected token).
    public var sourceFile: String?
    /// `credential_source.url`: where the subject token is fetched.
    public var sourceURL: String?
    /// `credential_source.headers`.
    public var sourceHeaders: [String: String]
    /// `credential_source.format.subject_token_field_name` when the format is `json`.
    public var sourceJSONField: String?
    /// `service_account_impersonation.token_lifetime_seconds` (default 3600).
    public var impersonationLifetimeSeconds: Int
}

/// Where the GCP credentials come from, in the order of Google's Application Default Credentials:
/// `GOOGLE_APPLICATION_CREDENTIALS` (a service-account key or an external-account file), else the
/// metadata server (GKE Workload Identity, GCE; `GCE_METADATA_HOST` overrides its address).
public enum GCPCredentialSource: Sendable, Hashable {
    /// A service-account key: RS256 JWT → OAuth token at `token_uri`.
    case serviceAccountKey(GCPServiceAccountKey)
    /// Workload-identity federation: subject token → STS token exchange (→ impersonation).
    case externalAccount(GCPExternalAccount)
    /// The metadata server: `GET /computeMetadata/v1/instance/service-accounts/default/token`.
    case metadataServer

    /// A short name for logs (`service_account`, `external_account`, `metadata`).
    public var name: String {
        switch self {
        case .serviceAccountKey: return "service_account"
        case .externalAccount: return "external_account"
        case .metadataServer: return "metadata"
        }
    }

    /// The source `environment` names. Throws `GCPError` (accessDenied, `InvalidCredentials`) when
    /// `GOOGLE_APPLICATION_CREDENTIALS` is set but cannot be read or is of a type not supported.
    public static func resolve(environment: [String: String]) throws -> GCPCredentialSource {
        guard let path = environment["GOOGLE_APPLICATION_CREDENTIALS"], !path.isEmpty else { return .metadataServer }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GCPError(status: "InvalidCredentials", message: "cannot read GOOGLE_APPLICATION_CREDENTIALS file \(path)", kind: .accessDenied)
        }
        return try parse(data, path: path)
    }

    /// Parses a credentials file.
    public static func parse(_ data: Data, path: String = "credentials file") throws -> GCPCredentialSource {
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw GCPError(status: "InvalidCredentials", message: "\(path) is not a JSON object", kind: .accessDenied)
        }
        let type = json["type"] as? String ?? ""
        switch type {
        case "service_account":
            guard let email = json["client_email"] as? String, let key = json["private_key"] as? String else {
                throw GCPError(status: "InvalidCredentials", message: "\(path): a service_account key needs client_email and private_key", kind: .accessDenied)
            }
            return .serviceAccountKey(GCPServiceAccountKey(
                clientEmail: email, privateKey: key, privateKeyID: json["private_key_id"] as? String,
                tokenURI: (json["token_uri"] as? String) ?? "https://oauth2.googleapis.com/token",
                projectID: json["project_id"] as? String))
        case "external_account":
            guard let audience = json["audience"] as? String, let source = json["credential_source"] as? [String: Any] else {
                throw GCPError(status: "InvalidCredentials", message: "\(path): an external_account file needs audience and credential_source", kind: .accessDenied)
            }
            let format = source["format"] as? [String: Any]
            let jsonField = (format?["type"] as? String) == "json" ? format?["subject_token_field_name"] as? String : nil
            let file = source["file"] as? String
            let url = source["url"] as? String
            guard file != nil || url != nil else {
                throw GCPError(status: "InvalidCredentials",
                               message: "\(path): credential_source needs file or url (executable and AWS sources are not supported)", kind: .accessDenied)
            }
            let lifetime = (json["service_account_impersonation"] as? [String: Any])?["token_lifetime_seconds"] as? Int
            return .externalAccount(GCPExternalAccount(
                audience: audience,
                subjectTokenType: (json["subject_token_type"] as? String) ?? "urn:ietf:params:oauth:token-type:jwt",
                tokenURL: (json["token_url"] as? String) ?? "https://sts.googleapis.com/v1/token",
                impersonationURL: json["service_account_impersonation_url"] as? String,
                sourceFile: file, sourceURL: url,
                sourceHeaders: (source["headers"] as? [String: String]) ?? [:],
                sourceJSONField: jsonField,
                impersonationLifetimeSeconds: lifetime ?? 3600))
        default:
            throw GCPError(status: "InvalidCredentials",
                           message: "\(path): credentials of type \"\(type)\" are not supported (use a service_account key, an external_account file or the metadata server)",
                           kind: .accessDenied)
        }
    }
}

/// An OAuth 2.0 access token and when it expires.
public struct GCPAccessToken: Sendable, Hashable, CustomStringConvertible {
    /// The bearer token. Never log it.
    public var token: String
    /// When it expires.
    public var expiresAt: Date

    /// A token.
    public init(token: String, expiresAt: Date) {
        self.token = token
        self.expiresAt = expiresAt
    }

    /// Whether it must be fetched again: it expires within `margin` seconds of `now`.
    public func needsRefresh(at now: Date, margin: TimeInterval) -> Bool { expiresAt.timeIntervalSince(now) <= margin }

    /// Never shows the token.
    public var description: String { "GCPAccessToken(expiresAt: \(expiresAt))" }
}
