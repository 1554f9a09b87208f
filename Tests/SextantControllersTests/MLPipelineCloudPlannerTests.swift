import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

func smStep(
    _ name: String, _ deps: [String]? = nil, outputs: StepOutputs? = nil, retry: RetryPolicy? = nil,
    timeout: Int64? = nil, cache: Bool = false, spot: Bool? = nil
) -> PipelineStep {
    PipelineStep(
        name: name, dependsOn: deps,
        sagemaker: SageMakerStep(
            region: "us-east-1", roleArn: "arn:aws:iam::123456789012:role/train", image: "img:sm", instanceType: "ml.m5.xlarge",
            hyperParameters: ["lr": "{{params.lr}}"], outputS3Uri: "s3://bucket/{{pipeline.name}}"),
        retry: retry, timeoutSeconds: timeout, spot: spot, outputs: outputs, cache: cache ? CachePolicy(enabled: true) : nil)
}

/// One planner pass with cloud observations; applies the status as the controller's write does.
func cloudAdvance(
    _ p: MLPipeline, jobs: [String: JobObservation] = [:], cloud: [String: CloudAttemptObservation] = [:], at: Date = t0,
    backends: Set<String> = ["sagemaker"], pricing: PricingTable = .empty,
    cache: @escaping @Sendable (String, Int64?) -> CacheEntry? = { _, _ in nil }
) -> (MLPipeline, RunPlan) {
    let obs = RunObservation(
        jobs: jobs, now: at, cloudJobs: cloud, cloudBackends: backends, cloudNameLimits: ["sagemaker": 63], pricing: pricing, cacheLookup: cache)
    let plan = RunPlanner.plan(p, obs)
    var next = p
    next.status = plan.status
    return (next, plan)
}

func running(_ id: String = "arn:aws:sagemaker:us-east-1:1:training-job/x", status: String = "InProgress/Training", next: Date? = nil) -> CloudAttemptObservation {
    CloudAttemptObservation(job: CloudJobObservation(state: .running, id: id, url: "https://console/\(id)", providerStatus: status), nextPollAt: next)
}

func succeeded(_ outputs: OutputValues?, cost: Cost? = nil) -> CloudAttemptObservation {
    CloudAttemptObservation(
        job: CloudJobObservation(state: .succeeded, id: "arn:job", finishedAt: t0.addingTimeInterval(600)), outputs: outputs, cost: cost)
}

@Suite("MLPipeline planner: cloud steps")
struct MLPipelineCloudPlannerTests {
    let hash8 = String(DerivedName.shortHash("uid-1").prefix(8))

    @Test("a cloud step starts as one cloud job named <pipeline>-<step>-<attempt>-<uid hash>, Running with its backend; the id and URL are recorded once observed")
    func start() throws {
        let (p1, plan1) = cloudAdvance(pipeline([smStep("train")]))
        let start = try #require(plan1.startCloudJobs.first)
        #expect(plan1.startCloudJobs.count == 1 && plan1.createJobs.isEmpty)
        #expect(start.cloud.jobName == "run-train-0-\(hash8)")
        #expect(start.cloud.backend == "sagemaker" && start.cloud.namespace == "ml" && start.cloud.pipelineUID == "uid-1")
        #expect(start.cloud.block["hyperParameters"]?["lr"]?.stringValue == "0.1")
        #expect(start.cloud.block["outputS3Uri"]?.stringValue == "s3://bucket/run")
        let attempt = try #require(p1.status?.steps?[0].attempts?.first)
        #expect(attempt.phase == "Running" && attempt.cloudJob?.backend == "sagemaker" && attempt.cloudJob?.id == nil)
        #expect(p1.status?.steps?[0].phase == "Running")
        #expect(RunPlanner.hasUnfinishedCloudWork(p1.status))
        let (p2, plan2) = cloudAdvance(p1, cloud: ["train/0": running(next: t0.addingTimeInterval(15))], at: t0.addingTimeInterval(1))
        #expect(plan2.startCloudJobs.isEmpty)
        #expect(p2.status?.steps?[0].attempts?[0].cloudJob?.id == "arn:aws:sagemaker:us-east-1:1:training-job/x")
        #expect(p2.status?.steps?[0].attempts?[0].cloudJob?.url == "https://console/arn:aws:sagemaker:us-east-1:1:training-job/x")
        #expect(p2.status?.steps?[0].attempts?[0].message?.contains("InProgress/Training") == true)
        #expect(plan2.requeueAfter == 14)
    }

    @Test("after a restart, an attempt recorded without an id is started again (the backend adopts it by name); one with an id is only observed")
    func adoption() {
        let (p1, _) = cloudAdvance(pipeline([smStep("train")]))
        let (_, again) = cloudAdvance(p1, at: t0.addingTimeInterval(30))
        #expect(again.startCloudJobs.map(\.cloud.jobName) == ["run-train-0-\(hash8)"])
        #expect(again.startCloudJobs.first?.cloud.recordedID == nil)
        let (p2, _) = cloudAdvance(p1, cloud: ["train/0": running()], at: t0.addingTimeInterval(1))
        let (p3, observeOnly) = cloudAdvance(p2, at: t0.addingTimeInterval(30))
        #expect(observeOnly.startCloudJobs.isEmpty)
        #expect(p3.status?.steps?[0].attempts?.count == 1)
        let unfinished = RunPlanner.unfinishedCloudAttempts(p3, nameLimits: ["sagemaker": 63])
        #expect(unfinished.map { $0.key } == ["train/0"])
        #expect(unfinished.first?.attempt.recordedID == "arn:aws:sagemaker:us-east-1:1:training-job/x")
    }

    @Test("a succeeded cloud job's outputs pass downstream through templates, and the run succeeds")
    func outputsDownstream() {
        let steps = [smStep("train", outputs: StepOutputs(artifacts: ["model"], metrics: ["auc"])),
                     cstep("eval", ["train"], args: ["{{steps.train.outputs.artifacts.model}}"])]
        let (p1, _) = cloudAdvance(pipeline(steps))
        let out = OutputValues(artifacts: ["model": "s3://bucket/model.tar.gz", "extra": "s3://x"], metrics: ["auc": 0.91])
        let (p2, plan2) = cloudAdvance(p1, cloud: ["train/0": succeeded(out)], at: t0.addingTimeInterval(700))
        #expect(p2.status?.steps?[0].phase == "Succeeded")
        #expect(p2.status?.steps?[0].outputs == OutputValues(artifacts: ["model": "s3://bucket/model.tar.gz"], metrics: ["auc": 0.91]))
        #expect(p2.status?.steps?[0].attempts?[0].finishedAt == KubeTime.format(t0.addingTimeInterval(600)))
        #expect(plan2.createJobs.first?.resolved.container?.args == ["s3://bucket/model.tar.gz"])
        #expect(!RunPlanner.hasUnfinishedCloudWork(p2.status))
        let (p3, _) = cloudAdvance(p2, jobs: ["run-eval-0": JobObservation(name: "run-eval-0", outcome: .succeeded, terminationMessage: "")], cloud: ["train/0": succeeded(out)])
        #expect(p3.status?.phase == "Succeeded")
        #expect(p3.status?.lineage?.images == ["img:eval", "img:sm"])
    }

    @Test("a succeeded job without a declared output fails the attempt with MissingOutputs; a job whose outputs are unread yet waits")
    func missingOutputs() {
        let (p1, _) = cloudAdvance(pipeline([smStep("train", outputs: StepOutputs(artifacts: ["model"]))]))
        let (p2, wait) = cloudAdvance(p1, cloud: ["train/0": succeeded(nil)])
        #expect(p2.status?.steps?[0].phase == "Running")
        #expect(wait.requeueAfter == 1)
        let (p3, _) = cloudAdvance(p1, cloud: ["train/0": succeeded(OutputValues(metrics: ["loss": 0.1]))])
        #expect(p3.status?.steps?[0].attempts?[0].reason == "MissingOutputs")
        #expect(p3.status?.steps?[0].phase == "Failed")
        var invalid = succeeded(nil)
        invalid.outputsError = CloudBackendError(.invalidOutputs, "sextant-outputs.json is not an object")
        let (p4, _) = cloudAdvance(p1, cloud: ["train/0": invalid])
        #expect(p4.status?.steps?[0].attempts?[0].reason == "InvalidOutputs")
    }

    @Test("a failed cloud job is retried after the backoff as a new attempt with its own cloud job; the limit then fails the step and skips dependents")
    func retries() throws {
        let retry = RetryPolicy(limit: 1, backoff: Backoff(initialSeconds: 10, factor: 2, maxSeconds: 60))
        let (p1, _) = cloudAdvance(pipeline([smStep("train", retry: retry), cstep("eval", ["train"])]))
        let failed = CloudAttemptObservation(job: CloudJobObservation(
            state: .failed, id: "arn:0", reason: "AlgorithmError", message: "exit 1", finishedAt: t0.addingTimeInterval(5)))
        let (p2, plan2) = cloudAdvance(p1, cloud: ["train/0": failed], at: t0.addingTimeInterval(6))
        #expect(p2.status?.steps?[0].phase == "Retrying")
        #expect(p2.status?.steps?[0].attempts?[0].reason == "AlgorithmError")
        #expect(p2.status?.steps?[0].attempts?[0].cloudJob?.id == "arn:0")
        #expect(plan2.startCloudJobs.isEmpty && plan2.requeueAfter == 9)
        let (p3, plan3) = cloudAdvance(p2, at: t0.addingTimeInterval(15))
        let second = try #require(plan3.startCloudJobs.first)
        #expect(second.attempt == 1 && second.cloud.jobName == "run-train-1-\(hash8)")
        #expect(p3.status?.steps?[0].attempts?.map(\.attempt) == [0, 1])
        #expect(p3.status?.steps?[0].attempts?[1].cloudJob == CloudJobRef(backend: "sagemaker"))
        var failed1 = failed
        failed1.job?.id = "arn:1"
        let (p4, _) = cloudAdvance(p3, cloud: ["train/1": failed1], at: t0.addingTimeInterval(20))
        #expect(p4.status?.steps?.map(\.phase) == ["Failed", "Skipped"])
        #expect(p4.status?.steps?[0].attempts?.map { $0.cloudJob?.id } == ["arn:0", "arn:1"])
        #expect(p4.status?.phase == "Failed")
    }

    @Test("CloudInvalidRequest fails the attempt without a retry; CloudUnavailable keeps it Running with the reason in its message")
    func errorKinds() {
        let retry = RetryPolicy(limit: 3, backoff: Backoff(initialSeconds: 1))
        let (p1, _) = cloudAdvance(pipeline([smStep("train", retry: retry)]))
        let invalid = CloudAttemptObservation(error: CloudBackendError(.invalidRequest, "ValidationException: bad instance type"))
        let (p2, plan2) = cloudAdvance(p1, cloud: ["train/0": invalid])
        #expect(p2.status?.steps?[0].phase == "Failed")
        #expect(p2.status?.steps?[0].attempts?[0].reason == "CloudInvalidRequest")
        #expect(p2.status?.steps?[0].attempts?[0].message == "ValidationException: bad instance type")
        #expect(plan2.startCloudJobs.isEmpty)

        let denied = CloudAttemptObservation(error: CloudBackendError(.accessDenied, "not authorized"))
        let (p3, _) = cloudAdvance(p1, cloud: ["train/0": denied])
        #expect(p3.status?.steps?[0].phase == "Retrying" && p3.status?.steps?[0].attempts?[0].reason == "CloudAccessDenied")

        let unavailable = CloudAttemptObservation(error: CloudBackendError(.unavailable, "ThrottlingException"), nextPollAt: t0.addingTimeInterval(15))
        let (p4, plan4) = cloudAdvance(p1, cloud: ["train/0": unavailable])
        #expect(p4.status?.steps?[0].phase == "Running")
        #expect(p4.status?.steps?[0].attempts?[0].phase == "Running")
        #expect(p4.status?.steps?[0].attempts?[0].message == "CloudUnavailable: ThrottlingException; retrying in 15s")
        #expect(plan4.startCloudJobs.isEmpty && plan4.requeueAfter == 15)
        // Once the backoff has passed, a start that failed is tried again.
        let (_, plan5) = cloudAdvance(p4, cloud: ["train/0": unavailable], at: t0.addingTimeInterval(16))
        #expect(plan5.startCloudJobs.map(\.attempt) == [0])
    }

    @Test("past the step's timeoutSeconds the cloud job is stopped and the attempt fails with DeadlineExceeded, then retries")
    func stepTimeout() throws {
        let retry = RetryPolicy(limit: 1, backoff: Backoff(initialSeconds: 0))
        let (p1, _) = cloudAdvance(pipeline([smStep("train", retry: retry, timeout: 100)]))
        let (_, before) = cloudAdvance(p1, cloud: ["train/0": running(next: t0.addingTimeInterval(120))], at: t0.addingTimeInterval(50))
        #expect(before.stopCloudJobs.isEmpty && before.requeueAfter == 50)
        let (p2, plan2) = cloudAdvance(p1, cloud: ["train/0": running()], at: t0.addingTimeInterval(101))
        #expect(plan2.stopCloudJobs.map(\.jobName) == ["run-train-0-\(hash8)"])
        #expect(plan2.stopCloudJobs.first?.recordedID == "arn:aws:sagemaker:us-east-1:1:training-job/x")
        let a0 = try #require(p2.status?.steps?[0].attempts?.first)
        #expect(a0.phase == "Failed" && a0.reason == "DeadlineExceeded")
        #expect(plan2.startCloudJobs.map(\.attempt) == [1])
        #expect(p2.status?.steps?[0].attempts?.count == 2)
    }

    @Test("cancel stops running cloud jobs, marks their attempts Cancelled and ends the run Cancelled")
    func cancel() {
        let (p1, _) = cloudAdvance(pipeline([smStep("train"), cstep("eval", ["train"])]))
        let (p2, _) = cloudAdvance(p1, cloud: ["train/0": running()], at: t0.addingTimeInterval(1))
        var p3 = p2
        p3.spec.cancel = true
        let (p4, plan) = cloudAdvance(p3, cloud: ["train/0": running()], at: t0.addingTimeInterval(2))
        #expect(plan.stopCloudJobs.map(\.jobName) == ["run-train-0-\(hash8)"])
        #expect(p4.status?.steps?[0].attempts?[0].phase == "Cancelled")
        #expect(p4.status?.steps?.map(\.phase) == ["Cancelled", "Cancelled"])
        #expect(p4.status?.phase == "Cancelled")
        #expect(!RunPlanner.hasUnfinishedCloudWork(p4.status))
    }

    @Test("a cache hit of a cloud step copies the outputs and starts no cloud job")
    func cacheHit() {
        let hit = CacheEntry(from: "old/train", outputs: OutputValues(artifacts: ["model": "s3://cached"]))
        let (p, plan) = cloudAdvance(pipeline([smStep("train", outputs: StepOutputs(artifacts: ["model"]), cache: true)]), cache: { _, _ in hit })
        #expect(plan.startCloudJobs.isEmpty)
        #expect(p.status?.steps?[0].cached == true && p.status?.steps?[0].cachedFrom == "old/train")
        #expect(p.status?.phase == "Succeeded")
        #expect(!RunPlanner.hasUnfinishedCloudWork(p.status))
    }

    @Test("a cloud step whose kind has no backend in this controller fails with BackendUnavailable and starts nothing")
    func backendUnavailable() {
        let (p, plan) = cloudAdvance(pipeline([smStep("train")]), backends: ["vertexAI"])
        #expect(plan.startCloudJobs.isEmpty)
        #expect(p.status?.steps?[0].attempts?[0].reason == "BackendUnavailable")
        #expect(p.status?.steps?[0].attempts?[0].message?.contains("no sagemaker backend") == true)
        #expect(p.status?.conditions?.condition("Ready")?.reason == "BackendUnavailable")
    }

    @Test("a running cloud attempt whose backend this controller lacks fails with BackendUnavailable instead of waiting forever")
    func backendGoneWhileRunning() {
        let (p1, _) = cloudAdvance(pipeline([smStep("train")]))
        let (p2, _) = cloudAdvance(p1, cloud: ["train/0": running()], at: t0.addingTimeInterval(1))
        let (p3, plan) = cloudAdvance(p2, at: t0.addingTimeInterval(2), backends: [])
        #expect(plan.startCloudJobs.isEmpty && plan.stopCloudJobs.isEmpty)
        #expect(p3.status?.steps?[0].attempts?[0].reason == "BackendUnavailable")
        #expect(p3.status?.steps?[0].attempts?[0].message?.contains("arn:aws:sagemaker:us-east-1:1:training-job/x") == true)
        #expect(p3.status?.phase == "Failed")
    }

    @Test("step and run cost: container attempts from run time × requests × prices, cloud attempts from the backend, summed over attempts and steps; a missing price leaves estimatedUSD unset and says why")
    func cost() {
        let pricing = PricingTable(kubernetes: .init(cpuCoreHourUSD: 0.04, memoryGiBHourUSD: 0.005))
        let (p1, _) = cloudAdvance(pipeline([cstep("prep"), smStep("train", ["prep"])]), pricing: pricing)
        let prep = JobObservation(
            name: "run-prep-0", outcome: .succeeded, startedAt: KubeTime.format(t0), finishedAt: KubeTime.format(t0.addingTimeInterval(1800)),
            terminationMessage: "", resources: PodResources(cpuCores: 2, memoryGiB: 4))
        let (p2, _) = cloudAdvance(p1, jobs: ["run-prep-0": prep], pricing: pricing)
        // 0.5 h × (2 × 0.04 + 4 × 0.005) = 0.05
        #expect(p2.status?.steps?[0].cost == Cost(estimatedUSD: 0.05, billableSeconds: 1800))
        #expect(p2.status?.cost?.estimatedUSD == 0.05)
        let smCost = Cost(estimatedUSD: 0.14, billableSeconds: 1200, spotSavingsPercent: 30)
        let (p3, _) = cloudAdvance(p2, jobs: ["run-prep-0": prep], cloud: ["train/0": succeeded(OutputValues(), cost: smCost)], pricing: pricing)
        #expect(p3.status?.steps?[1].cost == smCost)
        #expect(p3.status?.cost?.estimatedUSD == 0.19)
        #expect(p3.status?.cost?.billableSeconds == 3000)
        // On-demand 0.05 + 0.2, paid 0.19: 24 % saved overall.
        #expect(p3.status?.cost?.spotSavingsPercent == 24)

        let gpu = JobObservation(
            name: "run-prep-0", outcome: .succeeded, startedAt: KubeTime.format(t0), finishedAt: KubeTime.format(t0.addingTimeInterval(60)),
            terminationMessage: "", resources: PodResources(cpuCores: 1, gpus: ["nvidia.com/gpu": 1]))
        let (q, _) = cloudAdvance(p1, jobs: ["run-prep-0": gpu], pricing: pricing)
        #expect(q.status?.steps?[0].cost?.estimatedUSD == nil)
        #expect(q.status?.steps?[0].cost?.message == "no price for kubernetes.gpuHourUSD[nvidia.com/gpu] in the pricing table")
        #expect(q.status?.cost?.estimatedUSD == nil)
        #expect(q.status?.cost?.message == "prep: no price for kubernetes.gpuHourUSD[nvidia.com/gpu] in the pricing table")
    }

    @Test("costs of failed attempts count toward the step")
    func failedAttemptCost() {
        let retry = RetryPolicy(limit: 1, backoff: Backoff(initialSeconds: 0))
        let (p1, _) = cloudAdvance(pipeline([smStep("train", retry: retry)]))
        let failed = CloudAttemptObservation(job: CloudJobObservation(state: .failed, id: "a0", reason: "Failed"), cost: Cost(estimatedUSD: 0.1, billableSeconds: 100))
        let (p2, _) = cloudAdvance(p1, cloud: ["train/0": failed])
        let (p3, _) = cloudAdvance(p2, cloud: ["train/1": succeeded(OutputValues(), cost: Cost(estimatedUSD: 0.2, billableSeconds: 200))], at: t0.addingTimeInterval(1))
        #expect(p3.status?.steps?[0].cost == Cost(estimatedUSD: 0.3, billableSeconds: 300))
        #expect(p3.status?.phase == "Succeeded")
    }
}
