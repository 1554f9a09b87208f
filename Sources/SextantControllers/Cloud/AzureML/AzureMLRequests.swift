import Crypto
import Foundation
import KubeCore
import SextantAPI

/// The Azure ML REST requests of one attempt (api-version 2024-04-01: command jobs, environment
/// versions, computes). Pure.
enum AzureMLRequests {
    /// REST version of every Azure ML call.
    static let apiVersion = "2024-04-01"
    /// Job names: letters, digits, `-` and `_`, at most 255; kept short enough for the studio.
    static let nameLimit = 255

    /// The step's block decoded, or `CloudBackendError(.invalidRequest)`.
    static func step(_ attempt: CloudAttempt) throws -> AzureMLStep {
        do { return try attempt.block.decode(as: AzureMLStep.self) } catch {
            throw CloudBackendError(.invalidRequest, "the azureML block of step \(attempt.step) cannot be read: \(error)")
        }
    }

    /// The job name: the attempt's deterministic name, legal for Azure ML.
    static func jobName(_ attempt: CloudAttempt) -> String {
        AWSJobNaming.legalName(attempt.jobName, limit: nameLimit, allowUnderscore: true)
    }

    /// The name to look up: the one in the recorded ARM id (`…/jobs/<name>`), else the deterministic one.
    static func describeName(_ attempt: CloudAttempt) -> String {
        if let recorded = attempt.recordedID, let range = recorded.range(of: "/jobs/") {
            let name = String(recorded[range.upperBound...])
            if !name.isEmpty, !name.contains("/") { return name }
        }
        return jobName(attempt)
    }

    /// `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{ws}`.
    static func workspacePath(_ step: AzureMLStep) -> String {
        "/subscriptions/\(seg(step.subscriptionId))/resourceGroups/\(seg(step.resourceGroup))/providers/Microsoft.MachineLearningServices/workspaces/\(seg(step.workspace))"
    }

    /// The job's path.
    static func jobPath(_ step: AzureMLStep, name: String) -> String { workspacePath(step) + "/jobs/\(seg(name))" }

    /// The compute's ARM id (`compute` as a name, `azureml:<name>`, or a full id).
    static func computeID(_ step: AzureMLStep) -> String {
        if step.compute.hasPrefix("/subscriptions/") { return step.compute }
        let name = step.compute.hasPrefix("azureml:") ? String(step.compute.dropFirst("azureml:".count)) : step.compute
        return workspacePath(step) + "/computes/\(seg(name))"
    }

    /// The compute's name (last segment of `computeID`).
    static func computeName(_ step: AzureMLStep) -> String {
        computeID(step).split(separator: "/").last.map { String($0).removingPercentEncoding ?? String($0) } ?? step.compute
    }

    /// How the job's environment is named.
    enum Environment: Hashable {
        /// An environment id to use as is (ARM id, `azureml://registries/...`, or built from `azureml:<name>:<version>`).
        case existing(id: String)
        /// An image: the environment `name` version `1` is registered with it first (idempotent PUT).
        case image(String, name: String, id: String)
    }

    /// The environment of `step.environment`: an ARM id or `azureml://` id as is, `azureml:<name>:<version>`
    /// as the workspace's environment version, anything else an image registered as `sextant-<hash>` version 1.
    static func environment(_ step: AzureMLStep) -> Environment {
        let e = step.environment
        if e.hasPrefix("/subscriptions/") || e.hasPrefix("azureml://") { return .existing(id: e) }
        if e.hasPrefix("azureml:") {
            let parts = e.dropFirst("azureml:".count).split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2 { return .existing(id: workspacePath(step) + "/environments/\(seg(parts[0]))/versions/\(seg(parts[1]))") }
        }
        let hash = SHA256.hash(data: Data(e.utf8)).map { String(format: "%02x", $0) }.joined().prefix(12)
        let name = "sextant-\(hash)"
        return .image(e, name: name, id: workspacePath(step) + "/environments/\(name)/versions/1")
    }

    /// The environment version body for an image.
    static func environmentVersion(image: String) -> JSONValue {
        ["properties": ["image": .string(image), "description": .string("Sextant: the image \(image)"),
                        "tags": ["app.kubernetes.io/managed-by": "sextant"]]]
    }

    /// `SEXTANT_OUTPUTS_URI`: `<outputUri>/<job>/sextant-outputs.json`, nil without `outputUri`.
    static func outputsURI(_ step: AzureMLStep, jobName: String) -> String? {
        step.outputUri.map { AWSJobNaming.outputsURI(prefix: $0, jobName: jobName) }
    }

    /// `PT<n>S` for `limits.timeout`.
    static func isoDuration(seconds: Int64) -> String { "PT\(seconds)S" }

    /// The PUT body of the attempt's command job, with `environmentID` resolved.
    static func commandJob(_ attempt: CloudAttempt, environmentID: String) throws -> JSONValue {
        let step = try step(attempt)
        let name = jobName(attempt)
        let count = max(step.instanceCount ?? 1, 1)
        var env = step.environmentVariables ?? [:]
        for (k, v) in AWSJobNaming.sextantEnvironment(attempt, outputsURI: outputsURI(step, jobName: name)) { env[k] = v }
        var tags: [String: JSONValue] = [:]
        for (k, v) in AWSJobNaming.tags(attempt) { tags[k] = .string(v) }
        var props: [String: JSONValue] = [
            "jobType": "Command",
            "displayName": .string("\(attempt.pipeline)/\(attempt.step) attempt \(attempt.attempt)"),
            "experimentName": .string(step.experimentName ?? AWSJobNaming.legalName("sextant-\(attempt.namespace)-\(attempt.pipeline)", limit: 255, allowUnderscore: true)),
            "description": .string("Sextant MLPipeline \(attempt.namespace)/\(attempt.pipeline), step \(attempt.step), attempt \(attempt.attempt)"),
            "tags": .object(tags),
            "computeId": .string(computeID(step)),
            "command": .string(step.command),
            "environmentId": .string(environmentID),
            "environmentVariables": .object(env.mapValues { .string($0) }),
            "resources": ["instanceCount": .int(Int64(count))],
        ]
        if count > 1 {
            switch step.distribution ?? "PyTorch" {
            case "TensorFlow": props["distribution"] = ["distributionType": "TensorFlow", "workerCount": .int(Int64(count))]
            case "Mpi": props["distribution"] = ["distributionType": "Mpi", "processCountPerInstance": 1]
            default: props["distribution"] = ["distributionType": "PyTorch", "processCountPerInstance": 1]
            }
        }
        if let timeout = attempt.timeoutSeconds, timeout > 0 {
            props["limits"] = ["jobLimitsType": "Command", "timeout": .string(isoDuration(seconds: timeout))]
        }
        if attempt.spot { props["queueSettings"] = ["jobTier": "Spot"] }
        return ["properties": .object(props)]
    }

    /// The studio page of a job: the job's `services.Studio.endpoint` when it has one, else built.
    static func studioURL(_ step: AzureMLStep, jobName: String) -> String {
        let wsid = "/subscriptions/\(step.subscriptionId)/resourcegroups/\(step.resourceGroup)/workspaces/\(step.workspace)"
        return "https://ml.azure.com/runs/\(seg(jobName))?wsid=\(wsid)"
    }

    static func seg(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
