@_exported import CloudHTTP

/// One HTTP request of the AWS layer (the shared `CloudHTTPRequest`).
public typealias AWSHTTPRequest = CloudHTTPRequest
/// One HTTP answer of the AWS layer.
public typealias AWSHTTPResponse = CloudHTTPResponse
/// Sends AWS requests: AsyncHTTPClient in the product, a fake in unit tests. A failure to reach the
/// server throws (the client turns it into an `unavailable` `AWSError`).
public typealias AWSHTTPTransport = CloudHTTPTransport
/// `AWSHTTPTransport` over an AsyncHTTPClient `HTTPClient`.
public typealias AsyncHTTPClientTransport = CloudHTTPClientTransport
