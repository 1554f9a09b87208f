import AsyncHTTPClient
import CloudHTTP
import Foundation
import KubeCore
import Logging

/// OAuth 2.0 access tokens for Google APIs from the Application Default Credentials chain
/// (`GCPCredentialSource`): a service-account key (RS256 JWT → `token_uri`), an `external_account`
/// file (subject token → STS exchange at `token_url` → optional `generateAccessToken` impersonation),
/// else the metadata server (`GCE_METADATA_HOST`). One token is cached and fetched again
/// `refreshMargin` seconds before it expires; concurrent callers share one fetch.
///
/// ```swift
/// let tokens = GCPTokenProvider(environment: ProcessInfo.processInfo.environment, logger: logger)
/// let bearer = try await tokens.token().token        // "Authorization: Bearer \(bearer)"
/// ```
/// Most callers do not use it directly: `GCPClient` adds the header, retries and refreshes on 401.
public actor GCPTokenProvider {
    /// The scope asked for: `https://www.googleapis.com/auth/cloud-platform`.
    public static let cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

    private let environment: [String: String]
    let transport: any GCPHTTPTransport
    let endpoints: GCPEndpoints
    let retry: GCPRetryPolicy
    let logger: Logger
    private let scopes: [String]
    private let refreshMargin: TimeInterval
    let now: @Sendable () -> Date
    private var source: GCPCredentialSource?
    private var cached: GCPAccessToken?
    private var inflight: Task<GCPAccessToken, Error>?
    private var fetches = 0

    /// A provider over the process environment and AsyncHTTPClient. `refreshMargin` defaults to 5 minutes.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient = .cloud,
                logger: Logger, refreshMargin: TimeInterval = 300) {
        self.init(environment: environment, transport: GCPAsyncHTTPClientTransport(client: httpClient), logger: logger,
                  refreshMargin: refreshMargin)
    }

    /// A provider with its own transport, scopes and clock (tests).
    public init(environment: [String: String], transport: any GCPHTTPTransport, logger: Logger, retry: GCPRetryPolicy = .standard,
                scopes: [String] = [GCPTokenProvider.cloudPlatformScope], refreshMargin: TimeInterval = 300,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.environment = environment
        self.transport = transport
        self.endpoints = GCPEndpoints(environment: environment)
        self.retry = retry
        self.logger = logger
        self.scopes = scopes
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// The source of the chain (resolved once). Throws when `GOOGLE_APPLICATION_CREDENTIALS` is unusable.
    public func resolvedSource() throws -> GCPCredentialSource {
        if let source { return source }
        let resolved = try GCPCredentialSource.resolve(environment: environment)
        source = resolved
        return resolved
    }

    /// A valid access token: the cached one unless it expires within `refreshMargin`, else a new one.
    /// Throws `GCPError` (accessDenied for rejected credentials, unavailable when the token endpoint
    /// cannot be reached).
    public func token() async throws -> GCPAccessToken {
        if let hit = cached, !hit.needsRefresh(at: now(), margin: refreshMargin) { return hit }
        if let running = inflight { return try await running.value }
        // One fetch at a time: concurrent callers await the same task (awaited here, never detached).
        let task = Task { try await self.fetch() }
        inflight = task
        defer { inflight = nil }
        let fresh = try await task.value
        cached = fresh
        fetches += 1
        return fresh
    }

    /// Drops the cached token (after a 401 answer): the next `token()` fetches a new one.
    public func invalidate() {
        cached = nil
    }

    /// How many tokens were fetched so far (tests and metrics; never the token).
    public func fetchCount() -> Int { fetches }

    /// The project of the credentials: `project_id` of a key file, else the metadata server's
    /// `project/project-id`, else `GOOGLE_CLOUD_PROJECT`; nil when none says.
    public func projectID() async -> String? {
        if let p = environment["GOOGLE_CLOUD_PROJECT"], !p.isEmpty { return p }
        guard let source = try? resolvedSource() else { return nil }
        switch source {
        case .serviceAccountKey(let key): return key.projectID
        case .externalAccount: return nil
        case .metadataServer:
            guard let url = URL(string: endpoints.metadata + "/computeMetadata/v1/project/project-id"),
                  let r = try? await transport.send(GCPHTTPRequest(method: "GET", url: url, headers: [("Metadata-Flavor", "Google")]),
                                                    timeout: .seconds(5)), r.status == 200 else { return nil }
            return String(decoding: r.body, as: UTF8.self)
        }
    }

    private func fetch() async throws -> GCPAccessToken {
        let source = try resolvedSource()
        switch source {
        case .serviceAccountKey(let key):
            let assertion = try GCPServiceAccountJWT.assertion(key: key, scopes: scopes, now: now())
            let json = try await postForm(key.tokenURI, [
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion,
            ], what: "token endpoint \(key.tokenURI)", secrets: [assertion])
            return try oauthToken(json, what: "token endpoint")
        case .externalAccount(let account):
            return try await externalAccountToken(account)
        case .metadataServer:
            var url = endpoints.metadata + "/computeMetadata/v1/instance/service-accounts/default/token"
            if scopes != [Self.cloudPlatformScope] { url += "?scopes=" + scopes.joined(separator: ",") }
            let json: JSONValue
            do {
                json = try await send("GET", url, headers: [("Metadata-Flavor", "Google")], body: Data(),
                                      what: "metadata server \(endpoints.metadataHost)", secrets: [])
            } catch let e as GCPError where e.status == "NetworkError" && environment["GCE_METADATA_HOST"] == nil {
                // Off GCP/GKE there is no metadata server: that is "no credentials", not an outage.
                throw GCPError(status: "NoCredentials", message: "no GCP credentials: set GOOGLE_APPLICATION_CREDENTIALS (a service-account key "
                    + "or an external_account file) or run on GKE with Workload Identity (metadata server unreachable: \(e.message))",
                               kind: .accessDenied)
            }
            return try oauthToken(json, what: "metadata server")
        }
    }

    // MARK: HTTP of the token flows

    /// POSTs a form and returns the JSON answer.
    func postForm(_ url: String, _ form: [String: String], what: String, secrets: [String]) async throws -> JSONValue {
        let body = form.keys.sorted().map { "\(Self.formEncode($0))=\(Self.formEncode(form[$0] ?? ""))" }.joined(separator: "&")
        return try await send("POST", url, headers: [("content-type", "application/x-www-form-urlencoded")], body: Data(body.utf8),
                              what: what, secrets: secrets)
    }

    /// Sends one request of a token flow, retrying 429/5xx/network errors; the JSON answer.
    func send(_ method: String, _ urlText: String, headers: [(name: String, value: String)], body: Data, what: String,
              secrets: [String]) async throws -> JSONValue {
        guard let url = URL(string: urlText) else {
            throw GCPError(status: "InvalidArgument", message: "\(what): not a URL", kind: .invalidRequest)
        }
        var attempt = 0
        while true {
            let error: GCPError
            do {
                let response = try await transport.send(GCPHTTPRequest(method: method, url: url, headers: headers, body: body),
                                                        timeout: retry.requestTimeout)
                if response.status < 300 {
                    guard let json = try? JSONValue.parse(response.body) else {
                        throw GCPError(status: "InvalidResponse", message: "\(what) answered something that is not JSON", httpStatus: response.status)
                    }
                    return json
                }
                let parsed = GCPError.parse(status: response.status, body: response.body)
                // A rejected credential (400 invalid_grant, 401, 403) is access denied, whatever the status.
                let kind: GCPError.Kind = parsed.kind == .unavailable ? .unavailable : .accessDenied
                error = GCPError(status: parsed.status, message: "\(what): \(GCPRedaction.scrub(parsed.message, extra: secrets))",
                                 httpStatus: response.status, kind: kind)
            } catch let e as GCPError {
                throw e
            } catch let cancel as CancellationError {
                throw cancel
            } catch let failure {
                error = GCPError(status: "NetworkError", message: "\(what): \(GCPRedaction.scrub(String(describing: failure), extra: secrets))",
                                 kind: .unavailable)
            }
            attempt += 1
            guard error.isRetryable, attempt < retry.maxAttempts else { throw error }
            try await Task.sleep(for: retry.delay(attempt: attempt - 1))
        }
    }

    /// `{"access_token", "expires_in"}` (OAuth, STS, metadata) → token.
    func oauthToken(_ json: JSONValue, what: String) throws -> GCPAccessToken {
        guard let token = json["access_token"]?.stringValue, !token.isEmpty else {
            throw GCPError(status: "InvalidResponse", message: "\(what) answered no access_token", kind: .unavailable)
        }
        let seconds = json["expires_in"]?.doubleValue ?? json["expires_in"]?.stringValue.flatMap(Double.init) ?? 3600
        return GCPAccessToken(token: token, expiresAt: now().addingTimeInterval(seconds))
    }

    /// `application/x-www-form-urlencoded` encoding of one key or value.
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
