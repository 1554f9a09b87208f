import CloudAzure
import Foundation
import KubeCore
import Logging
import SextantAPI
@testable import SextantControllers
import Testing

/// The cancel of `AzureMLBackend` over a scripted transport: the async-operation poll is best effort.
@Suite("Azure ML cancel: the operation poll is best effort")
struct AzureMLCancelTests {
    final class Transport: AzureHTTPTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [String] = []
        var calls: [String] { lock.withLock { seen } }

        func send(_ request: AzureHTTPRequest, timeout: Duration) async throws -> AzureHTTPResponse {
            let call = "\(request.method) \(request.url.path)"
            lock.withLock { seen.append(call) }
            if request.url.path.hasSuffix("/oauth2/v2.0/token") {
                return AzureHTTPResponse(status: 200, body: Data(#"{"token_type":"Bearer","expires_in":3600,"access_token":"t"}"#.utf8))
            }
            if request.url.path.contains("/mfeOperationsStatus/") {
                let denied = #"{"error":{"code":"AuthorizationFailed","message":"no locations/mfeOperationsStatus/read"}}"#
                return AzureHTTPResponse(status: 403, body: Data(denied.utf8))
            }
            if request.method == "POST" {
                return AzureHTTPResponse(status: 202, headers: ["Azure-AsyncOperation": "http://arm.test/subscriptions/sub-1/providers/Microsoft.MachineLearningServices/locations/westeurope/mfeOperationsStatus/jc:x?api-version=2024-04-01",
                                                                "Retry-After": "0"])
            }
            return AzureHTTPResponse(status: 200, body: Data(#"{"name":"run-train-0-1a2b3c4d","properties":{"status":"Running"}}"#.utf8))
        }
    }

    @Test("a refused operation poll does not fail the stop: the cancel POST was accepted")
    func refusedPollIsIgnored() async throws {
        let transport = Transport()
        let env = ["AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "secret-value-1234",
                   "AZURE_AUTHORITY_HOST": "http://login.test", "AZURE_RESOURCE_MANAGER_ENDPOINT": "http://arm.test"]
        let backend = AzureMLBackend(client: AzureClient(environment: env, transport: transport, logger: Logger(label: "t")), cancelPolls: 2)
        try await backend.stop(try azureMLAttempt(), context: CloudCallContext(namespace: "ml", objectName: "run", logger: Logger(label: "t")))
        let calls = transport.calls.filter { !$0.hasSuffix("/token") }
        #expect(calls.count == 3, "\(calls)")
        #expect(calls[0].hasPrefix("GET ") && calls[0].hasSuffix("/jobs/run-train-0-1a2b3c4d"))
        #expect(calls[1] == "POST /subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1/jobs/run-train-0-1a2b3c4d/cancel")
        #expect(calls[2].contains("/mfeOperationsStatus/jc:x"))
    }
}
