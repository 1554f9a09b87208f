import Foundation
import KubeCore
import Logging
import TestSupport
@testable import CloudGCP

/// A scripted `GCPHTTPTransport`: records every request and answers with `respond`.
final class FakeGCPTransport: GCPHTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [GCPHTTPRequest] = []
    private let respond: @Sendable (GCPHTTPRequest, Int) throws -> GCPHTTPResponse

    /// `respond(request, index)` answers the `index`-th request (from 0).
    init(_ respond: @escaping @Sendable (GCPHTTPRequest, Int) throws -> GCPHTTPResponse) {
        self.respond = respond
    }

    var requests: [GCPHTTPRequest] { lock.withLock { recorded } }

    func send(_ request: GCPHTTPRequest, timeout: Duration) async throws -> GCPHTTPResponse {
        let index = lock.withLock {
            recorded.append(request)
            return recorded.count - 1
        }
        return try respond(request, index)
    }
}

/// A clock the test moves.
final class GCPTestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
    var function: @Sendable () -> Date { { [self] in self.now } }
}

enum GCPFixtures {
    static let logger = Logger(label: "cloudgcp-tests")
    static let fastRetry = GCPRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5), requestTimeout: .seconds(5))

    static func json(_ value: JSONValue, status: Int = 200) -> GCPHTTPResponse {
        GCPHTTPResponse(status: status, headers: ["content-type": "application/json"], body: value.data())
    }

    static func form(_ request: GCPHTTPRequest) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            out[String(parts[0]).removingPercentEncoding ?? ""] = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? "") : ""
        }
        return out
    }

    static func header(_ request: GCPHTTPRequest, _ name: String) -> String? {
        request.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    static func temporaryFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cloudgcp-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A fresh 2048-bit RSA key pair made by openssl: (PKCS#8 private PEM, public PEM).
    static func rsaKeyPair() async throws -> (privatePEM: String, publicPEM: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gcpkey-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("key.pem").path, pub = dir.appendingPathComponent("pub.pem").path
        let gen = try await ProcessRunner.run("/usr/bin/openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key])
        guard gen.succeeded else { throw TestSupportError.startFailed("openssl genpkey: \(gen.stderr)") }
        let out = try await ProcessRunner.run("/usr/bin/openssl", ["pkey", "-in", key, "-pubout", "-out", pub])
        guard out.succeeded else { throw TestSupportError.startFailed("openssl pkey: \(out.stderr)") }
        return (try String(contentsOfFile: key, encoding: .utf8), try String(contentsOfFile: pub, encoding: .utf8))
    }

    /// A service-account key file JSON.
    static func serviceAccountKey(privatePEM: String, tokenURI: String, email: String = "trainer@acme-ml.iam.gserviceaccount.com") -> JSONValue {
        [
            "type": "service_account", "project_id": "acme-ml", "private_key_id": "kid-0123456789abcdef",
            "private_key": .string(privatePEM), "client_email": .string(email), "client_id": "1234567890",
            "token_uri": .string(tokenURI),
        ]
    }

    /// Base64url → Data.
    static func unbase64URL(_ text: Substring) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }

    /// Verifies an RS256 JWT with `publicPEM` through openssl (an implementation independent of the signer).
    static func verifyRS256(_ jwt: String, publicPEM: String) async throws -> Bool {
        let parts = jwt.split(separator: ".")
        guard parts.count == 3, let signature = unbase64URL(parts[2]) else { return false }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let pub = dir.appendingPathComponent("pub.pem"), sig = dir.appendingPathComponent("sig"), input = dir.appendingPathComponent("in")
        try publicPEM.write(to: pub, atomically: true, encoding: .utf8)
        try signature.write(to: sig)
        try Data("\(parts[0]).\(parts[1])".utf8).write(to: input)
        let r = try await ProcessRunner.run("/usr/bin/openssl", ["dgst", "-sha256", "-verify", pub.path, "-signature", sig.path, input.path])
        return r.succeeded && r.stdout.contains("Verified OK")
    }
}
