import Foundation
import KubeCore
import SextantAPI

/// The AWS Batch requests of one attempt (REST-JSON bodies of `POST /v1/<operation>`). Pure.
enum BatchRequests {
    /// Batch's job name limit (`[A-Za-z0-9_-]`, starting with a letter or digit).
    static let nameLimit = 128
    /// Batch rejects `timeout.attemptDurationSeconds` below 60.
    static let minimumAttemptDuration: Int64 = 60
    /// The TerminateJob reason; a FAILED job with it was stopped by Sextant (state `stopped`).
    static let terminateReason = "Stopped by Sextant (run cancelled, timed out or deleted)"

    /// The step's block decoded, or `CloudBackendError(.invalidRequest)`.
    static func step(_ attempt: CloudAttempt) throws -> AWSBatchStep {
        do { return try attempt.block.decode(as: AWSBatchStep.self) } catch {
            throw CloudBackendError(.invalidRequest, "the awsBatch block of step \(attempt.step) cannot be read: \(error)")
        }
    }

    /// The job name: the attempt's deterministic name, legal for Batch.
    static func jobName(_ attempt: CloudAttempt) -> String {
        AWSJobNaming.legalName(attempt.jobName, limit: nameLimit, allowUnderscore: true)
    }

    /// `SEXTANT_OUTPUTS_URI` of the attempt (nil without `outputS3Uri`).
    static func outputsURI(_ step: AWSBatchStep, jobName: String) -> String? {
        step.outputS3Uri.map { AWSJobNaming.outputsURI(prefix: $0, jobName: jobName) }
    }

    /// The container overrides: command, environment (the step's plus the controller's, sorted by
    /// name), resourceRequirements VCPU / MEMORY / GPU.
    static func containerOverrides(_ step: AWSBatchStep, attempt: CloudAttempt, jobName: String) -> JSONValue {
        var o: [String: JSONValue] = [:]
        if let command = step.command, !command.isEmpty { o["command"] = .array(command.map { .string($0) }) }
        var env = step.environment ?? [:]
        for (k, v) in AWSJobNaming.sextantEnvironment(attempt, outputsURI: outputsURI(step, jobName: jobName)) { env[k] = v }
        o["environment"] = .array(env.keys.sorted().map { ["name": .string($0), "value": .string(env[$0] ?? "")] })
        var resources: [JSONValue] = []
        if let v = step.vcpus { resources.append(["type": "VCPU", "value": .string(String(v))]) }
        if let m = step.memoryMiB { resources.append(["type": "MEMORY", "value": .string(String(m))]) }
        if let g = step.gpus, g > 0 { resources.append(["type": "GPU", "value": .string(String(g))]) }
        if !resources.isEmpty { o["resourceRequirements"] = .array(resources) }
        return .object(o)
    }

    /// The SubmitJob body: one container (`containerOverrides`) or, with `nodes` ≥ 2, a multi-node
    /// parallel job (`nodeOverrides.numNodes` and the same overrides for every node, `targetNodes: "0:"`).
    static func submitJob(_ attempt: CloudAttempt) throws -> JSONValue {
        let step = try step(attempt)
        let name = jobName(attempt)
        var body: [String: JSONValue] = [
            "jobName": .string(name),
            "jobQueue": .string(step.jobQueue),
            "jobDefinition": .string(step.jobDefinition),
            "tags": .object(Dictionary(AWSJobNaming.tags(attempt).map { ($0.0, JSONValue.string($0.1)) }, uniquingKeysWith: { a, _ in a })),
            "propagateTags": true,
        ]
        let overrides = containerOverrides(step, attempt: attempt, jobName: name)
        if let nodes = step.nodes, nodes >= 2 {
            body["nodeOverrides"] = [
                "numNodes": .int(Int64(nodes)),
                "nodePropertyOverrides": [["targetNodes": "0:", "containerOverrides": overrides]],
            ]
        } else {
            body["containerOverrides"] = overrides
        }
        if let timeout = attempt.timeoutSeconds {
            body["timeout"] = ["attemptDurationSeconds": .int(max(timeout, minimumAttemptDuration))]
        }
        return .object(body)
    }

    /// The ListJobs body that finds jobs of this name in the queue, in every status.
    static func listJobs(queue: String, jobName: String, nextToken: String? = nil) -> JSONValue {
        var body: [String: JSONValue] = [
            "jobQueue": .string(queue),
            "filters": [["name": "JOB_NAME", "values": [.string(jobName)]]],
        ]
        if let nextToken { body["nextToken"] = .string(nextToken) }
        return .object(body)
    }

    /// The DescribeJobs body.
    static func describeJobs(_ ids: [String]) -> JSONValue { ["jobs": .array(ids.map { .string($0) })] }

    /// The TerminateJob body.
    static func terminateJob(id: String) -> JSONValue { ["jobId": .string(id), "reason": .string(terminateReason)] }

    /// The console page of a job.
    static func consoleURL(region: String, jobId: String) -> String {
        "https://\(region).console.aws.amazon.com/batch/home?region=\(region)#jobs/detail/\(jobId)"
    }
}
