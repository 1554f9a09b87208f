@_exported import CloudHTTP
import Foundation

/// One HTTP request of the GCP layer (the shared `CloudHTTPRequest`).
public typealias GCPHTTPRequest = CloudHTTPRequest
/// One HTTP answer of the GCP layer.
public typealias GCPHTTPResponse = CloudHTTPResponse
/// Sends GCP requests: AsyncHTTPClient in the product, a fake in unit tests. A failure to reach the
/// server throws (the GCP layer turns it into an `unavailable` `GCPError`).
public typealias GCPHTTPTransport = CloudHTTPTransport
/// `GCPHTTPTransport` over an AsyncHTTPClient `HTTPClient`.
public typealias GCPAsyncHTTPClientTransport = CloudHTTPClientTransport

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
