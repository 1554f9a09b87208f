import AsyncHTTPClient
import CloudHTTP
import Foundation
import KubeCore
import Logging

/// Calls AWS: the operations of `AWSOperation.all`, signed with SigV4 with credentials from the chain
/// (or from `sts:AssumeRole` into a per-namespace role), at the endpoints of `AWSEndpoints`, with
/// throttling, 5xx and network errors retried (`AWSRetryPolicy`). Every failure is an `AWSError`.
public struct AWSClient: Sendable {
    /// The credential chain and role cache.
    public let credentialProvider: AWSCredentialProvider
    /// Endpoint resolution.
    public let endpoints: AWSEndpoints
    let executor: AWSRequestExecutor

    /// A client over the process environment and AsyncHTTPClient.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient = .cloud,
                logger: Logger, retry: AWSRetryPolicy = .standard) {
        self.init(environment: environment, transport: AsyncHTTPClientTransport(client: httpClient), logger: logger, retry: retry)
    }

    /// A client with its own transport and clock (tests).
    public init(environment: [String: String], transport: any AWSHTTPTransport, logger: Logger, retry: AWSRetryPolicy = .standard,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.endpoints = AWSEndpoints(environment: environment)
        self.executor = AWSRequestExecutor(transport: transport, endpoints: endpoints, retry: retry, logger: logger, now: now)
        self.credentialProvider = AWSCredentialProvider(environment: environment, transport: transport, logger: logger, retry: retry,
                                                        now: now)
    }

    /// Credentials for a call: `role` assumed with `sessionName`, else the chain's.
    public func credentials(role: String?, sessionName: String) async throws -> AWSCredentials {
        try await credentialProvider.credentials(assumingRole: role, sessionName: sessionName)
    }

    /// Calls a JSON operation (`json11`: SageMaker; `restJSON`: Batch) with `input`; returns the answer
    /// (`{}` for an empty one). `role`, when set, is assumed with `sessionName`.
    public func json(_ op: AWSOperation, region: String, input: JSONValue, role: String? = nil,
                     sessionName: String = "sextant") async throws -> JSONValue {
        var headers: [(name: String, value: String)]
        switch op.protocol {
        case .json11(let prefix):
            headers = [("content-type", "application/x-amz-json-1.1"), ("x-amz-target", "\(prefix).\(op.name)")]
        case .restJSON:
            headers = [("content-type", "application/json")]
        case .query, .restXML:
            throw AWSError(code: "InvalidArgument", message: "\(op) is not a JSON operation", kind: .invalidRequest)
        }
        headers.append(("accept", "application/json"))
        let body = input.data()
        let response = try await withCredentials(role: role, sessionName: sessionName) { credentials in
            try await executor.send(op, region: region, credentials: credentials, headers: headers, body: body)
        }
        if response.body.isEmpty { return .object([:]) }
        do {
            return try JSONValue.parse(response.body)
        } catch {
            throw AWSError(code: "InvalidResponse", message: "\(op) answered something that is not JSON", httpStatus: response.status,
                           kind: .unavailable)
        }
    }

    /// Calls a query-protocol operation (STS, CloudWatch) with `parameters` (without `Action`/`Version`);
    /// returns the XML answer.
    public func query(_ op: AWSOperation, region: String, parameters: [String: String], role: String? = nil,
                      sessionName: String = "sextant") async throws -> String {
        return try await withCredentials(role: role, sessionName: sessionName) { credentials in
            try await executor.query(op, region: region, parameters: parameters, credentials: credentials)
        }
    }
}
