import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

func pipeline(_ steps: [PipelineStep], register: RegisterSpec? = nil, cancel: Bool? = nil, parallelism: Int? = nil) -> MLPipeline {
    var p = MLPipeline(metadata: ObjectMeta(name: "run", namespace: "ml"), spec: MLPipelineSpec(params: ["lr": "0.1"], parallelism: parallelism, cancel: cancel, steps: steps, register: register))
    p.metadata.uid = "uid-1"
    p.metadata.generation = 1
    return p
}

func cstep(_ name: String, _ deps: [String]? = nil, args: [String] = [], outputs: StepOutputs? = nil, retry: RetryPolicy? = nil, cache: Bool = false) -> PipelineStep {
    PipelineStep(name: name, dependsOn: deps, container: ContainerStep(image: "img:\(name)", args: args), retry: retry, outputs: outputs, cache: cache ? CachePolicy(enabled: true) : nil)
}

let t0 = Date(timeIntervalSince1970: 1_800_000_000)

/// Applies a plan's status to the pipeline, as the controller's status write does.
func advance(_ p: MLPipeline, _ jobs: [String: JobObservation] = [:], at: Date = t0, cache: @escaping @Sendable (String, Int64?) -> CacheEntry? = { _, _ in nil }) -> (MLPipeline, RunPlan) {
    let plan = RunPlanner.plan(p, RunObservation(jobs: jobs, now: at, cacheLookup: cache))
    var next = p
    next.status = plan.status
    return (next, plan)
}

@Suite("MLPipeline run planner")
struct MLPipelinePlannerTests {
    @Test("a DAG runs in dependency order with outputs passed downstream, then succeeds")
    func happyPath() throws {
        let p0 = pipeline([cstep("a", outputs: StepOutputs(artifacts: ["m"])), cstep("b", ["a"], args: ["{{steps.a.outputs.artifacts.m}}", "{{params.lr}}"])])
        let (p1, plan1) = advance(p0)
        #expect(plan1.createJobs.map(\.step) == ["a"])
        #expect(p1.status?.phase == "Running")
        #expect(p1.status?.conditions?.condition("Succeeded")?.status == "Unknown")
        let (p2, plan2) = advance(p1, ["run-a-0": JobObservation(name: "run-a-0", outcome: .succeeded, terminationMessage: #"{"artifacts":{"m":"s3://m"}}"#)])
        #expect(plan2.createJobs.map(\.step) == ["b"])
        #expect(plan2.createJobs.first?.resolved.container?.args == ["s3://m", "0.1"])
        #expect(p2.status?.steps?.first?.outputs?.artifacts == ["m": "s3://m"])
        #expect(p2.status?.progress == "1/2")
        let (p3, plan3) = advance(p2, ["run-a-0": JobObservation(name: "run-a-0", outcome: .succeeded, terminationMessage: #"{"artifacts":{"m":"s3://m"}}"#),
                                       "run-b-0": JobObservation(name: "run-b-0", outcome: .succeeded, terminationMessage: "")])
        #expect(plan3.createJobs.isEmpty)
        #expect(p3.status?.phase == "Succeeded")
        #expect(p3.status?.conditions?.isTrue("Ready") == true)
        #expect(p3.status?.conditions?.isTrue("Succeeded") == true)
        #expect(p3.status?.lineage?.images == ["img:a", "img:b"])
        // A finished run is left alone.
        let (_, plan4) = advance(p3)
        #expect(plan4.createJobs.isEmpty && plan4.events.isEmpty)
    }

    @Test("an invalid reference fails the run before anything is created")
    func invalidReference() {
        let (p, plan) = advance(pipeline([cstep("a", args: ["{{params.missing}}"])]))
        #expect(plan.createJobs.isEmpty)
        #expect(p.status?.phase == "Failed")
        #expect(p.status?.conditions?.condition("Ready")?.reason == "InvalidReference")
        #expect(p.status?.conditions?.condition("Ready")?.status == "False")
    }

    @Test("a failed attempt is retried after the backoff as a new Job; the limit then fails the step and skips dependents")
    func retries() {
        let retry = RetryPolicy(limit: 1, backoff: Backoff(initialSeconds: 10, factor: 2, maxSeconds: 60))
        let (p1, _) = advance(pipeline([cstep("a", retry: retry), cstep("b", ["a"])]))
        let failed0 = JobObservation(name: "run-a-0", outcome: .failed, reason: "BackoffLimitExceeded", finishedAt: KubeTime.format(t0))
        let (p2, plan2) = advance(p1, ["run-a-0": failed0], at: t0.addingTimeInterval(1))
        #expect(p2.status?.steps?[0].phase == "Retrying")
        #expect(plan2.createJobs.isEmpty)
        #expect(plan2.requeueAfter == 9)
        let (p3, plan3) = advance(p2, ["run-a-0": failed0], at: t0.addingTimeInterval(10))
        #expect(plan3.createJobs.map(\.attempt) == [1])
        #expect(p3.status?.steps?[0].attempts?.map(\.job) == ["run-a-0", "run-a-1"])
        let failed1 = JobObservation(name: "run-a-1", outcome: .failed, reason: "DeadlineExceeded")
        let (p4, plan4) = advance(p3, ["run-a-0": failed0, "run-a-1": failed1], at: t0.addingTimeInterval(20))
        #expect(plan4.createJobs.isEmpty)
        #expect(p4.status?.steps?.map(\.phase) == ["Failed", "Skipped"])
        #expect(p4.status?.phase == "Failed")
        #expect(p4.status?.steps?[0].attempts?.last?.reason == "DeadlineExceeded")
    }

    @Test("outputs that are not JSON or lack a declared output fail the attempt with InvalidOutputs / MissingOutputs")
    func badOutputs() {
        let (p1, _) = advance(pipeline([cstep("a", outputs: StepOutputs(metrics: ["auc"]))]))
        let (p2, _) = advance(p1, ["run-a-0": JobObservation(name: "run-a-0", outcome: .succeeded, terminationMessage: "oops")])
        #expect(p2.status?.steps?[0].attempts?[0].reason == "InvalidOutputs")
        let (p3, _) = advance(p1, ["run-a-0": JobObservation(name: "run-a-0", outcome: .succeeded, terminationMessage: "{}")])
        #expect(p3.status?.steps?[0].attempts?[0].reason == "MissingOutputs")
        #expect(p3.status?.phase == "Failed")
    }

    @Test("a restarted controller with a lost status adopts existing Jobs instead of creating them again")
    func adoption() {
        let (p1, plan1) = advance(pipeline([cstep("a")]), ["run-a-0": JobObservation(name: "run-a-0", outcome: .running)])
        #expect(plan1.createJobs.isEmpty)
        #expect(p1.status?.steps?[0].attempts?.map(\.job) == ["run-a-0"])
        // Status says attempt 0 failed and a retry was started, but the write was lost: attempt 1 is adopted.
        let retry = RetryPolicy(limit: 2, backoff: Backoff(initialSeconds: 0))
        let (q1, _) = advance(pipeline([cstep("a", retry: retry)]))
        let (q2, plan2) = advance(q1, ["run-a-0": JobObservation(name: "run-a-0", outcome: .failed), "run-a-1": JobObservation(name: "run-a-1", outcome: .running)])
        #expect(plan2.createJobs.isEmpty)
        #expect(q2.status?.steps?[0].attempts?.map(\.attempt) == [0, 1])
    }

    @Test("a cache hit copies outputs, creates no Job and records cachedFrom")
    func cache() {
        let hit = CacheEntry(from: "old/a", outputs: OutputValues(artifacts: ["m": "s3://cached"]))
        let (p, plan) = advance(pipeline([cstep("a", outputs: StepOutputs(artifacts: ["m"]), cache: true), cstep("b", ["a"], args: ["{{steps.a.outputs.artifacts.m}}"])]), cache: { _, _ in hit })
        #expect(plan.createJobs.map(\.step) == ["b"])
        #expect(plan.createJobs.first?.resolved.container?.args == ["s3://cached"])
        #expect(p.status?.steps?[0].cached == true)
        #expect(p.status?.steps?[0].cachedFrom == "old/a")
        #expect(p.status?.steps?[0].cacheKey?.count == 64)
        #expect(plan.events.contains { $0.reason == "CacheHit" })
    }

    @Test("the cache lookup finds a Succeeded step with the same key within maxAge only")
    func cacheLookup() {
        var old = pipeline([cstep("a")])
        old.status = MLPipelineStatus(startedAt: KubeTime.format(t0), steps: [StepStatus(name: "a", phase: "Succeeded", attempts: [AttemptStatus(attempt: 0, finishedAt: KubeTime.format(t0), phase: "Succeeded")], cacheKey: "k")])
        #expect(MLPipelineController.cacheLookup(key: "k", maxAgeSeconds: nil, runs: [old], now: t0.addingTimeInterval(100))?.from == "run/a")
        #expect(MLPipelineController.cacheLookup(key: "k", maxAgeSeconds: 50, runs: [old], now: t0.addingTimeInterval(100)) == nil)
        #expect(MLPipelineController.cacheLookup(key: "other", maxAgeSeconds: nil, runs: [old], now: t0) == nil)
    }

    @Test("cancel deletes running Jobs, cancels pending steps and ends Cancelled")
    func cancel() {
        let (p1, _) = advance(pipeline([cstep("a"), cstep("b", ["a"])]))
        var p2 = p1
        p2.spec.cancel = true
        let (p3, plan) = advance(p2, ["run-a-0": JobObservation(name: "run-a-0", outcome: .running)])
        #expect(plan.deleteJobs == ["run-a-0"])
        #expect(p3.status?.steps?.map(\.phase) == ["Cancelled", "Cancelled"])
        #expect(p3.status?.phase == "Cancelled")
    }

    @Test("parallelism limits how many steps run at once")
    func parallelism() {
        let (_, plan) = advance(pipeline([cstep("a"), cstep("b"), cstep("c")], parallelism: 2))
        #expect(plan.createJobs.map(\.step) == ["a", "b"])
    }

    @Test("a cloud step fails with BackendUnavailable instead of pretending to run")
    func cloudStep() {
        let s = PipelineStep(name: "t", azureML: AzureMLStep(subscriptionId: "s", resourceGroup: "r", workspace: "w", compute: "c", environment: "e", command: "x"))
        let (p, plan) = advance(pipeline([s]))
        #expect(plan.createJobs.isEmpty)
        #expect(p.status?.steps?[0].attempts?[0].reason == "BackendUnavailable")
        #expect(p.status?.conditions?.condition("Ready")?.reason == "BackendUnavailable")
    }

    @Test("with register, the run asks for registration before it becomes Succeeded")
    func registration() throws {
        let reg = RegisterSpec(model: "churn", artifact: "{{steps.a.outputs.artifacts.m}}")
        let (p1, _) = advance(pipeline([cstep("a", outputs: StepOutputs(artifacts: ["m"]))], register: reg))
        let (p2, plan) = advance(p1, ["run-a-0": JobObservation(name: "run-a-0", outcome: .succeeded, terminationMessage: #"{"artifacts":{"m":"s3://m"}}"#)])
        #expect(plan.needsRegistration)
        #expect(p2.status?.phase == "Running")
        let mv = try #require(try ModelRegistration.desiredModelVersion(for: p2, version: 3))
        #expect(mv.metadata.name == "churn-v3")
        #expect(mv.spec.artifact.uri == "s3://m")
        #expect(mv.spec.source == ModelSource(pipeline: "run", step: "a"))
        #expect(mv.metadata.annotations?["ml.sextant.dev/pipeline-uid"] == "uid-1")
        var p3 = p2
        p3.status?.lineage?.modelVersion = "churn-v3"
        let (p4, _) = advance(p3)
        #expect(p4.status?.phase == "Succeeded")
    }

    @Test("the Job of an attempt has the documented name, labels, owner, env and pod settings")
    func job() throws {
        var s = cstep("train")
        s.timeoutSeconds = 60
        s.container?.podMetadata = PodMetadata(labels: ["team": "x"], annotations: ["dev.sextant.dev/simulate": "{}"])
        let p = pipeline([s])
        let resolved = try ResolvedStep(s, context: TemplateContext(pipeline: p, outputs: [:]))
        let job = try #require(JobBuilder.desiredJob(for: p, step: resolved, attempt: 2))
        #expect(job.metadata.name == "run-train-2")
        #expect(job.metadata.labels?["ml.sextant.dev/pipeline"] == "run")
        #expect(job.metadata.labels?["app.kubernetes.io/managed-by"] == "sextant")
        #expect(job.metadata.ownerReferences?.first?.controller == true)
        #expect(job.metadata.ownerReferences?.first?.uid == "uid-1")
        #expect(job.spec?.backoffLimit == 0)
        #expect(job.spec?.activeDeadlineSeconds == 60)
        let pod = try #require(job.spec?.template)
        #expect(pod.spec?.restartPolicy == "Never")
        #expect(pod.metadata?.annotations?["dev.sextant.dev/simulate"] == "{}")
        #expect(pod.metadata?.labels?["team"] == "x")
        let c = try #require(pod.spec?.containers.first)
        #expect(c.terminationMessagePolicy == "FallbackToLogsOnError")
        let env = Dictionary(uniqueKeysWithValues: (c.env ?? []).map { ($0.name, $0.value ?? "") })
        #expect(env["SEXTANT_PIPELINE"] == "run" && env["SEXTANT_STEP"] == "train" && env["SEXTANT_ATTEMPT"] == "2" && env["SEXTANT_OUTPUTS_PATH"] == "/dev/termination-log")
    }

    @Test("status of 100 steps with 3 attempts each stays well under 1 MiB")
    func statusSize() throws {
        let steps = (0..<100).map { i in StepStatus(
            name: "step-\(i)", phase: "Succeeded",
            attempts: (0..<3).map { a in AttemptStatus(attempt: a, job: "a-fairly-long-pipeline-name-step-\(i)-\(a)", startedAt: KubeTime.format(t0), finishedAt: KubeTime.format(t0), phase: a < 2 ? "Failed" : "Succeeded", reason: "DeadlineExceeded", message: String(repeating: "x", count: 600).clipped()) },
            cacheKey: String(repeating: "f", count: 64), outputs: OutputValues(artifacts: ["model": "s3://bucket/some/long/path/model.tar.gz"], metrics: ["auc": 0.93])) }
        let status = MLPipelineStatus(phase: "Succeeded", steps: steps)
        let bytes = try JSONValue(encoding: status).data().count
        print("status bytes for 100 steps x 3 attempts (messages at the 512-char cap):", bytes)
        #expect(bytes < 512 * 1024)
    }
}
