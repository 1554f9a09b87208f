import Foundation
import KubeCore
import Testing
import TestSupport
@testable import CloudAWS

/// Retries over real HTTP against `Tests/harness/aws/scripted_server.py` (429 twice then 200, 503
/// SlowDown twice then 200, 400 ValidationException, 500 always), counting what reached the server.
@Suite("CloudAWS retries over HTTP", .serialized)
struct RetryIntegrationTests {
    static let retry = AWSRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200), requestTimeout: .seconds(10))

    static func start() async throws -> PeerProcess {
        let script = ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/aws/scripted_server.py").path
        return try await PeerProcess.start(name: "scripted-aws", executable: "/usr/bin/python3", arguments: [script, "--port", "{port}"],
                                           readyPath: "/counts", timeout: 30)
    }

    static func counts(_ server: PeerProcess) async throws -> [String: Int] {
        let result = try await ProcessRunner.run("/usr/bin/curl", ["-s", server.url + "/counts"], timeout: 10)
        let json = try JSONValue.parse(result.stdout)
        return (json.objectValue ?? [:]).compactMapValues { $0.intValue.map(Int.init) }
    }

    static func client(_ env: [String: String]) -> AWSClient {
        AWSClient(environment: ["AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "test-secret-0123"].merging(env) { _, new in new },
                  transport: AsyncHTTPClientTransport(), logger: Fixtures.logger, retry: retry)
    }

    @Test("429 twice then 200 succeeds after three requests; S3 SlowDown (503) likewise")
    func throttlingIsRetried() async throws {
        let server = try await Self.start()
        defer { server.stop() }
        let sagemaker = Self.client(["AWS_ENDPOINT_URL_SAGEMAKER": server.url + "/throttle"])
        let answer = try await sagemaker.json(.listTrainingJobs, region: "us-east-1", input: [:])
        #expect(answer == .object([:]))
        let s3 = Self.client(["AWS_ENDPOINT_URL_S3": server.url + "/throttle-xml"])
        #expect(try await s3.s3Get("s3://b/k.json", region: "us-east-1") == Data("{}".utf8))
        let counts = try await Self.counts(server)
        #expect(counts["throttle"] == 3 && counts["throttle-xml"] == 3, "\(counts)")
    }

    @Test("400 ValidationException is not retried; 500 is retried up to the attempt bound")
    func validationIsNotRetriedAndServerErrorsAreBounded() async throws {
        let server = try await Self.start()
        defer { server.stop() }
        do {
            _ = try await Self.client(["AWS_ENDPOINT_URL": server.url + "/validation"]).json(.createTrainingJob, region: "us-east-1", input: [:])
            Issue.record("expected ValidationException")
        } catch let error as AWSError {
            #expect(error.kind == .invalidRequest && error.code == "ValidationException" && error.httpStatus == 400)
            #expect(error.requestID == "scripted-400")
        }
        do {
            _ = try await Self.client(["AWS_ENDPOINT_URL": server.url + "/unavailable"]).json(.submitJob, region: "us-east-1", input: [:])
            Issue.record("expected InternalFailure")
        } catch let error as AWSError {
            #expect(error.kind == .unavailable && error.code == "InternalFailure")
        }
        let counts = try await Self.counts(server)
        #expect(counts["validation"] == 1 && counts["unavailable"] == Self.retry.maxAttempts, "\(counts)")
    }
}
