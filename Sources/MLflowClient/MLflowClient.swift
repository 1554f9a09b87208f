import AsyncHTTPClient
import CloudHTTP
import Foundation
import KubeCore

/// A client of one MLflow server's REST API 2.0 (`<trackingURI>/api/2.0/mlflow/...`): JSON over HTTP,
/// authenticated with `MLflowCredentials`, every failure an `MLflowError`.
///
/// The transport is public so the tracking calls (`MLflowTracking.swift`) and the registry calls
/// (`MLflowRegistry*.swift`) are thin typed wrappers over `call(_:_:query:body:)`:
///
/// ```swift
/// let client = try MLflowClient(trackingURI: "http://mlflow.mlops:5000")      // credentials from the environment
/// let id = try await client.experimentID(named: "churn")                      // get or create
/// let answer: JSONValue = try await client.call(.get, "runs/get", query: [("run_id", runID)])
/// ```
/// No retries inside: a caller that gets `isRetryable` errors tries again later (with backoff).
public struct MLflowClient: Sendable {
    /// HTTP methods MLflow's REST API uses.
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", patch = "PATCH", delete = "DELETE"
    }

    /// The tracking URI as given (`http://host:port`, optionally with a path prefix), without a trailing slash.
    public let trackingURI: String
    /// `trackingURI` without any `user:password@` part: the one to show (UI links, messages).
    public let displayURI: String
    /// How requests are authenticated.
    public let credentials: MLflowCredentials
    /// Per-request timeout.
    public let timeout: Duration
    let transport: any MLflowHTTPTransport
    let apiBase: URL

    /// A client of `trackingURI` (`http` or `https`), with credentials from `environment` and
    /// AsyncHTTPClient. Throws `MLflowError.invalidArgument` for a URI that is not http(s).
    public init(trackingURI: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                httpClient: HTTPClient = .cloud, timeout: Duration = .seconds(10)) throws {
        try self.init(trackingURI: trackingURI, credentials: MLflowCredentials(environment: environment),
                      transport: MLflowAsyncHTTPTransport(client: httpClient, maxBodyBytes: 32 << 20), timeout: timeout)
    }

    /// A client with its own transport (tests).
    public init(trackingURI: String, credentials: MLflowCredentials, transport: any MLflowHTTPTransport,
                timeout: Duration = .seconds(10)) throws {
        var base = trackingURI.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + "/api/2.0/mlflow/"), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil else {
            throw MLflowError.invalidArgument("tracking URI \(trackingURI) is not an http(s) URL")
        }
        self.trackingURI = base
        self.displayURI = Self.redacted(base)
        self.credentials = credentials
        self.transport = transport
        self.timeout = timeout
        self.apiBase = url
    }

    /// The web UI's page of a run: `<trackingURI>/#/experiments/<experimentID>/runs/<runID>`.
    public func runURL(experimentID: String, runID: String) -> String {
        "\(displayURI)/#/experiments/\(experimentID)/runs/\(runID)"
    }

    /// The web UI's page of an experiment.
    public func experimentURL(experimentID: String) -> String {
        "\(displayURI)/#/experiments/\(experimentID)"
    }

    /// Calls `endpoint` (relative to `/api/2.0/mlflow/`, e.g. `runs/create`) with `query` and a JSON
    /// `body`, and decodes the 2xx answer as `Answer`. Non-2xx answers throw their `MLflowError`.
    public func call<Body: Encodable & Sendable, Answer: Decodable>(_ method: Method, _ endpoint: String,
                                                                   query: [(String, String)] = [], body: Body) async throws -> Answer {
        let data: Data
        do {
            data = try JSONEncoder().encode(body)
        } catch {
            throw MLflowError.invalidArgument("cannot encode the body of \(endpoint): \(error)")
        }
        return try decode(try await send(method, endpoint, query: query, body: data), endpoint: endpoint)
    }

    /// Calls `endpoint` without a body (GET/DELETE with a query) and decodes the answer as `Answer`.
    public func call<Answer: Decodable>(_ method: Method, _ endpoint: String, query: [(String, String)] = []) async throws -> Answer {
        try decode(try await send(method, endpoint, query: query, body: Data()), endpoint: endpoint)
    }

    /// Calls `endpoint` and returns the raw answer body (`{}` or empty for most writes).
    @discardableResult
    public func send(_ method: Method, _ endpoint: String, query: [(String, String)] = [], body: Data) async throws -> Data {
        guard var components = URLComponents(url: apiBase.appendingPathComponent(endpoint), resolvingAgainstBaseURL: false) else {
            throw MLflowError.invalidArgument("bad endpoint \(endpoint)")
        }
        if !query.isEmpty {
            components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
            // '+' is a space in a form query; MLflow reads it so: escape it.
            let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
            components.percentEncodedQuery = encoded
        }
        guard let url = components.url else { throw MLflowError.invalidArgument("bad endpoint \(endpoint)") }
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if method != .get { headers.append(("Content-Type", "application/json")) }
        if let auth = credentials.authorizationHeader { headers.append(("Authorization", auth)) }
        let response: MLflowHTTPResponse
        do {
            response = try await transport.send(MLflowHTTPRequest(method: method.rawValue, url: url, headers: headers, body: body),
                                                timeout: timeout)
        } catch let error as MLflowError {
            throw error
        } catch {
            throw MLflowError.unavailable("\(method.rawValue) \(endpoint): cannot reach \(displayURI): \(Self.describe(error))")
        }
        guard (200..<300).contains(response.status) else {
            throw MLflowError.fromAnswer(status: response.status, body: response.body)
        }
        return response.body
    }

    private func decode<Answer: Decodable>(_ data: Data, endpoint: String) throws -> Answer {
        let body = data.isEmpty ? Data("{}".utf8) : data
        do {
            return try JSONDecoder().decode(Answer.self, from: body)
        } catch {
            throw MLflowError.invalidResponse("\(endpoint) answered something unreadable: \(MLflowError.clip(String(describing: error)))")
        }
    }

    /// `uri` without a `user:password@` part.
    public static func redacted(_ uri: String) -> String {
        guard let scheme = uri.range(of: "://") else { return uri }
        let rest = uri[scheme.upperBound...]
        let hostEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<hostEnd].lastIndex(of: "@") else { return uri }
        return String(uri[..<scheme.upperBound]) + String(rest[rest.index(after: at)...])
    }

    static func describe(_ error: any Error) -> String {
        MLflowError.clip(String(describing: error))
    }
}
