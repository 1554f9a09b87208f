import AsyncHTTPClient
import CloudHTTP
import Foundation
import KubeCore
import Logging

/// The AWS credential chain (`AWSCredentialSource`), cached, temporary credentials fetched again
/// `refreshMargin` seconds before they expire, plus per-namespace roles: `credentials(assumingRole:sessionName:)`
/// does `sts:AssumeRole` with the base credentials, cached per (role, session) and refreshed likewise.
public actor AWSCredentialProvider {
    private let environment: [String: String]
    private let executor: AWSRequestExecutor
    private let stsRegion: String
    private let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date
    private var source: AWSCredentialSource??
    private var cache: [CacheKey: AWSCredentials] = [:]
    private var inflight: [CacheKey: Task<AWSCredentials, Error>] = [:]

    private struct CacheKey: Hashable {
        var role: String?
        var session: String
    }

    /// A provider over the process environment. `refreshMargin` defaults to 5 minutes; `now` is the clock.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient = .cloud,
                logger: Logger, refreshMargin: TimeInterval = 300) {
        self.init(environment: environment, transport: AsyncHTTPClientTransport(client: httpClient), logger: logger,
                  refreshMargin: refreshMargin)
    }

    /// A provider with its own transport (tests) and clock.
    public init(environment: [String: String], transport: any AWSHTTPTransport, logger: Logger, retry: AWSRetryPolicy = .standard,
                refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }) {
        self.environment = environment
        self.executor = AWSRequestExecutor(transport: transport, endpoints: AWSEndpoints(environment: environment), retry: retry,
                                           logger: logger, now: now)
        self.stsRegion = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// The source the chain picked (resolved once).
    public func resolvedSource() -> AWSCredentialSource? {
        if let source { return source }
        let resolved = AWSCredentialSource.resolve(environment: environment, now: now())
        source = .some(resolved)
        return resolved
    }

    /// The base credentials of the chain. Throws `AWSError` `NoCredentials` (accessDenied) when no source applies.
    public func credentials() async throws -> AWSCredentials {
        try await cached(CacheKey(role: nil, session: "")) { provider in try await provider.fetchBase() }
    }

    /// Credentials for `role` (an IAM role ARN) with `sessionName` (made legal), from `sts:AssumeRole`
    /// with the base credentials; the base credentials when `role` is nil or empty.
    public func credentials(assumingRole role: String?, sessionName: String) async throws -> AWSCredentials {
        guard let role, !role.isEmpty else { return try await credentials() }
        let session = AWSCredentialProvider.legalSessionName(sessionName)
        return try await cached(CacheKey(role: role, session: session)) { provider in
            let base = try await provider.credentials()
            return try await provider.assumeRole(role, sessionName: session, with: base)
        }
    }

    /// Drops every cached credential (e.g. after an `ExpiredToken` answer).
    public func invalidate() {
        cache.removeAll()
    }

    /// `sessionName` with every character outside `[\w+=,.@-]` replaced by `-`, 2 to 64 characters.
    public static func legalSessionName(_ sessionName: String) -> String {
        var out = ""
        for scalar in sessionName.unicodeScalars {
            let c = Character(scalar)
            if scalar.isASCII, c.isLetter || c.isNumber || "_+=,.@-".contains(c) { out.append(c) } else { out.append("-") }
        }
        if out.count < 2 { out = (out + "sextant").prefix(64).description }
        return String(out.prefix(64))
    }

    // MARK: Cache

    private func cached(_ key: CacheKey, fetch: @escaping @Sendable (AWSCredentialProvider) async throws -> AWSCredentials) async throws -> AWSCredentials {
        if let hit = cache[key], !hit.needsRefresh(at: now(), margin: refreshMargin) { return hit }
        if let running = inflight[key] { return try await running.value }
        // One fetch per key at a time: concurrent callers await the same task (awaited below, never detached).
        let task = Task { try await fetch(self) }
        inflight[key] = task
        defer { inflight[key] = nil }
        let fresh = try await task.value
        cache[key] = fresh
        return fresh
    }

    // MARK: Sources

    private func fetchBase() async throws -> AWSCredentials {
        guard let source = resolvedSource() else {
            throw AWSError(code: "NoCredentials", message: "no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                + "AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE (IRSA), AWS_CONTAINER_CREDENTIALS_FULL_URI (EKS Pod Identity) "
                + "or AWS_PROFILE", kind: .accessDenied)
        }
        switch source {
        case .environment(let credentials), .profile(_, let credentials):
            return credentials
        case .webIdentity(let role, let file, let session), .profileWebIdentity(_, let role, let file, let session):
            return try await assumeRoleWithWebIdentity(role, tokenFile: file, sessionName: session)
        case .container(let url, let tokenFile, let token):
            return try await containerCredentials(url: url, tokenFile: tokenFile, token: token)
        case .profileAssumeRole(_, let role, let session, let sourceCredentials):
            return try await assumeRole(role, sessionName: session, with: sourceCredentials)
        }
    }

    private func assumeRoleWithWebIdentity(_ role: String, tokenFile: String, sessionName: String) async throws -> AWSCredentials {
        let token: String
        do {
            token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw AWSError(code: "InvalidIdentityToken", message: "cannot read the web identity token file \(tokenFile)", kind: .accessDenied)
        }
        let xml = try await executor.query(.assumeRoleWithWebIdentity, region: stsRegion, parameters: [
            "RoleArn": role, "RoleSessionName": sessionName, "WebIdentityToken": token,
        ], credentials: nil)
        return try AWSCredentialProvider.parseSTSCredentials(xml, operation: "AssumeRoleWithWebIdentity")
    }

    private func assumeRole(_ role: String, sessionName: String, with base: AWSCredentials) async throws -> AWSCredentials {
        let xml = try await executor.query(.assumeRole, region: stsRegion, parameters: [
            "RoleArn": role, "RoleSessionName": sessionName, "DurationSeconds": "3600",
        ], credentials: base)
        return try AWSCredentialProvider.parseSTSCredentials(xml, operation: "AssumeRole")
    }

    private func containerCredentials(url: String, tokenFile: String?, token: String?) async throws -> AWSCredentials {
        guard let endpoint = URL(string: url) else {
            throw AWSError(code: "InvalidArgument", message: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL", kind: .invalidRequest)
        }
        var headers: [(name: String, value: String)] = []
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw AWSError(code: "InvalidIdentityToken", message: "cannot read the container authorization token file \(tokenFile)",
                               kind: .accessDenied)
            }
            headers.append(("Authorization", text.trimmingCharacters(in: .whitespacesAndNewlines)))
        } else if let token {
            headers.append(("Authorization", token))
        }
        let response: AWSHTTPResponse
        do {
            response = try await executor.transport.send(AWSHTTPRequest(method: "GET", url: endpoint, headers: headers), timeout: Duration.seconds(10))
        } catch {
            throw AWSError(code: "NetworkError", message: "container credentials endpoint: \(error)", kind: .unavailable)
        }
        guard response.status < 300 else {
            let error = AWSErrorParser.parse(response, credentials: nil, signature: nil)
            throw AWSError(code: error.code, message: "container credentials endpoint: \(error.message)", httpStatus: response.status,
                           kind: response.status >= 500 ? .unavailable : .accessDenied)
        }
        guard let json = try? JSONValue.parse(response.body), let id = json["AccessKeyId"]?.stringValue,
              let secret = json["SecretAccessKey"]?.stringValue else {
            throw AWSError(code: "InvalidResponse", message: "the container credentials endpoint answered no credentials", kind: .unavailable)
        }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: json["Token"]?.stringValue,
                              expiration: json["Expiration"]?.stringValue.flatMap(AWSCredentialProvider.parseISO8601))
    }

    // MARK: Parsing

    /// The `<Credentials>` of an STS answer.
    static func parseSTSCredentials(_ xml: String, operation: String) throws -> AWSCredentials {
        guard let block = AWSXML.value("Credentials", in: xml), let id = AWSXML.value("AccessKeyId", in: block),
              let secret = AWSXML.value("SecretAccessKey", in: block) else {
            throw AWSError(code: "InvalidResponse", message: "STS \(operation) answered no credentials", kind: .unavailable)
        }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: AWSXML.value("SessionToken", in: block),
                              expiration: AWSXML.value("Expiration", in: block).flatMap(parseISO8601))
    }

    /// `2015-08-30T12:36:00Z`, with or without fractional seconds.
    static func parseISO8601(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
