import Foundation

/// Retries of throttling (429), 5xx and network errors: the server's `Retry-After` (or
/// `retry-after-ms` / `x-ms-retry-after-ms`) when it sends one, capped at `maxRetryAfter`; else
/// exponential backoff with full jitter (a random delay in `0...min(maxDelay, baseDelay × 2^attempt)`).
/// At most `maxAttempts` tries; any other error is never retried.
public struct AzureRetryPolicy: Sendable, Hashable {
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
    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10),
                maxRetryAfter: Duration = .seconds(60), requestTimeout: Duration = .seconds(30)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.requestTimeout = requestTimeout
    }

    /// 5 tries, 200 ms base, 10 s cap, `Retry-After` honoured up to 60 s, 30 s per exchange.
    public static let standard = AzureRetryPolicy()

    /// The delay before the next try after failed try number `attempt` (from 0) answered by `response`.
    public func delay(attempt: Int, response: AzureHTTPResponse?, now: Date = Date(),
                      fraction: Double = Double.random(in: 0...1)) -> Duration {
        if let response, let asked = AzureRetryPolicy.retryAfter(response, now: now) {
            return asked < maxRetryAfter ? asked : maxRetryAfter
        }
        let base = baseDelay * Double(1 << min(attempt, 30))
        return (base < maxDelay ? base : maxDelay) * min(1, max(0, fraction))
    }

    /// The server's requested delay: `retry-after-ms` / `x-ms-retry-after-ms` (milliseconds), else
    /// `Retry-After` as seconds or as an HTTP date.
    public static func retryAfter(_ response: AzureHTTPResponse, now: Date = Date()) -> Duration? {
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
