@_exported import CloudHTTP

/// One HTTP request of the Azure layer (the shared `CloudHTTPRequest`).
public typealias AzureHTTPRequest = CloudHTTPRequest
/// One HTTP answer of the Azure layer.
public typealias AzureHTTPResponse = CloudHTTPResponse
/// Sends Azure requests: AsyncHTTPClient in the product, a scripted fake in unit tests. A failure to
/// reach the server throws (the client turns it into `AzureError.network`).
public typealias AzureHTTPTransport = CloudHTTPTransport
/// `AzureHTTPTransport` over an AsyncHTTPClient `HTTPClient`.
public typealias AzureAsyncHTTPClientTransport = CloudHTTPClientTransport

extension CloudHTTPResponse {
    /// `x-ms-request-id` (ARM: `x-ms-correlation-request-id`), for messages.
    public var requestID: String? { header("x-ms-request-id") ?? header("x-ms-correlation-request-id") }
}
