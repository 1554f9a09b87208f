import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

@Suite("SageMaker DescribeTrainingJob mapping and cost")
struct SageMakerStateTests {
    func describe(_ status: String, _ secondary: String? = nil, failure: String? = nil, extra: [String: JSONValue] = [:]) -> JSONValue {
        var d: [String: JSONValue] = [
            "TrainingJobName": "run-train-0-1a2b3c4d",
            "TrainingJobArn": "arn:aws:sagemaker:eu-west-1:123456789012:training-job/run-train-0-1a2b3c4d",
            "TrainingJobStatus": .string(status),
            "ResourceConfig": ["InstanceType": "ml.m5.xlarge", "InstanceCount": 2, "VolumeSizeInGB": 30],
        ]
        if let secondary { d["SecondaryStatus"] = .string(secondary) }
        if let failure { d["FailureReason"] = .string(failure) }
        for (k, v) in extra { d[k] = v }
        return .object(d)
    }

    func map(_ d: JSONValue) -> CloudJobObservation { SageMakerState.observation(d, region: "eu-west-1") }

    @Test("InProgress with every secondary status is running, the secondary status in providerStatus")
    func inProgress() {
        for secondary in ["Starting", "LaunchingMLInstances", "PreparingTrainingStack", "Downloading", "DownloadingTrainingImage", "Training", "Uploading", "Interrupted", "Restarting", "Pending", "Updating"] {
            let o = map(describe("InProgress", secondary))
            #expect(o.state == .running, "\(secondary)")
            #expect(o.providerStatus == "InProgress/\(secondary)")
            #expect(o.reason == nil)
        }
        let o = map(describe("InProgress", "Training", extra: ["SecondaryStatusTransitions": [["Status": "Training", "StatusMessage": "Training image download completed. Training in progress."]]]))
        #expect(o.message == "Training image download completed. Training in progress.")
        #expect(o.id == "arn:aws:sagemaker:eu-west-1:123456789012:training-job/run-train-0-1a2b3c4d")
        #expect(o.url == "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/run-train-0-1a2b3c4d")
    }

    @Test("Stopping is stopping; Stopped is stopped unless SageMaker stopped it at MaxRuntime/MaxWaitTime (then failed with that reason)")
    func stopping() {
        #expect(map(describe("Stopping", "Stopping")).state == .stopping)
        let stopped = map(describe("Stopped", "Stopped"))
        #expect(stopped.state == .stopped && stopped.reason == nil)
        for limit in ["MaxRuntimeExceeded", "MaxWaitTimeExceeded"] {
            let o = map(describe("Stopped", limit))
            #expect(o.state == .failed && o.reason == limit, "\(limit)")
            #expect(o.message?.isEmpty == false)
        }
    }

    @Test("Completed is succeeded with the model artifact and final metrics as native outputs")
    func completed() {
        let o = map(describe("Completed", "Completed", extra: [
            "ModelArtifacts": ["S3ModelArtifacts": "s3://acme-models/churn/run-train-0-1a2b3c4d/output/model.tar.gz"],
            "FinalMetricDataList": [["MetricName": "validation:auc", "Value": 0.93, "Timestamp": 1.7e9], ["MetricName": "train:loss", "Value": 0.2]],
            "TrainingStartTime": 1_764_000_000.5, "TrainingEndTime": 1_764_000_600,
        ]))
        #expect(o.state == .succeeded)
        #expect(o.nativeOutputs?.artifacts == ["model": "s3://acme-models/churn/run-train-0-1a2b3c4d/output/model.tar.gz"])
        #expect(o.nativeOutputs?.metrics == ["validation:auc": 0.93, "train:loss": 0.2])
        #expect(o.startedAt == Date(timeIntervalSince1970: 1_764_000_000.5))
        #expect(o.finishedAt == Date(timeIntervalSince1970: 1_764_000_600))
    }

    @Test("Failed maps FailureReason and SecondaryStatus to MaxRuntimeExceeded, MaxWaitTimeExceeded, Interrupted or Failed")
    func failed() {
        #expect(map(describe("Failed", "Failed", failure: "AlgorithmError: ExecuteUserScriptError: exit code 1")).reason == "Failed")
        #expect(map(describe("Failed", "Failed", failure: "AlgorithmError: ExecuteUserScriptError: exit code 1")).message == "AlgorithmError: ExecuteUserScriptError: exit code 1")
        #expect(map(describe("Failed", "MaxRuntimeExceeded")).reason == "MaxRuntimeExceeded")
        #expect(map(describe("Failed", "Failed", failure: "Training job exceeded MaxWaitTimeExceeded")).reason == "MaxWaitTimeExceeded")
        #expect(map(describe("Failed", "Interrupted", failure: "spot capacity reclaimed")).reason == "Interrupted")
        #expect(map(describe("Failed", "Failed", failure: "Job was interrupted: Insufficient Spot capacity")).reason == "Interrupted")
        #expect(map(describe("Failed")).state == .failed)
        let long = map(describe("Failed", "Failed", failure: String(repeating: "e", count: 2000)))
        #expect((long.message?.count ?? 0) <= 480)
    }

    @Test("an unknown TrainingJobStatus is not guessed into an end state")
    func unknown() {
        let o = map(describe("Exploding"))
        #expect(o.state == .running && o.message?.contains("Exploding") == true)
    }

    @Test("usage comes from BillableTimeInSeconds, TrainingTimeInSeconds, instance type and count and spot")
    func usage() {
        let o = map(describe("Completed", "Completed", extra: ["BillableTimeInSeconds": 900, "TrainingTimeInSeconds": 3600, "EnableManagedSpotTraining": true]))
        #expect(o.usage == CloudUsage(billableSeconds: 900, runSeconds: 3600, machineType: "ml.m5.xlarge", count: 2, spot: true))
    }

    @Test("cost = billable × price × count / 3600; spot savings = (1 − billable / training) × 100; no price → no USD")
    func cost() {
        let pricing = PricingTable(sagemaker: ["ml.m5.xlarge": 0.23])
        let spot = SageMakerState.cost(CloudUsage(billableSeconds: 900, runSeconds: 3600, machineType: "ml.m5.xlarge", count: 2, spot: true), pricing: pricing)
        #expect(spot?.billableSeconds == 900)
        #expect(abs((spot?.estimatedUSD ?? 0) - 900 * 0.23 * 2 / 3600) < 1e-9)
        #expect(spot?.spotSavingsPercent == 75)
        let onDemand = SageMakerState.cost(CloudUsage(billableSeconds: 3600, runSeconds: 3600, machineType: "ml.m5.xlarge", count: 1), pricing: pricing)
        #expect(onDemand?.spotSavingsPercent == nil)
        #expect(abs((onDemand?.estimatedUSD ?? 0) - 0.23) < 1e-9)
        let unpriced = SageMakerState.cost(CloudUsage(billableSeconds: 60, runSeconds: 60, machineType: "ml.p5.48xlarge"), pricing: pricing)
        #expect(unpriced?.billableSeconds == 60 && unpriced?.estimatedUSD == nil)
        #expect(unpriced?.message == "no price for sagemaker[ml.p5.48xlarge] in the pricing table")
        #expect(SageMakerState.cost(CloudUsage(machineType: "ml.m5.xlarge"), pricing: pricing) == nil)
    }
}
