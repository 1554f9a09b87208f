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

/// Retries of GCP calls: the shared cloud policy (429, 5xx and network errors; a 401 is answered
/// once with a fresh token instead; `Retry-After` honoured up to `maxRetryAfter`).
public typealias GCPRetryPolicy = CloudRetryPolicy
