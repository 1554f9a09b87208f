import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One HTTP request to an MLflow server.
public struct MLflowHTTPRequest: Sendable {
    /// `GET`, `POST`, `PATCH` or `DELETE`.
    public var method: String
    /// The full URL, query included.
    public var url: URL
    /// Headers, as sent (the `Authorization` header included: never log them).
    public var headers: [(name: String, value: String)]
    /// The JSON body (empty for GET).
    public var body: Data

    /// A request.
    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// One HTTP answer of an MLflow server.
public struct MLflowHTTPResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Body.
    public var body: Data

    /// An answer.
    public init(status: Int, body: Data = Data()) {
        self.status = status
        self.body = body
    }
}

/// Sends MLflow requests: AsyncHTTPClient in the product, a fake in unit tests. A failure to reach
/// the server throws (the client turns it into `MLflowError.unavailable`).
public protocol MLflowHTTPTransport: Sendable {
    /// Sends `request` and returns the whole answer.
    func send(_ request: MLflowHTTPRequest, timeout: Duration) async throws -> MLflowHTTPResponse
}

/// `MLflowHTTPTransport` over an AsyncHTTPClient `HTTPClient`.
public struct MLflowAsyncHTTPTransport: MLflowHTTPTransport {
    /// The client (usually `HTTPClient.shared`).
    public let client: HTTPClient
    /// The largest answer body read.
    public var maxBodyBytes: Int

    /// A transport.
    public init(client: HTTPClient = .shared, maxBodyBytes: Int = 32 << 20) {
        self.client = client
        self.maxBodyBytes = maxBodyBytes
    }

    public func send(_ request: MLflowHTTPRequest, timeout: Duration) async throws -> MLflowHTTPResponse {
        var http = HTTPClientRequest(url: request.url.absoluteString)
        http.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { http.headers.add(name: header.name, value: header.value) }
        if request.method != "GET" {
            http.body = .bytes(ByteBuffer(data: request.body))
        }
        let response = try await client.execute(http, timeout: .nanoseconds(timeout.nanoseconds))
        let buffer = try await response.body.collect(upTo: maxBodyBytes)
        return MLflowHTTPResponse(status: Int(response.status.code), body: Data(buffer: buffer))
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
