import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One HTTP request of the GCP layer.
public struct GCPHTTPRequest: Sendable {
    /// HTTP method.
    public var method: String
    /// Full URL.
    public var url: URL
    /// Headers, as sent.
    public var headers: [(name: String, value: String)]
    /// Body.
    public var body: Data

    /// A request.
    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// One HTTP answer.
public struct GCPHTTPResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Headers by lower-cased name (repeated ones joined with commas).
    public var headers: [String: String]
    /// Body.
    public var body: Data

    /// An answer.
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { "\($0),\($1)" })
        self.body = body
    }

    /// The header `name` (any case).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Sends requests: AsyncHTTPClient in the product, a fake in unit tests. A failure to reach the
/// server throws (the GCP layer turns it into an `unavailable` `GCPError`).
public protocol GCPHTTPTransport: Sendable {
    /// Sends `request` and returns the whole answer.
    func send(_ request: GCPHTTPRequest, timeout: Duration) async throws -> GCPHTTPResponse
}

/// `GCPHTTPTransport` over an AsyncHTTPClient `HTTPClient`.
public struct GCPAsyncHTTPClientTransport: GCPHTTPTransport {
    /// The client (usually `HTTPClient.shared`).
    public let client: HTTPClient
    /// The largest answer body read.
    public var maxBodyBytes: Int

    /// A transport.
    public init(client: HTTPClient = .shared, maxBodyBytes: Int = 64 << 20) {
        self.client = client
        self.maxBodyBytes = maxBodyBytes
    }

    public func send(_ request: GCPHTTPRequest, timeout: Duration) async throws -> GCPHTTPResponse {
        var http = HTTPClientRequest(url: request.url.absoluteString)
        http.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { http.headers.add(name: header.name, value: header.value) }
        if !request.body.isEmpty || request.method == "PUT" || request.method == "POST" || request.method == "PATCH" {
            http.body = .bytes(ByteBuffer(data: request.body))
        }
        let (seconds, attoseconds) = timeout.components
        let response = try await client.execute(http, timeout: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
        var headers: [String: String] = [:]
        for (name, value) in response.headers {
            let key = name.lowercased()
            if let existing = headers[key] { headers[key] = existing + "," + value } else { headers[key] = value }
        }
        let body: Data
        if request.method == "HEAD" {
            body = Data()
        } else {
            body = Data(buffer: try await response.body.collect(upTo: maxBodyBytes))
        }
        return GCPHTTPResponse(status: Int(response.status.code), headers: headers, body: body)
    }
}

/// Retries of throttling (429), 5xx and network errors: exponential backoff with full jitter
/// (a random delay in `0...min(maxDelay, baseDelay × 2^attempt)`), at most `maxAttempts` tries.
/// Any other error (4xx) is never retried; a 401 is answered once with a fresh token instead.
public struct GCPRetryPolicy: Sendable, Hashable {
    /// Tries in all, the first included.
    public var maxAttempts: Int
    /// Backoff of the first retry before jitter.
    public var baseDelay: Duration
    /// Cap of one backoff.
    public var maxDelay: Duration
    /// Timeout of one HTTP exchange.
    public var requestTimeout: Duration

    /// A policy.
    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(10),
                requestTimeout: Duration = .seconds(30)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.requestTimeout = requestTimeout
    }

    /// The default: 5 tries, 100 ms base, 10 s cap, 30 s per exchange.
    public static let standard = GCPRetryPolicy()

    /// The upper bound of the backoff after failed try number `attempt` (from 0).
    public func ceiling(attempt: Int) -> Duration {
        let base = baseDelay * Double(1 << min(attempt, 30))
        return base < maxDelay ? base : maxDelay
    }

    /// A full-jitter delay after failed try number `attempt` (from 0), `fraction` in `0...1`;
    /// a `Retry-After` of the answer (seconds), when given, is honoured up to `maxDelay`.
    public func delay(attempt: Int, retryAfter: Duration? = nil, fraction: Double = Double.random(in: 0...1)) -> Duration {
        if let retryAfter { return retryAfter < maxDelay ? retryAfter : maxDelay }
        return ceiling(attempt: attempt) * min(1, max(0, fraction))
    }
}
