import CloudAzure
import Foundation
import KubeCore
import Logging
import SextantAPI
@testable import SextantControllers
import Testing
import TestSupport

/// `AzureMLBackend` through the CloudAzure client against the scripted Azure fake
/// (Tests/harness/azure/fake_azure.py), one fake for the suite: request bodies and headers as the
/// fake records them, scripted states, the asynchronous cancel, Blob outputs and injected faults.
@Suite("Azure ML backend against the scripted Azure fake", .serialized)
struct AzureMLBackendFakeTests {
    let logger = Logger(label: "azureml-backend-test")

    func attempt(_ pipeline: String, spot: Bool = false, instances: Int = 1, outputs: StepOutputs? = StepOutputs(artifacts: ["model"], metrics: ["auc"])) throws -> CloudAttempt {
        let step = AzureMLStep(subscriptionId: "sub-1", resourceGroup: "rg-1", workspace: "ws-1", compute: "cpu-cluster",
                               environment: "acme.azurecr.io/churn-train:1.4", command: "python train.py", instanceCount: instances,
                               environmentVariables: ["EPOCHS": "3"], outputUri: "az://acmeml/models/churn")
        return CloudAttempt(backend: "azureML", namespace: "ml", pipeline: pipeline, pipelineUID: "uid-\(pipeline)", step: "train", attempt: 0,
                            jobName: CloudAttempt.jobName(pipeline: pipeline, step: "train", attempt: 0, uid: "uid-\(pipeline)", limit: 255),
                            block: try JSONValue(encoding: step), spot: spot, timeoutSeconds: 3600, declaredOutputs: outputs)
    }

    @Test("start PUTs one job (a second start adopts it), states are observed to Completed with outputs and cost, Failed carries the message, cancel is the async POST, faults are retried")
    func lifecycle() async throws {
        let azure = try await FakeAzurePeer.start()
        defer { azure.stop() }
        let client = AzureClient(environment: azure.environment, logger: logger,
                                 retry: AzureRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20)))
        let backend = AzureMLBackend(client: client)
        let context = CloudCallContext(namespace: "ml", objectName: "run", logger: logger)

        // Succeeded: NotStarted → Running → Completed, one GET each.
        try await azure.script(prefix: "ok-", states: ["NotStarted", "Running", "Completed"])
        let ok = try attempt("ok", spot: true, instances: 2)
        let first = try await backend.start(ok, context: context)
        #expect(first.state == .running && first.providerStatus == "NotStarted")
        #expect(first.id == "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1/jobs/\(ok.jobName)")
        #expect(first.url == "https://ml.azure.com/runs/\(ok.jobName)?wsid=/subscriptions/sub-1/resourcegroups/rg-1/workspaces/ws-1")
        let adopted = try await backend.start(ok, context: context)
        #expect(adopted.id == first.id && adopted.providerStatus == "Running")
        var jobs = try await azure.jobs()
        #expect(jobs[ok.jobName]?["puts"] == 1)
        let props = try #require(jobs[ok.jobName]?["props"])
        #expect(props["queueSettings"] == ["jobTier": "Spot"])
        #expect(props["resources"] == ["instanceCount": 2])
        #expect(props["distribution"] == ["distributionType": "PyTorch", "processCountPerInstance": 1])
        #expect(props["limits"] == ["jobLimitsType": "Command", "timeout": "PT3600S"])
        #expect(props[path: ["environmentVariables", "SEXTANT_OUTPUTS_URI"]] == .string("az://acmeml/models/churn/\(ok.jobName)/sextant-outputs.json"))
        #expect(props["environmentId"]?.stringValue?.contains("/environments/sextant-") == true)
        let requests = try await azure.requests()
        let put = try #require(requests.first { $0["method"] == "PUT" && $0["path"]?.stringValue?.hasSuffix("/jobs/\(ok.jobName)") == true })
        #expect(put[path: ["query", "api-version"]] == "2024-04-01")
        #expect(put[path: ["headers", "authorization"]]?.stringValue?.hasPrefix("Bearer token-") == true)
        #expect(put[path: ["headers", "content-type"]] == "application/json")
        #expect(requests.contains { $0["method"] == "PUT" && $0["path"]?.stringValue?.contains("/environments/sextant-") == true
            && $0[path: ["body", "properties", "image"]] == "acme.azurecr.io/churn-train:1.4" })

        let done = try await backend.observe(ok, context: context)
        #expect(done.state == .succeeded)
        try await azure.putBlob("acmeml/models/churn/\(ok.jobName)/sextant-outputs.json", #"{"metrics":{"auc":0.93}}"#)
        let outputs = try await backend.outputs(ok, observation: done, context: context)
        #expect(outputs.artifacts == ["model": "azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.\(ok.jobName)"])
        #expect(outputs.metrics == ["auc": 0.93])
        let cost = try #require(backend.cost(ok, observation: done, pricing: PricingTable(azureML: ["Standard_DS3_v2": 0.3], spotDiscountPercent: ["azureML": 60])))
        #expect(cost.spotSavingsPercent == 60 && cost.estimatedUSD != nil, "\(cost)")

        // Failed: the job's error message reaches the attempt.
        try await azure.script(prefix: "bad-", states: ["NotStarted", "Running"])
        let bad = try attempt("bad")
        _ = try await backend.start(bad, context: context)
        try await azure.finish(prefix: "bad-", status: "Failed", errorMessage: "Execution failed: CUDA out of memory")
        let failed = try await backend.observe(bad, context: context)
        #expect(failed.state == .failed && failed.reason == "Failed" && failed.message == "Execution failed: CUDA out of memory")

        // Cancel: POST …/cancel answers 202 with Location and Azure-AsyncOperation; polled until Succeeded.
        let cancel = try attempt("cancel")
        _ = try await backend.start(cancel, context: context)
        try await backend.stop(cancel, context: context)
        jobs = try await azure.jobs()
        #expect(jobs[cancel.jobName]?["cancels"] == 1)
        #expect(try await backend.observe(cancel, context: context).state == .stopped)
        let polls = try await azure.requests().filter { $0["path"]?.stringValue?.contains("/mfeOperationsStatus/jc:\(cancel.jobName)") == true }
        #expect(polls.count >= 1)
        try await backend.stop(cancel, context: context)
        #expect(try await azure.jobs()[cancel.jobName]?["cancels"] == 1, "a finished job is not canceled again")

        // 429 and 503 on the PUT are retried; one job results.
        try await azure.injectFaults(match: "/jobs/retry-", statuses: [429, 503])
        let retry = try attempt("retry")
        #expect(try await backend.start(retry, context: context).state == .running)
        #expect(try await azure.jobs()[retry.jobName]?["puts"] == 1)

        // A job deleted outside Sextant: CloudJobNotFound. An invalid request: CloudInvalidRequest, not retried.
        var missing = try attempt("gone")
        missing.recordedID = "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1/jobs/gone-x"
        let gone = try await backend.observe(missing, context: context)
        #expect(gone.state == .failed && gone.reason == "CloudJobNotFound")
        var invalid = try attempt("invalid")
        invalid.block = ["subscriptionId": "sub-1", "resourceGroup": "rg-1", "workspace": "ws-1", "compute": "c", "environment": "azureml:e:1", "command": ""]
        do {
            _ = try await backend.start(invalid, context: context)
            Issue.record("an empty command must be refused")
        } catch let e as CloudBackendError {
            #expect(e.kind == .invalidRequest && e.message.contains("command is required"), "\(e)")
        }

        // Access denied: a client whose federated token the fake does not accept.
        var wrong = azure.environment
        wrong["AZURE_FEDERATED_TOKEN_FILE"] = "/nonexistent/token"
        let denied = AzureMLBackend(client: AzureClient(environment: wrong, logger: logger))
        do {
            _ = try await denied.observe(ok, context: context)
            Issue.record("expected CloudAccessDenied")
        } catch let e as CloudBackendError {
            #expect(e.kind == .accessDenied)
        }
    }
}
