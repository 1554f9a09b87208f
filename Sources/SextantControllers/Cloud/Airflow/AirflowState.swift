import Foundation
import KubeCore
import SextantAPI

/// The Airflow 3 REST API (`/api/v2`) requests and answers of an `airflow` step (pure).
enum AirflowState {
    /// Longest `dag_run_id` Airflow stores (`dag_run.run_id` is a 250-character column).
    static let nameLimit = 250

    /// The step's block.
    static func step(_ attempt: CloudAttempt) throws -> AirflowStep {
        do {
            return try attempt.block.decode(as: AirflowStep.self)
        } catch {
            throw CloudBackendError(.invalidRequest, "airflow block of step \(attempt.step) is not valid: \(error)")
        }
    }

    /// The API base (`<url>/api/v2`) of a step, or `invalidRequest` for a URL that is not http(s).
    static func apiBase(_ step: AirflowStep) throws -> URL {
        let trimmed = step.url.hasSuffix("/") ? String(step.url.dropLast()) : step.url
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw CloudBackendError(.invalidRequest, "airflow.url \(step.url) is not an http(s) URL")
        }
        return url
    }

    /// A path segment with everything but unreserved characters percent-encoded.
    static func segment(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// `/api/v2/dags/{dag}/dagRuns[/{run}]`.
    static func dagRunsPath(dagId: String, runId: String? = nil) -> String {
        "/api/v2/dags/\(segment(dagId))/dagRuns" + (runId.map { "/\(segment($0))" } ?? "")
    }

    /// The body of POST `/api/v2/dags/{dag}/dagRuns`: the deterministic `dag_run_id`, the resolved
    /// `conf`, and a null `logical_date` (Airflow 3 requires the field; null = a manual run).
    static func triggerBody(_ attempt: CloudAttempt, step: AirflowStep) -> JSONValue {
        .object([
            "dag_run_id": .string(attempt.jobName),
            "logical_date": .null,
            "conf": .object(step.conf?.objectValue ?? [:]),
            "note": .string("triggered by Sextant for \(attempt.namespace)/\(attempt.pipeline) step \(attempt.step) attempt \(attempt.attempt)"),
        ])
    }

    /// The body of PATCH `/api/v2/dags/{dag}/dagRuns/{run}` that stops a run.
    static let markFailedBody: JSONValue = ["state": "failed"]

    /// The provider id recorded in status: `<dagId>/<dag_run_id>`.
    static func id(dagId: String, runId: String) -> String { "\(dagId)/\(runId)" }

    /// The Airflow 3 UI page of the DAG run.
    static func uiURL(base: URL, dagId: String, runId: String) -> String {
        base.absoluteString + "/dags/\(segment(dagId))/runs/\(segment(runId))"
    }

    /// The observation of a DAG run document (GET `/dagRuns/{run}`).
    static func observation(_ run: JSONValue, base: URL, dagId: String, runId: String) -> CloudJobObservation {
        let state = run["state"]?.stringValue ?? "queued"
        var o = CloudJobObservation(state: .running, id: id(dagId: dagId, runId: runId), url: uiURL(base: base, dagId: dagId, runId: runId),
                                    providerStatus: state, startedAt: run["start_date"]?.stringValue.flatMap(parseDate),
                                    finishedAt: run["end_date"]?.stringValue.flatMap(parseDate))
        switch state {
        case "success":
            o.state = .succeeded
        case "failed":
            o.state = .failed
            o.reason = "Failed"
            o.message = "Airflow DAG run \(runId) of DAG \(dagId) ended in state failed"
        default:
            o.state = .running
        }
        if let s = o.startedAt, let f = o.finishedAt { o.usage = CloudUsage(runSeconds: Int64(max(0, f.timeIntervalSince(s)))) }
        return o
    }

    /// The task instance whose `return_value` XCom is the step's outputs: the last successful task
    /// to finish (latest `end_date`; on a tie the greatest task id), with its map index.
    static func lastTask(_ list: JSONValue) -> (taskId: String, mapIndex: Int64)? {
        let tasks = (list["task_instances"]?.arrayValue ?? []).filter { $0["state"]?.stringValue == "success" }
        let last = tasks.max { a, b in
            let ea = a["end_date"]?.stringValue ?? "", eb = b["end_date"]?.stringValue ?? ""
            let da = parseDate(ea) ?? .distantPast, db = parseDate(eb) ?? .distantPast
            if da != db { return da < db }
            return (a["task_id"]?.stringValue ?? "") < (b["task_id"]?.stringValue ?? "")
        }
        guard let last, let id = last["task_id"]?.stringValue else { return nil }
        return (id, last["map_index"]?.intValue ?? -1)
    }

    /// The outputs of the XCom `value` (nil when the task returned nothing): an outputs JSON object
    /// (`artifacts`/`metrics`), also when Airflow hands it over as JSON text. Anything else is not
    /// outputs: fine for a step that declares none, `InvalidOutputs` for one that does.
    static func outputs(xcom value: JSONValue?, declared: StepOutputs?) throws -> OutputValues {
        var text: String?
        switch value {
        case .none, .some(.null): text = nil
        case .some(.string(let s)): text = s
        case .some(let v): text = String(decoding: v.data(), as: UTF8.self)
        }
        do {
            return try OutputsParser.parse(text, declared: declared)
        } catch let e as SextantAPIError {
            if case .missingOutputs = e { throw CloudBackendError(.missingOutputs, "return_value XCom: \(e.message)") }
            throw CloudBackendError(.invalidOutputs, "return_value XCom: \(e.message)")
        }
    }

    static func parseDate(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)
    }
}
