import CloudHTTP

/// Retries of AWS calls: the shared cloud policy (throttling, 5xx and network errors; exponential
/// backoff with full jitter, 5 tries, 100 ms base, 10 s cap, 30 s per exchange).
public typealias AWSRetryPolicy = CloudRetryPolicy
