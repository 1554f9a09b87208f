import Foundation
import KubeCore
import Logging
import Testing
import TestSupport
@testable import CloudAzure

/// The Azure layer over real HTTP against the scripted fake (Tests/harness/azure/fake_azure.py):
/// one fake for the suite, token flows checked by the fake's token endpoint, faults injected there.
@Suite("CloudAzure against the scripted Azure fake", .serialized)
struct FakeAzureIntegrationTests {
    static let jobPath = "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1/jobs/"

    static let job: JSONValue = ["properties": [
        "jobType": "Command", "command": "python train.py",
        "environmentId": "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1/environments/e/versions/1",
        "computeId": "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1/computes/cpu",
    ]]

    func client(_ env: [String: String], sleeps: RecordedSleeps = RecordedSleeps()) -> AzureClient {
        AzureClient(environment: env, transport: AzureAsyncHTTPClientTransport(), logger: AzureFixtures.logger, sleep: sleeps.function)
    }

    @Test("workload identity and client secret get tokens from the fake's Entra endpoint; 429/503 retried; an expired token is renewed once; Blob GET with its own scope")
    func everyFlowAgainstTheFake() async throws {
        let azure = try await FakeAzurePeer.start()
        defer { azure.stop() }

        // Workload identity: the fake accepts only the federated token file's content as client_assertion.
        let wi = client(azure.environment)
        let created = try await wi.arm("PUT", path: Self.jobPath + "wi-1", apiVersion: "2024-04-01", body: Self.job)
        #expect(created.status == 201 && created.json["name"] == "wi-1")
        var requests = try await azure.requests()
        let tokenRequest = try #require(requests.first)
        #expect(tokenRequest["path"] == .string("/\(FakeAzurePeer.tenantID)/oauth2/v2.0/token"))
        #expect(tokenRequest[path: ["form", "client_assertion_type"]] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        #expect(tokenRequest[path: ["form", "client_assertion"]] == .string("<\(azure.federatedToken.count) chars>"))
        #expect(tokenRequest[path: ["form", "scope"]] == "https://management.azure.com/.default")
        #expect(requests[1][path: ["headers", "authorization"]] == "Bearer token-1")

        // A wrong federated token is refused by the fake: CloudAccessDenied, and nothing else is sent.
        let wrongFile = try AzureFixtures.temporaryFile("not-the-projected-token")
        var wrong = azure.environment
        wrong["AZURE_FEDERATED_TOKEN_FILE"] = wrongFile
        do {
            _ = try await client(wrong).arm("GET", path: Self.jobPath + "wi-1", apiVersion: "2024-04-01")
            Issue.record("a wrong assertion must be refused")
        } catch let e as AzureError {
            #expect(e.stepReason == "CloudAccessDenied" && e.code == "invalid_client", "\(e)")
        }

        // Client secret.
        var secretEnv = azure.environment
        secretEnv["AZURE_CLIENT_SECRET"] = "fake-client-secret-0123456789"
        let got = try await client(secretEnv).arm("GET", path: Self.jobPath + "wi-1", apiVersion: "2024-04-01")
        #expect(got.json[path: ["properties", "status"]] == "Queued")

        // 429 then 503 with Retry-After: both retried, the call succeeds.
        let sleeps = RecordedSleeps()
        let retrying = client(azure.environment, sleeps: sleeps)
        try await azure.injectFaults(match: "/jobs/wi-1", statuses: [429, 503], retryAfter: "2")
        let afterFaults = try await retrying.arm("GET", path: Self.jobPath + "wi-1", apiVersion: "2024-04-01")
        #expect(afterFaults.status == 200)
        #expect(sleeps.delays == [.seconds(2), .seconds(2)])

        // Expired token: 401 ExpiredAuthenticationToken → one new token, the call repeated once.
        try await azure.expireTokens()
        let before = try await azure.requests().count
        _ = try await retrying.arm("GET", path: Self.jobPath + "wi-1", apiVersion: "2024-04-01")
        requests = Array(try await azure.requests().dropFirst(before))
        #expect(requests.map { $0["path"]?.stringValue?.hasSuffix("/token") == true ? "token" : "job" } == ["job", "token", "job"])
        #expect(await retrying.tokens.tokenRequestCount() == 2)

        // Blob: a storage-scoped token and x-ms-version; a missing blob is nil.
        try await azure.putBlob("acmeml/models/churn/sextant-outputs.json", #"{"metrics":{"auc":0.91}}"#)
        let data = try await wi.blobGet("az://acmeml/models/churn/sextant-outputs.json")
        #expect(String(decoding: try #require(data), as: UTF8.self) == #"{"metrics":{"auc":0.91}}"#)
        #expect(try await wi.blobGet("https://acmeml.blob.core.windows.net/models/none.json") == nil)
        let blobToken = try await azure.requests().first { $0[path: ["form", "scope"]] == "https://storage.azure.com/.default" }
        #expect(blobToken != nil)
    }
}
