import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One HTTP request of a cloud or service client (AWS, GCP, Azure, MLflow, Airflow, OpenLineage).
public struct CloudHTTPRequest: Sendable {
    /// HTTP method.
    public var method: String
    /// Full URL, query included.
    public var url: URL
    /// Headers, as sent (an `Authorization` header included: never log them).
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
public struct CloudHTTPResponse: Sendable {
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
}

/// Sends requests: AsyncHTTPClient in the product, a scripted fake in unit tests. A failure to reach
/// the server throws; each client turns it into its own "unavailable" error.
public protocol CloudHTTPTransport: Sendable {
    /// Sends `request` and returns the whole answer.
    func send(_ request: CloudHTTPRequest, timeout: Duration) async throws -> CloudHTTPResponse
}

/// `CloudHTTPTransport` over an AsyncHTTPClient `HTTPClient`.
public struct CloudHTTPClientTransport: CloudHTTPTransport {
    /// The client (usually `HTTPClient.cloud`).
    public let client: HTTPClient
    /// The largest answer body read.
    public var maxBodyBytes: Int

    /// A transport.
    public init(client: HTTPClient = .cloud, maxBodyBytes: Int = 64 << 20) {
        self.client = client
        self.maxBodyBytes = maxBodyBytes
    }

    public func send(_ request: CloudHTTPRequest, timeout: Duration) async throws -> CloudHTTPResponse {
        var http = HTTPClientRequest(url: request.url.absoluteString)
        http.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { http.headers.add(name: header.name, value: header.value) }
        if !request.body.isEmpty || ["PUT", "POST", "PATCH"].contains(request.method) {
            http.body = .bytes(ByteBuffer(data: request.body))
        }
        let response = try await client.execute(http, timeout: .nanoseconds(timeout.nanoseconds))
        var headers: [String: String] = [:]
        for (name, value) in response.headers {
            let key = name.lowercased()
            if let existing = headers[key] { headers[key] = existing + "," + value } else { headers[key] = value }
        }
        let body = request.method == "HEAD" ? Data() : Data(buffer: try await response.body.collect(upTo: maxBodyBytes))
        return CloudHTTPResponse(status: Int(response.status.code), headers: headers, body: body)
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
