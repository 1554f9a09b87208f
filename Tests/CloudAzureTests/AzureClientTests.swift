import Foundation
import KubeCore
import Testing
@testable import CloudAzure

@Suite struct AzureClientTests {
    static let jobPath = "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1/jobs/j1"

    func client(_ transport: FakeAzureTransport, sleeps: RecordedSleeps = RecordedSleeps(), env: [String: String] = AzureFixtures.secretEnvironment) -> AzureClient {
        AzureClient(environment: env, transport: transport, logger: AzureFixtures.logger, sleep: sleeps.function)
    }

    @Test func armCallsCarryTheBearerTokenOfTheResourceManagerScopeAndTheApiVersion() async throws {
        let transport = FakeAzureTransport { r, _ in
            AzureFixtures.isTokenRequest(r) ? AzureFixtures.token("arm-token") : AzureFixtures.json(200, ["name": "j1"])
        }
        let answer = try await client(transport).arm("PUT", path: Self.jobPath, apiVersion: "2024-04-01", body: ["properties": ["jobType": "Command"]])
        #expect(answer.json["name"] == "j1")
        let requests = transport.requests
        #expect(AzureFixtures.form(requests[0])["scope"] == "https://management.azure.com/.default")
        let put = requests[1]
        #expect(put.url.absoluteString == "http://arm.test\(Self.jobPath)?api-version=2024-04-01")
        #expect(put.header("authorization") == "Bearer arm-token")
        #expect(put.header("content-type") == "application/json")
        #expect(put.header("x-ms-client-request-id")?.count == 36)
        #expect(try JSONValue.parse(put.body) == ["properties": ["jobType": "Command"]])
    }

    @Test func anExpiredTokenIsDroppedAndTheCallTriedOnceMoreWithANewOne() async throws {
        let transport = FakeAzureTransport { r, i in
            if AzureFixtures.isTokenRequest(r) { return AzureFixtures.token("tok-\(i)") }
            if r.header("authorization") == "Bearer tok-0" {
                return AzureFixtures.json(401, ["error": ["code": "ExpiredAuthenticationToken", "message": "The access token expiry UTC time is earlier than current UTC time."]],
                                          headers: ["WWW-Authenticate": "Bearer error=\"invalid_token\""])
            }
            return AzureFixtures.json(200, ["ok": true])
        }
        let answer = try await client(transport).arm("GET", path: Self.jobPath, apiVersion: "2024-04-01")
        #expect(answer.json["ok"] == true)
        #expect(transport.requests.map { AzureFixtures.isTokenRequest($0) ? "token" : $0.header("authorization") ?? "" }
            == ["token", "Bearer tok-0", "token", "Bearer tok-2"])
    }

    @Test func aSecond401IsAccessDeniedAndNotRetriedForever() async throws {
        let transport = FakeAzureTransport { r, i in
            AzureFixtures.isTokenRequest(r) ? AzureFixtures.token("tok-\(i)")
                : AzureFixtures.json(401, ["error": ["code": "InvalidAuthenticationToken", "message": "The access token is invalid."]])
        }
        do {
            _ = try await client(transport).arm("GET", path: Self.jobPath, apiVersion: "2024-04-01")
            Issue.record("expected an error")
        } catch let e as AzureError {
            #expect(e.kind == .accessDenied && e.code == "InvalidAuthenticationToken" && e.httpStatus == 401)
        }
        #expect(transport.requests.count == 4)
    }

    @Test func throttlingAndUnavailableAreRetriedHonouringRetryAfter() async throws {
        let sleeps = RecordedSleeps()
        let transport = FakeAzureTransport { r, i in
            if AzureFixtures.isTokenRequest(r) { return AzureFixtures.token("tok") }
            switch i {
            case 1: return AzureFixtures.json(429, ["error": ["code": "TooManyRequests", "message": "slow down"]], headers: ["Retry-After": "7"])
            case 2: return AzureFixtures.json(503, ["error": ["code": "ServiceUnavailable", "message": "busy"]], headers: ["retry-after-ms": "1500"])
            default: return AzureFixtures.json(200, ["ok": true])
            }
        }
        let answer = try await client(transport, sleeps: sleeps).arm("GET", path: Self.jobPath, apiVersion: "2024-04-01")
        #expect(answer.json["ok"] == true)
        #expect(sleeps.delays == [.seconds(7), .milliseconds(1500)])
        #expect(transport.requests.filter { !AzureFixtures.isTokenRequest($0) }.count == 3)
    }

    @Test func retriesStopAfterMaxAttemptsWithCloudUnavailable() async throws {
        let transport = FakeAzureTransport { r, _ in
            AzureFixtures.isTokenRequest(r) ? AzureFixtures.token("tok") : AzureFixtures.json(503, ["error": ["code": "ServiceUnavailable", "message": "down"]])
        }
        let c = AzureClient(environment: AzureFixtures.secretEnvironment, transport: transport, logger: AzureFixtures.logger,
                            retry: AzureRetryPolicy(maxAttempts: 3), sleep: RecordedSleeps().function)
        do {
            _ = try await c.arm("GET", path: Self.jobPath, apiVersion: "2024-04-01")
            Issue.record("expected an error")
        } catch let e as AzureError {
            #expect(e.stepReason == "CloudUnavailable")
        }
        #expect(transport.requests.filter { !AzureFixtures.isTokenRequest($0) }.count == 3)
    }

    @Test func aBadRequestIsNotRetriedAndKeepsAzuresMessage() async throws {
        let transport = FakeAzureTransport { r, _ in
            AzureFixtures.isTokenRequest(r) ? AzureFixtures.token("tok")
                : AzureFixtures.json(400, ["error": ["code": "UserError", "message": "Compute gpu-cluster not found in workspace."]])
        }
        do {
            _ = try await client(transport).arm("PUT", path: Self.jobPath, apiVersion: "2024-04-01", body: [:])
            Issue.record("expected an error")
        } catch let e as AzureError {
            #expect(e.stepReason == "CloudInvalidRequest")
            #expect(e.message == "Compute gpu-cluster not found in workspace.")
        }
        #expect(transport.requests.count == 2)
    }

    @Test func blobGetUsesTheStorageScopeAndVersionHeaderAndMissingBlobsAreNil() async throws {
        let transport = FakeAzureTransport { r, _ in
            if AzureFixtures.isTokenRequest(r) { return AzureFixtures.token("storage-token") }
            if r.url.path.hasSuffix("missing.json") {
                return AzureHTTPResponse(status: 404, headers: ["x-ms-error-code": "BlobNotFound"],
                                         body: Data("<?xml version=\"1.0\"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>".utf8))
            }
            return AzureHTTPResponse(status: 200, body: Data(#"{"metrics":{"auc":0.9}}"#.utf8))
        }
        var env = AzureFixtures.secretEnvironment
        env["AZURE_STORAGE_BLOB_ENDPOINT"] = "http://blob.test:10000/"
        let c = client(transport, env: env)
        let data = try await c.blobGet("az://acmeml/models/churn/run 1/sextant-outputs.json")
        #expect(String(decoding: try #require(data), as: UTF8.self) == #"{"metrics":{"auc":0.9}}"#)
        #expect(try await c.blobGet("https://acmeml.blob.core.windows.net/models/missing.json") == nil)
        let requests = transport.requests
        #expect(AzureFixtures.form(requests[0])["scope"] == "https://storage.azure.com/.default")
        #expect(requests[1].url.absoluteString == "http://blob.test:10000/acmeml/models/churn/run%201/sextant-outputs.json")
        #expect(requests[1].header("x-ms-version") == AzureClient.blobServiceVersion)
        #expect(requests[1].header("authorization") == "Bearer storage-token")
        #expect(requests.filter(AzureFixtures.isTokenRequest).count == 1)
    }

    @Test func blobLocationsParseEveryAcceptedForm() throws {
        let https = try #require(AzureBlobLocation("https://acme.blob.core.windows.net/c/a/b.json"))
        #expect(https == AzureBlobLocation(account: "acme", container: "c", blob: "a/b.json"))
        let abfss = try #require(AzureBlobLocation("abfss://c@acme.dfs.core.windows.net/a/b.json"))
        #expect(abfss == AzureBlobLocation(account: "acme", container: "c", blob: "a/b.json"))
        #expect(try abfss.url(endpoints: AzureEndpoints(environment: [:])).absoluteString == "https://acme.blob.core.windows.net/c/a/b.json")
        #expect(AzureBlobLocation("az://acme/c/a/b.json") == AzureBlobLocation(account: "acme", container: "c", blob: "a/b.json"))
        #expect(AzureBlobLocation("s3://bucket/key") == nil)
        #expect(AzureBlobLocation("https://example.com/c/b") == nil)
    }

    @Test func endpointOverridesAndSovereignAudiences() throws {
        let defaults = AzureEndpoints(environment: [:])
        #expect(defaults.authorityHost == "https://login.microsoftonline.com/")
        #expect(defaults.resourceManager == "https://management.azure.com")
        #expect(defaults.resourceManagerScope == "https://management.azure.com/.default")
        let gov = AzureEndpoints(environment: ["AZURE_AUTHORITY_HOST": "https://login.microsoftonline.us",
                                               "AZURE_RESOURCE_MANAGER_ENDPOINT": "https://management.usgovcloudapi.net/"])
        #expect(try gov.tokenURL(tenant: "t").absoluteString == "https://login.microsoftonline.us/t/oauth2/v2.0/token")
        #expect(gov.resourceManagerScope == "https://management.usgovcloudapi.net/.default")
        let privateARM = AzureEndpoints(environment: ["AZURE_RESOURCE_MANAGER_ENDPOINT": "http://127.0.0.1:8080"])
        #expect(privateARM.resourceManagerScope == "https://management.azure.com/.default")
        #expect(try privateARM.resourceManagerURL(path: "/subscriptions/s", apiVersion: "2024-04-01").absoluteString
            == "http://127.0.0.1:8080/subscriptions/s?api-version=2024-04-01")
    }
}
