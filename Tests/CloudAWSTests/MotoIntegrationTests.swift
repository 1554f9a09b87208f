import Foundation
import KubeCore
import Testing
import TestSupport
@testable import CloudAWS

/// The AWS layer against moto's server (`MotoPeer`) with moto's IAM authentication on: moto checks
/// every SigV4 signature with the secret it issued and every action against the caller's policies.
@Suite("CloudAWS against moto", .serialized)
struct MotoIntegrationTests {
    static let fastRetry = AWSRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50),
                                          requestTimeout: .seconds(20))
    static let bucket = "sextant-test-bucket"

    // IAM calls used only to set moto up (the product makes none).
    static let iam = AWSService(signingName: "iam", serviceID: "IAM", hostPrefix: "iam")
    static func iamOp(_ name: String) -> AWSOperation { AWSOperation(service: iam, name: name, protocol: .query(version: "2010-05-08")) }
    static let createBucket = AWSOperation(service: .s3, name: "CreateBucket", protocol: .restXML, method: "PUT", path: "/{Bucket}")

    struct Identity {
        var accessKeyID: String
        var secret: String
        var roleARN: String
    }

    static func policy(_ actions: [String]) -> String {
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["# + actions.map { "\"\($0)\"" }.joined(separator: ",")
            + #"],"Resource":"*"}]}"#
    }

    /// With auth off: a bucket, an IAM user allowed `userActions` with an access key, and a role
    /// `team-a` (trusting everyone) allowed S3 and SageMaker.
    static func setUp(_ moto: MotoPeer, userActions: [String]) async throws -> Identity {
        let admin = AWSClient(environment: moto.environment, transport: AsyncHTTPClientTransport(), logger: Fixtures.logger, retry: fastRetry)
        let region = MotoPeer.region
        let credentials = try await admin.credentials(role: nil, sessionName: "setup")
        _ = try await admin.executor.send(createBucket, region: region, credentials: credentials, path: "/\(bucket)")
        _ = try await admin.query(iamOp("CreateUser"), region: region, parameters: ["UserName": "sextant-controller"])
        _ = try await admin.query(iamOp("PutUserPolicy"), region: region, parameters: [
            "UserName": "sextant-controller", "PolicyName": "controller", "PolicyDocument": policy(userActions),
        ])
        let key = try await admin.query(iamOp("CreateAccessKey"), region: region, parameters: ["UserName": "sextant-controller"])
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"#
            + #""Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]}]}"#
        let role = try await admin.query(iamOp("CreateRole"), region: region, parameters: [
            "RoleName": "team-a", "AssumeRolePolicyDocument": trust,
        ])
        _ = try await admin.query(iamOp("PutRolePolicy"), region: region, parameters: [
            "RoleName": "team-a", "PolicyName": "team-a", "PolicyDocument": policy(["s3:*", "sagemaker:*"]),
        ])
        let id = try #require(AWSXML.value("AccessKeyId", in: key))
        let secret = try #require(AWSXML.value("SecretAccessKey", in: key))
        let arn = try #require(AWSXML.value("Arn", in: role))
        return Identity(accessKeyID: id, secret: secret, roleARN: arn)
    }

    static func client(_ moto: MotoPeer, _ overrides: [String: String]) -> AWSClient {
        AWSClient(environment: moto.environment.merging(overrides) { _, new in new }, transport: AsyncHTTPClientTransport(),
                  logger: Fixtures.logger, retry: fastRetry)
    }

    static func error(_ body: () async throws -> Void) async -> AWSError? {
        do {
            try await body()
            return nil
        } catch let error as AWSError {
            return error
        } catch {
            Issue.record("not an AWSError: \(error)")
            return nil
        }
    }

    @Test("requests signed with an IAM user's key pass moto's signature check: S3 put/get/head, SageMaker (JSON 1.1), Batch (REST JSON), CloudWatch (query)")
    func signedRequestsPassSignatureChecking() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        // moto names the CloudWatch action after the signing name (`monitoring:`); AWS IAM says `cloudwatch:`.
        let user = try await Self.setUp(moto, userActions: ["s3:*", "sagemaker:*", "batch:*", "cloudwatch:GetMetricData",
                                                            "monitoring:GetMetricData"])
        try await moto.enableAuth()
        let client = Self.client(moto, ["AWS_ACCESS_KEY_ID": user.accessKeyID, "AWS_SECRET_ACCESS_KEY": user.secret])
        let uri = "s3://\(Self.bucket)/runs/r 1/sextant-outputs.json"
        let body = Data(#"{"metrics":{"auc":0.91}}"#.utf8)
        let put = try await client.s3Put(uri, data: body, contentType: "application/json", region: MotoPeer.region)
        #expect(put.etag?.isEmpty == false)
        #expect(try await client.s3Get(uri, region: MotoPeer.region) == body)
        let head = try await client.s3Head(uri, region: MotoPeer.region)
        #expect(head?.etag == put.etag)
        #expect(try await client.s3Get("s3://\(Self.bucket)/missing.json", region: MotoPeer.region) == nil)
        #expect(try await client.s3Head("s3://\(Self.bucket)/missing.json", region: MotoPeer.region) == nil)
        let jobs = try await client.json(.listTrainingJobs, region: MotoPeer.region, input: [:])
        #expect(jobs["TrainingJobSummaries"]?.arrayValue != nil)
        let described = try await client.json(.describeJobs, region: MotoPeer.region, input: ["jobs": []])
        #expect(described["jobs"]?.arrayValue?.isEmpty == true)
        let now = Date()
        let metrics = try await client.query(.getMetricData, region: MotoPeer.region, parameters: [
            "MetricDataQueries.member.1.Id": "auc",
            "MetricDataQueries.member.1.MetricStat.Metric.Namespace": "Sextant/Training",
            "MetricDataQueries.member.1.MetricStat.Metric.MetricName": "auc",
            "MetricDataQueries.member.1.MetricStat.Period": "60",
            "MetricDataQueries.member.1.MetricStat.Stat": "Average",
            "StartTime": Fixtures.iso(now.addingTimeInterval(-3600)), "EndTime": Fixtures.iso(now),
        ])
        #expect(metrics.contains("GetMetricDataResponse") && AWSXML.value("Id", in: metrics) == "auc", "\(metrics)")

        // Auth really is on: a key moto never issued is refused.
        let stranger = Self.client(moto, ["AWS_ACCESS_KEY_ID": "AKIANOTISSUED0000000", "AWS_SECRET_ACCESS_KEY": "whatever-secret"])
        let refused = await Self.error { _ = try await stranger.json(.listTrainingJobs, region: MotoPeer.region, input: [:]) }
        #expect(refused?.kind == .accessDenied, "\(String(describing: refused))")
    }

    @Test("a wrong secret is refused as accessDenied and the message holds no secret")
    func wrongSecretIsAccessDenied() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        let user = try await Self.setUp(moto, userActions: ["s3:*", "sagemaker:*"])
        try await moto.enableAuth()
        let wrongSecret = "WRONG" + user.secret.dropFirst(5)
        let client = Self.client(moto, ["AWS_ACCESS_KEY_ID": user.accessKeyID, "AWS_SECRET_ACCESS_KEY": wrongSecret])
        let s3 = await Self.error { _ = try await client.s3Get("s3://\(Self.bucket)/x.json", region: MotoPeer.region) }
        let sagemaker = await Self.error { _ = try await client.json(.listTrainingJobs, region: MotoPeer.region, input: [:]) }
        for error in [s3, sagemaker] {
            let error = try #require(error)
            #expect(error.kind == .accessDenied, "\(error)")
            #expect(["SignatureDoesNotMatch", "InvalidSignatureException"].contains(error.code), "\(error)")
            for text in [error.message, error.description, String(reflecting: error)] {
                #expect(!text.contains(wrongSecret) && !text.contains(user.secret), "\(text)")
            }
        }
    }

    @Test("AssumeRole through moto gives credentials that work where the base identity is refused")
    func assumeRoleGivesWorkingCredentials() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        // The user may only assume roles: S3 works only with the role's credentials.
        let user = try await Self.setUp(moto, userActions: ["sts:AssumeRole"])
        try await moto.enableAuth()
        let client = Self.client(moto, ["AWS_ACCESS_KEY_ID": user.accessKeyID, "AWS_SECRET_ACCESS_KEY": user.secret])
        let uri = "s3://\(Self.bucket)/team-a/model.json"
        let denied = await Self.error { try await client.s3Put(uri, data: Data("{}".utf8), region: MotoPeer.region) }
        #expect(denied?.kind == .accessDenied, "\(String(describing: denied))")

        try await client.s3Put(uri, data: Data("{}".utf8), region: MotoPeer.region, role: user.roleARN, sessionName: "team-a/churn")
        #expect(try await client.s3Get(uri, region: MotoPeer.region, role: user.roleARN, sessionName: "team-a/churn") == Data("{}".utf8))
        let assumed = try await client.credentials(role: user.roleARN, sessionName: "team-a/churn")
        #expect(assumed.accessKeyId != user.accessKeyID && assumed.sessionToken != nil && assumed.expiration != nil)
    }

    @Test("AssumeRoleWithWebIdentity (IRSA token file) through moto gives credentials moto accepts")
    func webIdentityGivesWorkingCredentials() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        let user = try await Self.setUp(moto, userActions: ["sts:GetCallerIdentity"])
        // The web identity call is unsigned (moto cannot check it with auth on): let exactly it through.
        try await moto.enableAuth(unauthenticatedRequests: 1)
        let tokenFile = try Fixtures.temporaryFile("eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2V4dGFudDpjb250cm9sbGVyIn0.c2ln")
        var env = moto.environment
        env["AWS_ACCESS_KEY_ID"] = nil
        env["AWS_SECRET_ACCESS_KEY"] = nil
        env["AWS_ROLE_ARN"] = user.roleARN
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile
        env["AWS_ROLE_SESSION_NAME"] = "sextant-controller"
        let client = AWSClient(environment: env, transport: AsyncHTTPClientTransport(), logger: Fixtures.logger, retry: Self.fastRetry)
        let credentials = try await client.credentials(role: nil, sessionName: "ignored")
        #expect(credentials.sessionToken != nil && credentials.expiration != nil)
        let uri = "s3://\(Self.bucket)/irsa.json"
        try await client.s3Put(uri, data: Data("[1]".utf8), region: MotoPeer.region)
        #expect(try await client.s3Get(uri, region: MotoPeer.region) == Data("[1]".utf8))
    }

    @Test("AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL, which the other services use")
    func endpointOverridesAreRespected() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        let closedPort = try PeerProcess.freePort()
        let client = Self.client(moto, ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(closedPort)", "AWS_ENDPOINT_URL_S3": moto.url])
        let admin = Self.client(moto, [:])
        _ = try await admin.executor.send(Self.createBucket, region: MotoPeer.region,
                                          credentials: try await admin.credentials(role: nil, sessionName: "s"), path: "/\(Self.bucket)")
        try await client.s3Put("s3://\(Self.bucket)/e.json", data: Data("1".utf8), region: MotoPeer.region)
        #expect(try await client.s3Get("s3://\(Self.bucket)/e.json", region: MotoPeer.region) == Data("1".utf8))
        let unreachable = await Self.error { _ = try await client.json(.listTrainingJobs, region: MotoPeer.region, input: [:]) }
        #expect(unreachable?.kind == .unavailable && unreachable?.code == "NetworkError", "\(String(describing: unreachable))")
    }
}
