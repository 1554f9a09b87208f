import Foundation
import KubeCore
import Logging
import SextantAPI
@testable import SextantControllers
import Testing
import TestSupport

/// `airflow` steps against a real Apache Airflow 3.3.2 (`airflow standalone`, Tests/harness/airflow/dags)
/// and `sextant dev --no-controller` with a separate `sextant controller` (killed with SIGKILL mid-run).
@Suite("Airflow steps against a real Airflow", .serialized)
struct AirflowEndToEndTests {
    static func pipeline(_ name: String, dag: String, conf: String, outputs: String = "{}", downstream: Bool = false) -> String {
        var yaml = """
        apiVersion: ml.sextant.dev/v1alpha1
        kind: MLPipeline
        metadata: {name: \(name), namespace: default}
        spec:
          params: {day: "2026-12-01"}
          steps:
          - {name: prep, outputs: \(outputs), airflow: {url: "AIRFLOW_URL", dagId: \(dag), conf: \(conf)}}
        """
        if downstream {
            let sim = #"'{"exitCode":0,"seconds":1,"message":"{}"}'"#
            yaml += "\n  - {name: use, dependsOn: [prep], container: {image: i, args: [\"{{steps.prep.outputs.artifacts.table}}\", \"{{steps.prep.outputs.metrics.rows}}\"], podMetadata: {annotations: {dev.sextant.dev/simulate: \(sim)}}}}"
        }
        return yaml + "\n"
    }

    /// The DAG run id recorded in the step's first attempt (`<dagId>/<dag_run_id>`).
    static func runID(_ k: Kubectl, _ name: String) async throws -> String? {
        let id = try await k.run(["-n", "default", "get", "mlp", name, "-o", "jsonpath={.status.steps[0].attempts[0].cloudJob.id}"]).stdout
        guard let slash = id.firstIndex(of: "/") else { return nil }
        return String(id[id.index(after: slash)...])
    }

    static func waitFor(_ what: String, timeout: Double = 120, _ check: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await check() { return }
            try await Task.sleep(for: .seconds(1))
        }
        Issue.record("timed out waiting for \(what)")
    }

    @Test("a DAG run is triggered once (409 adopts), its XCom outputs reach the next step, a failing DAG fails the step, cancel marks the run failed, and a restarted controller adopts the running DAG run")
    func airflowSteps() async throws {
        let airflow = try await AirflowPeer.start()
        defer { airflow.stop() }

        // The backend alone: a second start adopts the DAG run of the same dag_run_id.
        let backend = AirflowBackend(environment: airflow.controllerEnvironment)
        let context = CloudCallContext(namespace: "default", objectName: "direct", logger: Logger(label: "airflow-test"))
        let step = AirflowStep(url: airflow.url, dagId: "sextant_slow", conf: ["seconds": 600])
        let direct = CloudAttempt(backend: "airflow", namespace: "default", pipeline: "direct", pipelineUID: "uid-direct", step: "s", attempt: 0,
                                  jobName: CloudAttempt.jobName(pipeline: "direct", step: "s", attempt: 0, uid: "uid-direct", limit: backend.nameLimit),
                                  block: try JSONValue(encoding: step))
        let first = try await backend.start(direct, context: context)
        let second = try await backend.start(direct, context: context)
        #expect(first.id == "sextant_slow/\(direct.jobName)" && second.id == first.id)
        #expect(first.state == .running && second.state == .running)
        #expect(try await airflow.dagRuns("sextant_slow").filter { $0["dag_run_id"]?.stringValue == direct.jobName }.count == 1)
        try await backend.stop(direct, context: context)
        #expect(try await airflow.dagRun("sextant_slow", direct.jobName)?["state"]?.stringValue == "failed")
        #expect(try await backend.observe(direct, context: context).state == .failed)

        // On sextant dev with a separate controller.
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let k = cluster.kubectl
        let log = cluster.dataDirectory.appendingPathComponent("controller.log")
        let logs = { "controller log:\n\(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(3000))" }
        try await Self.waitFor("the MLPipeline CRD", timeout: 30) { try await k.run(["get", "mlp"]).succeeded }
        var controller = try ControllerProcess(kubeconfig: cluster.kubeconfigPath, environment: airflow.controllerEnvironment, log: log)
        let yaml = [
            Self.pipeline("af-ok", dag: "sextant_outputs", conf: #"{day: "{{params.day}}", rows: 42}"#,
                          outputs: "{artifacts: [table], metrics: [rows]}", downstream: true),
            Self.pipeline("af-bad", dag: "sextant_fails", conf: "{}"),
            Self.pipeline("af-cancel", dag: "sextant_slow", conf: "{seconds: 600}"),
            Self.pipeline("af-restart", dag: "sextant_slow", conf: "{seconds: 25}", outputs: "{artifacts: [done]}"),
        ].joined(separator: "---\n").replacingOccurrences(of: "AIRFLOW_URL", with: airflow.url)
        let applied = try await k.run(["apply", "-f", "-"], stdin: yaml)
        try #require(applied.succeeded, "\(applied.stderr)")

        // Restart: once the slow DAG run is running, kill the controller and start another.
        var restartRun: String?
        try await Self.waitFor("the af-restart DAG run to run") {
            restartRun = try await Self.runID(k, "af-restart")
            guard let id = restartRun else { return false }
            return try await airflow.dagRun("sextant_slow", id)?["state"]?.stringValue == "running"
        }
        controller.kill9()
        controller = try ControllerProcess(kubeconfig: cluster.kubeconfigPath, environment: airflow.controllerEnvironment, log: log)
        defer { controller.kill9() }

        // Cancel: the DAG run is marked failed.
        var cancelRun: String?
        try await Self.waitFor("the af-cancel DAG run") {
            cancelRun = try await Self.runID(k, "af-cancel")
            return cancelRun != nil
        }
        let patched = try await k.run(["-n", "default", "patch", "mlp", "af-cancel", "--type", "merge", "-p", #"{"spec":{"cancel":true}}"#])
        #expect(patched.succeeded, "\(patched.stderr)")

        for (name, phase) in [("af-ok", "Succeeded"), ("af-bad", "Failed"), ("af-cancel", "Cancelled"), ("af-restart", "Succeeded")] {
            let waited = try await k.run(["-n", "default", "wait", "--for=jsonpath={.status.phase}=\(phase)", "mlp/\(name)", "--timeout=240s"], timeout: 250)
            #expect(waited.succeeded, "\(name) did not reach \(phase): \(waited.stderr)\n\(logs())")
        }
        // XCom outputs in status and in the downstream Job's args.
        let outputs = try await k.run(["-n", "default", "get", "mlp", "af-ok", "-o", "jsonpath={.status.steps[0].outputs.artifacts.table} {.status.steps[0].outputs.metrics.rows}"]).stdout
        #expect(outputs == "s3://lake/features/day=2026-12-01/ 42")
        let args = try await k.run(["-n", "default", "get", "jobs", "-l", "ml.sextant.dev/pipeline=af-ok", "-o", "jsonpath={.items[*].spec.template.spec.containers[0].args}"]).stdout
        #expect(args.contains("s3://lake/features/day=2026-12-01/"), "downstream args: \(args)")
        let okRun = try #require(try await Self.runID(k, "af-ok"))
        #expect(try await airflow.dagRun("sextant_outputs", okRun)?[path: ["conf", "day"]]?.stringValue == "2026-12-01")
        // The failing DAG.
        let bad = try await k.run(["-n", "default", "get", "mlp", "af-bad", "-o", "jsonpath={.status.steps[0].attempts[0].reason}"]).stdout
        #expect(bad == "Failed")
        // Cancel marked the DAG run failed.
        if let cancelRun {
            try await Self.waitFor("the cancelled DAG run to be failed", timeout: 30) {
                try await airflow.dagRun("sextant_slow", cancelRun)?["state"]?.stringValue == "failed"
            }
        }
        // One DAG run for af-restart across the restart, and one attempt.
        let restartRuns = try await airflow.dagRuns("sextant_slow").compactMap { $0["dag_run_id"]?.stringValue }.filter { $0.hasPrefix("af-restart-") }
        #expect(restartRuns == [restartRun].compactMap { $0 })
        let attempts = try await k.run(["-n", "default", "get", "mlp", "af-restart", "-o", "jsonpath={.status.steps[0].attempts[*].attempt}"]).stdout
        #expect(attempts == "0")
    }
}
