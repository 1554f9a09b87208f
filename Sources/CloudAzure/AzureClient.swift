import AsyncHTTPClient
import CloudHTTP
import Foundation
import KubeCore
import Logging

/// A Resource Manager answer: status, headers and the JSON body (`{}` when empty).
public struct AzureARMResponse: Sendable {
    /// HTTP status (200, 201, 202, or 404 when allowed).
    public var status: Int
    /// Headers by lower-cased name.
    public var headers: [String: String]
    /// The body parsed (`{}` when empty).
    public var json: JSONValue

    /// The header `name` (any case).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Calls Azure with Entra ID bearer tokens: Resource Manager (`arm`), Blob (`blobGet`, in
/// `AzureClient+Blob.swift`) or any URL (`send`). Every call retries throttling, 5xx and network
/// failures honouring `Retry-After` (`AzureRetryPolicy`), and on a 401 drops the cached token of
/// its scope and tries once more with a new one. Every failure is an `AzureError`.
///
/// ```swift
/// let azure = AzureClient(logger: logger)                 // env: AZURE_* (workload identity / client secret)
/// let job = try await azure.arm("GET", path: "/subscriptions/…/jobs/x", apiVersion: "2024-04-01").json
/// ```
/// Build one per process and share it (it holds the token cache).
public struct AzureClient: Sendable {
    /// Tokens (per-scope cache).
    public let tokens: AzureTokenProvider
    /// Endpoints of the environment.
    public let endpoints: AzureEndpoints
    let executor: AzureRequestExecutor

    /// A client over the process environment and AsyncHTTPClient.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient = .cloud,
                logger: Logger, retry: AzureRetryPolicy = .azure) {
        self.init(environment: environment, transport: AzureAsyncHTTPClientTransport(client: httpClient), logger: logger, retry: retry)
    }

    /// A client with its own transport, clock and sleep (tests).
    public init(environment: [String: String], transport: any AzureHTTPTransport, logger: Logger, retry: AzureRetryPolicy = .azure,
                refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() },
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        endpoints = AzureEndpoints(environment: environment)
        executor = AzureRequestExecutor(transport: transport, retry: retry, logger: logger, now: now, sleep: sleep)
        tokens = AzureTokenProvider(environment: environment, transport: transport, logger: logger, retry: retry,
                                    refreshMargin: refreshMargin, now: now, sleep: sleep)
    }

    /// Sends `request` with `Authorization: Bearer <token for scope>` (plus `x-ms-client-request-id`);
    /// returns any answer below 300, or a 404 when `allowNotFound`. A 401 drops the scope's token and
    /// is tried once more; throttling, 5xx and network failures are retried.
    public func send(_ request: AzureHTTPRequest, scope: String, allowNotFound: Bool = false, label: String? = nil) async throws -> AzureHTTPResponse {
        let name = label ?? "\(request.method) \(request.url.path)"
        var renewed = false
        while true {
            let token = try await tokens.token(scope: scope)
            var authorised = request
            authorised.headers.removeAll { $0.name.lowercased() == "authorization" }
            authorised.headers.append(("Authorization", "Bearer \(token.token)"))
            if request.header("x-ms-client-request-id") == nil {
                authorised.headers.append(("x-ms-client-request-id", UUID().uuidString.lowercased()))
            }
            do {
                return try await executor.send(authorised, secrets: [token.token], label: name) { status in
                    status < 300 || (allowNotFound && status == 404)
                }
            } catch let error as AzureError where error.httpStatus == 401 && !renewed {
                // Expired or revoked token: fetch a new one and try once more.
                renewed = true
                await tokens.invalidate(scope: scope)
                executor.logger.debug("Azure token refused, renewing", metadata: ["azure.call": "\(name)", "azure.error": "\(error.code)"])
            }
        }
    }

    /// A Resource Manager call: `method` `<ARM><path>?api-version=<apiVersion>` with `body` as JSON,
    /// authorised for `endpoints.resourceManagerScope`. Returns 2xx answers (and 404 when `allowNotFound`).
    public func arm(_ method: String, path: String, apiVersion: String, body: JSONValue? = nil,
                    allowNotFound: Bool = false) async throws -> AzureARMResponse {
        let url = try endpoints.resourceManagerURL(path: path, apiVersion: apiVersion)
        return try await armURL(method, url: url, body: body, allowNotFound: allowNotFound)
    }

    /// A Resource Manager call to a full URL (an `Azure-AsyncOperation` or `Location` to poll).
    public func armURL(_ method: String, url: URL, body: JSONValue? = nil, allowNotFound: Bool = false) async throws -> AzureARMResponse {
        var headers: [(name: String, value: String)] = [("accept", "application/json")]
        if body != nil { headers.append(("content-type", "application/json")) }
        let request = AzureHTTPRequest(method: method, url: url, headers: headers, body: body?.data() ?? Data())
        let response = try await send(request, scope: endpoints.resourceManagerScope, allowNotFound: allowNotFound,
                                      label: "\(method) \(url.path)")
        var json = JSONValue.object([:])
        if !response.body.isEmpty {
            do { json = try JSONValue.parse(response.body) } catch {
                throw AzureError.invalidResponse("\(method) \(url.path) answered something that is not JSON (HTTP \(response.status))")
            }
        }
        return AzureARMResponse(status: response.status, headers: response.headers, json: json)
    }
}
