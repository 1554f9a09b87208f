import Foundation

/// A token bucket (golang.org/x/time/rate semantics): `rate` tokens per second, at most `burst`
/// stored. `reserve(now:)` takes one token and returns how long the caller must wait before using
/// it (0 when a token was available). Pure value; the caller supplies the clock.
public struct TokenBucket: Sendable, Hashable {
    public let rate: Double
    public let burst: Int
    private var tokens: Double
    private var last: Double?

    public init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = max(1, burst)
        self.tokens = Double(max(1, burst))
    }

    /// Reserves one token at time `now` (seconds on any monotonic clock); returns the delay in seconds.
    public mutating func reserve(now: Double) -> Double {
        if rate <= 0 { return 0 }
        if let last {
            tokens = min(Double(burst), tokens + max(0, now - last) * rate)
        }
        last = now
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / rate
    }

    /// The bucket with one token given back (a reservation the caller did not use).
    public func refunding() -> TokenBucket {
        var copy = self
        copy.tokens = min(Double(burst), tokens + 1)
        return copy
    }

    /// True when the bucket would hold `burst` tokens at `now` (indistinguishable from a new one).
    public func isFull(now: Double) -> Bool {
        guard let last, rate > 0 else { return true }
        return tokens + max(0, now - last) * rate >= Double(burst)
    }
}

/// Seconds on the process-wide monotonic clock, for token buckets and backoff bookkeeping.
public enum MonotonicClock {
    private static let origin = ContinuousClock.now
    /// Seconds since the first use.
    public static func now() -> Double {
        let d = ContinuousClock.now - origin
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// An actor wrapper of `TokenBucket` that suspends callers until their token is due.
public actor RateLimiter {
    private var bucket: TokenBucket

    public init(qps: Double, burst: Int) {
        bucket = TokenBucket(rate: qps, burst: burst)
    }

    /// Waits for a token.
    public func wait() async throws {
        let delay = bucket.reserve(now: MonotonicClock.now())
        if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
    }
}
