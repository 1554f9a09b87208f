import Foundation
import Logging
@testable import CloudAWS

/// A scripted `AWSHTTPTransport`: records every request and answers with `respond`.
final class FakeTransport: AWSHTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [AWSHTTPRequest] = []
    private let respond: @Sendable (AWSHTTPRequest, Int) throws -> AWSHTTPResponse

    /// `respond(request, index)` answers the `index`-th request (from 0).
    init(_ respond: @escaping @Sendable (AWSHTTPRequest, Int) throws -> AWSHTTPResponse) {
        self.respond = respond
    }

    var requests: [AWSHTTPRequest] { lock.withLock { recorded } }
    var count: Int { lock.withLock { recorded.count } }

    func send(_ request: AWSHTTPRequest, timeout: Duration) async throws -> AWSHTTPResponse {
        let index = lock.withLock {
            recorded.append(request)
            return recorded.count - 1
        }
        return try respond(request, index)
    }
}

/// A clock the test moves.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) { current = start }

    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
    var function: @Sendable () -> Date { { [self] in self.now } }
}

enum Fixtures {
    static let logger = Logger(label: "cloudaws-tests")

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    static func stsAnswer(operation: String, id: String, secret: String, token: String, expiration: Date) -> String {
        """
        <\(operation)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <\(operation)Result>
            <Credentials>
              <AccessKeyId>\(id)</AccessKeyId>
              <SecretAccessKey>\(secret)</SecretAccessKey>
              <SessionToken>\(token)</SessionToken>
              <Expiration>\(iso(expiration))</Expiration>
            </Credentials>
          </\(operation)Result>
          <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
        </\(operation)Response>
        """
    }

    /// The form fields of a query-protocol request body.
    static func form(_ request: AWSHTTPRequest) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            out[key] = value
        }
        return out
    }

    static func header(_ request: AWSHTTPRequest, _ name: String) -> String? {
        request.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    static func temporaryFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cloudaws-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
