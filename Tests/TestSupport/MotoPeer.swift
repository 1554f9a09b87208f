import Foundation

/// moto's AWS emulator as a test peer: `Tests/harness/moto/server.py` (moto's `ThreadedMotoServer`
/// plus the `*_ext.py` extensions of that folder) with the venv of `hack/tools.d/moto.sh`, on a free
/// loopback port, stopped by process group.
///
/// ```swift
/// let moto = try await MotoPeer.start()
/// defer { moto.stop() }
/// let client = AWSClient(environment: moto.environment, logger: logger)
/// try await moto.enableAuth()        // from now on moto checks SigV4 signatures and IAM policies
/// ```
public final class MotoPeer: Sendable {
    /// The region the tests use.
    public static let region = "us-east-1"
    /// The account moto answers for.
    public static let accountID = "123456789012"
    /// Keys that sign requests while auth is off (moto accepts any key then).
    public static let fakeAccessKeyID = "AKIAMOTOTESTKEY00000"
    /// Secret of `fakeAccessKeyID`.
    public static let fakeSecretAccessKey = "moto-test-secret-not-a-real-one"

    /// The server process.
    public let peer: PeerProcess

    private init(peer: PeerProcess) { self.peer = peer }

    /// `http://127.0.0.1:PORT`.
    public var url: String { peer.url }

    /// The environment of an AWS client pointed at this moto: `AWS_ENDPOINT_URL`, fake keys, the region,
    /// and no shared files (a developer's ~/.aws must not leak in).
    public var environment: [String: String] {
        [
            "AWS_ENDPOINT_URL": url,
            "AWS_ACCESS_KEY_ID": MotoPeer.fakeAccessKeyID,
            "AWS_SECRET_ACCESS_KEY": MotoPeer.fakeSecretAccessKey,
            "AWS_REGION": MotoPeer.region,
            "AWS_DEFAULT_REGION": MotoPeer.region,
            "AWS_CONFIG_FILE": "/nonexistent/aws-config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
        ]
    }

    /// The moto venv's Python (`.sextant/moto-venv/bin/python`).
    public static var python: String {
        ProcessRunner.packageRoot.appendingPathComponent(".sextant/moto-venv/bin/python").path
    }

    /// Whether moto is installed (`hack/install-tools.sh moto`).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: python) }

    /// Starts moto on a free port. Throws `TestSupportError.startFailed` when moto is not installed
    /// (run `hack/install-tools.sh moto`) or the server does not come up.
    public static func start(environment: [String: String] = [:], timeout: Double = 90) async throws -> MotoPeer {
        guard isInstalled else {
            throw TestSupportError.startFailed("moto is not installed: run hack/install-tools.sh moto (\(python) missing)")
        }
        let script = ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/moto/server.py").path
        let env = ["PYTHONUNBUFFERED": "1"].merging(environment) { _, new in new }
        let peer = try await PeerProcess.start(name: "moto", executable: python, arguments: [script, "--port", "{port}"],
                                               environment: env, readyPath: "/moto-api/", timeout: timeout)
        return MotoPeer(peer: peer)
    }

    /// Turns moto's IAM authentication on (`POST /moto-api/reset-auth`, body = how many more requests
    /// pass without it): from then on every request must carry a valid SigV4 signature of a key moto
    /// knows (an IAM user's access key or STS credentials) and be allowed by that identity's policies.
    public func enableAuth(unauthenticatedRequests: Int = 0) async throws {
        try await post("/moto-api/reset-auth", body: String(unauthenticatedRequests))
    }

    /// Turns moto's IAM authentication off again (its default).
    public func disableAuth() async throws {
        try await post("/moto-api/reset-auth", body: "inf")
    }

    /// Forgets every resource (`POST /moto-api/reset`).
    public func reset() async throws {
        try await post("/moto-api/reset", body: "")
    }

    /// `POST path` with `body` (JSON content type, so moto reads it raw); returns the answer's body.
    /// Throws when the status is not 2xx.
    @discardableResult
    public func post(_ path: String, body: String) async throws -> String {
        let result = try await ProcessRunner.run("/usr/bin/curl", [
            "-sS", "--max-time", "20", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@-",
            "-w", "\n%{http_code}", url + path,
        ], stdin: body, timeout: 30)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = lines.last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        guard result.succeeded, (200..<300).contains(status) else {
            throw TestSupportError.startFailed("moto POST \(path) answered \(status): \(result.stdout) \(result.stderr)")
        }
        return lines.dropLast().joined(separator: "\n")
    }

    /// The server's log.
    public func log() -> String { peer.log() }

    /// Stops the server (its process group).
    public func stop() { peer.stop() }
}
