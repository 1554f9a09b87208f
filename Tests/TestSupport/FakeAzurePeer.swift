import Foundation
import KubeCore

/// The scripted fake of the Azure REST APIs (`Tests/harness/azure/fake_azure.py`: Entra ID token
/// endpoint, Azure ML jobs/environments/computes, the async cancel, Blob GET) on a free loopback
/// port, stopped by process group. No Azure ML emulator exists; the fake follows the documented REST
/// shapes and is driven through its `/_fake/` control routes.
///
/// ```swift
/// let azure = try await FakeAzurePeer.start()
/// defer { azure.stop() }
/// let client = AzureClient(environment: azure.environment, logger: logger)   // workload identity against the fake
/// try await azure.finish(prefix: "run-train-", status: "Completed")
/// ```
public final class FakeAzurePeer: Sendable {
    /// The tenant the fake's token endpoint answers for.
    public static let tenantID = "72f988bf-0000-4000-8000-000000000001"
    /// The client id the fake expects.
    public static let clientID = "0b9f5f1a-0000-4000-8000-000000000002"
    /// The server process.
    public let peer: PeerProcess
    /// The federated token file (its content is what the fake expects as `client_assertion`).
    public let federatedTokenFile: String
    /// The federated token (a made-up JWT-shaped string).
    public let federatedToken: String

    private init(peer: PeerProcess, federatedTokenFile: String, federatedToken: String) {
        self.peer = peer
        self.federatedTokenFile = federatedTokenFile
        self.federatedToken = federatedToken
    }

    /// `http://127.0.0.1:PORT`.
    public var url: String { peer.url }

    /// The environment of Sextant pointed at the fake with workload identity: `AZURE_TENANT_ID`,
    /// `AZURE_CLIENT_ID`, `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_AUTHORITY_HOST`,
    /// `AZURE_RESOURCE_MANAGER_ENDPOINT` and `AZURE_STORAGE_BLOB_ENDPOINT`.
    public var environment: [String: String] {
        [
            "AZURE_TENANT_ID": FakeAzurePeer.tenantID, "AZURE_CLIENT_ID": FakeAzurePeer.clientID,
            "AZURE_FEDERATED_TOKEN_FILE": federatedTokenFile, "AZURE_AUTHORITY_HOST": url,
            "AZURE_RESOURCE_MANAGER_ENDPOINT": url, "AZURE_STORAGE_BLOB_ENDPOINT": url,
        ]
    }

    /// Starts the fake; `clientSecret` is the secret it also accepts, `tokenSeconds` the lifetime of its tokens.
    public static func start(clientSecret: String = "fake-client-secret-0123456789", tokenSeconds: Int = 3600) async throws -> FakeAzurePeer {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fake-azure-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImZha2UifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2V4dGFudC1zeXN0ZW06c2V4dGFudCJ9.\(UUID().uuidString)"
        let file = dir.appendingPathComponent("azure-identity-token").path
        try token.write(toFile: file, atomically: true, encoding: .utf8)
        let script = ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/azure/fake_azure.py").path
        let peer = try await PeerProcess.start(
            name: "fake-azure", executable: "/usr/bin/python3", arguments: [script, "--port", "{port}"],
            environment: ["PYTHONUNBUFFERED": "1", "FAKE_AZURE_CLIENT_ID": clientID, "FAKE_AZURE_FEDERATED_TOKEN_FILE": file,
                          "FAKE_AZURE_CLIENT_SECRET": clientSecret, "FAKE_AZURE_TOKEN_SECONDS": String(tokenSeconds)],
            readyPath: "/_fake/jobs", logDirectory: dir, timeout: 30)
        return FakeAzurePeer(peer: peer, federatedTokenFile: file, federatedToken: token)
    }

    /// Stops the fake (process group).
    public func stop() { peer.stop() }

    /// Jobs whose name starts with `prefix` walk through `states`, one per GET, and stay on the last.
    public func script(prefix: String, states: [String]) async throws {
        try await post("/_fake/script", ["prefix": .string(prefix), "states": .array(states.map { .string($0) })])
    }

    /// Sets the status of jobs whose name starts with `prefix` (`Completed`, `Failed`, ...); `seconds` fixes their run time.
    public func finish(prefix: String, status: String, errorMessage: String? = nil, seconds: Int? = nil) async throws {
        var body: [String: JSONValue] = ["prefix": .string(prefix), "status": .string(status)]
        if let errorMessage { body["errorMessage"] = .string(errorMessage) }
        if let seconds { body["seconds"] = .int(Int64(seconds)) }
        try await post("/_fake/finish", .object(body))
    }

    /// The next requests whose path contains `match` answer `statuses` (429, 503) with `Retry-After: retryAfter`.
    public func injectFaults(match: String, statuses: [Int], retryAfter: String = "0") async throws {
        try await post("/_fake/faults", ["match": .string(match), "statuses": .array(statuses.map { .int(Int64($0)) }), "retryAfter": .string(retryAfter)])
    }

    /// Every token issued so far expires now.
    public func expireTokens() async throws { try await post("/_fake/expire-tokens", [:]) }

    /// Stores a blob at `account/container/blob`.
    public func putBlob(_ path: String, _ body: String) async throws {
        let r = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "-X", "PUT", "--max-time", "10", "--data-binary", "@-", "-o", "/dev/null", "-w", "%{http_code}", "\(url)/_fake/blobs/\(path)"], stdin: body, timeout: 15)
        guard r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "200" else { throw TestSupportError.startFailed("blob PUT \(path) → \(r.stdout) \(r.stderr)") }
    }

    /// Every request seen (method, path, query, headers with the bearer replaced by the token's id, body, form).
    public func requests() async throws -> [JSONValue] { try await get("/_fake/requests").arrayValue ?? [] }

    /// Every job: status, puts, gets, cancels, props.
    public func jobs() async throws -> [String: JSONValue] { try await get("/_fake/jobs").objectValue ?? [:] }

    @discardableResult
    func post(_ path: String, _ body: JSONValue) async throws -> JSONValue { try await send("POST", path, body: body.jsonString) }

    func get(_ path: String) async throws -> JSONValue { try await send("GET", path, body: nil) }

    private func send(_ method: String, _ path: String, body: String?) async throws -> JSONValue {
        var args = ["-sS", "-X", method, "--max-time", "20", "-w", "\n%{http_code}"]
        if let body { args += ["-H", "Content-Type: application/json", "--data-binary", "@-"] }
        args.append(url + path)
        let r = try await ProcessRunner.run("/usr/bin/curl", args, stdin: body, timeout: 25)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        let text = lines.dropLast().joined(separator: "\n")
        guard status == 200 else { throw TestSupportError.startFailed("fake Azure \(method) \(path) → \(status): \(text) \(r.stderr)") }
        return (try? JSONValue.parse(text)) ?? .null
    }
}
