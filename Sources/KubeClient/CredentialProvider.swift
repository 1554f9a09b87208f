import Foundation
import KubeCore

/// Supplies the `Authorization` header, caching what is expensive: token files are re-read when
/// they change (checked at most every few seconds, and on every 401), exec credentials are reused
/// until shortly before `expirationTimestamp` (or until a 401), including a client certificate
/// they hand out (used as the TLS identity).
actor CredentialProvider {
    private let credentials: ClientConfiguration.Credentials
    private var cachedToken: String?
    private var tokenFileModified: Date?
    private var lastFileCheck: Double = -1_000
    private var execExpiry: Date?
    private var execCredential: ExecCredential?

    init(_ credentials: ClientConfiguration.Credentials) {
        self.credentials = credentials
    }

    /// What authenticates one request: the `Authorization` header and/or a TLS client identity.
    struct Credential: Sendable {
        var authorization: String?
        /// A client certificate handed out by an exec plugin (nil: the configuration's own, if any).
        var clientIdentity: ClientIdentity?
    }

    /// The credential for the next request (runs an exec plugin when none is cached or it expires
    /// within 10 s).
    func current() async throws -> Credential {
        switch credentials {
        case .none:
            return Credential()
        case .token(let token):
            return Credential(authorization: "Bearer \(token)")
        case .basic(let user, let password):
            return Credential(authorization: "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
        case .tokenFile(let path):
            let now = MonotonicClock.now()
            if cachedToken == nil || now - lastFileCheck > 5 {
                lastFileCheck = now
                let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
                if cachedToken == nil || modified != tokenFileModified {
                    guard let data = FileManager.default.contents(atPath: path) else {
                        throw KubeClientError.config("cannot read token file \(path)")
                    }
                    cachedToken = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    tokenFileModified = modified
                }
            }
            return Credential(authorization: cachedToken.map { "Bearer \($0)" })
        case .exec(let config, let server):
            if let credential = execCredential, execExpiry.map({ $0.timeIntervalSinceNow > 10 }) ?? true {
                return Self.credential(from: credential)
            }
            let credential = try await ExecPlugin.run(config, clusterServer: server)
            execCredential = credential
            execExpiry = credential.status?.expirationTimestamp.flatMap(KubeTime.parse)
            return Self.credential(from: credential)
        }
    }

    /// The token and/or client certificate (PEM, as ExecCredential v1 carries them) of a plugin's answer.
    static func credential(from exec: ExecCredential) -> Credential {
        var result = Credential(authorization: exec.status?.token.map { "Bearer \($0)" })
        if let cert = exec.status?.clientCertificateData, let key = exec.status?.clientKeyData {
            result.clientIdentity = ClientIdentity(certificatePEM: Array(cert.utf8), keyPEM: Array(key.utf8))
        }
        return result
    }

    /// Called after a 401: forget cached credentials so the next call re-reads or re-runs.
    func invalidate() {
        switch credentials {
        case .tokenFile, .exec:
            cachedToken = nil
            execCredential = nil
            execExpiry = nil
            lastFileCheck = -1_000
        default:
            break
        }
    }

    /// Whether an invalidation can produce a different credential.
    var canRefresh: Bool {
        switch credentials {
        case .tokenFile, .exec: return true
        default: return false
        }
    }
}
