import Foundation
import KubeCore
import Testing
@testable import CloudGCP

@Suite("GCP token chain with a scripted transport")
struct GCPTokenProviderTests {
    @Test("a service-account key becomes an RS256 JWT (verified by openssl with the public key) posted to token_uri; the token is cached")
    func serviceAccountJWT() async throws {
        let keys = try await GCPFixtures.rsaKeyPair()
        let keyFile = try GCPFixtures.temporaryFile(GCPFixtures.serviceAccountKey(privatePEM: keys.privatePEM, tokenURI: "https://oauth.example.test/token").jsonString)
        let clock = GCPTestClock()
        let transport = FakeGCPTransport { _, i in GCPFixtures.json(["access_token": .string("ya29.token-\(i)"), "expires_in": 3599, "token_type": "Bearer"]) }
        let tokens = GCPTokenProvider(environment: ["GOOGLE_APPLICATION_CREDENTIALS": keyFile], transport: transport, logger: GCPFixtures.logger,
                                      now: clock.function)
        let first = try await tokens.token()
        #expect(first.token == "ya29.token-0")
        #expect(try await tokens.token().token == "ya29.token-0", "a second call is served from the cache")
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST" && request.url.absoluteString == "https://oauth.example.test/token")
        let form = GCPFixtures.form(request)
        #expect(form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer")
        let jwt = try #require(form["assertion"])
        #expect(try await GCPFixtures.verifyRS256(jwt, publicPEM: keys.publicPEM), "the JWT signature verifies with the key's public half")
        let parts = jwt.split(separator: ".")
        let header = try JSONValue.parse(try #require(GCPFixtures.unbase64URL(parts[0])))
        let claims = try JSONValue.parse(try #require(GCPFixtures.unbase64URL(parts[1])))
        #expect(header == ["alg": "RS256", "typ": "JWT", "kid": "kid-0123456789abcdef"])
        #expect(claims["iss"] == "trainer@acme-ml.iam.gserviceaccount.com")
        #expect(claims["aud"] == "https://oauth.example.test/token")
        #expect(claims["scope"] == "https://www.googleapis.com/auth/cloud-platform")
        #expect(claims["iat"]?.intValue == 1_800_000_000 && claims["exp"]?.intValue == 1_800_003_600)
        // Tampering with the claims breaks the signature (the check can fail).
        let forged = "\(parts[0]).\(GCPServiceAccountJWT.base64URL(Data(#"{"iss":"evil"}"#.utf8))).\(parts[2])"
        #expect(try await GCPFixtures.verifyRS256(forged, publicPEM: keys.publicPEM) == false)
    }

    @Test("the cached token is fetched again 5 minutes before it expires, not earlier")
    func earlyRefresh() async throws {
        let clock = GCPTestClock()
        let transport = FakeGCPTransport { _, i in GCPFixtures.json(["access_token": .string("meta-\(i)"), "expires_in": 3600]) }
        let tokens = GCPTokenProvider(environment: ["GCE_METADATA_HOST": "127.0.0.1:9"], transport: transport, logger: GCPFixtures.logger,
                                      now: clock.function)
        #expect(try await tokens.token().token == "meta-0")
        clock.advance(3600 - 301)
        #expect(try await tokens.token().token == "meta-0")
        clock.advance(2)
        #expect(try await tokens.token().token == "meta-1")
        #expect(await tokens.fetchCount() == 2)
        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString == "http://127.0.0.1:9/computeMetadata/v1/instance/service-accounts/default/token")
        #expect(GCPFixtures.header(request, "Metadata-Flavor") == "Google")
    }

    @Test("concurrent callers share one token fetch")
    func oneFetchForConcurrentCallers() async throws {
        let transport = FakeGCPTransport { _, i in
            Thread.sleep(forTimeInterval: 0.05)
            return GCPFixtures.json(["access_token": .string("meta-\(i)"), "expires_in": 3600])
        }
        let tokens = GCPTokenProvider(environment: [:], transport: transport, logger: GCPFixtures.logger)
        let all = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await tokens.token().token } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(all) == ["meta-0"])
        #expect(transport.requests.count == 1)
    }

    @Test("external_account: file subject token → STS token exchange → generateAccessToken impersonation")
    func workloadIdentityFederation() async throws {
        let subjectFile = try GCPFixtures.temporaryFile("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6bWw6c2V4dGFudCJ9.c2ln\n")
        let config: JSONValue = [
            "type": "external_account",
            "audience": "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/k8s/providers/cluster",
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": "https://sts.example.test/v1/token",
            "service_account_impersonation_url": "https://iamcredentials.example.test/v1/projects/-/serviceAccounts/sextant@acme-ml.iam.gserviceaccount.com:generateAccessToken",
            "credential_source": ["file": .string(subjectFile), "format": ["type": "text"]],
        ]
        let file = try GCPFixtures.temporaryFile(config.jsonString)
        let transport = FakeGCPTransport { request, _ in
            if request.url.host == "sts.example.test" {
                return GCPFixtures.json(["access_token": "federated-token-123", "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                                         "token_type": "Bearer", "expires_in": 3600])
            }
            return GCPFixtures.json(["accessToken": "ya29.impersonated", "expireTime": "2027-01-01T00:00:00Z"])
        }
        let tokens = GCPTokenProvider(environment: ["GOOGLE_APPLICATION_CREDENTIALS": file], transport: transport, logger: GCPFixtures.logger)
        let token = try await tokens.token()
        #expect(token.token == "ya29.impersonated")
        #expect(token.expiresAt == GCPTime.parse("2027-01-01T00:00:00Z"))
        let requests = transport.requests
        try #require(requests.count == 2)
        let form = GCPFixtures.form(requests[0])
        #expect(form["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange")
        #expect(form["audience"] == "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/k8s/providers/cluster")
        #expect(form["subject_token"] == "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6bWw6c2V4dGFudCJ9.c2ln")
        #expect(form["subject_token_type"] == "urn:ietf:params:oauth:token-type:jwt")
        #expect(form["requested_token_type"] == "urn:ietf:params:oauth:token-type:access_token")
        #expect(form["scope"] == "https://www.googleapis.com/auth/cloud-platform")
        #expect(GCPFixtures.header(requests[1], "authorization") == "Bearer federated-token-123")
        let body = try JSONValue.parse(requests[1].body)
        #expect(body == ["scope": ["https://www.googleapis.com/auth/cloud-platform"], "lifetime": "3600s"])
    }

    @Test("a rejected grant is CloudAccessDenied with no assertion in the message; an unreadable key file too")
    func rejectedCredentials() async throws {
        let keys = try await GCPFixtures.rsaKeyPair()
        let keyFile = try GCPFixtures.temporaryFile(GCPFixtures.serviceAccountKey(privatePEM: keys.privatePEM, tokenURI: "https://oauth.example.test/token").jsonString)
        let transport = FakeGCPTransport { request, _ in
            let assertion = GCPFixtures.form(request)["assertion"] ?? ""
            return GCPFixtures.json(["error": "invalid_grant", "error_description": .string("Invalid JWT Signature: \(assertion)")], status: 400)
        }
        let tokens = GCPTokenProvider(environment: ["GOOGLE_APPLICATION_CREDENTIALS": keyFile], transport: transport, logger: GCPFixtures.logger)
        let error = await #expect(throws: GCPError.self) { try await tokens.token() }
        #expect(error?.kind == .accessDenied && error?.stepReason == "CloudAccessDenied")
        #expect(error?.message.contains("Invalid JWT Signature") == true)
        #expect(error?.message.contains("eyJ") == false, "\(error?.message ?? "")")
        #expect(transport.requests.count == 1, "a rejected credential is not retried")

        let missing = GCPTokenProvider(environment: ["GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/key.json"], transport: transport, logger: GCPFixtures.logger)
        let e2 = await #expect(throws: GCPError.self) { try await missing.token() }
        #expect(e2?.kind == .accessDenied && e2?.message.contains("/nonexistent/key.json") == true)
    }
}
