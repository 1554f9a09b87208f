import Foundation
import KubeCore
import Logging
import SextantAPI

/// `airflow` steps as Airflow DAG runs (Airflow 3 REST API): trigger with `dag_run_id` = the
/// attempt's deterministic name (409 = the run exists: adopt it), poll the run, mark it `failed` to
/// stop it, and read the last task's `return_value` XCom as the outputs.
public struct AirflowBackend: CloudTrainingBackend {
    public let kind = "airflow"
    public let nameLimit = AirflowState.nameLimit
    let client: AirflowClient

    /// A backend with the credentials of `environment` (`AIRFLOW_API_TOKEN`, or `AIRFLOW_USERNAME`
    /// and `AIRFLOW_PASSWORD`).
    public init(environment: [String: String]) {
        client = AirflowClient(credentials: AirflowClient.Credentials(environment: environment))
    }

    public func start(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation {
        let step = try AirflowState.step(attempt)
        let base = try AirflowState.apiBase(step)
        let answer = try await client.call("POST", base: base, path: AirflowState.dagRunsPath(dagId: step.dagId),
                                           body: AirflowState.triggerBody(attempt, step: step), accept: [409])
        if answer.status == 409 {
            context.logger.debug("adopted Airflow DAG run", metadata: ["dag": "\(step.dagId)", "run": "\(attempt.jobName)"])
            return try await observe(attempt, context: context)
        }
        context.logger.info("triggered Airflow DAG run", metadata: ["dag": "\(step.dagId)", "run": "\(attempt.jobName)"])
        return AirflowState.observation(answer.json, base: base, dagId: step.dagId, runId: attempt.jobName)
    }

    public func observe(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation {
        let step = try AirflowState.step(attempt)
        let base = try AirflowState.apiBase(step)
        let answer = try await client.call("GET", base: base, path: AirflowState.dagRunsPath(dagId: step.dagId, runId: attempt.jobName), accept: [404])
        if answer.status == 404 {
            return CloudJobObservation(state: .failed, id: AirflowState.id(dagId: step.dagId, runId: attempt.jobName), reason: "CloudJobNotFound",
                                       message: "Airflow DAG run \(attempt.jobName) of DAG \(step.dagId) was not found (deleted, or the DAG is gone)")
        }
        return AirflowState.observation(answer.json, base: base, dagId: step.dagId, runId: attempt.jobName)
    }

    public func stop(_ attempt: CloudAttempt, context: CloudCallContext) async throws {
        let step = try AirflowState.step(attempt)
        let base = try AirflowState.apiBase(step)
        let path = AirflowState.dagRunsPath(dagId: step.dagId, runId: attempt.jobName)
        let now = try await client.call("GET", base: base, path: path, accept: [404])
        guard now.status != 404 else { return }
        let state = now.json["state"]?.stringValue ?? ""
        guard state == "queued" || state == "running" else { return }
        _ = try await client.call("PATCH", base: base, path: path, body: AirflowState.markFailedBody, accept: [404])
        context.logger.info("marked Airflow DAG run failed", metadata: ["dag": "\(step.dagId)", "run": "\(attempt.jobName)"])
    }

    public func outputs(_ attempt: CloudAttempt, observation: CloudJobObservation, context: CloudCallContext) async throws -> OutputValues {
        let step = try AirflowState.step(attempt)
        let base = try AirflowState.apiBase(step)
        let runPath = AirflowState.dagRunsPath(dagId: step.dagId, runId: attempt.jobName)
        let tasks = try await client.call("GET", base: base, path: runPath + "/taskInstances?limit=1000")
        guard let last = AirflowState.lastTask(tasks.json) else {
            return try AirflowState.outputs(xcom: nil, declared: attempt.declaredOutputs)
        }
        var xcomPath = runPath + "/taskInstances/\(AirflowState.segment(last.taskId))/xcomEntries/return_value"
        if last.mapIndex >= 0 { xcomPath += "?map_index=\(last.mapIndex)" }
        let xcom = try await client.call("GET", base: base, path: xcomPath, accept: [404])
        return try AirflowState.outputs(xcom: xcom.status == 404 ? nil : xcom.json["value"], declared: attempt.declaredOutputs)
    }

    public func cost(_ attempt: CloudAttempt, observation: CloudJobObservation, pricing: PricingTable) -> Cost? { nil }
}
