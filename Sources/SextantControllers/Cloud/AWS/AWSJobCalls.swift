import CloudAWS
import Foundation
import KubeCore

/// The AWS calls of the SageMaker and Batch backends, made through the shared `AWSClient` with the
/// namespace's role (`ml.sextant.dev/aws-role-arn`) when it has one, and the mapping of `AWSError`
/// to the step reasons of the contract.
struct AWSJobCalls: Sendable {
    let client: AWSClient

    /// A JSON operation (SageMaker JSON 1.1, Batch REST-JSON) for the object of `context`.
    func call(_ op: AWSOperation, region: String, input: JSONValue, context: CloudCallContext) async throws -> JSONValue {
        try await client.json(op, region: region, input: input, role: context.awsRoleARN, sessionName: Self.sessionName(context))
    }

    /// The text of an S3 object; nil when it does not exist (no such key, or no such bucket: the job
    /// wrote nothing there).
    func object(_ uri: String, region: String, context: CloudCallContext) async throws -> String? {
        do {
            guard let data = try await client.s3Get(uri, region: region, role: context.awsRoleARN, sessionName: Self.sessionName(context)) else { return nil }
            return String(decoding: data, as: UTF8.self)
        } catch let e as AWSError where e.kind == .notFound {
            return nil
        }
    }

    /// `<namespace>/<name>` (the AWS layer makes it a legal session name).
    static func sessionName(_ context: CloudCallContext) -> String { "\(context.namespace)/\(context.objectName)" }

    /// Whether the error says the job does not exist (SageMaker answers `ValidationException`
    /// "Requested resource not found" / "Could not find training job" for a missing job).
    static func isMissing(_ e: AWSError) -> Bool {
        if e.kind == .notFound { return true }
        guard e.code == "ValidationException" else { return false }
        let m = e.message.lowercased()
        return m.contains("not found") || m.contains("could not find") || m.contains("does not exist")
    }

    /// The step reason of an AWS error: `CloudAccessDenied`, `CloudQuotaExceeded`, `CloudUnavailable`,
    /// else `CloudInvalidRequest`; the message (already scrubbed of secrets by the AWS layer) clipped.
    static func backendError(_ e: AWSError) -> CloudBackendError {
        let kind: CloudBackendError.Kind
        switch e.kind {
        case .accessDenied: kind = .accessDenied
        case .quotaExceeded: kind = .quotaExceeded
        case .unavailable: kind = .unavailable
        case .invalidRequest, .notFound, .conflict: kind = .invalidRequest
        }
        return CloudBackendError(kind, clip("\(e.code): \(e.message)"))
    }

    /// Runs `body`, turning an `AWSError` into its `CloudBackendError`.
    static func mapping<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as AWSError { throw backendError(e) }
    }

    static func clip(_ text: String) -> String { AWSJobNaming.clip(text) }
}
