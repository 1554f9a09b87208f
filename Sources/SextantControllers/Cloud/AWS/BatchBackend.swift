import CloudAWS
import Foundation
import KubeCore
import Logging
import SextantAPI

/// `awsBatch` steps as AWS Batch jobs: SubmitJob after looking for the job first (DescribeJobs of the
/// recorded id, ListJobs by name in the queue), DescribeJobs, TerminateJob, `SEXTANT_OUTPUTS_URI`
/// from S3, and cost from run time when the instance type has a price.
public struct BatchBackend: CloudTrainingBackend {
    public let kind = "awsBatch"
    public let nameLimit = BatchRequests.nameLimit
    let aws: AWSJobCalls

    /// A backend calling AWS through `client`.
    public init(client: AWSClient) {
        aws = AWSJobCalls(client: client)
    }

    public func start(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation {
        try await AWSJobCalls.mapping {
            let step = try BatchRequests.step(attempt)
            if let existing = try await find(attempt, step: step, context: context) {
                context.logger.debug("adopted Batch job", metadata: ["job": "\(BatchRequests.jobName(attempt))"])
                return existing
            }
            let submitted = try await aws.call(.submitJob, region: step.region, input: try BatchRequests.submitJob(attempt), context: context)
            let id = submitted["jobId"]?.stringValue
            context.logger.info("submitted Batch job", metadata: ["job": "\(BatchRequests.jobName(attempt))", "id": "\(id ?? "")"])
            return CloudJobObservation(state: .running, id: submitted["jobArn"]?.stringValue ?? id,
                                       url: id.map { BatchRequests.consoleURL(region: step.region, jobId: $0) }, providerStatus: "SUBMITTED")
        }
    }

    public func observe(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation {
        try await AWSJobCalls.mapping {
            let step = try BatchRequests.step(attempt)
            guard let o = try await find(attempt, step: step, context: context) else {
                return CloudJobObservation(state: .failed, id: attempt.recordedID, reason: "CloudJobNotFound",
                                           message: "Batch job \(BatchRequests.jobName(attempt)) was not found in queue \(step.jobQueue) (\(step.region)); Batch keeps finished jobs for about 7 days")
            }
            return o
        }
    }

    public func stop(_ attempt: CloudAttempt, context: CloudCallContext) async throws {
        try await AWSJobCalls.mapping {
            let step = try BatchRequests.step(attempt)
            guard let job = try await find(attempt, step: step, context: context), let id = job.id else { return }
            guard job.state == .running else { return }
            _ = try await aws.call(.terminateJob, region: step.region, input: BatchRequests.terminateJob(id: Self.jobID(id)), context: context)
            context.logger.info("terminated Batch job", metadata: ["job": "\(BatchRequests.jobName(attempt))"])
        }
    }

    public func outputs(_ attempt: CloudAttempt, observation: CloudJobObservation, context: CloudCallContext) async throws -> OutputValues {
        try await AWSJobCalls.mapping {
            let step = try BatchRequests.step(attempt)
            var written: String?
            if let uri = BatchRequests.outputsURI(step, jobName: BatchRequests.jobName(attempt)) {
                written = try await aws.object(uri, region: step.region, context: context)
            }
            return try AWSJobOutputs.merge(native: nil, written: written, declared: attempt.declaredOutputs)
        }
    }

    public func cost(_ attempt: CloudAttempt, observation: CloudJobObservation, pricing: PricingTable) -> Cost? {
        BatchState.cost(observation.usage, pricing: pricing)
    }

    /// The job id in an ARN (`arn:aws:batch:region:account:job/<id>`) or the id itself.
    static func jobID(_ idOrARN: String) -> String {
        guard idOrARN.hasPrefix("arn:"), let slash = idOrARN.lastIndex(of: "/") else { return idOrARN }
        return String(idOrARN[idOrARN.index(after: slash)...])
    }

    /// The attempt's job: the recorded id (DescribeJobs), else a job of the deterministic name in the
    /// queue (ListJobs with a JOB_NAME filter, every status; the one tagged with the run's uid, else
    /// the newest). Nil when there is none.
    func find(_ attempt: CloudAttempt, step: AWSBatchStep, context: CloudCallContext) async throws -> CloudJobObservation? {
        if let recorded = attempt.recordedID, let job = try await describe([Self.jobID(recorded)], region: step.region, context: context).first {
            return BatchState.observation(job, region: step.region)
        }
        let name = BatchRequests.jobName(attempt)
        var ids: [(id: String, createdAt: Int64)] = []
        var token: String?
        repeat {
            let page = try await aws.call(.listJobs, region: step.region, input: BatchRequests.listJobs(queue: step.jobQueue, jobName: name, nextToken: token), context: context)
            for s in page["jobSummaryList"]?.arrayValue ?? [] where s["jobName"]?.stringValue == name {
                if let id = s["jobId"]?.stringValue { ids.append((id, s["createdAt"]?.intValue ?? 0)) }
            }
            token = page["nextToken"]?.stringValue
        } while token != nil && ids.count < 100
        guard !ids.isEmpty else { return nil }
        let jobs = try await describe(ids.map(\.id), region: step.region, context: context)
        let mine = jobs.filter { $0[path: ["tags", "sextant.uid"]]?.stringValue == attempt.pipelineUID }
        let pick = (mine.isEmpty ? jobs : mine).max { ($0["createdAt"]?.intValue ?? 0) < ($1["createdAt"]?.intValue ?? 0) }
        return pick.map { BatchState.observation($0, region: step.region) }
    }

    func describe(_ ids: [String], region: String, context: CloudCallContext) async throws -> [JSONValue] {
        var out: [JSONValue] = []
        for chunk in stride(from: 0, to: ids.count, by: 100).map({ Array(ids[$0..<min($0 + 100, ids.count)]) }) {
            let d = try await aws.call(.describeJobs, region: region, input: BatchRequests.describeJobs(chunk), context: context)
            out += d["jobs"]?.arrayValue ?? []
        }
        return out
    }
}
