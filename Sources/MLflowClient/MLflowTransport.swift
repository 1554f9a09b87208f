import Foundation

@_exported import CloudHTTP

/// One HTTP request to an MLflow server (the shared `CloudHTTPRequest`; its `Authorization` header
/// is never logged).
public typealias MLflowHTTPRequest = CloudHTTPRequest
/// One HTTP answer of an MLflow server.
public typealias MLflowHTTPResponse = CloudHTTPResponse
/// Sends MLflow requests: AsyncHTTPClient in the product, a fake in unit tests. A failure to reach
/// the server throws (the client turns it into `MLflowError.unavailable`).
public typealias MLflowHTTPTransport = CloudHTTPTransport
/// `MLflowHTTPTransport` over an AsyncHTTPClient `HTTPClient`.
public typealias MLflowAsyncHTTPTransport = CloudHTTPClientTransport
