import Foundation
import KubeCore
import Testing
@testable import CloudAWS

/// An `ExpiredToken` answer to cached credentials that looked valid (revoked early, clock skew):
/// the client fetches credentials again and repeats the call once, signed with the new ones.
@Suite struct AWSExpiredCredentialsTests {
    static let fastRetry = AWSRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5))
    static let env = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/v1/credentials", "AWS_REGION": "eu-west-1"]

    /// The container endpoint hands out `AKIAFIRST` then `AKIASECOND`, each valid for an hour; the
    /// first SageMaker call answers `expired`.
    static func transport(expired: @escaping @Sendable (Int) -> Bool) -> FakeTransport {
        let expiration = Fixtures.iso(Date().addingTimeInterval(3600))
        let served = Counter()
        return FakeTransport { request, _ in
            if request.url.path == "/v1/credentials" {
                let id = served.next() == 0 ? "AKIAFIRST" : "AKIASECOND"
                return AWSHTTPResponse(status: 200, body: Data(
                    #"{"AccessKeyId":"\#(id)","SecretAccessKey":"secret-\#(id)","Token":"token-\#(id)","Expiration":"\#(expiration)"}"#.utf8))
            }
            let call = served.call()
            if expired(call) {
                return AWSHTTPResponse(status: 400, body: Data(
                    #"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#.utf8))
            }
            return AWSHTTPResponse(status: 200, body: Data(#"{"TrainingJobStatus":"Completed"}"#.utf8))
        }
    }

    @Test func anExpiredTokenAnswerFetchesCredentialsAgainAndRepeatsTheCallOnceWithTheNewOnes() async throws {
        let transport = Self.transport { $0 == 0 }
        let client = AWSClient(environment: Self.env, transport: transport, logger: Fixtures.logger, retry: Self.fastRetry)
        let answer = try await client.json(.describeTrainingJob, region: "eu-west-1", input: ["TrainingJobName": "j"])
        #expect(answer["TrainingJobStatus"]?.stringValue == "Completed")
        let calls = transport.requests.filter { $0.url.path != "/v1/credentials" }
        #expect(calls.count == 2)
        #expect(Fixtures.header(calls[0], "Authorization")?.contains("Credential=AKIAFIRST/") == true)
        #expect(Fixtures.header(calls[1], "Authorization")?.contains("Credential=AKIASECOND/") == true)
        #expect(transport.requests.filter { $0.url.path == "/v1/credentials" }.count == 2)
    }

    @Test func aSecondExpiredAnswerIsThrownAsAccessDeniedWithoutLooping() async throws {
        let transport = Self.transport { _ in true }
        let client = AWSClient(environment: Self.env, transport: transport, logger: Fixtures.logger, retry: Self.fastRetry)
        let error = await #expect(throws: AWSError.self) {
            try await client.json(.describeTrainingJob, region: "eu-west-1", input: ["TrainingJobName": "j"])
        }
        #expect(error?.code == "ExpiredTokenException")
        #expect(error?.kind == .accessDenied)
        #expect(transport.requests.filter { $0.url.path != "/v1/credentials" }.count == 2)
    }

    @Test func s3CallsAlsoFetchCredentialsAgainAfterAnExpiredTokenAnswer() async throws {
        let expiration = Fixtures.iso(Date().addingTimeInterval(3600))
        let served = Counter()
        let transport = FakeTransport { request, _ in
            if request.url.path == "/v1/credentials" {
                let id = served.next() == 0 ? "AKIAFIRST" : "AKIASECOND"
                return AWSHTTPResponse(status: 200, body: Data(
                    #"{"AccessKeyId":"\#(id)","SecretAccessKey":"s","Token":"t","Expiration":"\#(expiration)"}"#.utf8))
            }
            if served.call() == 0 {
                return AWSHTTPResponse(status: 400, body: Data(
                    "<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>".utf8))
            }
            return AWSHTTPResponse(status: 200, body: Data(#"{"ok":true}"#.utf8))
        }
        let client = AWSClient(environment: Self.env, transport: transport, logger: Fixtures.logger, retry: Self.fastRetry)
        let body = try await client.s3Get("s3://bucket/outputs.json", region: "eu-west-1")
        #expect(body.map { String(decoding: $0, as: UTF8.self) } == #"{"ok":true}"#)
        let calls = transport.requests.filter { $0.url.path != "/v1/credentials" }
        #expect(Fixtures.header(calls[1], "Authorization")?.contains("Credential=AKIASECOND/") == true)
    }
}

/// Counts credential fetches and service calls separately.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var fetches = 0
    private var calls = 0
    func next() -> Int { lock.withLock { defer { fetches += 1 }; return fetches } }
    func call() -> Int { lock.withLock { defer { calls += 1 }; return calls } }
}
