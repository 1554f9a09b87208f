import CloudHTTP
import Foundation
import KubeCore
import Synchronization

/// Calls the Airflow 3 REST API with the controller's credentials: `AIRFLOW_API_TOKEN` (a bearer
/// token used as is), else `AIRFLOW_USERNAME` / `AIRFLOW_PASSWORD` exchanged for a JWT at
/// `POST <url>/auth/token` (cached per server, fetched again once on a 401). Answers are classified
/// into the step reasons; no token or password ever appears in an error.
final class AirflowClient: Sendable {
    /// Credentials from the environment.
    enum Credentials: Sendable, Hashable {
        case token(String)
        case password(username: String, password: String)
        case none

        init(environment: [String: String]) {
            if let t = environment["AIRFLOW_API_TOKEN"], !t.isEmpty {
                self = .token(t)
            } else if let u = environment["AIRFLOW_USERNAME"], !u.isEmpty, let p = environment["AIRFLOW_PASSWORD"] {
                self = .password(username: u, password: p)
            } else {
                self = .none
            }
        }
    }

    /// One answer: status and JSON body (null when empty or not JSON).
    struct Answer: Sendable {
        var status: Int
        var json: JSONValue
    }

    let credentials: Credentials
    let transport: any CloudHTTPTransport
    let timeout: Duration
    private let tokens = Mutex<[String: String]>([:])

    init(credentials: Credentials, transport: any CloudHTTPTransport = CloudHTTPClientTransport(), timeout: Duration = .seconds(30)) {
        self.credentials = credentials
        self.transport = transport
        self.timeout = timeout
    }

    /// `method path` on `base` with a JSON body; 2xx and the `accept`ed statuses are returned, every
    /// other status throws a classified `CloudBackendError`.
    func call(_ method: String, base: URL, path: String, body: JSONValue? = nil, accept: Set<Int> = []) async throws -> Answer {
        var answer = try await send(method, base: base, path: path, body: body, token: try await token(base: base, renew: false))
        if answer.status == 401, case .password = credentials {
            answer = try await send(method, base: base, path: path, body: body, token: try await token(base: base, renew: true))
        }
        if (200..<300).contains(answer.status) || accept.contains(answer.status) { return answer }
        throw Self.classify(status: answer.status, body: answer.json, what: "\(method) \(path)")
    }

    private func send(_ method: String, base: URL, path: String, body: JSONValue?, token: String?) async throws -> Answer {
        guard let url = URL(string: base.absoluteString + path) else {
            throw CloudBackendError(.invalidRequest, "cannot make a URL of \(base.absoluteString) and \(path)")
        }
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let response: CloudHTTPResponse
        do {
            response = try await transport.send(CloudHTTPRequest(method: method, url: url, headers: headers, body: body?.data() ?? Data()), timeout: timeout)
        } catch {
            throw CloudBackendError(.unavailable, "Airflow at \(base.host ?? base.absoluteString) did not answer \(method) \(path): \(type(of: error))")
        }
        let json = (try? JSONValue.parse(response.body)) ?? .null
        return Answer(status: response.status, json: json)
    }

    /// The bearer token for `base`: the environment's, or a JWT from `/auth/token` (cached).
    private func token(base: URL, renew: Bool) async throws -> String? {
        switch credentials {
        case .none: return nil
        case .token(let t): return t
        case .password(let username, let password):
            let key = base.absoluteString
            if !renew, let cached = tokens.withLock({ $0[key] }) { return cached }
            let body: JSONValue = ["username": .string(username), "password": .string(password)]
            let answer = try await send("POST", base: base, path: "/auth/token", body: body, token: nil)
            guard (200..<300).contains(answer.status), let token = answer.json["access_token"]?.stringValue else {
                throw Self.classify(status: answer.status == 200 || answer.status == 201 ? 502 : answer.status, body: .null,
                                    what: "POST /auth/token for user \(username)")
            }
            tokens.withLock { $0[key] = token }
            return token
        }
    }

    /// The step reason of an HTTP status: 401/403 CloudAccessDenied; 408, 429, 5xx CloudUnavailable
    /// (retried); other 4xx CloudInvalidRequest (terminal). The message keeps Airflow's `detail`.
    static func classify(status: Int, body: JSONValue, what: String) -> CloudBackendError {
        let detail = body["detail"].map { d -> String in d.stringValue ?? String(decoding: d.data(), as: UTF8.self) } ?? ""
        let text = "Airflow answered \(status) to \(what)" + (detail.isEmpty ? "" : ": \(detail.prefix(300))")
        switch status {
        case 401, 403: return CloudBackendError(.accessDenied, text)
        case 408, 429, 500...599: return CloudBackendError(.unavailable, text)
        default: return CloudBackendError(.invalidRequest, text)
        }
    }
}
