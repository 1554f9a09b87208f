import CloudAWS
import Foundation
import KubeCore
import Logging
import SextantAPI

/// `sagemaker` steps as SageMaker training jobs: CreateTrainingJob (adopting an existing job of the
/// same name, never creating a second), DescribeTrainingJob, StopTrainingJob, the model artifact and
/// final metrics plus `SEXTANT_OUTPUTS_URI` from S3, and cost from billable seconds.
public struct SageMakerBackend: CloudTrainingBackend {
    public let kind = "sagemaker"
    public let nameLimit = SageMakerRequests.nameLimit
    let aws: AWSJobCalls

    /// A backend calling AWS through `client`.
    public init(client: AWSClient) {
        aws = AWSJobCalls(client: client)
    }

    public func start(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation {
        try await AWSJobCalls.mapping {
            let step = try SageMakerRequests.step(attempt)
            // Adoption first: a job of this name (or the recorded one) is never created again.
            if let existing = try await describe(attempt, name: SageMakerRequests.describeName(attempt), region: step.region, context: context) {
                context.logger.debug("adopted training job", metadata: ["job": "\(SageMakerRequests.describeName(attempt))"])
                return existing
            }
            let body = try SageMakerRequests.createTrainingJob(attempt)
            let name = SageMakerRequests.jobName(attempt)
            do {
                let created = try await aws.call(.createTrainingJob, region: step.region, input: body, context: context)
                context.logger.info("created training job", metadata: ["job": "\(name)"])
                return CloudJobObservation(state: .running, id: created["TrainingJobArn"]?.stringValue,
                                           url: SageMakerRequests.consoleURL(region: step.region, jobName: name),
                                           providerStatus: "InProgress/Starting")
            } catch let e as AWSError where e.kind == .conflict {
                // ResourceInUse: made by an earlier call whose answer was lost; adopt it.
                if let existing = try await describe(attempt, name: name, region: step.region, context: context) { return existing }
                throw AWSJobCalls.backendError(e)
            }
        }
    }

    public func observe(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation {
        try await AWSJobCalls.mapping {
            let step = try SageMakerRequests.step(attempt)
            let name = SageMakerRequests.describeName(attempt)
            guard let o = try await describe(attempt, name: name, region: step.region, context: context) else {
                return CloudJobObservation(state: .failed, id: attempt.recordedID, reason: "CloudJobNotFound",
                                           message: "training job \(name) was not found in \(step.region) (deleted outside Sextant, or another account or region)")
            }
            return o
        }
    }

    public func stop(_ attempt: CloudAttempt, context: CloudCallContext) async throws {
        try await AWSJobCalls.mapping {
            let step = try SageMakerRequests.step(attempt)
            let name = SageMakerRequests.describeName(attempt)
            do {
                _ = try await aws.call(.stopTrainingJob, region: step.region, input: SageMakerRequests.stopTrainingJob(name: name), context: context)
                context.logger.info("stopping training job", metadata: ["job": "\(name)"])
            } catch let e as AWSError where e.kind == .notFound || (e.kind == .invalidRequest && e.code == "ValidationException") {
                // Finished (not stoppable) or gone: nothing to stop.
                context.logger.debug("training job needs no stop", metadata: ["job": "\(name)", "aws": "\(AWSJobCalls.clip(e.message))"])
            }
        }
    }

    public func outputs(_ attempt: CloudAttempt, observation: CloudJobObservation, context: CloudCallContext) async throws -> OutputValues {
        try await AWSJobCalls.mapping {
            let step = try SageMakerRequests.step(attempt)
            let uri = SageMakerRequests.outputsURI(step, jobName: SageMakerRequests.describeName(attempt))
            let written = try await aws.object(uri, region: step.region, context: context)
            return try AWSJobOutputs.merge(native: observation.nativeOutputs, written: written, declared: attempt.declaredOutputs)
        }
    }

    public func cost(_ attempt: CloudAttempt, observation: CloudJobObservation, pricing: PricingTable) -> Cost? {
        SageMakerState.cost(observation.usage, pricing: pricing)
    }

    /// DescribeTrainingJob mapped; nil when there is no such job.
    func describe(_ attempt: CloudAttempt, name: String, region: String, context: CloudCallContext) async throws -> CloudJobObservation? {
        do {
            let d = try await aws.call(.describeTrainingJob, region: region, input: SageMakerRequests.describeTrainingJob(name: name), context: context)
            return SageMakerState.observation(d, region: region)
        } catch let e as AWSError where AWSJobCalls.isMissing(e) {
            return nil
        }
    }
}
