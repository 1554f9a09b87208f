import CloudAzure
import Foundation
import KubeCore
import Logging
import SextantAPI

/// `azureML` steps as Azure ML command jobs (REST 2024-04-01): GET by the deterministic name first,
/// then PUT of that name (so a restarted controller adopts its job and never makes a second one),
/// GET to observe, the asynchronous cancel (POST, then a few polls of the operation), the job's
/// outputs plus `SEXTANT_OUTPUTS_URI` from Blob storage, and cost from run time × VM price × instances.
public struct AzureMLBackend: CloudTrainingBackend {
    public let kind = "azureML"
    public let nameLimit = AzureMLRequests.nameLimit
    let client: AzureClient
    let cancelPolls: Int

    /// A backend calling Azure through `client`; after a cancel it polls the operation at most `cancelPolls` times.
    public init(client: AzureClient, cancelPolls: Int = 3) {
        self.client = client
        self.cancelPolls = cancelPolls
    }

    public func start(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation {
        try await Self.mapping {
            let step = try AzureMLRequests.step(attempt)
            // Adoption first: a job of this name (or the recorded one) is never created again.
            if let existing = try await observation(step, name: AzureMLRequests.describeName(attempt), context: context) {
                context.logger.debug("adopted Azure ML job", metadata: ["job": "\(AzureMLRequests.describeName(attempt))"])
                return existing
            }
            let name = AzureMLRequests.jobName(attempt)
            let environmentID: String
            switch AzureMLRequests.environment(step) {
            case .existing(let id):
                environmentID = id
            case .image(let image, let envName, let id):
                try await registerEnvironment(step, name: envName, image: image)
                environmentID = id
            }
            let body = try AzureMLRequests.commandJob(attempt, environmentID: environmentID)
            do {
                let created = try await client.arm("PUT", path: AzureMLRequests.jobPath(step, name: name), apiVersion: AzureMLRequests.apiVersion, body: body)
                context.logger.info("created Azure ML job", metadata: ["job": "\(name)"])
                return AzureMLState.observation(created.json, step: step, vmSize: nil)
            } catch let e as AzureError where e.kind == .conflict {
                // Made by an earlier call whose answer was lost: adopt it.
                if let existing = try await observation(step, name: name, context: context) { return existing }
                throw e
            }
        }
    }

    public func observe(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation {
        try await Self.mapping {
            let step = try AzureMLRequests.step(attempt)
            let name = AzureMLRequests.describeName(attempt)
            guard let o = try await observation(step, name: name, context: context) else {
                return CloudJobObservation(state: .failed, id: attempt.recordedID, reason: "CloudJobNotFound",
                                           message: "Azure ML job \(name) was not found in workspace \(step.workspace) (deleted outside Sextant, or another workspace)")
            }
            return o
        }
    }

    public func stop(_ attempt: CloudAttempt, context: CloudCallContext) async throws {
        try await Self.mapping {
            let step = try AzureMLRequests.step(attempt)
            let name = AzureMLRequests.describeName(attempt)
            let path = AzureMLRequests.jobPath(step, name: name)
            let job = try await client.arm("GET", path: path, apiVersion: AzureMLRequests.apiVersion, allowNotFound: true)
            let status = job.json[path: ["properties", "status"]]?.stringValue ?? ""
            guard job.status != 404, !["Completed", "Failed", "Canceled", "CancelRequested"].contains(status) else {
                context.logger.debug("Azure ML job needs no cancel", metadata: ["job": "\(name)", "status": "\(status)"])
                return
            }
            let answer = try await client.arm("POST", path: path + "/cancel", apiVersion: AzureMLRequests.apiVersion, allowNotFound: true)
            context.logger.info("canceling Azure ML job", metadata: ["job": "\(name)"])
            if answer.status == 202 { await pollOperation(answer, job: name, context: context) }
        }
    }

    public func outputs(_ attempt: CloudAttempt, observation: CloudJobObservation, context: CloudCallContext) async throws -> OutputValues {
        try await Self.mapping {
            let step = try AzureMLRequests.step(attempt)
            var written: String?
            if let uri = AzureMLRequests.outputsURI(step, jobName: AzureMLRequests.describeName(attempt)) {
                written = try await client.blobGet(uri).map { String(decoding: $0, as: UTF8.self) }
            }
            return try AWSJobOutputs.merge(native: observation.nativeOutputs, written: written, declared: attempt.declaredOutputs)
        }
    }

    public func cost(_ attempt: CloudAttempt, observation: CloudJobObservation, pricing: PricingTable) -> Cost? {
        AzureMLState.cost(observation.usage, pricing: pricing)
    }

    // MARK: Calls

    /// The job mapped; nil when it does not exist. A finished job without `vmSize` in the step has its
    /// compute read for the VM size (cost).
    func observation(_ step: AzureMLStep, name: String, context: CloudCallContext) async throws -> CloudJobObservation? {
        let answer = try await client.arm("GET", path: AzureMLRequests.jobPath(step, name: name), apiVersion: AzureMLRequests.apiVersion,
                                          allowNotFound: true)
        guard answer.status != 404 else { return nil }
        var o = AzureMLState.observation(answer.json, step: step, vmSize: nil)
        if step.vmSize == nil, o.state == .succeeded || o.state == .failed || o.state == .stopped {
            o = AzureMLState.observation(answer.json, step: step, vmSize: await computeVMSize(step, context: context))
        }
        return o
    }

    /// `properties.properties.vmSize` of the job's compute; nil when it cannot be read.
    func computeVMSize(_ step: AzureMLStep, context: CloudCallContext) async -> String? {
        let path = AzureMLRequests.workspacePath(step) + "/computes/\(AzureMLRequests.seg(AzureMLRequests.computeName(step)))"
        do {
            let compute = try await client.arm("GET", path: path, apiVersion: AzureMLRequests.apiVersion, allowNotFound: true)
            return compute.json[path: ["properties", "properties", "vmSize"]]?.stringValue
        } catch {
            context.logger.debug("compute VM size not read", metadata: ["compute": "\(step.compute)", "error": "\(error)"])
            return nil
        }
    }

    /// PUTs environment `name` version 1 with `image` (idempotent; an existing version is kept).
    func registerEnvironment(_ step: AzureMLStep, name: String, image: String) async throws {
        let path = AzureMLRequests.workspacePath(step) + "/environments/\(name)/versions/1"
        do {
            _ = try await client.arm("PUT", path: path, apiVersion: AzureMLRequests.apiVersion, body: AzureMLRequests.environmentVersion(image: image))
        } catch let e as AzureError where e.kind == .conflict {
            // Versions are immutable: one made before (same image, same hash) is the one we want.
        }
    }

    /// Polls the cancel's `Azure-AsyncOperation` (its `status`) or `Location` (202 while running) a few
    /// times, best effort: the job's own status (CancelRequested → Canceled) is what observe reports
    /// afterwards, so a poll that fails (e.g. an identity without `locations/mfeOperationsStatus/read`,
    /// which the built-in AzureML Data Scientist role lacks) is only logged.
    func pollOperation(_ accepted: AzureARMResponse, job: String, context: CloudCallContext) async {
        guard let link = accepted.header("azure-asyncoperation") ?? accepted.header("location"), let url = URL(string: link) else { return }
        let viaStatus = accepted.header("azure-asyncoperation") != nil
        do {
            for _ in 0..<cancelPolls {
                let wait = min(Double(accepted.header("retry-after").flatMap(Int.init) ?? 1), 1)
                try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
                let answer = try await client.armURL("GET", url: url, allowNotFound: true)
                let status = answer.json["status"]?.stringValue
                if viaStatus ? (status != nil && status != "InProgress" && status != "Running") : answer.status != 202 {
                    context.logger.debug("Azure ML cancel operation done", metadata: ["job": "\(job)", "status": "\(status ?? String(answer.status))"])
                    return
                }
            }
        } catch {
            context.logger.debug("Azure ML cancel operation not polled", metadata: ["job": "\(job)", "error": "\(error)"])
        }
    }

    // MARK: Errors

    /// The step reason of an Azure error, with Azure's code and message (already scrubbed) clipped.
    static func backendError(_ e: AzureError) -> CloudBackendError {
        let kind: CloudBackendError.Kind
        switch e.kind {
        case .accessDenied: kind = .accessDenied
        case .quotaExceeded: kind = .quotaExceeded
        case .unavailable: kind = .unavailable
        case .invalidRequest, .notFound, .conflict: kind = .invalidRequest
        }
        return CloudBackendError(kind, AWSJobNaming.clip("\(e.code): \(e.message)"))
    }

    /// Runs `body`, turning an `AzureError` into its `CloudBackendError`.
    static func mapping<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as AzureError { throw backendError(e) }
    }
}

/// The Azure backends (`azureML`) over one shared `AzureClient`.
public enum AzureBackends {
    /// The Azure ML backend with the credentials and endpoints of `environment`.
    public static func make(environment: [String: String], logger: Logger) -> [any CloudTrainingBackend] {
        [AzureMLBackend(client: AzureClient(environment: environment, logger: logger))]
    }
}
