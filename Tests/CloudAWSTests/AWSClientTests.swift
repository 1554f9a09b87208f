import Foundation
import KubeCore
import Testing
@testable import CloudAWS

/// `AWSClient` over a scripted transport: wire framing of each protocol, retries, error mapping.
@Suite struct AWSClientTests {
    static let env = ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "test-secret-key-0123", "AWS_REGION": "eu-west-1"]
    static let fastRetry = AWSRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5))

    struct Boom: Error {}

    static func client(_ transport: FakeTransport, env: [String: String] = env) -> AWSClient {
        AWSClient(environment: env, transport: transport, logger: Fixtures.logger, retry: fastRetry)
    }

    @Test func json11CallsPostTheTargetHeaderSignedForTheService() async throws {
        let transport = FakeTransport { _, _ in AWSHTTPResponse(status: 200, body: Data(#"{"TrainingJobStatus":"InProgress"}"#.utf8)) }
        let answer = try await Self.client(transport).json(.describeTrainingJob, region: "eu-west-1", input: ["TrainingJobName": "job-1"])
        #expect(answer["TrainingJobStatus"]?.stringValue == "InProgress")
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST" && request.url.absoluteString == "https://api.sagemaker.eu-west-1.amazonaws.com/")
        #expect(Fixtures.header(request, "x-amz-target") == "SageMaker.DescribeTrainingJob")
        #expect(Fixtures.header(request, "content-type") == "application/x-amz-json-1.1")
        #expect(Fixtures.header(request, "Authorization")?.contains("Credential=AKIATEST/") == true)
        #expect(Fixtures.header(request, "Authorization")?.contains("/eu-west-1/sagemaker/aws4_request") == true)
        #expect(try JSONValue.parse(request.body) == ["TrainingJobName": "job-1"])
    }

    @Test func restJSONCallsPostToTheOperationPath() async throws {
        let transport = FakeTransport { _, _ in AWSHTTPResponse(status: 200, body: Data(#"{"jobId":"j-1","jobName":"n"}"#.utf8)) }
        let env = Self.env.merging(["AWS_ENDPOINT_URL_BATCH": "http://127.0.0.1:9"]) { _, new in new }
        _ = try await Self.client(transport, env: env).json(.submitJob, region: "eu-west-1", input: ["jobName": "n"])
        let request = try #require(transport.requests.first)
        #expect(request.url.absoluteString == "http://127.0.0.1:9/v1/submitjob")
        #expect(Fixtures.header(request, "content-type") == "application/json")
        #expect(Fixtures.header(request, "host") == "127.0.0.1:9")
    }

    @Test func throttlingIsRetriedUntilItSucceeds() async throws {
        let transport = FakeTransport { _, index in
            index < 2 ? AWSHTTPResponse(status: 400, body: Data(#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.utf8))
                : AWSHTTPResponse(status: 200, body: Data("{}".utf8))
        }
        _ = try await Self.client(transport).json(.listTrainingJobs, region: "eu-west-1", input: [:])
        #expect(transport.count == 3)
    }

    @Test func serverErrorsAndNetworkFailuresAreRetriedAtMostMaxAttemptsTimes() async throws {
        let transport = FakeTransport { _, index in
            if index % 2 == 0 { throw Boom() }
            return AWSHTTPResponse(status: 503)
        }
        await #expect(throws: AWSError.self) { try await Self.client(transport).json(.listJobs, region: "eu-west-1", input: [:]) }
        #expect(transport.count == Self.fastRetry.maxAttempts)
    }

    @Test func validationErrorsAreNotRetried() async throws {
        let transport = FakeTransport { _, _ in
            AWSHTTPResponse(status: 400, body: Data(#"{"__type":"ValidationException","message":"bad instance type"}"#.utf8))
        }
        do {
            _ = try await Self.client(transport).json(.createTrainingJob, region: "eu-west-1", input: [:])
            Issue.record("expected an error")
        } catch let error as AWSError {
            #expect(error.kind == .invalidRequest && error.code == "ValidationException" && error.message == "bad instance type")
        }
        #expect(transport.count == 1)
    }

    @Test func s3GetAndHeadAnswerNilForAMissingObjectAndPutSendsTheBody() async throws {
        let transport = FakeTransport { request, _ in
            switch request.method {
            case "GET": return AWSHTTPResponse(status: 404, body: Data("<Error><Code>NoSuchKey</Code><Message>no</Message></Error>".utf8))
            case "HEAD": return AWSHTTPResponse(status: 404)
            default: return AWSHTTPResponse(status: 200, headers: ["ETag": "\"abc\"", "x-amz-version-id": "v1"])
            }
        }
        let client = Self.client(transport)
        #expect(try await client.s3Get("s3://bucket/out/a b.json", region: "eu-west-1") == nil)
        #expect(try await client.s3Head("s3://bucket/out/a b.json", region: "eu-west-1") == nil)
        let put = try await client.s3Put("s3://bucket/out/a b.json", data: Data("{}".utf8), region: "eu-west-1")
        #expect(put.etag == "abc" && put.versionId == "v1")
        let request = transport.requests[2]
        #expect(request.url.absoluteString == "https://s3.eu-west-1.amazonaws.com/bucket/out/a%20b.json")
        #expect(Fixtures.header(request, "x-amz-content-sha256") == SigV4Signer.hexSHA256(Data("{}".utf8)))
        #expect(request.body == Data("{}".utf8))
    }

    @Test func fullJitterStaysUnderTheExponentialCap() {
        let policy = AWSRetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        #expect(policy.ceiling(attempt: 0) == .milliseconds(100))
        #expect(policy.ceiling(attempt: 3) == .milliseconds(800))
        #expect(policy.ceiling(attempt: 8) == .seconds(2))
        #expect(policy.delay(attempt: 3, fraction: 0.5) == .milliseconds(400))
        for attempt in 0..<10 { #expect(policy.delay(attempt: attempt) <= policy.ceiling(attempt: attempt)) }
    }
}
