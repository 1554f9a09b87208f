import AsyncHTTPClient
import CloudHTTP
import Foundation
import KubeCore
import Logging

/// An Entra ID access token.
public struct AzureAccessToken: Sendable, Hashable, CustomStringConvertible {
    /// The bearer token.
    public var token: String
    /// When it expires.
    public var expiresOn: Date
    /// When it was obtained.
    public var obtainedAt: Date

    /// A token.
    public init(token: String, expiresOn: Date, obtainedAt: Date) {
        self.token = token
        self.expiresOn = expiresOn
        self.obtainedAt = obtainedAt
    }

    /// Whether to fetch a new one at `now`: within `margin` of expiry, or past half its lifetime for
    /// tokens shorter-lived than twice the margin.
    public func needsRefresh(at now: Date, margin: TimeInterval) -> Bool {
        let lifetime = expiresOn.timeIntervalSince(obtainedAt)
        return now >= expiresOn.addingTimeInterval(-min(margin, lifetime / 2))
    }

    /// Never the token itself.
    public var description: String { "AzureAccessToken(expiresOn: \(expiresOn))" }
}

/// Entra ID tokens for the identity of the environment (`AzureCredentialSource`: client secret or
/// workload identity), one cache entry per scope, fetched again `refreshMargin` seconds before
/// expiry (concurrent callers of one scope share one request). Build one per process and share it:
///
/// ```swift
/// let tokens = AzureTokenProvider(logger: logger)
/// let bearer = try await tokens.token(scope: AzureEndpoints.storageScope).token
/// ```
/// Usually used through `AzureClient`, which also drops the token and retries once on a 401.
public actor AzureTokenProvider {
    private let environment: [String: String]
    private let endpoints: AzureEndpoints
    private let executor: AzureRequestExecutor
    private let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date
    private var cache: [String: AzureAccessToken] = [:]
    private var inflight: [String: Task<AzureAccessToken, Error>] = [:]
    private var requests = 0

    /// A provider over the process environment and AsyncHTTPClient; `refreshMargin` defaults to 5 minutes.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient = .cloud,
                logger: Logger, refreshMargin: TimeInterval = 300) {
        self.init(environment: environment, transport: AzureAsyncHTTPClientTransport(client: httpClient), logger: logger,
                  refreshMargin: refreshMargin)
    }

    /// A provider with its own transport, retry policy, clock and sleep (tests).
    public init(environment: [String: String], transport: any AzureHTTPTransport, logger: Logger, retry: AzureRetryPolicy = .azure,
                refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() },
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.environment = environment
        self.endpoints = AzureEndpoints(environment: environment)
        self.executor = AzureRequestExecutor(transport: transport, retry: retry, logger: logger, now: now, sleep: sleep)
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// The credential source of the environment (nil when none applies).
    public nonisolated var source: AzureCredentialSource? { AzureCredentialSource.resolve(environment: environment) }

    /// A valid token for `scope` (`https://management.azure.com/.default`, `AzureEndpoints.storageScope`, ...),
    /// from the cache while it is fresh. Throws `AzureError.noCredentials` when no source applies and
    /// `.tokenRequest` when Entra ID refuses.
    public func token(scope: String) async throws -> AzureAccessToken {
        if let hit = cache[scope], !hit.needsRefresh(at: now(), margin: refreshMargin) { return hit }
        if let running = inflight[scope] { return try await running.value }
        // One request per scope at a time: concurrent callers await the same task (awaited here, never detached).
        let task = Task { try await self.fetch(scope: scope) }
        inflight[scope] = task
        defer { inflight[scope] = nil }
        let fresh = try await task.value
        cache[scope] = fresh
        return fresh
    }

    /// Drops the cached token of `scope` (after a 401), or every token when `scope` is nil.
    public func invalidate(scope: String? = nil) {
        if let scope { cache[scope] = nil } else { cache.removeAll() }
    }

    /// Token requests sent so far (for tests and metrics).
    public func tokenRequestCount() -> Int { requests }

    private func fetch(scope: String) async throws -> AzureAccessToken {
        guard let source else {
            throw AzureError.noCredentials("no Azure credentials: set AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_FEDERATED_TOKEN_FILE "
                + "(AKS workload identity) or AZURE_CLIENT_SECRET")
        }
        var form: [(String, String)] = [("grant_type", "client_credentials"), ("client_id", source.clientID), ("scope", scope)]
        var secrets: [String] = []
        switch source {
        case .clientSecret(_, _, let secret):
            form.append(("client_secret", secret))
            secrets.append(secret)
        case .workloadIdentity(_, _, let file):
            let assertion: String
            do {
                assertion = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw AzureError.noCredentials("cannot read the federated token file \(file) (AZURE_FEDERATED_TOKEN_FILE)")
            }
            guard !assertion.isEmpty else { throw AzureError.noCredentials("the federated token file \(file) is empty") }
            form.append(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))
            form.append(("client_assertion", assertion))
            secrets.append(assertion)
        }
        let body = form.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let request = AzureHTTPRequest(method: "POST", url: try endpoints.tokenURL(tenant: source.tenantID),
                                       headers: [("content-type", "application/x-www-form-urlencoded"), ("accept", "application/json")],
                                       body: Data(body.utf8))
        requests += 1
        let started = now()
        let response: AzureHTTPResponse
        do {
            response = try await executor.send(request, secrets: secrets, label: "Entra ID token")
        } catch AzureError.service(let status, let code, let message, _) {
            throw AzureError.tokenRequest(status: status, code: code, message: message)
        }
        guard let json = try? JSONValue.parse(response.body), let token = json["access_token"]?.stringValue, !token.isEmpty else {
            throw AzureError.invalidResponse("the Entra ID token endpoint answered no access_token")
        }
        let expiresIn = json["expires_in"]?.doubleValue ?? json["expires_in"]?.stringValue.flatMap(Double.init) ?? 3600
        return AzureAccessToken(token: token, expiresOn: started.addingTimeInterval(expiresIn), obtainedAt: started)
    }

    /// `application/x-www-form-urlencoded` encoding of one key or value.
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
