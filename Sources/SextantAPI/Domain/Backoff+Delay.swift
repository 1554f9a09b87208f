import Foundation

extension RetryPolicy {
    /// Default delay before the first retry.
    public static let defaultInitialSeconds: Int64 = 10
    /// Default multiplier.
    public static let defaultFactor: Double = 2
    /// Default upper bound.
    public static let defaultMaxSeconds: Int64 = 600

    /// Retries allowed after the first attempt.
    public var retryLimit: Int { max(0, limit ?? 0) }

    /// Seconds to wait before retry `n` (0 = the first retry, i.e. before attempt 1):
    /// `min(initialSeconds * factor^n, maxSeconds)`.
    public func delaySeconds(beforeRetry n: Int) -> Int64 {
        let initial = Double(backoff?.initialSeconds ?? Self.defaultInitialSeconds)
        let factor = backoff?.factor ?? Self.defaultFactor
        let maxSeconds = Double(backoff?.maxSeconds ?? Self.defaultMaxSeconds)
        let raw = initial * pow(factor, Double(max(0, n)))
        guard raw.isFinite else { return Int64(maxSeconds) }
        return Int64(min(raw, maxSeconds).rounded(.up))
    }
}
