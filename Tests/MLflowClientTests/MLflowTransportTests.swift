import Foundation
import Testing
@testable import MLflowClient

/// A transport that records requests and answers from a script.
final class ScriptedTransport: MLflowHTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [Result<MLflowHTTPResponse, any Error>]
    private(set) var requests: [MLflowHTTPRequest] = []

    init(_ answers: [Result<MLflowHTTPResponse, any Error>]) { self.answers = answers }

    func send(_ request: MLflowHTTPRequest, timeout: Duration) async throws -> MLflowHTTPResponse {
        let next: Result<MLflowHTTPResponse, any Error> = lock.withLock {
            requests.append(request)
            return answers.isEmpty ? .success(MLflowHTTPResponse(status: 200, body: Data("{}".utf8))) : answers.removeFirst()
        }
        return try next.get()
    }

    var recorded: [MLflowHTTPRequest] { lock.withLock { requests } }
}

struct NetworkDown: Error {}

@Suite struct MLflowTransportTests {
    func header(_ request: MLflowHTTPRequest?, _ name: String) -> String? {
        request?.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    @Test func aTrackingTokenIsSentAsBearerAndNeverDescribed() async throws {
        let transport = ScriptedTransport([])
        let credentials = MLflowCredentials(environment: ["MLFLOW_TRACKING_TOKEN": "s3cr3t-token", "MLFLOW_TRACKING_USERNAME": "u"])
        #expect(credentials == .bearer(token: "s3cr3t-token"))
        #expect(!credentials.description.contains("s3cr3t"))
        let client = try MLflowClient(trackingURI: "http://mlflow:5000/", credentials: credentials, transport: transport)
        try await client.updateRun(runID: "r1", status: .finished, endTime: 5)
        let request = transport.recorded.first
        #expect(header(request, "Authorization") == "Bearer s3cr3t-token")
        #expect(request?.url.absoluteString == "http://mlflow:5000/api/2.0/mlflow/runs/update")
        #expect(request?.method == "POST")
    }

    @Test func usernameAndPasswordAreSentAsBasicAuth() async throws {
        let transport = ScriptedTransport([])
        let credentials = MLflowCredentials(environment: ["MLFLOW_TRACKING_USERNAME": "alice", "MLFLOW_TRACKING_PASSWORD": "pw:1"])
        #expect(credentials.description == "basic (user alice)")
        let client = try MLflowClient(trackingURI: "https://mlflow.example/prefix", credentials: credentials, transport: transport)
        try await client.setTag(runID: "r", key: "k", value: "v")
        let request = transport.recorded.first
        #expect(header(request, "Authorization") == "Basic " + Data("alice:pw:1".utf8).base64EncodedString())
        #expect(request?.url.absoluteString == "https://mlflow.example/prefix/api/2.0/mlflow/runs/log-batch")
    }

    @Test func noCredentialsSendNoAuthorizationHeader() async throws {
        let transport = ScriptedTransport([])
        let client = try MLflowClient(trackingURI: "http://m", credentials: MLflowCredentials(environment: [:]), transport: transport)
        try await client.updateRun(runID: "r", status: .killed)
        #expect(header(transport.recorded.first, "Authorization") == nil)
    }

    @Test func queryValuesAreEscapedPlusIncluded() async throws {
        let transport = ScriptedTransport([.success(MLflowHTTPResponse(status: 404, body: Data(#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"no"}"#.utf8)))])
        let client = try MLflowClient(trackingURI: "http://m", credentials: .none, transport: transport)
        #expect(try await client.experiment(named: "a+b c&d") == nil)
        let query = transport.recorded.first?.url.query ?? ""
        #expect(query == "experiment_name=a%2Bb%20c%26d")
    }

    @Test(arguments: [
        (500, "", true), (502, "bad gateway", true), (503, "", true), (429, #"{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow"}"#, true),
        (400, #"{"error_code":"RESOURCE_ALREADY_EXISTS","message":"x"}"#, false),
        (400, #"{"error_code":"INVALID_PARAMETER_VALUE","message":"x"}"#, false),
        (401, "Unauthorized", false), (403, #"{"error_code":"PERMISSION_DENIED","message":"no"}"#, false),
    ])
    func fiveHundredsAndThrottlingAreRetryableOthersAreNot(status: Int, body: String, retryable: Bool) async throws {
        let transport = ScriptedTransport([.success(MLflowHTTPResponse(status: status, body: Data(body.utf8)))])
        let client = try MLflowClient(trackingURI: "http://m", credentials: .none, transport: transport)
        do {
            try await client.updateRun(runID: "r", status: .failed)
            Issue.record("HTTP \(status) did not throw")
        } catch let error as MLflowError {
            #expect(error.isRetryable == retryable, "\(error)")
        }
    }

    @Test func errorCodesMapToTheirCases() {
        func error(_ status: Int, _ code: String) -> MLflowError {
            MLflowError.fromAnswer(status: status, body: Data(#"{"error_code":"\#(code)","message":"m"}"#.utf8))
        }
        #expect(error(400, "RESOURCE_ALREADY_EXISTS") == .resourceAlreadyExists("m"))
        #expect(error(404, "RESOURCE_DOES_NOT_EXIST") == .resourceDoesNotExist("m"))
        #expect(error(400, "INVALID_PARAMETER_VALUE") == .invalidParameterValue("m"))
        #expect(error(400, "BAD_REQUEST") == .rejected(code: "BAD_REQUEST", status: 400, message: "m"))
        #expect(error(401, "UNAUTHENTICATED") == .accessDenied(status: 401, message: "m"))
    }

    @Test func aNetworkFailureIsUnavailable() async throws {
        let transport = ScriptedTransport([.failure(NetworkDown())])
        let client = try MLflowClient(trackingURI: "http://m", credentials: .none, transport: transport)
        do {
            _ = try await client.run(id: "r")
            Issue.record("no error")
        } catch let error as MLflowError {
            guard case .unavailable = error else { Issue.record("expected unavailable, got \(error)"); return }
        }
    }

    @Test func aTrackingURIThatIsNotHTTPIsRefused() {
        #expect(throws: MLflowError.self) { try MLflowClient(trackingURI: "file:///tmp/mlruns", credentials: .none, transport: ScriptedTransport([])) }
        #expect(throws: MLflowError.self) { try MLflowClient(trackingURI: "databricks", credentials: .none, transport: ScriptedTransport([])) }
    }

    @Test func logBatchIsSplitWithinMLflowsLimits() {
        let params = (0..<250).map { MLflowKeyValue(key: "p\($0)", value: "v") }
        let metrics = (0..<1500).map { MLflowMetric(key: "m\($0)", value: 1, timestamp: 0) }
        let tags = (0..<30).map { MLflowKeyValue(key: "t\($0)", value: "v") }
        let batches = MLflowClient.batches(params: params, metrics: metrics, tags: tags)
        for batch in batches {
            #expect(batch.params.count <= 100)
            #expect(batch.tags.count <= 100)
            #expect(batch.metrics.count <= 1000)
            #expect(batch.params.count + batch.tags.count + batch.metrics.count <= 1000)
        }
        #expect(batches.flatMap(\.params) == params)
        #expect(batches.flatMap(\.metrics) == metrics)
        #expect(batches.flatMap(\.tags) == tags)
        #expect(MLflowClient.batches(params: [], metrics: [], tags: []).isEmpty)
    }

    @Test func theRunURLPointsAtTheUI() throws {
        let client = try MLflowClient(trackingURI: "http://mlflow.mlops:5000/", credentials: .none, transport: ScriptedTransport([]))
        #expect(client.runURL(experimentID: "3", runID: "abc") == "http://mlflow.mlops:5000/#/experiments/3/runs/abc")
    }
}
