import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

/// An Azure ML attempt for the pure builder tests.
func azureMLAttempt(
    _ step: AzureMLStep = AzureMLStep(subscriptionId: "sub-1", resourceGroup: "rg-1", workspace: "ws-1", compute: "gpu-cluster",
                                      environment: "acme.azurecr.io/churn-train:1.4", command: "python train.py"),
    spot: Bool = false, timeout: Int64? = nil, jobName: String = "run-train-0-1a2b3c4d", recordedID: String? = nil
) throws -> CloudAttempt {
    CloudAttempt(backend: "azureML", namespace: "ml", pipeline: "run", pipelineUID: "uid-1", step: "train", attempt: 0,
                 jobName: jobName, block: try JSONValue(encoding: step), spot: spot, timeoutSeconds: timeout, recordedID: recordedID)
}

@Suite("Azure ML request builders and state mapping")
struct AzureMLRequestTests {
    static let ws = "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1"
    let full = AzureMLStep(subscriptionId: "sub-1", resourceGroup: "rg-1", workspace: "ws-1", compute: "gpu-cluster",
                           environment: "azureml:churn-env:3", command: "python train.py --lr 0.05", instanceCount: 4,
                           environmentVariables: ["EPOCHS": "10"], outputUri: "az://acmeml/models/churn/", vmSize: "Standard_NC6s_v3",
                           experimentName: "churn", distribution: "PyTorch")

    @Test("the command job carries compute, environment, instanceCount, distribution, timeout, spot tier, env with SEXTANT_OUTPUTS_URI and tags")
    func everyField() throws {
        let a = try azureMLAttempt(full, spot: true, timeout: 5400)
        let body = try AzureMLRequests.commandJob(a, environmentID: "ENV")
        let p = try #require(body["properties"])
        #expect(p["jobType"] == "Command")
        #expect(p["computeId"] == .string(Self.ws + "/computes/gpu-cluster"))
        #expect(p["environmentId"] == "ENV")
        #expect(p["command"] == "python train.py --lr 0.05")
        #expect(p["experimentName"] == "churn")
        #expect(p["resources"] == ["instanceCount": 4])
        #expect(p["distribution"] == ["distributionType": "PyTorch", "processCountPerInstance": 1])
        #expect(p["limits"] == ["jobLimitsType": "Command", "timeout": "PT5400S"])
        #expect(p["queueSettings"] == ["jobTier": "Spot"])
        #expect(p["environmentVariables"] == ["EPOCHS": "10", "SEXTANT_PIPELINE": "run", "SEXTANT_STEP": "train", "SEXTANT_ATTEMPT": "0",
                                              "SEXTANT_OUTPUTS_URI": "az://acmeml/models/churn/run-train-0-1a2b3c4d/sextant-outputs.json"])
        #expect(p[path: ["tags", "sextant.uid"]] == "uid-1")
    }

    @Test("one instance has no distribution, no spot tier and no limits without a timeout")
    func minimal() throws {
        let p = try #require(try AzureMLRequests.commandJob(try azureMLAttempt(), environmentID: "E")["properties"])
        #expect(p["distribution"] == nil && p["queueSettings"] == nil && p["limits"] == nil)
        #expect(p["resources"] == ["instanceCount": 1])
        #expect(p["experimentName"] == "sextant-ml-run")
        var tf = full
        tf.distribution = "TensorFlow"
        #expect(try AzureMLRequests.commandJob(try azureMLAttempt(tf), environmentID: "E")[path: ["properties", "distribution"]]
            == ["distributionType": "TensorFlow", "workerCount": 4])
    }

    @Test("environment: an image is registered as sextant-<hash> version 1; azureml:name:version and ARM ids are used as they are")
    func environments() throws {
        let image = AzureMLRequests.environment(try azureMLAttempt().block.decode(as: AzureMLStep.self))
        guard case .image(let ref, let name, let id) = image else { Issue.record("expected an image"); return }
        #expect(ref == "acme.azurecr.io/churn-train:1.4" && name.hasPrefix("sextant-") && name.count == 20)
        #expect(id == Self.ws + "/environments/\(name)/versions/1")
        #expect(AzureMLRequests.environment(full) == .existing(id: Self.ws + "/environments/churn-env/versions/3"))
        var arm = full
        arm.environment = "/subscriptions/x/resourceGroups/y/providers/Microsoft.MachineLearningServices/registries/r/environments/e/versions/1"
        #expect(AzureMLRequests.environment(arm) == .existing(id: arm.environment))
    }

    @Test("names: the recorded ARM id wins, else the deterministic legal name")
    func names() throws {
        #expect(AzureMLRequests.describeName(try azureMLAttempt(recordedID: Self.ws + "/jobs/other-name")) == "other-name")
        #expect(AzureMLRequests.describeName(try azureMLAttempt()) == "run-train-0-1a2b3c4d")
        #expect(AzureMLRequests.jobName(try azureMLAttempt(jobName: "run.x-train-0-1a")) == "run-x-train-0-1a")
    }

    static func job(_ status: String, services: JSONValue = [:], start: String = "2026-12-07T10:00:00Z", end: String = "2026-12-07T10:30:00Z") -> JSONValue {
        ["id": .string(ws + "/jobs/j1"), "name": "j1", "properties": [
            "status": .string(status), "services": services, "resources": ["instanceCount": 2], "queueSettings": ["jobTier": "Spot"],
            "outputs": ["default": ["jobOutputType": "uri_folder", "uri": "azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.j1"]],
        ], "systemData": ["createdAt": .string(start), "lastModifiedAt": .string(end)]]
    }

    @Test("every JobStatus is mapped")
    func statuses() throws {
        let step = try azureMLAttempt().block.decode(as: AzureMLStep.self)
        for s in ["NotStarted", "Starting", "Provisioning", "Preparing", "Queued", "Running", "Finalizing", "NotResponding", "Paused", "Unknown"] {
            let o = AzureMLState.observation(Self.job(s), step: step, vmSize: nil)
            #expect(o.state == .running && o.providerStatus == s && o.finishedAt == nil, "\(s)")
        }
        #expect(AzureMLState.observation(Self.job("CancelRequested"), step: step, vmSize: nil).state == .stopping)
        let done = AzureMLState.observation(Self.job("Completed"), step: step, vmSize: nil)
        #expect(done.state == .succeeded && done.nativeOutputs?.artifacts?["model"] == "azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.j1")
        #expect(done.url == "https://ml.azure.com/runs/j1?wsid=/subscriptions/sub-1/resourcegroups/rg-1/workspaces/ws-1")
        let failed = AzureMLState.observation(Self.job("Failed", services: ["Tracking": ["errorMessage": "User process exited with status code 1"]]), step: step, vmSize: nil)
        #expect(failed.state == .failed && failed.reason == "Failed" && failed.message == "User process exited with status code 1")
        #expect(AzureMLState.observation(Self.job("Canceled"), step: step, vmSize: nil).state == .stopped)
        let timedOut = AzureMLState.observation(Self.job("Canceled", services: ["Tracking": ["errorMessage": "Job exceeded its timeout limit"]]), step: step, vmSize: nil)
        #expect(timedOut.state == .failed && timedOut.reason == "Timeout")
    }

    @Test("cost: run time × VM price (case ignored) × instances, less the azureML spot discount; no price says so")
    func cost() throws {
        let step = try azureMLAttempt().block.decode(as: AzureMLStep.self)
        let o = AzureMLState.observation(Self.job("Completed"), step: step, vmSize: "STANDARD_NC6S_V3")
        let pricing = PricingTable(azureML: ["Standard_NC6s_v3": 3.0], spotDiscountPercent: ["azureML": 80])
        let cost = try #require(AzureMLState.cost(o.usage, pricing: pricing))
        #expect(cost.billableSeconds == 1800)
        #expect(abs((cost.estimatedUSD ?? 0) - 1800 * 3.0 * 2 / 3600 * 0.2) < 1e-9)
        #expect(cost.spotSavingsPercent == 80)
        let unpriced = try #require(AzureMLState.cost(o.usage, pricing: .empty))
        #expect(unpriced.estimatedUSD == nil && unpriced.message?.contains("STANDARD_NC6S_V3") == true)
        #expect(AzureMLState.cost(AzureMLState.observation(Self.job("Running"), step: step, vmSize: nil).usage, pricing: pricing) == nil)
    }
}
