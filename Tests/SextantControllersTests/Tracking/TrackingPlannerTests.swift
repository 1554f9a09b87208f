import Foundation
import KubeCore
import MLflowClient
import SextantAPI
@testable import SextantControllers
import Testing

/// The pure decisions of experiment tracking: what is sent when, and the steps' environment.
@Suite struct TrackingPlannerTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func pipeline(phase: String? = PipelinePhase.running, steps: [StepStatus] = [], modelVersion: String? = nil,
                         params: [String: String] = ["lr": "0.1", "epochs": "3"], wandb: Bool = false) -> MLPipeline {
        var meta = ObjectMeta(name: "churn-run", namespace: "ml")
        meta.uid = "uid-1"
        return MLPipeline(
            metadata: meta,
            spec: MLPipelineSpec(
                params: params,
                datasets: [Dataset(name: "events", uri: "s3://data/events.parquet", version: "v7")],
                steps: [
                    PipelineStep(name: "prepare", container: ContainerStep(image: "ghcr.io/acme/prep:1")),
                    PipelineStep(name: "train", dependsOn: ["prepare"], container: ContainerStep(image: "ghcr.io/acme/train:2")),
                ],
                tracking: TrackingSpec(mlflow: MLflowTrackingSpec(trackingURI: "http://mlflow.mlops:5000", experiment: "churn"),
                                       wandb: wandb ? WandbTrackingSpec(project: "churn", entity: "acme") : nil)),
            status: MLPipelineStatus(phase: phase, startedAt: "2026-12-07T10:00:00Z", finishedAt: phase == PipelinePhase.running ? nil : "2026-12-07T10:30:00Z",
                                     steps: steps, lineage: modelVersion.map { Lineage(modelVersion: $0) }))
    }

    static func succeeded(_ name: String, metrics: [String: Double]) -> StepStatus {
        StepStatus(name: name, phase: StepPhase.succeeded,
                   attempts: [AttemptStatus(attempt: 0, finishedAt: "2026-12-07T10:10:00Z", phase: StepPhase.succeeded)],
                   outputs: OutputValues(metrics: metrics))
    }

    @Test func aNewRunGetsParamsDatasetsAndImageTagsButNoMetricsOrEnd() {
        let work = TrackingPlanner.work(for: Self.pipeline(), ledger: TrackingLedger(), now: Self.now)
        #expect(work.params == [MLflowKeyValue(key: "epochs", value: "3"), MLflowKeyValue(key: "lr", value: "0.1")])
        #expect(work.datasets.map(\.dataset.name) == ["events"])
        #expect(work.datasets.first?.dataset.digest == "v7")
        #expect(work.datasets.first?.dataset.sourceType == "s3")
        #expect(work.tags.contains(MLflowKeyValue(key: "sextant.image.train", value: "ghcr.io/acme/train:2")))
        #expect(work.tags.contains(MLflowKeyValue(key: "sextant.dataset.events", value: "s3://data/events.parquet@v7")))
        #expect(work.metrics.isEmpty)
        #expect(work.endStatus == nil)
    }

    @Test func paramsAreSentOnceAndAChangedOneIsReportedNotSent() {
        var ledger = TrackingLedger()
        let first = TrackingPlanner.work(for: Self.pipeline(), ledger: ledger, now: Self.now)
        ledger.record(first)
        let again = TrackingPlanner.work(for: Self.pipeline(), ledger: ledger, now: Self.now)
        #expect(again.isEmpty)
        #expect(again.events.isEmpty)

        ledger.params["lr"] = "0.5"   // logged by someone else with another value
        let conflict = TrackingPlanner.work(for: Self.pipeline(), ledger: ledger, now: Self.now)
        #expect(conflict.params.isEmpty)
        #expect(conflict.events.map(\.reason) == ["TrackingParamConflict"])
        #expect(conflict.events.first?.warning == true)
        ledger.record(conflict)
        #expect(TrackingPlanner.work(for: Self.pipeline(), ledger: ledger, now: Self.now).events.isEmpty, "said once")
    }

    @Test func eachSucceededStepsMetricsAreSentOnceAsStepDotMetric() {
        var ledger = TrackingLedger()
        ledger.record(TrackingPlanner.work(for: Self.pipeline(), ledger: ledger, now: Self.now))
        let running = StepStatus(name: "train", phase: StepPhase.running, outputs: OutputValues(metrics: ["auc": 0.5]))
        let one = TrackingPlanner.work(for: Self.pipeline(steps: [Self.succeeded("prepare", metrics: ["rows": 1000]), running]),
                                       ledger: ledger, now: Self.now)
        #expect(one.metrics.map(\.key) == ["prepare.rows"])
        #expect(one.metrics.first?.value == 1000)
        #expect(one.metrics.first?.timestamp == TrackingPlanner.millis("2026-12-07T10:10:00Z"))
        ledger.record(one)
        let two = TrackingPlanner.work(for: Self.pipeline(steps: [Self.succeeded("prepare", metrics: ["rows": 1000]),
                                                                  Self.succeeded("train", metrics: ["auc": 0.91, "loss": 0.2])]),
                                       ledger: ledger, now: Self.now)
        #expect(two.metrics.map(\.key) == ["train.auc", "train.loss"], "prepare.rows is not logged again")
    }

    @Test func aNonFiniteMetricIsNotSentAndAWarningSaysWhy() {
        let work = TrackingPlanner.work(for: Self.pipeline(steps: [Self.succeeded("train", metrics: ["auc": .nan, "loss": 0.2])]),
                                        ledger: TrackingLedger(), now: Self.now)
        #expect(work.metrics.map(\.key) == ["train.loss"])
        #expect(work.events.map(\.reason) == ["TrackingMetricSkipped"])
        #expect(work.events.first?.note.contains("0") == true)
    }

    @Test(arguments: [(PipelinePhase.succeeded, MLflowRunStatus.finished), (PipelinePhase.failed, .failed), (PipelinePhase.cancelled, .killed)])
    func theEndStatusFollowsTheRunsFinalPhase(phase: String, end: MLflowRunStatus) {
        var ledger = TrackingLedger()
        let work = TrackingPlanner.work(for: Self.pipeline(phase: phase), ledger: ledger, now: Self.now)
        #expect(work.endStatus == end)
        #expect(work.endTime == TrackingPlanner.millis("2026-12-07T10:30:00Z"))
        ledger.record(work)
        #expect(TrackingPlanner.work(for: Self.pipeline(phase: phase), ledger: ledger, now: Self.now).endStatus == nil)
    }

    @Test func theRegisteredModelVersionBecomesATag() {
        let work = TrackingPlanner.work(for: Self.pipeline(phase: PipelinePhase.succeeded, modelVersion: "churn-v4"), ledger: TrackingLedger(), now: Self.now)
        #expect(work.tags.contains(MLflowKeyValue(key: "sextant.modelVersion", value: "churn-v4")))
    }

    @Test func aLedgerReadFromMLflowAfterARestartSendsOnlyWhatIsMissing() throws {
        let json = #"""
        {"info": {"run_id": "r1", "experiment_id": "1", "status": "RUNNING"},
         "data": {"params": [{"key": "lr", "value": "0.1"}, {"key": "epochs", "value": "3"}],
                  "metrics": [{"key": "prepare.rows", "value": 1000, "timestamp": 1, "step": 0}],
                  "tags": [{"key": "sextant.image.prepare", "value": "ghcr.io/acme/prep:1"}]},
         "inputs": {"dataset_inputs": [{"dataset": {"name": "events", "digest": "v7", "source_type": "s3", "source": "{}"}}]}}
        """#
        let run = try JSONDecoder().decode(MLflowRun.self, from: Data(json.utf8))
        let work = TrackingPlanner.work(for: Self.pipeline(steps: [Self.succeeded("prepare", metrics: ["rows": 1000]),
                                                                   Self.succeeded("train", metrics: ["auc": 0.9])]),
                                        ledger: TrackingLedger(run: run), now: Self.now)
        #expect(work.params.isEmpty)
        #expect(work.datasets.isEmpty)
        #expect(work.metrics.map(\.key) == ["train.auc"])
        #expect(!work.tags.contains { $0.key == "sextant.image.prepare" })
        #expect(work.tags.contains { $0.key == "sextant.image.train" })
    }

    @Test func everyStepGetsTheMLflowAndWandbEnvironmentButNoCredentials() {
        var p = Self.pipeline(wandb: true)
        p.status?.tracking = TrackingStatus(mlflow: MLflowTrackingStatus(experimentId: "4", runId: "abc", url: "u"))
        let env = Dictionary(TrackingPlanner.stepEnvironment(p, step: "train").map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(env["MLFLOW_TRACKING_URI"] == "http://mlflow.mlops:5000")
        #expect(env["MLFLOW_EXPERIMENT_ID"] == "4")
        #expect(env["MLFLOW_RUN_ID"] == "abc")
        #expect(env["WANDB_PROJECT"] == "churn")
        #expect(env["WANDB_ENTITY"] == "acme")
        #expect(env["WANDB_RUN_GROUP"] == "churn-run")
        #expect(env["WANDB_TAGS"] == "sextant,ml,train")
        #expect(env.keys.allSatisfy { !$0.contains("TOKEN") && !$0.contains("PASSWORD") })
        // Before the run exists (server down at the start): the URI only.
        let early = TrackingPlanner.stepEnvironment(Self.pipeline(), step: "train").map(\.name)
        #expect(early == ["MLFLOW_TRACKING_URI"])
    }

    @Test func theJobAndCloudAttemptsCarryTheTrackingEnvironment() throws {
        var p = Self.pipeline(wandb: true)
        p.status?.tracking = TrackingStatus(mlflow: MLflowTrackingStatus(experimentId: "4", runId: "abc"))
        let resolved = try ResolvedStep(p.spec.steps[1], context: TemplateContext(pipeline: p, outputs: [:]))
        let job = try #require(JobBuilder.desiredJob(for: p, step: resolved, attempt: 0))
        let env = job.spec?.template.spec?.containers.first?.env ?? []
        #expect(env.contains { $0.name == "MLFLOW_RUN_ID" && $0.value == "abc" })
        #expect(env.contains { $0.name == "WANDB_RUN_GROUP" && $0.value == "churn-run" })
        #expect(env.contains { $0.name == "SEXTANT_STEP" && $0.value == "train" })

        p.spec.steps.append(PipelineStep(name: "sm", sagemaker: SageMakerStep(
            region: "us-east-1", roleArn: "arn:aws:iam::123456789012:role/r", image: "img:sm", instanceType: "ml.m5.xlarge",
            outputS3Uri: "s3://b/o")))
        let cloudStep = try ResolvedStep(p.spec.steps[2], context: TemplateContext(pipeline: p, outputs: [:]))
        let attempt = try #require(RunPlanner.cloudAttempt(cloudStep, attempt: 0, pipeline: p, nameLimits: [:]))
        #expect(attempt.environment["MLFLOW_RUN_ID"] == "abc")
        #expect(attempt.environment["WANDB_PROJECT"] == "churn")
        let awsEnv = AWSJobNaming.sextantEnvironment(attempt, outputsURI: "s3://b/o/x/sextant-outputs.json")
        #expect(awsEnv["MLFLOW_EXPERIMENT_ID"] == "4")
        #expect(awsEnv["SEXTANT_STEP"] == "sm")
    }

    @Test func aFinalRunWhoseMLflowRunEndedNeedsNoMoreSync() {
        var p = Self.pipeline(phase: PipelinePhase.succeeded)
        #expect(TrackingPlanner.needsSync(p))
        p.status?.tracking = TrackingStatus(mlflow: MLflowTrackingStatus(experimentId: "1", runId: "r9"))
        var conditions: [Condition] = []
        conditions.set(type: "Tracked", status: ConditionStatus.true, reason: "Synced", message: "MLflow run r9: 2 params, 0 metrics logged",
                       observedGeneration: 1, now: Self.now)
        p.status?.conditions = conditions
        #expect(TrackingPlanner.needsSync(p), "not ended yet")
        conditions.set(type: "Tracked", status: ConditionStatus.true, reason: "Synced", message: "MLflow run r9 ended FINISHED",
                       observedGeneration: 1, now: Self.now)
        p.status?.conditions = conditions
        #expect(!TrackingPlanner.needsSync(p))
        var untracked = p
        untracked.spec.tracking = nil
        #expect(!TrackingPlanner.needsSync(untracked))
    }
}
