import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One HTTP request of the Azure layer.
public struct AzureHTTPRequest: Sendable {
    /// HTTP method.
    public var method: String
    /// Full URL.
    public var url: URL
    /// Headers, as sent.
    public var headers: [(name: String, value: String)]
    /// Body.
    public var body: Data

    /// A request.
    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The header `name` (any case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// One HTTP answer.
public struct AzureHTTPResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Headers by lower-cased name (repeated ones joined with commas).
    public var headers: [String: String]
    /// Body.
    public var body: Data

    /// An answer.
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { "\($0),\($1)" })
        self.body = body
    }

    /// The header `name` (any case).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// `x-ms-request-id` (ARM: `x-ms-correlation-request-id`), for messages.
    public var requestID: String? { header("x-ms-request-id") ?? header("x-ms-correlation-request-id") }
}

/// Sends requests: AsyncHTTPClient in the product, a scripted fake in unit tests. A failure to reach
/// the server throws (the client turns it into `AzureError.network`).
public protocol AzureHTTPTransport: Sendable {
    /// Sends `request` and returns the whole answer.
    func send(_ request: AzureHTTPRequest, timeout: Duration) async throws -> AzureHTTPResponse
}

/// `AzureHTTPTransport` over an AsyncHTTPClient `HTTPClient`.
public struct AzureAsyncHTTPClientTransport: AzureHTTPTransport {
    /// The client (usually `HTTPClient.shared`).
    public let client: HTTPClient
    /// The largest answer body read.
    public var maxBodyBytes: Int

    /// A transport.
    public init(client: HTTPClient = .shared, maxBodyBytes: Int = 64 << 20) {
        self.client = client
        self.maxBodyBytes = maxBodyBytes
    }

    public func send(_ request: AzureHTTPRequest, timeout: Duration) async throws -> AzureHTTPResponse {
        var http = HTTPClientRequest(url: request.url.absoluteString)
        http.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { http.headers.add(name: header.name, value: header.value) }
        if !request.body.isEmpty || request.method == "PUT" || request.method == "POST" {
            http.body = .bytes(ByteBuffer(data: request.body))
        }
        let (seconds, attoseconds) = timeout.components
        let response = try await client.execute(http, timeout: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
        var headers: [String: String] = [:]
        for (name, value) in response.headers {
            let key = name.lowercased()
            if let existing = headers[key] { headers[key] = existing + "," + value } else { headers[key] = value }
        }
        let body: Data
        if request.method == "HEAD" {
            body = Data()
        } else {
            body = Data(buffer: try await response.body.collect(upTo: maxBodyBytes))
        }
        return AzureHTTPResponse(status: Int(response.status.code), headers: headers, body: body)
    }
}
