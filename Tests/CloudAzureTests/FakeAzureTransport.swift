import Foundation
import KubeCore
import Logging
@testable import CloudAzure

/// A scripted `AzureHTTPTransport`: records every request and answers with `respond(request, index)`.
final class FakeAzureTransport: AzureHTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [AzureHTTPRequest] = []
    private let respond: @Sendable (AzureHTTPRequest, Int) throws -> AzureHTTPResponse

    init(_ respond: @escaping @Sendable (AzureHTTPRequest, Int) throws -> AzureHTTPResponse) {
        self.respond = respond
    }

    var requests: [AzureHTTPRequest] { lock.withLock { recorded } }

    func send(_ request: AzureHTTPRequest, timeout: Duration) async throws -> AzureHTTPResponse {
        let index = lock.withLock {
            recorded.append(request)
            return recorded.count - 1
        }
        return try respond(request, index)
    }
}

/// A clock the test moves.
final class AzureTestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
    var function: @Sendable () -> Date { { [self] in self.now } }
}

/// Sleeps recorded instead of slept.
final class RecordedSleeps: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []
    var delays: [Duration] { lock.withLock { recorded } }
    var function: @Sendable (Duration) async throws -> Void { { [self] d in self.lock.withLock { self.recorded.append(d) } } }
}

enum AzureFixtures {
    static let logger = Logger(label: "cloudazure-tests")

    static func json(_ status: Int, _ value: JSONValue, headers: [String: String] = [:]) -> AzureHTTPResponse {
        AzureHTTPResponse(status: status, headers: headers.merging(["content-type": "application/json"]) { a, _ in a }, body: value.data())
    }

    static func token(_ value: String, expiresIn: Int64 = 3599) -> AzureHTTPResponse {
        json(200, ["token_type": "Bearer", "expires_in": .int(expiresIn), "ext_expires_in": .int(expiresIn), "access_token": .string(value)])
    }

    static func form(_ request: AzureHTTPRequest) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            out[key] = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
        }
        return out
    }

    static func isTokenRequest(_ r: AzureHTTPRequest) -> Bool { r.url.path.hasSuffix("/oauth2/v2.0/token") }

    static func temporaryFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cloudazure-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let secretEnvironment = [
        "AZURE_TENANT_ID": "72f988bf-86f1-41af-91ab-2d7cd011db47", "AZURE_CLIENT_ID": "0b9f5f1a-5e0e-4c39-8c36-3f1f5c2b9a10",
        "AZURE_CLIENT_SECRET": "s3cr3t-Value~with.chars", "AZURE_AUTHORITY_HOST": "http://login.test/",
        "AZURE_RESOURCE_MANAGER_ENDPOINT": "http://arm.test",
    ]
}
