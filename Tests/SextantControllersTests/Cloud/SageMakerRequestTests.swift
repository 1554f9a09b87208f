import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

/// A SageMaker attempt for the pure builder tests.
func sageMakerAttempt(
    _ step: SageMakerStep = SageMakerStep(region: "eu-west-1", roleArn: "arn:aws:iam::123456789012:role/sm", image: "123.dkr.ecr/train:1", instanceType: "ml.m5.xlarge", outputS3Uri: "s3://acme-models/churn/"),
    spot: Bool = false, timeout: Int64? = nil, jobName: String = "run-train-0-1a2b3c4d", recordedID: String? = nil
) throws -> CloudAttempt {
    CloudAttempt(backend: "sagemaker", namespace: "ml", pipeline: "run", pipelineUID: "uid-1", step: "train", attempt: 0,
                 jobName: jobName, block: try JSONValue(encoding: step), spot: spot, timeoutSeconds: timeout, recordedID: recordedID)
}

@Suite("SageMaker request builders (CreateTrainingJob body, names, stopping condition)")
struct SageMakerRequestTests {
    let full = SageMakerStep(
        region: "eu-west-1", roleArn: "arn:aws:iam::123456789012:role/sm", image: "123.dkr.ecr/train:1", instanceType: "ml.g5.xlarge",
        instanceCount: 2, volumeSizeGB: 50, hyperParameters: ["lr": "0.05"], inputs: [SageMakerInput(channel: "train", s3Uri: "s3://d/train/")],
        outputS3Uri: "s3://acme-models/churn/", maxRuntimeSeconds: 3600, checkpointS3Uri: "s3://ck/churn", environment: ["EPOCHS": "10"])

    @Test("CreateTrainingJob carries every field of the contract")
    func everyField() throws {
        let body = try SageMakerRequests.createTrainingJob(try sageMakerAttempt(full))
        #expect(body["TrainingJobName"] == "run-train-0-1a2b3c4d")
        #expect(body["AlgorithmSpecification"] == ["TrainingImage": "123.dkr.ecr/train:1", "TrainingInputMode": "File"])
        #expect(body["RoleArn"] == "arn:aws:iam::123456789012:role/sm")
        #expect(body["ResourceConfig"] == ["InstanceType": "ml.g5.xlarge", "InstanceCount": 2, "VolumeSizeInGB": 50])
        #expect(body["HyperParameters"] == ["lr": "0.05"])
        #expect(body["InputDataConfig"] == [["ChannelName": "train", "DataSource": ["S3DataSource": ["S3DataType": "S3Prefix", "S3Uri": "s3://d/train/", "S3DataDistributionType": "FullyReplicated"]]]])
        #expect(body["OutputDataConfig"] == ["S3OutputPath": "s3://acme-models/churn/"])
        #expect(body["StoppingCondition"] == ["MaxRuntimeInSeconds": 3600])
        #expect(body["EnableManagedSpotTraining"] == nil)
        #expect(body["CheckpointConfig"] == ["S3Uri": "s3://ck/churn"])
        #expect(body["Environment"] == [
            "EPOCHS": "10", "SEXTANT_PIPELINE": "run", "SEXTANT_STEP": "train", "SEXTANT_ATTEMPT": "0",
            "SEXTANT_OUTPUTS_URI": "s3://acme-models/churn/run-train-0-1a2b3c4d/sextant-outputs.json",
        ])
        let tags = (body["Tags"]?.arrayValue ?? []).compactMap { t in t["Key"]?.stringValue.map { ($0, t["Value"]?.stringValue ?? "") } }
        #expect(Dictionary(uniqueKeysWithValues: tags)["sextant.uid"] == "uid-1")
        #expect(Dictionary(uniqueKeysWithValues: tags)["sextant.step"] == "train")
    }

    @Test("defaults: one instance, 30 GB, no hyperparameters or inputs, no checkpoint without spot")
    func defaults() throws {
        let body = try SageMakerRequests.createTrainingJob(try sageMakerAttempt())
        #expect(body["ResourceConfig"] == ["InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30])
        #expect(body["HyperParameters"] == nil)
        #expect(body["InputDataConfig"] == nil)
        #expect(body["CheckpointConfig"] == nil)
    }

    @Test("MaxRuntimeInSeconds is maxRuntimeSeconds, else the step timeout, else 86400")
    func maxRuntime() throws {
        var s = full
        #expect(try SageMakerRequests.createTrainingJob(try sageMakerAttempt(s, timeout: 600))[path: ["StoppingCondition", "MaxRuntimeInSeconds"]] == 3600)
        s.maxRuntimeSeconds = nil
        #expect(try SageMakerRequests.createTrainingJob(try sageMakerAttempt(s, timeout: 600))[path: ["StoppingCondition", "MaxRuntimeInSeconds"]] == 600)
        #expect(try SageMakerRequests.createTrainingJob(try sageMakerAttempt(s))[path: ["StoppingCondition", "MaxRuntimeInSeconds"]] == 86400)
    }

    @Test("spot: EnableManagedSpotTraining, MaxWaitTimeInSeconds (maxWaitSeconds or 2 × max runtime) and a CheckpointConfig")
    func spot() throws {
        var s = full
        s.checkpointS3Uri = nil
        let body = try SageMakerRequests.createTrainingJob(try sageMakerAttempt(s, spot: true))
        #expect(body["EnableManagedSpotTraining"] == true)
        #expect(body["StoppingCondition"] == ["MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200])
        #expect(body["CheckpointConfig"] == ["S3Uri": "s3://acme-models/churn/run-train-0-1a2b3c4d/checkpoints"])
        s.maxWaitSeconds = 5000
        s.checkpointS3Uri = "s3://ck/x"
        let explicit = try SageMakerRequests.createTrainingJob(try sageMakerAttempt(s, spot: true))
        #expect(explicit[path: ["StoppingCondition", "MaxWaitTimeInSeconds"]] == 5000)
        #expect(explicit["CheckpointConfig"] == ["S3Uri": "s3://ck/x"])
        // SageMaker rejects a wait below the runtime: it is raised to the runtime.
        s.maxWaitSeconds = 10
        #expect(try SageMakerRequests.createTrainingJob(try sageMakerAttempt(s, spot: true))[path: ["StoppingCondition", "MaxWaitTimeInSeconds"]] == 3600)
    }

    @Test("job names are legal for SageMaker: at most 63 characters of [A-Za-z0-9-], deterministic")
    func names() throws {
        let long = CloudAttempt.jobName(pipeline: String(repeating: "p", count: 60), step: "train", attempt: 3, uid: "u", limit: 63)
        let a = try sageMakerAttempt(jobName: long)
        #expect(SageMakerRequests.jobName(a).count <= 63)
        #expect(SageMakerRequests.jobName(a) == SageMakerRequests.jobName(a))
        let dotted = try sageMakerAttempt(jobName: "churn.2026-11-26-train-0-1a2b3c4d")
        #expect(SageMakerRequests.jobName(dotted) == "churn-2026-11-26-train-0-1a2b3c4d")
        let overLimit = try sageMakerAttempt(jobName: String(repeating: "x.", count: 50))
        let name = SageMakerRequests.jobName(overLimit)
        #expect(name.count <= 63 && name.range(of: "^[a-zA-Z0-9](-*[a-zA-Z0-9])*$", options: .regularExpression) != nil, "\(name)")
    }

    @Test("the recorded ARN names the job to describe; without it the deterministic name")
    func describeName() throws {
        #expect(SageMakerRequests.describeName(try sageMakerAttempt(recordedID: "arn:aws:sagemaker:eu-west-1:123456789012:training-job/old-name-0-aaaa")) == "old-name-0-aaaa")
        #expect(SageMakerRequests.describeName(try sageMakerAttempt()) == "run-train-0-1a2b3c4d")
    }

    @Test("an unreadable block is CloudInvalidRequest")
    func unreadable() {
        let a = CloudAttempt(backend: "sagemaker", namespace: "ml", pipeline: "p", pipelineUID: "u", step: "s", attempt: 0, jobName: "j", block: ["image": 3])
        #expect(throws: CloudBackendError.self) { try SageMakerRequests.createTrainingJob(a) }
        do { _ = try SageMakerRequests.createTrainingJob(a) } catch let e as CloudBackendError { #expect(e.kind == .invalidRequest) } catch {}
    }

    @Test("the console URL points at the job in its region")
    func console() {
        #expect(SageMakerRequests.consoleURL(region: "eu-west-1", jobName: "j-1") == "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/j-1")
    }
}
