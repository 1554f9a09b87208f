import CloudHTTP

/// Retries of Azure calls: the shared cloud policy, which honours Azure's `retry-after-ms` /
/// `x-ms-retry-after-ms` and `Retry-After` (seconds or HTTP date) up to `maxRetryAfter`.
public typealias AzureRetryPolicy = CloudRetryPolicy

extension CloudRetryPolicy {
    /// Azure's default: 5 tries, 200 ms base, 10 s cap, a requested delay honoured up to 60 s, 30 s per exchange.
    public static let azure = CloudRetryPolicy(baseDelay: .milliseconds(200))
}
