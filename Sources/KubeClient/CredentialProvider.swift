import Foundation
import KubeCore

/// Supplies the `Authorization` header, caching what is expensive: token files are re-read when
/// they change (checked at most every few seconds, and on every 401), exec credentials are reused
/// until shortly before `expirationTimestamp` (or until a 401).
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

    /// The client certificate an exec plugin returned (PEM), if any; needs a first `authorization()`.
    var execClientCertificate: (cert: String, key: String)? {
        guard let s = execCredential?.status, let c = s.clientCertificateData, let k = s.clientKeyData else { return nil }
        return (c, k)
    }

    /// The header value, or nil for unauthenticated requests.
    func authorization() async throws -> String? {
        switch credentials {
        case .none:
            return nil
        case .token(let token):
            return "Bearer \(token)"
        case .basic(let user, let password):
            return "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
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
            return cachedToken.map { "Bearer \($0)" }
        case .exec(let config, let server):
            if let token = cachedToken, execExpiry.map({ $0.timeIntervalSinceNow > 10 }) ?? true {
                return "Bearer \(token)"
            }
            let credential = try await ExecPlugin.run(config, clusterServer: server)
            execCredential = credential
            cachedToken = credential.status?.token
            execExpiry = credential.status?.expirationTimestamp.flatMap(KubeTime.parse)
            return cachedToken.map { "Bearer \($0)" }
        }
    }

    /// Called after a 401: forget cached credentials so the next call re-reads or re-runs.
    func invalidate() {
        switch credentials {
        case .tokenFile, .exec:
            cachedToken = nil
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
