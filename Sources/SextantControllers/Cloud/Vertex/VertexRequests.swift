import CloudGCP
import Foundation
import KubeCore
import SextantAPI

/// The Vertex AI CustomJob requests of one attempt (v1 REST). Pure.
///
/// Vertex makes the job's id itself, so the attempt is found again by the label
/// `sextant-attempt: <attempt name>` (`customJobs.list` with a filter), and its resource name
/// (`projects/P/locations/L/customJobs/ID`) is recorded in status the moment it is known.
enum VertexRequests {
    /// The attempt name must fit one label value (63 characters), so it is the backend's name limit.
    static let nameLimit = 63
    /// The label holding the attempt name.
    static let attemptLabel = "sextant-attempt"

    /// The step's block decoded, or `CloudBackendError(.invalidRequest)`.
    static func step(_ attempt: CloudAttempt) throws -> VertexAIStep {
        do { return try attempt.block.decode(as: VertexAIStep.self) } catch {
            throw CloudBackendError(.invalidRequest, "the vertexAI block of step \(attempt.step) cannot be read: \(error)")
        }
    }

    /// The attempt name made a legal label value and display name: lower case, `[a-z0-9_-]`, at most 63.
    static func jobName(_ attempt: CloudAttempt) -> String { labelValue(attempt.jobName) }

    /// `text` as a label value: lower-cased, other characters than `[a-z0-9_-]` replaced by `-`, at most 63
    /// characters (a cut value ends in a hash of the whole).
    static func labelValue(_ text: String) -> String {
        AWSJobNaming.legalName(text.lowercased(), limit: 63, allowUnderscore: true)
    }

    /// `projects/<project>/locations/<location>`.
    static func parent(_ step: VertexAIStep) -> String { "projects/\(step.project)/locations/\(step.location)" }

    /// Labels of every job of an attempt: the attempt name (adoption), the run's uid, and where it came from.
    static func labels(_ attempt: CloudAttempt) -> [String: String] {
        [
            attemptLabel: jobName(attempt),
            "sextant-uid": labelValue(attempt.pipelineUID),
            "sextant-namespace": labelValue(attempt.namespace),
            "sextant-pipeline": labelValue(attempt.pipeline),
            "sextant-step": labelValue(attempt.step),
            "sextant-attempt-number": String(attempt.attempt),
            "managed-by": "sextant",
        ]
    }

    /// `customJobs.list` filter of the attempt: `labels.sextant-attempt="<name>"`.
    static func listFilter(_ attempt: CloudAttempt) -> String { "labels.\(attemptLabel)=\"\(jobName(attempt))\"" }

    /// `SEXTANT_OUTPUTS_URI`: `<baseOutputDirectory>/<job name>/sextant-outputs.json`; nil without a base directory.
    static func outputsURI(_ step: VertexAIStep, jobName: String) -> String? {
        step.baseOutputDirectory.map { AWSJobNaming.outputsURI(prefix: $0, jobName: jobName) }
    }

    /// The job's `AIP_MODEL_DIR`: `<baseOutputDirectory>/model/`; nil without a base directory.
    static func modelURI(_ step: VertexAIStep) -> String? {
        step.baseOutputDirectory.map { AWSJobNaming.trimSlash($0) + "/model/" }
    }

    /// Replicas in all (`replicaCount`, at least 1).
    static func replicas(_ step: VertexAIStep) -> Int { max(step.replicaCount ?? 1, 1) }

    /// The `CustomJob` body of `customJobs.create`: worker pool 0 is the chief (exactly one replica, as
    /// Vertex requires); further replicas are worker pool 1 with the same machine and container.
    /// `spot` → `scheduling.strategy: SPOT`; the step timeout → `scheduling.timeout`.
    static func createCustomJob(_ attempt: CloudAttempt) throws -> JSONValue {
        let step = try step(attempt)
        let name = jobName(attempt)
        var machine: [String: JSONValue] = ["machineType": .string(step.machineType)]
        if let accelerator = step.acceleratorType, !accelerator.isEmpty {
            machine["acceleratorType"] = .string(accelerator)
            machine["acceleratorCount"] = .int(Int64(max(step.acceleratorCount ?? 1, 1)))
        }
        var env = step.environment ?? [:]
        for (k, v) in AWSJobNaming.sextantEnvironment(attempt, outputsURI: outputsURI(step, jobName: name)) { env[k] = v }
        var container: [String: JSONValue] = [
            "imageUri": .string(step.image),
            "env": .array(env.keys.sorted().map { ["name": .string($0), "value": .string(env[$0] ?? "")] }),
        ]
        if let command = step.command, !command.isEmpty { container["command"] = .array(command.map { .string($0) }) }
        if let args = step.args, !args.isEmpty { container["args"] = .array(args.map { .string($0) }) }
        func pool(_ count: Int) -> JSONValue {
            ["machineSpec": .object(machine), "replicaCount": .string(String(count)), "containerSpec": .object(container)]
        }
        var pools = [pool(1)]
        if replicas(step) > 1 { pools.append(pool(replicas(step) - 1)) }
        var spec: [String: JSONValue] = ["workerPoolSpecs": .array(pools)]
        if let sa = step.serviceAccount, !sa.isEmpty { spec["serviceAccount"] = .string(sa) }
        if let base = step.baseOutputDirectory { spec["baseOutputDirectory"] = ["outputUriPrefix": .string(base)] }
        var scheduling: [String: JSONValue] = [:]
        if let timeout = attempt.timeoutSeconds, timeout > 0 { scheduling["timeout"] = .string("\(timeout)s") }
        if attempt.spot { scheduling["strategy"] = "SPOT" }
        if !scheduling.isEmpty { spec["scheduling"] = .object(scheduling) }
        return [
            "displayName": .string(name),
            "jobSpec": .object(spec),
            "labels": .object(labels(attempt).mapValues { .string($0) }),
        ]
    }

    /// `<base>/v1/<parent>/customJobs` (create, list).
    static func collectionURL(_ base: String, _ step: VertexAIStep) -> String { "\(base)/v1/\(parent(step))/customJobs" }

    /// The list URL of the attempt, with its label filter.
    static func listURL(_ base: String, _ step: VertexAIStep, _ attempt: CloudAttempt) -> String {
        collectionURL(base, step) + "?filter=" + GCSLocation.encode(listFilter(attempt))
    }

    /// The resource name to get: the recorded one when it is a CustomJob name, else nil (list by label).
    static func recordedName(_ attempt: CloudAttempt) -> String? {
        guard let id = attempt.recordedID, id.hasPrefix("projects/"), id.contains("/customJobs/") else { return nil }
        return id
    }

    /// The Cloud console page of a job (`projects/P/locations/L/customJobs/ID`).
    static func consoleURL(name: String) -> String? {
        let parts = name.split(separator: "/").map(String.init)
        guard parts.count == 6, parts[0] == "projects", parts[2] == "locations", parts[4] == "customJobs" else { return nil }
        return "https://console.cloud.google.com/vertex-ai/locations/\(parts[3])/training/\(parts[5])/cpu?project=\(parts[1])"
    }
}
