import Foundation

/// Retries of throttling (429), 5xx and network errors, the same for every cloud: the server's
/// requested delay when it sends one (`retry-after-ms`, `x-ms-retry-after-ms`, `Retry-After` as
/// seconds or an HTTP date), capped at `maxRetryAfter`; else exponential backoff with full jitter (a
/// random delay in `0...min(maxDelay, baseDelay × 2^attempt)`). At most `maxAttempts` tries; which
/// errors are retried is the provider's call (any other 4xx never is).
public struct CloudRetryPolicy: Sendable, Hashable {
    /// Tries in all, the first included.
    public var maxAttempts: Int
    /// Backoff of the first retry before jitter.
    public var baseDelay: Duration
    /// Cap of one backoff.
    public var maxDelay: Duration
    /// Cap of a server-requested delay.
    public var maxRetryAfter: Duration
    /// Timeout of one HTTP exchange.
    public var requestTimeout: Duration

    /// A policy.
    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(10),
                maxRetryAfter: Duration = .seconds(60), requestTimeout: Duration = .seconds(30)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.requestTimeout = requestTimeout
    }

    /// 5 tries, 100 ms base, 10 s cap, a server-requested delay honoured up to 60 s, 30 s per exchange.
    public static let standard = CloudRetryPolicy()

    /// The upper bound of the backoff after failed try number `attempt` (from 0).
    public func ceiling(attempt: Int) -> Duration {
        let base = baseDelay * Double(1 << min(attempt, 30))
        return base < maxDelay ? base : maxDelay
    }

    /// The delay after failed try number `attempt` (from 0): `retryAfter` (capped at `maxRetryAfter`)
    /// when the server asked for one, else a full-jitter backoff, `fraction` in `0...1`.
    public func delay(attempt: Int, retryAfter: Duration? = nil, fraction: Double = Double.random(in: 0...1)) -> Duration {
        if let retryAfter { return retryAfter < maxRetryAfter ? retryAfter : maxRetryAfter }
        return ceiling(attempt: attempt) * min(1, max(0, fraction))
    }

    /// The delay after failed try number `attempt` (from 0) answered by `response` (nil: no answer).
    public func delay(attempt: Int, response: CloudHTTPResponse?, now: Date = Date(),
                      fraction: Double = Double.random(in: 0...1)) -> Duration {
        delay(attempt: attempt, retryAfter: response.flatMap { Self.retryAfter($0, now: now) }, fraction: fraction)
    }

    /// The server's requested delay: `retry-after-ms` / `x-ms-retry-after-ms` (milliseconds), else
    /// `Retry-After` as seconds or as an HTTP date.
    public static func retryAfter(_ response: CloudHTTPResponse, now: Date = Date()) -> Duration? {
        for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
            if let text = response.header(name), let ms = Double(text.trimmingCharacters(in: .whitespaces)), ms >= 0 {
                return .milliseconds(Int64(ms))
            }
        }
        guard let text = response.header("retry-after")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(text), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: text) { return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000)) }
        return nil
    }
}
