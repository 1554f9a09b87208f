import Foundation
import KubeCore
import SextantAPI

/// The SageMaker requests of one attempt (JSON 1.1 bodies, `X-Amz-Target: SageMaker.<op>`). Pure.
enum SageMakerRequests {
    /// SageMaker's training job name limit.
    static let nameLimit = 63
    /// MaxRuntimeInSeconds when neither `maxRuntimeSeconds` nor the step's `timeoutSeconds` is set.
    static let defaultMaxRuntimeSeconds: Int64 = 86400

    /// The step's block decoded, or `CloudBackendError(.invalidRequest)`.
    static func step(_ attempt: CloudAttempt) throws -> SageMakerStep {
        do { return try attempt.block.decode(as: SageMakerStep.self) } catch {
            throw CloudBackendError(.invalidRequest, "the sagemaker block of step \(attempt.step) cannot be read: \(error)")
        }
    }

    /// The training job name: the attempt's deterministic name, legal for SageMaker
    /// (`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`).
    static func jobName(_ attempt: CloudAttempt) -> String {
        AWSJobNaming.legalName(attempt.jobName, limit: nameLimit, allowUnderscore: false)
    }

    /// The name to describe: the one in the recorded ARN (`arn:...:training-job/<name>`), else the deterministic one.
    static func describeName(_ attempt: CloudAttempt) -> String {
        if let recorded = attempt.recordedID, let slash = recorded.lastIndex(of: "/") {
            let name = String(recorded[recorded.index(after: slash)...])
            if !name.isEmpty { return name }
        }
        if let recorded = attempt.recordedID, !recorded.isEmpty, !recorded.hasPrefix("arn:") { return recorded }
        return jobName(attempt)
    }

    /// `StoppingCondition.MaxRuntimeInSeconds`: `maxRuntimeSeconds`, else the step timeout, else 86400.
    static func maxRuntime(_ step: SageMakerStep, timeoutSeconds: Int64?) -> Int64 {
        step.maxRuntimeSeconds ?? timeoutSeconds ?? defaultMaxRuntimeSeconds
    }

    /// `StoppingCondition.MaxWaitTimeInSeconds` of a spot job: `maxWaitSeconds`, else 2 × max runtime
    /// (never below the max runtime, which SageMaker rejects).
    static func maxWait(_ step: SageMakerStep, maxRuntime: Int64) -> Int64 {
        max(step.maxWaitSeconds ?? 2 * maxRuntime, maxRuntime)
    }

    /// `SEXTANT_OUTPUTS_URI` of the attempt.
    static func outputsURI(_ step: SageMakerStep, jobName: String) -> String {
        AWSJobNaming.outputsURI(prefix: step.outputS3Uri, jobName: jobName)
    }

    /// The checkpoint location: `checkpointS3Uri`, else for spot jobs `<outputS3Uri>/<job>/checkpoints`
    /// (managed spot resumes from it after an interruption), else none.
    static func checkpointURI(_ step: SageMakerStep, spot: Bool, jobName: String) -> String? {
        if let uri = step.checkpointS3Uri { return uri }
        return spot ? "\(AWSJobNaming.trimSlash(step.outputS3Uri))/\(jobName)/checkpoints" : nil
    }

    /// The CreateTrainingJob body of the attempt.
    static func createTrainingJob(_ attempt: CloudAttempt) throws -> JSONValue {
        let step = try step(attempt)
        let name = jobName(attempt)
        let runtime = maxRuntime(step, timeoutSeconds: attempt.timeoutSeconds)
        var stopping: [String: JSONValue] = ["MaxRuntimeInSeconds": .int(runtime)]
        var body: [String: JSONValue] = [
            "TrainingJobName": .string(name),
            "AlgorithmSpecification": ["TrainingImage": .string(step.image), "TrainingInputMode": "File"],
            "RoleArn": .string(step.roleArn),
            "ResourceConfig": [
                "InstanceType": .string(step.instanceType),
                "InstanceCount": .int(Int64(step.instanceCount ?? 1)),
                "VolumeSizeInGB": .int(Int64(step.volumeSizeGB ?? 30)),
            ],
            "OutputDataConfig": ["S3OutputPath": .string(step.outputS3Uri)],
        ]
        if let hp = step.hyperParameters, !hp.isEmpty { body["HyperParameters"] = .object(hp.mapValues { .string($0) }) }
        if let inputs = step.inputs, !inputs.isEmpty {
            body["InputDataConfig"] = .array(inputs.map { input in
                [
                    "ChannelName": .string(input.channel),
                    "DataSource": ["S3DataSource": [
                        "S3DataType": "S3Prefix",
                        "S3Uri": .string(input.s3Uri),
                        "S3DataDistributionType": "FullyReplicated",
                    ]],
                ]
            })
        }
        if attempt.spot {
            body["EnableManagedSpotTraining"] = true
            stopping["MaxWaitTimeInSeconds"] = .int(maxWait(step, maxRuntime: runtime))
        }
        if let checkpoint = checkpointURI(step, spot: attempt.spot, jobName: name) {
            body["CheckpointConfig"] = ["S3Uri": .string(checkpoint)]
        }
        body["StoppingCondition"] = .object(stopping)
        var env = step.environment ?? [:]
        for (k, v) in AWSJobNaming.sextantEnvironment(attempt, outputsURI: outputsURI(step, jobName: name)) { env[k] = v }
        body["Environment"] = .object(env.mapValues { .string($0) })
        body["Tags"] = .array(AWSJobNaming.tags(attempt).map { ["Key": .string($0.0), "Value": .string($0.1)] })
        return .object(body)
    }

    /// The DescribeTrainingJob body.
    static func describeTrainingJob(name: String) -> JSONValue { ["TrainingJobName": .string(name)] }

    /// The StopTrainingJob body.
    static func stopTrainingJob(name: String) -> JSONValue { ["TrainingJobName": .string(name)] }

    /// The console page of a training job.
    static func consoleURL(region: String, jobName: String) -> String {
        "https://\(region).console.aws.amazon.com/sagemaker/home?region=\(region)#/jobs/\(jobName)"
    }
}
