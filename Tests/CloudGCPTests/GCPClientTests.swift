import Foundation
import KubeCore
import Testing
@testable import CloudGCP

@Suite("GCP authorised transport, errors and endpoints")
struct GCPClientTests {
    static func client(_ transport: FakeGCPTransport, env: [String: String] = [:]) -> GCPClient {
        GCPClient(environment: ["GCE_METADATA_HOST": "169.254.169.254"].merging(env) { _, new in new }, transport: transport,
                  logger: GCPFixtures.logger, retry: GCPFixtures.fastRetry)
    }

    static func isToken(_ r: GCPHTTPRequest) -> Bool { r.url.path.hasSuffix("/token") }

    @Test("429 and 503 are retried, the bearer token is sent, the answer is JSON")
    func retriesThrottlingAndUnavailable() async throws {
        let transport = FakeGCPTransport { r, i in
            if Self.isToken(r) { return GCPFixtures.json(["access_token": "ya29.abc", "expires_in": 3600]) }
            switch i {
            case 1: return GCPFixtures.json(["error": ["code": 429, "status": "RESOURCE_EXHAUSTED", "message": "Too many requests"]], status: 429)
            case 2: return GCPFixtures.json(["error": ["code": 503, "status": "UNAVAILABLE", "message": "try later"]], status: 503)
            default: return GCPFixtures.json(["name": "projects/p/locations/l/customJobs/1"])
            }
        }
        let answer = try await Self.client(transport).json("GET", "https://x-aiplatform.example.test/v1/projects/p/locations/l/customJobs/1")
        #expect(answer["name"] == "projects/p/locations/l/customJobs/1")
        let calls = transport.requests.filter { !Self.isToken($0) }
        #expect(calls.count == 3)
        #expect(calls.allSatisfy { GCPFixtures.header($0, "authorization") == "Bearer ya29.abc" })
    }

    @Test("a 401 drops the token, fetches a new one and repeats the call once")
    func expiredTokenRefreshed() async throws {
        // The first token is already expired for the API (revoked before its expires_in).
        let first = FakeGCPTransport { r, i in
            if Self.isToken(r) { return GCPFixtures.json(["access_token": .string(i == 0 ? "expired" : "fresh"), "expires_in": 3600]) }
            return GCPFixtures.header(r, "authorization") == "Bearer expired"
                ? GCPFixtures.json(["error": ["code": 401, "status": "UNAUTHENTICATED", "message": "Request had invalid authentication credentials."]], status: 401)
                : GCPFixtures.json(["ok": true])
        }
        let answer = try await Self.client(first).json("GET", "https://api.example.test/v1/thing")
        #expect(answer == ["ok": true])
        let auth = first.requests.filter { !Self.isToken($0) }.map { GCPFixtures.header($0, "authorization") ?? "" }
        #expect(auth == ["Bearer expired", "Bearer fresh"])

        // A 401 with a fresh token too is access denied (no loop).
        let always = FakeGCPTransport { r, _ in
            Self.isToken(r) ? GCPFixtures.json(["access_token": "t", "expires_in": 3600])
                : GCPFixtures.json(["error": ["code": 401, "status": "UNAUTHENTICATED", "message": "no"]], status: 401)
        }
        let error = await #expect(throws: GCPError.self) { try await Self.client(always).json("GET", "https://api.example.test/v1/thing") }
        #expect(error?.kind == .accessDenied)
        #expect(always.requests.filter { !Self.isToken($0) }.count == 2)
    }

    @Test("Google error answers map to the step reasons; tokens never reach the message")
    func classification() {
        func e(_ status: Int, _ s: String, _ m: String = "") -> GCPError {
            let body: JSONValue = ["error": ["code": .int(Int64(status)), "status": .string(s), "message": .string(m)]]
            return GCPError.parse(status: status, body: body.data())
        }
        #expect(e(403, "PERMISSION_DENIED", "Permission 'aiplatform.customJobs.create' denied").stepReason == "CloudAccessDenied")
        #expect(e(401, "UNAUTHENTICATED").stepReason == "CloudAccessDenied")
        #expect(e(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Custom model training Nvidia T4 GPUs' and limit 'per region'").stepReason == "CloudQuotaExceeded")
        #expect(e(429, "RESOURCE_EXHAUSTED", "Too many requests").stepReason == "CloudUnavailable")
        #expect(e(400, "INVALID_ARGUMENT", "Machine type \"n1-bogus\" is not supported.").stepReason == "CloudInvalidRequest")
        #expect(e(503, "UNAVAILABLE").isRetryable && e(500, "INTERNAL").isRetryable)
        #expect(e(404, "NOT_FOUND").kind == .notFound && e(409, "ALREADY_EXISTS").kind == .conflict)
        #expect(GCPError.parse(status: 502, body: Data("<html>bad gateway</html>".utf8)).kind == .unavailable)
        let leaky = e(400, "INVALID_ARGUMENT", "bad header Authorization: Bearer ya29.a0AfH6SMBsecret and token eyJhbGciOi.eyJzdWIi.sig")
        #expect(!leaky.message.contains("ya29.a0AfH6SMBsecret") && !leaky.message.contains("eyJhbGciOi"), "\(leaky.message)")
    }

    @Test("endpoint overrides: CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM, STORAGE_EMULATOR_HOST, GCE_METADATA_HOST")
    func endpointOverrides() {
        let plain = GCPEndpoints(environment: [:])
        #expect(plain.aiPlatform(location: "europe-west4") == "https://europe-west4-aiplatform.googleapis.com")
        #expect(plain.storage == "https://storage.googleapis.com")
        #expect(plain.metadata == "http://metadata.google.internal")
        let over = GCPEndpoints(environment: [
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM": "http://127.0.0.1:8123/",
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING": "https://monitoring.private.example/v1/",
            "STORAGE_EMULATOR_HOST": "127.0.0.1:4443", "GCE_METADATA_HOST": "127.0.0.1:8088",
        ])
        #expect(over.aiPlatform(location: "europe-west4") == "http://127.0.0.1:8123")
        #expect(over.base(api: "monitoring", default: "https://monitoring.googleapis.com") == "https://monitoring.private.example")
        #expect(over.storage == "http://127.0.0.1:4443")
        #expect(over.metadata == "http://127.0.0.1:8088")
    }

    @Test("GCS GET of an object: the JSON API path with the name encoded, alt=media; a missing object is nil")
    func gcsGet() async throws {
        let transport = FakeGCPTransport { r, _ in
            if Self.isToken(r) { return GCPFixtures.json(["access_token": "t", "expires_in": 3600]) }
            if r.url.absoluteString.contains("missing") {
                return GCPFixtures.json(["error": ["code": 404, "message": "No such object: b/missing"]], status: 404)
            }
            return GCPHTTPResponse(status: 200, body: Data(#"{"metrics":{"auc":0.9}}"#.utf8))
        }
        let client = Self.client(transport, env: ["STORAGE_EMULATOR_HOST": "http://127.0.0.1:4443"])
        let data = try await client.gcsGet("gs://acme-models/churn/job 1/sextant-outputs.json")
        #expect(String(decoding: try #require(data), as: UTF8.self) == #"{"metrics":{"auc":0.9}}"#)
        let url = try #require(transport.requests.last?.url.absoluteString)
        #expect(url == "http://127.0.0.1:4443/storage/v1/b/acme-models/o/churn%2Fjob%201%2Fsextant-outputs.json?alt=media")
        #expect(try await client.gcsGet("gs://acme-models/missing") == nil)
        await #expect(throws: GCPError.self) { try await client.gcsGet("s3://not-gcs/x") }
    }

    @Test("the permission list: every call's permission, predefined roles, trust-side generateAccessToken left out")
    func permissions() {
        let permissions = GCPIAMRole.permissions()
        #expect(permissions.contains("aiplatform.customJobs.create") && permissions.contains("aiplatform.customJobs.cancel"))
        #expect(permissions.contains("storage.objects.get") && permissions.contains("iam.serviceAccounts.actAs"))
        #expect(!permissions.contains("iam.serviceAccounts.getAccessToken"))
        #expect(GCPIAMRole.predefinedRoles() == ["roles/aiplatform.user", "roles/iam.serviceAccountUser", "roles/monitoring.viewer",
                                                 "roles/storage.objectViewer"])
        #expect(permissions.contains("monitoring.timeSeries.list"))
        // The Vertex AI Model Registry mirror's calls, all in roles/aiplatform.user.
        for p in ["aiplatform.models.upload", "aiplatform.models.get", "aiplatform.models.list", "aiplatform.models.update", "aiplatform.models.delete"] {
            #expect(permissions.contains(p), "missing \(p)")
        }
        #expect(GCPOperation.modelRegistry.allSatisfy { $0.predefinedRole == "roles/aiplatform.user" && GCPOperation.all.contains($0) })
        #expect(GCPIAMRole.customRole()["includedPermissions"]?.arrayValue?.count == permissions.count)
    }
}

