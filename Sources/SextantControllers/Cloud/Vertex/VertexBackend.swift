import CloudGCP
import Foundation
import KubeCore
import Logging
import SextantAPI

/// `vertexAI` steps as Vertex AI CustomJobs (v1 REST): `customJobs.create` (after looking for the
/// attempt's job by its recorded resource name, then by the `sextant-attempt` label, so a restart
/// never creates a second), `customJobs.get`, `:cancel`, the model directory plus
/// `SEXTANT_OUTPUTS_URI` from GCS, and cost from run time × machine price × replicas.
public struct VertexBackend: CloudTrainingBackend {
    public let kind = "vertexAI"
    public let nameLimit = VertexRequests.nameLimit
    let client: GCPClient

    /// A backend calling Google through `client`.
    public init(client: GCPClient) {
        self.client = client
    }

    public func start(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation {
        try await Self.mapping {
            let step = try VertexRequests.step(attempt)
            // Adoption first: the job of this attempt is never created again.
            if let existing = try await find(attempt, step: step) {
                context.logger.debug("adopted CustomJob", metadata: ["job": "\(existing["name"]?.stringValue ?? "")"])
                return VertexState.observation(existing, step: step, spot: attempt.spot)
            }
            let base = client.endpoints.aiPlatform(location: step.location)
            let created = try await client.json("POST", VertexRequests.collectionURL(base, step), body: try VertexRequests.createCustomJob(attempt))
            context.logger.info("created CustomJob", metadata: ["job": "\(created["name"]?.stringValue ?? "")", "attempt": "\(VertexRequests.jobName(attempt))"])
            return VertexState.observation(created, step: step, spot: attempt.spot)
        }
    }

    public func observe(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation {
        try await Self.mapping {
            let step = try VertexRequests.step(attempt)
            guard let job = try await find(attempt, step: step) else {
                return CloudJobObservation(state: .failed, id: attempt.recordedID, reason: "CloudJobNotFound",
                                           message: "CustomJob \(attempt.recordedID ?? VertexRequests.jobName(attempt)) was not found in \(VertexRequests.parent(step)) (deleted outside Sextant, or another project or location)")
            }
            return VertexState.observation(job, step: step, spot: attempt.spot)
        }
    }

    public func stop(_ attempt: CloudAttempt, context: CloudCallContext) async throws {
        try await Self.mapping {
            let step = try VertexRequests.step(attempt)
            guard let job = try await find(attempt, step: step), let name = job["name"]?.stringValue else { return }
            let state = job["state"]?.stringValue ?? ""
            guard !["JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_CANCELLING", "JOB_STATE_EXPIRED"].contains(state) else { return }
            do {
                _ = try await client.json("POST", "\(client.endpoints.aiPlatform(location: step.location))/v1/\(name):cancel", body: .object([:]))
                context.logger.info("cancelling CustomJob", metadata: ["job": "\(name)"])
            } catch let e as GCPError where e.kind == .conflict || e.kind == .notFound {
                // Finished between the get and the cancel (FAILED_PRECONDITION), or gone: nothing to stop.
                context.logger.debug("CustomJob needs no cancel", metadata: ["job": "\(name)", "gcp": "\(e.status)"])
            }
        }
    }

    public func outputs(_ attempt: CloudAttempt, observation: CloudJobObservation, context: CloudCallContext) async throws -> OutputValues {
        try await Self.mapping {
            let step = try VertexRequests.step(attempt)
            var written: String?
            if let uri = VertexRequests.outputsURI(step, jobName: VertexRequests.jobName(attempt)) {
                do {
                    written = try await client.gcsGet(uri).map { String(decoding: $0, as: UTF8.self) }
                } catch let e as GCPError where e.kind == .notFound {
                    written = nil
                }
            }
            return try AWSJobOutputs.merge(native: observation.nativeOutputs, written: written, declared: attempt.declaredOutputs)
        }
    }

    public func cost(_ attempt: CloudAttempt, observation: CloudJobObservation, pricing: PricingTable) -> Cost? {
        guard let step = try? VertexRequests.step(attempt) else { return nil }
        return VertexState.cost(observation.usage, step: step, pricing: pricing)
    }

    /// The attempt's CustomJob: by the recorded resource name, else the newest job with the attempt's
    /// label; nil when there is none.
    func find(_ attempt: CloudAttempt, step: VertexAIStep) async throws -> JSONValue? {
        let base = client.endpoints.aiPlatform(location: step.location)
        if let name = VertexRequests.recordedName(attempt), let job = try await client.json("GET", "\(base)/v1/\(name)", allowNotFound: true) {
            return job
        }
        let list = try await client.json("GET", VertexRequests.listURL(base, step, attempt))
        let jobs = (list["customJobs"]?.arrayValue ?? []).filter { $0[path: ["labels", VertexRequests.attemptLabel]]?.stringValue == VertexRequests.jobName(attempt) }
        guard let newest = jobs.max(by: { ($0["createTime"]?.stringValue ?? "") < ($1["createTime"]?.stringValue ?? "") }),
              let name = newest["name"]?.stringValue else { return nil }
        // The list entry is complete, but a get gives the freshest state.
        return try await client.json("GET", "\(base)/v1/\(name)", allowNotFound: true) ?? newest
    }

    /// The step reason of a GCP error: `CloudAccessDenied`, `CloudQuotaExceeded`, `CloudUnavailable`, else
    /// `CloudInvalidRequest`, with Google's message (already scrubbed by the GCP layer) clipped.
    static func backendError(_ e: GCPError) -> CloudBackendError {
        let kind: CloudBackendError.Kind
        switch e.kind {
        case .accessDenied: kind = .accessDenied
        case .quotaExceeded: kind = .quotaExceeded
        case .unavailable: kind = .unavailable
        case .invalidRequest, .notFound, .conflict: kind = .invalidRequest
        }
        return CloudBackendError(kind, AWSJobNaming.clip("\(e.status): \(e.message)"))
    }

    /// Runs `body`, turning a `GCPError` into its `CloudBackendError`.
    static func mapping<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as GCPError { throw backendError(e) }
    }
}

/// The GCP training backends (`vertexAI`) over one shared `GCPClient`.
public enum GCPBackends {
    /// The Vertex AI backend calling Google with the credential chain and endpoint overrides of `environment`.
    public static func make(environment: [String: String], logger: Logger) -> [any CloudTrainingBackend] {
        [VertexBackend(client: GCPClient(environment: environment, logger: logger))]
    }
}
