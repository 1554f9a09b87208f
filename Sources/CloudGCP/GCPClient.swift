import AsyncHTTPClient
import CloudHTTP
import Foundation
import KubeCore
import Logging

/// The authorised transport of every Google API call: adds `Authorization: Bearer <token>` from
/// `GCPTokenProvider`, retries 429, 5xx and network failures with jittered backoff
/// (`GCPRetryPolicy`), answers a 401 once by fetching a fresh token, and turns every error
/// answer into a `GCPError` (Google's `error.status` / `error.message`, scrubbed of secrets).
///
/// ```swift
/// let gcp = GCPClient(environment: ProcessInfo.processInfo.environment, logger: logger)
/// let base = gcp.endpoints.aiPlatform(location: "europe-west4")        // honours CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM
/// let job = try await gcp.json("GET", base + "/v1/projects/p/locations/europe-west4/customJobs/123")
/// let monitoring = gcp.endpoints.base(api: "monitoring", default: "https://monitoring.googleapis.com")
/// let answer = try await gcp.json("POST", monitoring + "/v1/projects/p/location/global/prometheus/api/v1/query", body: ...)
/// ```
/// Build one per process and share it (it is a value holding the token actor).
public struct GCPClient: Sendable {
    /// The credential chain and token cache.
    public let tokens: GCPTokenProvider
    /// Endpoint resolution (overrides).
    public let endpoints: GCPEndpoints
    let transport: any GCPHTTPTransport
    let retry: GCPRetryPolicy
    let logger: Logger

    /// A client over the process environment and AsyncHTTPClient.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient = .cloud,
                logger: Logger, retry: GCPRetryPolicy = .standard) {
        self.init(environment: environment, transport: GCPAsyncHTTPClientTransport(client: httpClient), logger: logger, retry: retry)
    }

    /// A client with its own transport, retry policy and clock (tests).
    public init(environment: [String: String], transport: any GCPHTTPTransport, logger: Logger, retry: GCPRetryPolicy = .standard,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.endpoints = GCPEndpoints(environment: environment)
        self.transport = transport
        self.retry = retry
        self.logger = logger
        self.tokens = GCPTokenProvider(environment: environment, transport: transport, logger: logger, retry: retry, now: now)
    }

    /// Sends one authorised request (`body` with `contentType` when not nil) and returns any answer
    /// below 300, and a 404 when `allowNotFound`. Throws `GCPError` for every other answer, after
    /// the retries of 429/5xx/network errors are spent.
    public func send(_ method: String, _ urlText: String, body: Data? = nil, contentType: String = "application/json",
                     headers: [(name: String, value: String)] = [], allowNotFound: Bool = false) async throws -> GCPHTTPResponse {
        guard let url = URL(string: urlText) else {
            throw GCPError(status: "InvalidArgument", message: "not a URL: \(urlText.prefix(200))", kind: .invalidRequest)
        }
        var attempt = 0
        var refreshed = false
        while true {
            let token = try await tokens.token()
            var all = headers
            all.append(("authorization", "Bearer \(token.token)"))
            all.append(("accept", "application/json"))
            if body != nil { all.append(("content-type", contentType)) }
            let error: GCPError
            var retryAfter: Duration?
            do {
                let response = try await transport.send(GCPHTTPRequest(method: method, url: url, headers: all, body: body ?? Data()),
                                                        timeout: retry.requestTimeout)
                if response.status < 300 || (allowNotFound && response.status == 404) { return response }
                let parsed = GCPError.parse(status: response.status, body: response.body)
                if response.status == 401 && !refreshed {
                    // The token expired or was revoked early: fetch a fresh one and try once more.
                    refreshed = true
                    await tokens.invalidate()
                    logger.debug("GCP token refreshed after 401", metadata: ["gcp.url": "\(Self.logURL(url))"])
                    continue
                }
                error = GCPError(status: parsed.status, message: GCPRedaction.scrub(parsed.message, extra: [token.token]),
                                 httpStatus: parsed.httpStatus, kind: parsed.kind)
                retryAfter = GCPRetryPolicy.retryAfter(response)
            } catch let cancel as CancellationError {
                throw cancel
            } catch let failure {
                error = GCPError(status: "NetworkError", message: "\(method) \(Self.logURL(url)): \(GCPRedaction.scrub(String(describing: failure), extra: [token.token]))",
                                 kind: .unavailable)
            }
            attempt += 1
            guard error.isRetryable, attempt < retry.maxAttempts else { throw error }
            let delay = retry.delay(attempt: attempt - 1, retryAfter: retryAfter)
            logger.debug("GCP call retried", metadata: [
                "gcp.url": "\(Self.logURL(url))", "gcp.status": "\(error.status)", "http.status": "\(error.httpStatus.map(String.init) ?? "-")",
                "attempt": "\(attempt)", "delay.ms": "\((delay.components.seconds * 1000) + delay.components.attoseconds / 1_000_000_000_000_000)",
            ])
            try await Task.sleep(for: delay)
        }
    }

    /// Sends a JSON request and returns the JSON answer (`{}` for an empty one). `allowNotFound`
    /// returns nil for a 404 instead of throwing.
    public func json(_ method: String, _ url: String, body: JSONValue? = nil, allowNotFound: Bool = false) async throws -> JSONValue? {
        let response = try await send(method, url, body: body?.data(), allowNotFound: allowNotFound)
        if response.status == 404 { return nil }
        if response.body.isEmpty { return .object([:]) }
        do {
            return try JSONValue.parse(response.body)
        } catch {
            throw GCPError(status: "InvalidResponse", message: "\(method) \(Self.logURL(url)) answered something that is not JSON",
                           httpStatus: response.status, kind: .unavailable)
        }
    }

    /// Sends a JSON request and returns the JSON answer (`{}` for an empty one); a 404 throws `GCPError` `.notFound`.
    public func json(_ method: String, _ url: String, body: JSONValue? = nil) async throws -> JSONValue {
        try await json(method, url, body: body, allowNotFound: false) ?? .object([:])
    }

    /// The URL text without its query, for logs and messages.
    static func logURL(_ text: String) -> String {
        URL(string: text).map { logURL($0) } ?? String(text.prefix(200))
    }

    /// The URL without its query (which may hold object names) for logs.
    static func logURL(_ url: URL) -> String {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url.path }
        parts.query = nil
        return parts.string ?? url.path
    }
}
