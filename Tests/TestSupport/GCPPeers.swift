import Foundation
import KubeCore

/// The scripted fake of the Google APIs (`Tests/harness/gcp/fake_gcp.py`: OAuth token endpoint that
/// verifies RS256 JWTs, STS exchange, impersonation, metadata server, Vertex AI CustomJobs with
/// scripted states, GCS objects) on a free loopback port, run with the venv of `hack/tools.d/drongo.sh`
/// (`.sextant/gcp-venv`, which has `cryptography`).
///
/// ```swift
/// let gcp = try await FakeGCPPeer.start()
/// defer { gcp.stop() }
/// let env = try await gcp.serviceAccountEnvironment()   // GOOGLE_APPLICATION_CREDENTIALS + overrides
/// try await gcp.control("/fake/hold", ["prefix": "run-train-"])
/// ```
public final class FakeGCPPeer: Sendable {
    /// The server process.
    public let peer: PeerProcess

    private init(peer: PeerProcess) { self.peer = peer }

    /// `http://127.0.0.1:PORT`.
    public var url: String { peer.url }

    /// The venv Python (`.sextant/gcp-venv/bin/python`).
    public static var python: String { ProcessRunner.packageRoot.appendingPathComponent(".sextant/gcp-venv/bin/python").path }

    /// Whether the venv is installed (`hack/install-tools.sh drongo`).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: python) }

    /// Starts the fake on a free port. Throws `TestSupportError.startFailed` when the venv is missing.
    public static func start(timeout: Double = 60) async throws -> FakeGCPPeer {
        guard isInstalled else {
            throw TestSupportError.startFailed("the GCP test venv is not installed: run hack/install-tools.sh drongo (\(python) missing)")
        }
        let script = ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/gcp/fake_gcp.py").path
        let peer = try await PeerProcess.start(name: "fake-gcp", executable: python, arguments: [script, "--port", "{port}"],
                                               environment: ["PYTHONUNBUFFERED": "1"], readyPath: "/fake/health", timeout: timeout)
        return FakeGCPPeer(peer: peer)
    }

    /// Endpoint overrides pointing every Google API at the fake (Vertex, metadata server); no key file.
    public var endpointEnvironment: [String: String] {
        [
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM": url + "/",
            "GCE_METADATA_HOST": "127.0.0.1:\(peer.port)",
        ]
    }

    /// A fresh service-account key (RSA 2048 by openssl) whose public half the fake now knows, written
    /// to a file with `token_uri` = the fake's `/token`; the environment of a client using it.
    public func serviceAccountEnvironment(email: String = "sextant@acme-ml.iam.gserviceaccount.com") async throws -> [String: String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gcp-sa-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let keyPath = dir.appendingPathComponent("key.pem").path, pubPath = dir.appendingPathComponent("pub.pem").path
        let gen = try await ProcessRunner.run("/usr/bin/openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyPath])
        guard gen.succeeded else { throw TestSupportError.startFailed("openssl genpkey: \(gen.stderr)") }
        let pub = try await ProcessRunner.run("/usr/bin/openssl", ["pkey", "-in", keyPath, "-pubout", "-out", pubPath])
        guard pub.succeeded else { throw TestSupportError.startFailed("openssl pkey: \(pub.stderr)") }
        let kid = "kid-\(UUID().uuidString.prefix(8).lowercased())"
        try await control("/fake/keys", ["email": .string(email), "kid": .string(kid),
                                         "publicKeyPEM": .string(try String(contentsOfFile: pubPath, encoding: .utf8))])
        let key: JSONValue = [
            "type": "service_account", "project_id": "acme-ml", "private_key_id": .string(kid),
            "private_key": .string(try String(contentsOfFile: keyPath, encoding: .utf8)), "client_email": .string(email),
            "token_uri": .string(url + "/token"),
        ]
        let file = dir.appendingPathComponent("sa.json")
        try key.data(pretty: true).write(to: file)
        return endpointEnvironment.merging(["GOOGLE_APPLICATION_CREDENTIALS": file.path]) { _, new in new }
    }

    /// `POST path` of the fake with a JSON body; the JSON answer. Throws when the status is not 2xx.
    @discardableResult
    public func control(_ path: String, _ body: JSONValue = [:]) async throws -> JSONValue {
        let result = try await ProcessRunner.run("/usr/bin/curl", [
            "-sS", "--max-time", "20", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@-",
            "-w", "\n%{http_code}", url + path,
        ], stdin: body.jsonString, timeout: 30)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = lines.last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        guard result.succeeded, (200..<300).contains(status) else {
            throw TestSupportError.startFailed("fake GCP POST \(path) answered \(status): \(result.stdout) \(result.stderr)")
        }
        return (try? JSONValue.parse(lines.dropLast().joined(separator: "\n"))) ?? .null
    }

    /// `GET path` of the fake; the JSON answer.
    public func get(_ path: String) async throws -> JSONValue {
        let result = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "--max-time", "20", url + path], timeout: 30)
        guard result.succeeded else { throw TestSupportError.startFailed("fake GCP GET \(path): \(result.stderr)") }
        return try JSONValue.parse(result.stdout)
    }

    /// Every request the fake saw (method, path, query, authorization, body), oldest first.
    public func requests() async throws -> [JSONValue] { try await get("/fake/requests")["requests"]?.arrayValue ?? [] }

    /// The CustomJobs the fake holds, oldest first.
    public func jobs() async throws -> [JSONValue] { try await get("/fake/jobs")["jobs"]?.arrayValue ?? [] }

    /// The server's log.
    public func log() -> String { peer.log() }

    /// Stops the server (its process group).
    public func stop() { peer.stop() }
}

/// fake-gcs-server (`hack/tools.d/fake-gcs.sh`: `.sextant/bin/fake-gcs-server`), in memory, plain HTTP,
/// on a free loopback port; `STORAGE_EMULATOR_HOST` = `url`.
public final class FakeGCSPeer: Sendable {
    /// The server process.
    public let peer: PeerProcess

    private init(peer: PeerProcess) { self.peer = peer }

    /// `http://127.0.0.1:PORT`.
    public var url: String { peer.url }

    /// The binary.
    public static var binary: String { ProcessRunner.packageRoot.appendingPathComponent(".sextant/bin/fake-gcs-server").path }

    /// Whether it is installed (`hack/install-tools.sh fake-gcs`).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    /// Starts fake-gcs-server on a free port. Throws `TestSupportError.startFailed` when it is not installed.
    public static func start(timeout: Double = 60) async throws -> FakeGCSPeer {
        guard isInstalled else {
            throw TestSupportError.startFailed("fake-gcs-server is not installed: run hack/install-tools.sh fake-gcs (\(binary) missing)")
        }
        let peer = try await PeerProcess.start(name: "fake-gcs", executable: binary,
                                               arguments: ["-scheme", "http", "-host", "127.0.0.1", "-port", "{port}", "-backend", "memory", "-log-level", "warn"],
                                               readyPath: "/storage/v1/b", timeout: timeout)
        return FakeGCSPeer(peer: peer)
    }

    /// Creates `bucket` (an existing one is fine).
    public func createBucket(_ bucket: String) async throws {
        _ = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "--max-time", "20", "-X", "POST", "-H", "Content-Type: application/json",
                                                          "--data-binary", #"{"name":"\#(bucket)"}"#, url + "/storage/v1/b"], timeout: 30)
    }

    /// Uploads `body` as `gs://bucket/object` (media upload), creating the bucket first.
    public func put(_ uri: String, body: String) async throws {
        let rest = uri.dropFirst("gs://".count)
        guard let slash = rest.firstIndex(of: "/") else { throw TestSupportError.startFailed("not a gs://bucket/object URI: \(uri)") }
        let bucket = String(rest[..<slash]), object = String(rest[rest.index(after: slash)...])
        try await createBucket(bucket)
        let name = object.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? object
        let r = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "--max-time", "20", "-X", "POST", "-H", "Content-Type: application/json",
                                                              "--data-binary", "@-", "-w", "\n%{http_code}",
                                                              url + "/upload/storage/v1/b/\(bucket)/o?uploadType=media&name=\(name)"], stdin: body, timeout: 30)
        guard r.succeeded, r.stdout.hasSuffix("200") else { throw TestSupportError.startFailed("fake-gcs upload of \(uri): \(r.stdout) \(r.stderr)") }
    }

    /// The server's log.
    public func log() -> String { peer.log() }

    /// Stops the server.
    public func stop() { peer.stop() }
}

/// drongo's mock server (`hack/tools.d/drongo.sh`: `.sextant/gcp-venv/bin/drongo server`) on a free
/// loopback port. It stores Vertex AI CustomJobs (create, get, list, cancel) as sent, without states
/// or validation and without list filters; the Vertex tests use it to catch drift between the
/// scripted fake and another implementation of the REST API.
public final class DrongoPeer: Sendable {
    /// The server process.
    public let peer: PeerProcess

    private init(peer: PeerProcess) { self.peer = peer }

    /// `http://127.0.0.1:PORT`.
    public var url: String { peer.url }

    /// The drongo executable.
    public static var executable: String { ProcessRunner.packageRoot.appendingPathComponent(".sextant/gcp-venv/bin/drongo").path }

    /// Starts drongo on a free port. Throws `TestSupportError.startFailed` when it is not installed.
    public static func start(timeout: Double = 60) async throws -> DrongoPeer {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestSupportError.startFailed("drongo is not installed: run hack/install-tools.sh drongo (\(executable) missing)")
        }
        let peer = try await PeerProcess.start(name: "drongo", executable: executable, arguments: ["server", "--host", "127.0.0.1", "--port", "{port}"],
                                               environment: ["PYTHONUNBUFFERED": "1"], readyPath: "/drongo/health", timeout: timeout)
        return DrongoPeer(peer: peer)
    }

    /// `GET path`; the JSON answer.
    public func get(_ path: String) async throws -> JSONValue {
        let result = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "--max-time", "20", url + path], timeout: 30)
        guard result.succeeded else { throw TestSupportError.startFailed("drongo GET \(path): \(result.stderr)") }
        return try JSONValue.parse(result.stdout)
    }

    /// Stops the server.
    public func stop() { peer.stop() }
}
