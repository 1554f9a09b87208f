import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

/// The pure part of the Airflow backend: requests, state mapping, the last task, XCom outputs, errors.
@Suite("Airflow requests and state mapping")
struct AirflowStateTests {
    static func attempt(conf: JSONValue? = ["day": "2026-12-01", "rows": 42], outputs: StepOutputs? = nil) throws -> CloudAttempt {
        let step = AirflowStep(url: "https://airflow.example.com/", dagId: "prepare data", conf: conf)
        return CloudAttempt(backend: "airflow", namespace: "ml", pipeline: "churn", pipelineUID: "uid-1", step: "prep", attempt: 1,
                            jobName: CloudAttempt.jobName(pipeline: "churn", step: "prep", attempt: 1, uid: "uid-1", limit: AirflowState.nameLimit),
                            block: try JSONValue(encoding: step), declaredOutputs: outputs)
    }

    @Test("the trigger body carries the deterministic dag_run_id, the conf and a null logical_date")
    func triggerBody() throws {
        let a = try Self.attempt()
        let body = AirflowState.triggerBody(a, step: try AirflowState.step(a))
        #expect(body["dag_run_id"]?.stringValue == a.jobName)
        #expect(a.jobName.hasPrefix("churn-prep-1-"))
        #expect(body["logical_date"] == .null)
        #expect(body["conf"] == ["day": "2026-12-01", "rows": 42])
        #expect(AirflowState.dagRunsPath(dagId: "prepare data", runId: a.jobName) == "/api/v2/dags/prepare%20data/dagRuns/\(a.jobName)")
        #expect(try AirflowState.apiBase(AirflowState.step(a)).absoluteString == "https://airflow.example.com")
    }

    @Test("a URL that is not http(s) is a CloudInvalidRequest")
    func badURL() throws {
        #expect(throws: CloudBackendError(.invalidRequest, "airflow.url ftp://x is not an http(s) URL")) {
            try AirflowState.apiBase(AirflowStep(url: "ftp://x", dagId: "d"))
        }
    }

    @Test("DAG run states map to the step: queued/running running, success succeeded, failed failed with run time")
    func states() throws {
        let base = try #require(URL(string: "http://af:8080"))
        func obs(_ state: String) -> CloudJobObservation {
            AirflowState.observation(["state": .string(state), "start_date": "2026-12-07T10:00:00.5Z", "end_date": "2026-12-07T10:01:00.5Z"],
                                     base: base, dagId: "d", runId: "r")
        }
        #expect(obs("queued").state == .running)
        #expect(obs("running").state == .running)
        #expect(obs("success").state == .succeeded)
        let failed = obs("failed")
        #expect(failed.state == .failed && failed.reason == "Failed")
        #expect(failed.id == "d/r")
        #expect(failed.url == "http://af:8080/dags/d/runs/r")
        #expect(failed.usage?.runSeconds == 60)
        #expect(failed.providerStatus == "failed")
    }

    @Test("the last task is the successful task instance that finished last")
    func lastTask() {
        let list: JSONValue = ["task_instances": [
            ["task_id": "a", "state": "success", "end_date": "2026-12-07T10:00:05Z", "map_index": -1],
            ["task_id": "c", "state": "failed", "end_date": "2026-12-07T10:00:09Z", "map_index": -1],
            ["task_id": "b", "state": "success", "end_date": "2026-12-07T10:00:07.25Z", "map_index": 2],
        ]]
        let last = AirflowState.lastTask(list)
        #expect(last?.taskId == "b" && last?.mapIndex == 2)
        #expect(AirflowState.lastTask(["task_instances": []]) == nil)
    }

    @Test("XCom outputs: an object or its JSON text are outputs; anything else is ignored unless outputs are declared")
    func xcomOutputs() throws {
        let declared = StepOutputs(artifacts: ["table"], metrics: ["rows"])
        let object: JSONValue = ["artifacts": ["table": "s3://t/"], "metrics": ["rows": 42], "other": 1]
        let parsed = try AirflowState.outputs(xcom: object, declared: declared)
        #expect(parsed == OutputValues(artifacts: ["table": "s3://t/"], metrics: ["rows": 42]))
        #expect(try AirflowState.outputs(xcom: .string(#"{"artifacts":{"table":"s3://u/"},"metrics":{"rows":1}}"#), declared: declared).artifacts?["table"] == "s3://u/")
        #expect(try AirflowState.outputs(xcom: "done", declared: nil) == OutputValues())
        #expect(try AirflowState.outputs(xcom: nil, declared: nil) == OutputValues())
        #expect(throws: CloudBackendError.self) { try AirflowState.outputs(xcom: "done", declared: declared) }
        do {
            _ = try AirflowState.outputs(xcom: nil, declared: declared)
            Issue.record("no XCom with declared outputs must fail")
        } catch let e as CloudBackendError {
            #expect(e.kind == .missingOutputs)
        }
        do {
            _ = try AirflowState.outputs(xcom: ["artifacts": ["table": 3]], declared: declared)
            Issue.record("a non-string artifact must fail")
        } catch let e as CloudBackendError {
            #expect(e.kind == .invalidOutputs)
        }
    }

    @Test("HTTP statuses map to step reasons, with Airflow's detail and no credentials")
    func classify() {
        #expect(AirflowClient.classify(status: 401, body: ["detail": "Not authenticated"], what: "GET /x").kind == .accessDenied)
        #expect(AirflowClient.classify(status: 403, body: .null, what: "GET /x").kind == .accessDenied)
        #expect(AirflowClient.classify(status: 503, body: .null, what: "GET /x").kind == .unavailable)
        #expect(AirflowClient.classify(status: 429, body: .null, what: "GET /x").kind == .unavailable)
        let e = AirflowClient.classify(status: 404, body: ["detail": "The Dag with ID: `x` was not found"], what: "POST /api/v2/dags/x/dagRuns")
        #expect(e.kind == .invalidRequest)
        #expect(e.message == "Airflow answered 404 to POST /api/v2/dags/x/dagRuns: The Dag with ID: `x` was not found")
    }

    @Test("credentials: a bearer token wins over user and password; nothing set means no Authorization")
    func credentials() {
        #expect(AirflowClient.Credentials(environment: ["AIRFLOW_API_TOKEN": "t", "AIRFLOW_USERNAME": "u", "AIRFLOW_PASSWORD": "p"]) == .token("t"))
        #expect(AirflowClient.Credentials(environment: ["AIRFLOW_USERNAME": "u", "AIRFLOW_PASSWORD": "p"]) == .password(username: "u", password: "p"))
        #expect(AirflowClient.Credentials(environment: [:]) == .none)
    }
}
