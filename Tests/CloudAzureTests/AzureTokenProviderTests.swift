import Foundation
import KubeCore
import Testing
@testable import CloudAzure

@Suite struct AzureTokenProviderTests {
    @Test func workloadIdentitySendsTheFederatedTokenFileAsClientAssertion() async throws {
        let file = try AzureFixtures.temporaryFile("eyJhbGciOiJSUzI1NiJ9.federated-token-from-kubelet.sig\n")
        let env = ["AZURE_TENANT_ID": "tenant-1", "AZURE_CLIENT_ID": "client-1", "AZURE_FEDERATED_TOKEN_FILE": file,
                   "AZURE_AUTHORITY_HOST": "http://login.test"]
        let transport = FakeAzureTransport { _, _ in AzureFixtures.token("tok-1") }
        let provider = AzureTokenProvider(environment: env, transport: transport, logger: AzureFixtures.logger)
        let token = try await provider.token(scope: "https://management.azure.com/.default")
        #expect(token.token == "tok-1")
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "http://login.test/tenant-1/oauth2/v2.0/token")
        #expect(request.header("content-type") == "application/x-www-form-urlencoded")
        let form = AzureFixtures.form(request)
        #expect(form == [
            "grant_type": "client_credentials", "client_id": "client-1", "scope": "https://management.azure.com/.default",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": "eyJhbGciOiJSUzI1NiJ9.federated-token-from-kubelet.sig",
        ])
    }

    @Test func theFederatedTokenFileIsReadAgainForEveryTokenRequest() async throws {
        let file = try AzureFixtures.temporaryFile("first-projected-token")
        let env = ["AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_FEDERATED_TOKEN_FILE": file]
        let transport = FakeAzureTransport { _, i in AzureFixtures.token("tok-\(i)") }
        let provider = AzureTokenProvider(environment: env, transport: transport, logger: AzureFixtures.logger)
        _ = try await provider.token(scope: "a/.default")
        try "rotated-projected-token".write(toFile: file, atomically: true, encoding: .utf8)
        _ = try await provider.token(scope: "b/.default")
        #expect(transport.requests.map { AzureFixtures.form($0)["client_assertion"] } == ["first-projected-token", "rotated-projected-token"])
    }

    @Test func clientSecretWinsOverTheTokenFileAndIsSentAsClientSecret() async throws {
        var env = AzureFixtures.secretEnvironment
        env["AZURE_FEDERATED_TOKEN_FILE"] = "/nonexistent"
        let transport = FakeAzureTransport { _, _ in AzureFixtures.token("tok") }
        let provider = AzureTokenProvider(environment: env, transport: transport, logger: AzureFixtures.logger)
        _ = try await provider.token(scope: AzureEndpoints.storageScope)
        let form = AzureFixtures.form(try #require(transport.requests.first))
        #expect(form["client_secret"] == "s3cr3t-Value~with.chars")
        #expect(form["client_assertion"] == nil)
        #expect(form["scope"] == "https://storage.azure.com/.default")
        #expect(provider.source?.description.contains("s3cr3t") == false)
    }

    @Test func tokensAreCachedPerScopeAndFetchedAgainBeforeTheyExpire() async throws {
        let clock = AzureTestClock()
        let transport = FakeAzureTransport { _, i in AzureFixtures.token("tok-\(i)", expiresIn: 3600) }
        let provider = AzureTokenProvider(environment: AzureFixtures.secretEnvironment, transport: transport, logger: AzureFixtures.logger,
                                          refreshMargin: 300, now: clock.function)
        #expect(try await provider.token(scope: "arm").token == "tok-0")
        #expect(try await provider.token(scope: "arm").token == "tok-0")
        #expect(try await provider.token(scope: "storage").token == "tok-1")
        clock.advance(3600 - 301)
        #expect(try await provider.token(scope: "arm").token == "tok-0")
        clock.advance(2)
        #expect(try await provider.token(scope: "arm").token == "tok-2")
        #expect(await provider.tokenRequestCount() == 3)
    }

    @Test func concurrentCallersShareOneTokenRequest() async throws {
        let transport = FakeAzureTransport { _, i in AzureFixtures.token("tok-\(i)") }
        let provider = AzureTokenProvider(environment: AzureFixtures.secretEnvironment, transport: transport, logger: AzureFixtures.logger)
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await provider.token(scope: "arm").token } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(tokens) == ["tok-0"])
        #expect(transport.requests.count == 1)
    }

    @Test func aRefusedTokenRequestIsAccessDeniedWithoutTheSecret() async throws {
        let transport = FakeAzureTransport { _, _ in
            AzureFixtures.json(401, ["error": "invalid_client",
                                     "error_description": "AADSTS7000215: Invalid client secret provided: s3cr3t-Value~with.chars"])
        }
        let provider = AzureTokenProvider(environment: AzureFixtures.secretEnvironment, transport: transport, logger: AzureFixtures.logger)
        await #expect(throws: AzureError.tokenRequest(status: 401, code: "invalid_client",
                                                       message: "AADSTS7000215: Invalid client secret provided: <redacted>")) {
            try await provider.token(scope: "arm")
        }
        #expect(transport.requests.count == 1)
    }

    @Test func noSourceIsNoCredentialsAndMissingFileSaysWhichFile() async throws {
        let transport = FakeAzureTransport { _, _ in AzureFixtures.token("never") }
        let none = AzureTokenProvider(environment: [:], transport: transport, logger: AzureFixtures.logger)
        do {
            _ = try await none.token(scope: "arm")
            Issue.record("expected noCredentials")
        } catch let e as AzureError {
            #expect(e.kind == .accessDenied && e.stepReason == "CloudAccessDenied" && e.code == "NoCredentials")
        }
        let missing = AzureTokenProvider(environment: ["AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_FEDERATED_TOKEN_FILE": "/no/such/file"],
                                         transport: transport, logger: AzureFixtures.logger)
        do {
            _ = try await missing.token(scope: "arm")
            Issue.record("expected noCredentials")
        } catch let e as AzureError {
            #expect(e.message.contains("/no/such/file"))
        }
        #expect(transport.requests.isEmpty)
    }
}
