import Foundation
import Testing
@testable import CloudAWS

@Suite struct AWSCredentialProviderTests {
    static let envKeys = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret-123456", "AWS_SESSION_TOKEN": "env-token"]
    static let webIdentity = ["AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/sextant", "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token"]
    static let podIdentity = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
                              "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/var/run/pod-token"]

    @Test func chainOrderIsEnvironmentThenWebIdentityThenContainerThenProfile() throws {
        let credentialsFile = try Fixtures.temporaryFile("[dev]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = profile-secret\n")
        let profile = ["AWS_PROFILE": "dev", "AWS_SHARED_CREDENTIALS_FILE": credentialsFile, "AWS_CONFIG_FILE": "/nonexistent"]
        let all = Self.envKeys.merging(Self.webIdentity) { a, _ in a }.merging(Self.podIdentity) { a, _ in a }.merging(profile) { a, _ in a }

        guard case .environment(let env) = try #require(AWSCredentialSource.resolve(environment: all)) else {
            Issue.record("environment keys must come first"); return
        }
        #expect(env.accessKeyId == "AKIAENV" && env.sessionToken == "env-token")

        var rest = all.filter { Self.envKeys[$0.key] == nil }
        guard case .webIdentity(let role, let file, _) = try #require(AWSCredentialSource.resolve(environment: rest)) else {
            Issue.record("web identity must come second"); return
        }
        #expect(role == "arn:aws:iam::123456789012:role/sextant" && file == "/var/run/token")

        rest = rest.filter { Self.webIdentity[$0.key] == nil }
        guard case .container(let url, let tokenFile, _) = try #require(AWSCredentialSource.resolve(environment: rest)) else {
            Issue.record("the container endpoint must come third"); return
        }
        #expect(url == "http://169.254.170.23/v1/credentials" && tokenFile == "/var/run/pod-token")

        rest = rest.filter { Self.podIdentity[$0.key] == nil }
        guard case .profile(let name, let keys) = try #require(AWSCredentialSource.resolve(environment: rest)) else {
            Issue.record("the profile must come last"); return
        }
        #expect(name == "dev" && keys.accessKeyId == "AKIAPROFILE" && keys.secretAccessKey == "profile-secret")

        #expect(AWSCredentialSource.resolve(environment: ["AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"]) == nil)
    }

    @Test func webIdentitySessionNameComesFromAWSRoleSessionNameMadeLegal() throws {
        let env = Self.webIdentity.merging(["AWS_ROLE_SESSION_NAME": "sextant controller/1"]) { a, _ in a }
        guard case .webIdentity(_, _, let session) = try #require(AWSCredentialSource.resolve(environment: env)) else {
            Issue.record("expected web identity"); return
        }
        #expect(session == "sextant-controller-1")
    }

    @Test func sharedFilesCredentialsWinOverConfigAndProfilesCanAssumeRoles() {
        let config = """
        [default]
        region = eu-west-1
        [profile base]
        aws_access_key_id = AKIACONFIG
        aws_secret_access_key = config-secret
        [profile ml]
        role_arn = arn:aws:iam::123456789012:role/ml
        source_profile = base
        """
        let credentials = "[base]\naws_access_key_id = AKIACREDS\naws_secret_access_key = creds-secret\n"
        let shared = AWSSharedConfig(config: config, credentials: credentials)
        #expect(shared.profile("default")?["region"] == "eu-west-1")
        #expect(shared.profile("base")?["aws_access_key_id"] == "AKIACREDS")
        let source = AWSCredentialSource.resolve(environment: ["AWS_PROFILE": "ml"], sharedConfig: shared)
        guard case .profileAssumeRole(_, let role, _, let base) = source else {
            Issue.record("expected an assume-role profile, got \(String(describing: source))"); return
        }
        #expect(role == "arn:aws:iam::123456789012:role/ml" && base.accessKeyId == "AKIACREDS")
    }

    @Test func webIdentityCallsUnsignedAssumeRoleWithWebIdentityWithTheTokenFile() async throws {
        let clock = TestClock()
        let tokenFile = try Fixtures.temporaryFile("eyJhbGciOiJSUzI1NiJ9.token-one\n")
        let expiry = clock.now.addingTimeInterval(3600)
        let transport = FakeTransport { _, _ in
            AWSHTTPResponse(status: 200, body: Data(Fixtures.stsAnswer(operation: "AssumeRoleWithWebIdentity", id: "ASIAWEB",
                                                                        secret: "web-secret", token: "web-token", expiration: expiry).utf8))
        }
        let env = ["AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/sextant", "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile,
                   "AWS_ROLE_SESSION_NAME": "ctl", "AWS_REGION": "eu-west-1"]
        let provider = AWSCredentialProvider(environment: env, transport: transport, logger: Fixtures.logger, now: clock.function)
        let credentials = try await provider.credentials()
        #expect(credentials.accessKeyId == "ASIAWEB" && credentials.sessionToken == "web-token")
        #expect(credentials.expiration.map { abs($0.timeIntervalSince(expiry)) < 1 } == true)
        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString == "https://sts.eu-west-1.amazonaws.com/")
        #expect(Fixtures.header(request, "Authorization") == nil)
        let form = Fixtures.form(request)
        #expect(form["Action"] == "AssumeRoleWithWebIdentity" && form["Version"] == "2011-06-15")
        #expect(form["WebIdentityToken"] == "eyJhbGciOiJSUzI1NiJ9.token-one")
        #expect(form["RoleSessionName"] == "ctl" && form["RoleArn"] == "arn:aws:iam::123456789012:role/sextant")
    }

    @Test func temporaryCredentialsAreCachedAndFetchedAgainFiveMinutesBeforeExpiry() async throws {
        let clock = TestClock()
        let tokenFile = try Fixtures.temporaryFile("pod-token-1")
        let transport = FakeTransport { request, index in
            let body: JSONValueText = .init(["AccessKeyId": "ASIAPOD\(index)", "SecretAccessKey": "pod-secret-\(index)",
                                             "Token": "pod-token-\(index)", "Expiration": Fixtures.iso(clock.now.addingTimeInterval(3600))])
            return AWSHTTPResponse(status: 200, body: body.data)
        }
        let env = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/v1/credentials",
                   "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile]
        let provider = AWSCredentialProvider(environment: env, transport: transport, logger: Fixtures.logger, refreshMargin: 300,
                                             now: clock.function)
        #expect(try await provider.credentials().accessKeyId == "ASIAPOD0")
        #expect(Fixtures.header(try #require(transport.requests.first), "Authorization") == "pod-token-1")
        clock.advance(3600 - 301)
        #expect(try await provider.credentials().accessKeyId == "ASIAPOD0")
        #expect(transport.count == 1)
        // The kubelet rotated the token file: the next fetch sends the new token.
        try "pod-token-2".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        clock.advance(2)  // 299 s before expiry: inside the 5-minute margin
        #expect(try await provider.credentials().accessKeyId == "ASIAPOD1")
        #expect(transport.count == 2)
        #expect(Fixtures.header(transport.requests[1], "Authorization") == "pod-token-2")
    }

    @Test func assumeRoleIsSignedWithTheBaseCredentialsAndCachedPerRoleAndSession() async throws {
        let clock = TestClock()
        let transport = FakeTransport { request, index in
            let form = Fixtures.form(request)
            let expiry = clock.now.addingTimeInterval(3600)
            return AWSHTTPResponse(status: 200, body: Data(Fixtures.stsAnswer(operation: "AssumeRole", id: "ASIAROLE\(index)",
                secret: "role-secret-\(index)", token: "role-token-\(form["RoleSessionName"] ?? "")", expiration: expiry).utf8))
        }
        let provider = AWSCredentialProvider(environment: Self.envKeys, transport: transport, logger: Fixtures.logger, now: clock.function)
        let role = "arn:aws:iam::123456789012:role/team-a"
        let first = try await provider.credentials(assumingRole: role, sessionName: "team-a/train")
        #expect(first.accessKeyId == "ASIAROLE0" && first.sessionToken == "role-token-team-a-train")
        let request = try #require(transport.requests.first)
        #expect(Fixtures.form(request)["Action"] == "AssumeRole" && Fixtures.form(request)["RoleArn"] == role)
        #expect(Fixtures.header(request, "Authorization")?.contains("Credential=AKIAENV/") == true)
        #expect(Fixtures.header(request, "x-amz-security-token") == "env-token")

        #expect(try await provider.credentials(assumingRole: role, sessionName: "team-a/train").accessKeyId == "ASIAROLE0")
        #expect(transport.count == 1)
        #expect(try await provider.credentials(assumingRole: role, sessionName: "team-a/other").accessKeyId == "ASIAROLE1")
        #expect(transport.count == 2)
        clock.advance(3600 - 200)
        #expect(try await provider.credentials(assumingRole: role, sessionName: "team-a/train").accessKeyId == "ASIAROLE2")
        #expect(try await provider.credentials(assumingRole: nil, sessionName: "x").accessKeyId == "AKIAENV")
    }

    @Test func noSourceIsAnAccessDeniedNoCredentialsError() async {
        let provider = AWSCredentialProvider(environment: ["AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"],
                                             transport: FakeTransport { _, _ in AWSHTTPResponse(status: 500) }, logger: Fixtures.logger)
        await #expect(throws: AWSError.self) { try await provider.credentials() }
        do {
            _ = try await provider.credentials()
        } catch let error as AWSError {
            #expect(error.code == "NoCredentials" && error.kind == .accessDenied)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func sessionNamesAreMadeLegal() {
        #expect(AWSCredentialProvider.legalSessionName("team-a/churn-train") == "team-a-churn-train")
        #expect(AWSCredentialProvider.legalSessionName("a_b+c=d,e.f@g-h") == "a_b+c=d,e.f@g-h")
        #expect(AWSCredentialProvider.legalSessionName("ns/ünï") == "ns--n-")
        #expect(AWSCredentialProvider.legalSessionName(String(repeating: "x", count: 100)).count == 64)
        #expect(AWSCredentialProvider.legalSessionName("").count >= 2)
    }

    @Test func credentialsDescriptionsShowNoSecretOrToken() {
        let credentials = AWSCredentials(accessKeyId: "ASIAX", secretAccessKey: "very-secret-key", sessionToken: "very-secret-token",
                                         expiration: Date(timeIntervalSince1970: 0))
        for text in [String(describing: credentials), String(reflecting: credentials), "\([credentials])"] {
            #expect(!text.contains("very-secret-key") && !text.contains("very-secret-token"), "\(text)")
            #expect(text.contains("ASIAX"))
        }
        var dumped = ""
        dump(credentials, to: &dumped)
        #expect(!dumped.contains("very-secret"))
    }
}

/// A JSON object of strings, encoded.
struct JSONValueText {
    let data: Data
    init(_ fields: [String: String]) {
        data = (try? JSONSerialization.data(withJSONObject: fields)) ?? Data()
    }
}
