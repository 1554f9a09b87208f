import AsyncHTTPClient
import CloudHTTP
import Foundation
import NIOCore
import NIOHTTP1

/// `https://` (and `http://`) datasets: the `ETag` of a HEAD answer, else its `Last-Modified`.
/// Plain HTTP cannot list, so `format: delta` is not available over it.
struct DataVersionHTTPStore: DataVersionStore {
    let client: HTTPClient
    /// Per-request timeout.
    let timeout: TimeAmount

    var schemes: [String] { ["https", "http"] }

    init(client: HTTPClient = .cloud, timeout: TimeAmount = .seconds(30)) {
        self.client = client
        self.timeout = timeout
    }

    func objectVersion(_ uri: String) async throws -> String {
        let response = try await send(uri, method: .HEAD)
        guard response.status.code < 300 else {
            throw ControllerError.dataVersion(uri: Self.redacted(uri), reason: "HEAD answered HTTP \(response.status.code)")
        }
        if let etag = response.headers.first(name: "etag"), !etag.isEmpty {
            return etag.hasPrefix("W/") ? etag : etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        if let modified = response.headers.first(name: "last-modified"), !modified.isEmpty { return modified }
        throw ControllerError.dataVersion(uri: Self.redacted(uri), reason: "the answer has neither ETag nor Last-Modified")
    }

    func read(_ uri: String) async throws -> Data? {
        let response = try await send(uri, method: .GET)
        if response.status.code == 404 { return nil }
        guard response.status.code < 300 else {
            throw ControllerError.dataVersion(uri: Self.redacted(uri), reason: "GET answered HTTP \(response.status.code)")
        }
        let body = try await response.body.collect(upTo: 16 << 20)
        return Data(body.readableBytesView)
    }

    func list(_ prefixURI: String, startAfter: String?) async throws -> [String] {
        throw ControllerError.dataVersion(uri: Self.redacted(prefixURI), reason: "HTTP cannot list a folder: format delta needs s3://, gs://, abfss://, az:// or file://")
    }

    private func send(_ uri: String, method: HTTPMethod) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: uri)
        request.method = method
        do {
            return try await client.execute(request, timeout: timeout)
        } catch {
            throw ControllerError.dataVersion(uri: Self.redacted(uri), reason: "request failed: \(type(of: error))")
        }
    }

    /// The URI without its query and user info (a presigned or tokened URL keeps its secret there).
    static func redacted(_ uri: String) -> String {
        guard var parts = URLComponents(string: uri) else { return String(uri.prefix(200)) }
        parts.query = nil
        parts.user = nil
        parts.password = nil
        return parts.string ?? String(uri.prefix(200))
    }
}
