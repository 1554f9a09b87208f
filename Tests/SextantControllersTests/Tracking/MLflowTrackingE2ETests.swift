import Foundation
import KubeCore
import SextantAPI
import Testing
import TestSupport

/// Experiment tracking end to end: `sextant dev --executor local --no-controller`, a separate
/// `sextant controller` process, and a real MLflow server read back through its REST API (what a
/// user sees in the MLflow UI). Steps run as host processes; the train step logs with the real
/// `mlflow` client from the MLflow venv using the env the controller injected.
@Suite("MLflow tracking on sextant dev", .serialized, .mlflowServer)
struct MLflowTrackingE2ETests {
    /// Writes the outputs file; `metrics` as JSON.
    static func outputsStep(_ name: String, metrics: String, sleep: Int = 0, dependsOn: [String]? = nil) -> PipelineStep {
        PipelineStep(
            name: name, dependsOn: dependsOn,
            container: ContainerStep(image: "local", command: ["/bin/sh", "-c", "sleep \(sleep); printf '%s' '{\"metrics\": \(metrics)}' > \"$SEXTANT_OUTPUTS_PATH\""]),
            outputs: StepOutputs(metrics: Self.keys(metrics)))
    }

    static func keys(_ metrics: String) -> [String] {
        guard let data = metrics.data(using: .utf8), let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return o.keys.sorted()
    }

    /// The training code of a user: `mlflow.start_run(nested=True)` with the injected env.
    static let trainScript = """
    import json, os, mlflow
    with mlflow.start_run(nested=True) as parent:
        with mlflow.start_run(nested=True, run_name="train-inner") as child:
            mlflow.log_param("depth", "6")
            mlflow.log_metric("inner_loss", 0.125)
            print("child", child.info.run_id, "parent", parent.info.run_id)
    open(os.environ["SEXTANT_OUTPUTS_PATH"], "w").write(json.dumps({"metrics": {"auc": 0.91}}))
    """

    static func pipeline(_ name: String, trackingURI: String, experiment: String, steps: [PipelineStep]) -> MLPipeline {
        MLPipeline(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: MLPipelineSpec(
                params: ["lr": "0.05", "epochs": "3"],
                datasets: [Dataset(name: "events", uri: "s3://acme-data/events.parquet", version: "v7")],
                steps: steps,
                tracking: TrackingSpec(mlflow: MLflowTrackingSpec(trackingURI: trackingURI, experiment: experiment),
                                       wandb: WandbTrackingSpec(project: "churn", entity: "acme"))))
    }

    struct Env {
        let cluster: DevClusterProcess
        let log: URL
        func logs() -> String { "controller log:\n\(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(4000))" }
        func kubectl(_ args: [String], stdin: String? = nil, timeout: Double = 60) async throws -> CommandResult {
            try await cluster.kubectl.run(["-n", "default"] + args, stdin: stdin, timeout: timeout)
        }
        func apply(_ pipeline: MLPipeline) async throws {
            let json = String(decoding: try JSONEncoder().encode(pipeline), as: UTF8.self)
            let applied = try await kubectl(["apply", "-f", "-"], stdin: json)
            try #require(applied.succeeded, "\(applied.stderr)")
        }
        func jsonpath(_ name: String, _ path: String) async throws -> String {
            try await kubectl(["get", "mlp", name, "-o", "jsonpath=\(path)"]).stdout
        }
        func controller() throws -> SageMakerRestartTests.Controller {
            try SageMakerRestartTests.Controller(kubeconfig: cluster.kubeconfigPath, environment: [:], log: log)
        }
    }

    static func withCluster(_ body: (Env) async throws -> Void) async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller", "--executor", "local"])
        defer { cluster.stop() }
        let k = cluster.kubectl
        if !(try await k.run(["get", "crd", "mlpipelines.ml.sextant.dev"])).succeeded {
            let crds = try await k.run(["apply", "-f", ProcessRunner.packageRoot.appendingPathComponent("crds").path])
            try #require(crds.succeeded, "\(crds.stderr)")
        }
        var served = false
        for _ in 0..<100 where !served {
            served = (try await k.run(["get", "mlp"])).succeeded
            if !served { try await Task.sleep(for: .milliseconds(200)) }
        }
        try await body(Env(cluster: cluster, log: cluster.dataDirectory.appendingPathComponent("controller.log")))
    }

    /// Runs of `experiment` as MLflow's REST API lists them.
    static func runs(_ mlflow: MLflowPeer, experiment: String) async throws -> [[String: Any]] {
        let exp = try await mlflow.json("GET", "/api/2.0/mlflow/experiments/get-by-name?experiment_name=\(experiment)")
        let id = (exp["experiment"] as? [String: Any])?["experiment_id"] as? String ?? ""
        let found = try await mlflow.json("POST", "/api/2.0/mlflow/runs/search", body: #"{"experiment_ids": ["\#(id)"], "max_results": 100}"#)
        return found["runs"] as? [[String: Any]] ?? []
    }

    static func pairs(_ run: [String: Any], _ field: String) -> [String: String] {
        let list = (run["data"] as? [String: Any])?[field] as? [[String: Any]] ?? []
        var out: [String: String] = [:]
        for item in list {
            guard let key = item["key"] as? String else { continue }
            out[key] = (item["value"] as? String) ?? (item["value"] as? NSNumber)?.stringValue
        }
        return out
    }

    static func info(_ run: [String: Any]) -> [String: Any] { run["info"] as? [String: Any] ?? [:] }

    @Test("a tracked run: one MLflow run with params, dataset, step metrics, image tags, FINISHED; the step's nested run lands under it; kubectl describe shows the URL")
    func trackedRun() async throws {
        let mlflow = try SuiteMLflow.peer()
        try #require(FileManager.default.isExecutableFile(atPath: MLflowPeer.python), "the MLflow venv's python runs the train step")
        try await Self.withCluster { env in
            let c = try env.controller()
            defer { c.kill9() }
            let train = PipelineStep(name: "train", dependsOn: ["prepare"],
                                     container: ContainerStep(image: "local", command: [MLflowPeer.python, "-c", Self.trainScript]),
                                     outputs: StepOutputs(metrics: ["auc"]))
            try await env.apply(Self.pipeline("tracked", trackingURI: mlflow.url, experiment: "e2e-tracked",
                                              steps: [Self.outputsStep("prepare", metrics: #"{"rows": 1000}"#), train]))
            let waited = try await env.kubectl(["wait", "--for=condition=Succeeded", "mlp/tracked", "--timeout=180s"], timeout: 190)
            let described = try await env.kubectl(["describe", "mlp", "tracked"]).stdout
            #expect(waited.succeeded, "\(waited.stderr)\n\(env.logs())\n\(described)")
            let tracked = try await env.kubectl(["wait", "--for=jsonpath={.status.conditions[?(@.type==\"Tracked\")].reason}=Synced", "mlp/tracked", "--timeout=60s"], timeout: 70)
            #expect(tracked.succeeded, "\(tracked.stderr)")
            let uid = try await env.jsonpath("tracked", "{.metadata.uid}")
            let runID = try await env.jsonpath("tracked", "{.status.tracking.mlflow.runId}")
            let url = try await env.jsonpath("tracked", "{.status.tracking.mlflow.url}")
            #expect(url.hasPrefix(mlflow.url + "/#/experiments/") && url.hasSuffix("/runs/" + runID), "\(url)")
            #expect(try await env.jsonpath("tracked", "{.status.tracking.wandb.group}") == "tracked")
            #expect(try await env.jsonpath("tracked", "{.status.conditions[?(@.type==\"Tracked\")].status}") == "True")

            let runs = try await Self.runs(mlflow, experiment: "e2e-tracked")
            let parents = runs.filter { Self.pairs($0, "tags")["sextant.uid"] == uid }
            try #require(parents.count == 1, "one MLflow run per pipeline run: \(runs.count) runs")
            let parent = parents[0]
            #expect(Self.info(parent)["run_id"] as? String == runID)
            #expect(Self.info(parent)["run_name"] as? String == "tracked")
            #expect(Self.info(parent)["status"] as? String == "FINISHED")
            #expect(Self.pairs(parent, "params") == ["lr": "0.05", "epochs": "3"])
            let metrics = Self.pairs(parent, "metrics").compactMapValues(Double.init)
            #expect(metrics["prepare.rows"] == 1000)
            #expect(metrics["train.auc"] == 0.91)
            let tags = Self.pairs(parent, "tags")
            #expect(tags["sextant.namespace"] == "default" && tags["sextant.name"] == "tracked")
            #expect(tags["sextant.image.train"] == "local")
            #expect(tags["sextant.dataset.events"] == "s3://acme-data/events.parquet@v7")
            let inputs = (parent["inputs"] as? [String: Any])?["dataset_inputs"] as? [[String: Any]] ?? []
            #expect(inputs.compactMap { ($0["dataset"] as? [String: Any])?["digest"] as? String } == ["v7"])

            // The step's own run, made by the real mlflow client from the injected env.
            let children = runs.filter { Self.pairs($0, "tags")["mlflow.parentRunId"] == runID }
            #expect(children.count == 1, "\(runs.map { Self.info($0)["run_name"] ?? "" })")
            #expect(children.first.map { Self.info($0)["run_name"] as? String } == "train-inner")
            #expect(children.first.flatMap { Self.pairs($0, "metrics")["inner_loss"].flatMap(Double.init) } == 0.125)

            let jobEnv = try await env.kubectl(["get", "job", "tracked-train-0", "-o", "jsonpath={range .spec.template.spec.containers[0].env[*]}{.name}={.value};{end}"]).stdout
            #expect(jobEnv.contains("MLFLOW_TRACKING_URI=\(mlflow.url);") && jobEnv.contains("MLFLOW_RUN_ID=\(runID);"), "\(jobEnv)")
            #expect(jobEnv.contains("WANDB_PROJECT=churn;") && jobEnv.contains("WANDB_ENTITY=acme;") && jobEnv.contains("WANDB_RUN_GROUP=tracked;")
                    && jobEnv.contains("WANDB_TAGS=sextant,default,train;"), "\(jobEnv)")
            let describe = try await env.kubectl(["describe", "mlp", "tracked"]).stdout
            #expect(describe.contains(url), "the run URL in kubectl describe (status)")
            #expect(describe.contains("TrackingRunCreated"), "\(describe)")
        }
    }

    @Test("an MLflow server that is down: Tracked=False with the reason, and the run still Succeeds")
    func serverDown() async throws {
        let port = try PeerProcess.freePort()
        try await Self.withCluster { env in
            let c = try env.controller()
            defer { c.kill9() }
            let started = Date()
            try await env.apply(Self.pipeline("untracked", trackingURI: "http://127.0.0.1:\(port)", experiment: "down",
                                              steps: [Self.outputsStep("prepare", metrics: #"{"rows": 5}"#),
                                                      Self.outputsStep("train", metrics: #"{"auc": 0.8}"#, dependsOn: ["prepare"])]))
            let waited = try await env.kubectl(["wait", "--for=condition=Succeeded", "mlp/untracked", "--timeout=120s"], timeout: 130)
            #expect(waited.succeeded, "\(waited.stderr)\n\(env.logs())")
            let seconds = Date().timeIntervalSince(started)
            #expect(seconds < 90, "the run was held up by tracking: \(seconds)s")
            #expect(try await env.jsonpath("untracked", "{.status.phase}") == "Succeeded")
            let condition = try await env.jsonpath("untracked", "{.status.conditions[?(@.type==\"Tracked\")].status}/{.status.conditions[?(@.type==\"Tracked\")].reason}")
            #expect(condition == "False/MLflowUnavailable")
            #expect(try await env.jsonpath("untracked", "{.status.tracking.mlflow.runId}").isEmpty)
            let jobEnv = try await env.kubectl(["get", "job", "untracked-prepare-0", "-o", "jsonpath={range .spec.template.spec.containers[0].env[*]}{.name};{end}"]).stdout
            #expect(jobEnv.contains("MLFLOW_TRACKING_URI;") && !jobEnv.contains("MLFLOW_RUN_ID;"), "\(jobEnv)")
            let describe = try await env.kubectl(["describe", "mlp", "untracked"]).stdout
            #expect(describe.contains("TrackingFailed"), "\(describe)")
        }
    }

    @Test("kill -9 of the controller mid-run, again and again: one MLflow run, each metric logged once, FINISHED")
    func killNineMidRun() async throws {
        let mlflow = try SuiteMLflow.peer()
        try await Self.withCluster { env in
            try await env.apply(Self.pipeline("crashy", trackingURI: mlflow.url, experiment: "e2e-crash",
                                              steps: [Self.outputsStep("prepare", metrics: #"{"rows": 7}"#, sleep: 3),
                                                      Self.outputsStep("train", metrics: #"{"auc": 0.7}"#, sleep: 3, dependsOn: ["prepare"])]))
            // Crash the controller at varying points: before and after the run is created, around the steps.
            for i in 0..<6 {
                let c = try env.controller()
                try await Task.sleep(for: .milliseconds(700 + 500 * i))
                c.kill9()
            }
            let last = try env.controller()
            defer { last.kill9() }
            let waited = try await env.kubectl(["wait", "--for=condition=Succeeded", "mlp/crashy", "--timeout=180s"], timeout: 190)
            #expect(waited.succeeded, "\(waited.stderr)\n\(env.logs())")
            let synced = try await env.kubectl(["wait", "--for=jsonpath={.status.conditions[?(@.type==\"Tracked\")].reason}=Synced", "mlp/crashy", "--timeout=60s"], timeout: 70)
            #expect(synced.succeeded, "\(synced.stderr)\n\(env.logs())")
            let uid = try await env.jsonpath("crashy", "{.metadata.uid}")
            let runs = try await Self.runs(mlflow, experiment: "e2e-crash")
            let mine = runs.filter { Self.pairs($0, "tags")["sextant.uid"] == uid }
            #expect(mine.count == 1, "runs of the pipeline: \(mine.count) (\(runs.count) in the experiment)")
            guard let run = mine.first else { return }
            let runID = Self.info(run)["run_id"] as? String ?? ""
            #expect(try await env.jsonpath("crashy", "{.status.tracking.mlflow.runId}") == runID)
            #expect(Self.info(run)["status"] as? String == "FINISHED")
            for key in ["prepare.rows", "train.auc"] {
                let history = try await mlflow.json("GET", "/api/2.0/mlflow/metrics/get-history?run_id=\(runID)&metric_key=\(key)")
                #expect((history["metrics"] as? [[String: Any]])?.count == 1, "\(key): \(history)")
            }
        }
    }
}
