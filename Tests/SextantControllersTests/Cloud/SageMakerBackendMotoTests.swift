import CloudAWS
import Foundation
import KubeCore
import Logging
import SextantAPI
@testable import SextantControllers
import Testing
import TestSupport

/// `SageMakerBackend` against moto's server through the CloudAWS client (SigV4, endpoints, error
/// classification). What the harness adds over moto (Tests/harness/moto/sagemaker_ext.py): jobs held
/// InProgress and then completed/failed/interrupted on request (moto completes a job at creation),
/// `ResourceInUse` for a duplicate name (moto replaces the job), StopTrainingJob (moto has none),
/// per-job call counts, recorded CreateTrainingJob bodies and injected AWS errors.
@Suite("SageMaker backend against moto", .serialized)
struct SageMakerBackendMotoTests {
    static let region = "eu-west-1"
    let logger = Logger(label: "sagemaker-backend-test")

    struct Fixture {
        let moto: MotoPeer
        let harness: MotoHarnessClient
        let backend: SageMakerBackend
        let context: CloudCallContext
    }

    func fixture() async throws -> Fixture {
        let moto = try await MotoPeer.start()
        let client = AWSClient(environment: moto.environment, logger: logger, retry: AWSRetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)))
        return Fixture(moto: moto, harness: MotoHarnessClient(url: moto.url), backend: SageMakerBackend(client: client),
                       context: CloudCallContext(namespace: "ml", objectName: "run", logger: logger))
    }

    func attempt(_ pipeline: String, spot: Bool = false, outputs: StepOutputs? = StepOutputs(artifacts: ["model"]), recordedID: String? = nil) throws -> CloudAttempt {
        let step = SageMakerStep(region: Self.region, roleArn: "arn:aws:iam::123456789012:role/sm", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/train:1",
                                 instanceType: "ml.m5.xlarge", outputS3Uri: "s3://acme-models/churn/", maxRuntimeSeconds: 600, environment: ["EPOCHS": "3"])
        return CloudAttempt(backend: "sagemaker", namespace: "ml", pipeline: pipeline, pipelineUID: "uid-\(pipeline)", step: "train", attempt: 0,
                            jobName: CloudAttempt.jobName(pipeline: pipeline, step: "train", attempt: 0, uid: "uid-\(pipeline)", limit: 63),
                            block: try JSONValue(encoding: step), spot: spot, declaredOutputs: outputs, recordedID: recordedID)
    }

    @Test("start twice creates one training job (the second start adopts it), and the create body is the contract's")
    func startAdopts() async throws {
        let f = try await fixture()
        defer { f.moto.stop() }
        try await f.harness.holdSageMaker(prefix: "adopt-")
        let a = try attempt("adopt")
        let first = try await f.backend.start(a, context: f.context)
        let second = try await f.backend.start(a, context: f.context)
        #expect(first.id == "arn:aws:sagemaker:eu-west-1:123456789012:training-job/\(a.jobName)")
        #expect(second.id == first.id)
        #expect(second.state == .running && second.providerStatus == "InProgress/Training")
        #expect(first.url == "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/\(a.jobName)")
        #expect(try await f.harness.sageMakerCount("CreateTrainingJob", prefix: "adopt-") == 1)
        let body = try #require(try await f.harness.sageMakerRequests(name: a.jobName).first)
        #expect(body[path: ["Environment", "SEXTANT_OUTPUTS_URI"]] == .string("s3://acme-models/churn/\(a.jobName)/sextant-outputs.json"))
        #expect(body[path: ["Environment", "EPOCHS"]] == "3")
        #expect(body[path: ["StoppingCondition", "MaxRuntimeInSeconds"]] == 600)
        // With the recorded ARN of the job the attempt adopts it as well.
        var recorded = a
        recorded.recordedID = first.id
        #expect(try await f.backend.start(recorded, context: f.context).id == first.id)
        #expect(try await f.harness.sageMakerCount("CreateTrainingJob", prefix: "adopt-") == 1)
    }

    @Test("a create whose answer was lost is adopted: ResourceInUse → DescribeTrainingJob, still one job")
    func resourceInUseAdopts() async throws {
        let f = try await fixture()
        defer { f.moto.stop() }
        try await f.harness.holdSageMaker(prefix: "inuse-")
        let a = try attempt("inuse")
        let first = try await f.backend.start(a, context: f.context)
        // The adoption lookup misses once (as if the job were not visible yet): the create gets ResourceInUse.
        try await f.harness.injectFault("SageMaker.DescribeTrainingJob", code: "ValidationException", message: "Requested resource not found.")
        let second = try await f.backend.start(a, context: f.context)
        #expect(second.id == first.id && second.state == .running)
        let calls = try await f.harness.get("/sextant-harness/sagemaker/calls?name=\(a.jobName)")
        #expect(calls["CreateTrainingJob"] == 2, "the second create reached moto and was refused with ResourceInUse")
        let byJob = try await f.harness.sageMakerCalls()["byJob"]?.objectValue ?? [:]
        #expect(byJob.keys.filter { $0.hasPrefix("inuse-") }.count == 1)
    }

    @Test("observe maps InProgress, Completed (model artifact, metrics, usage), Failed and a missing recorded job")
    func observe() async throws {
        let f = try await fixture()
        defer { f.moto.stop() }
        try await f.harness.holdSageMaker(prefix: "obs-")
        let a = try attempt("obs", spot: true, outputs: StepOutputs(artifacts: ["model"], metrics: ["auc"]))
        _ = try await f.backend.start(a, context: f.context)
        #expect(try await f.backend.observe(a, context: f.context).state == .running)
        try await f.harness.completeSageMaker(prefix: "obs-", metrics: ["auc": 0.91], billableSeconds: 300, trainingSeconds: 1200)
        let done = try await f.backend.observe(a, context: f.context)
        #expect(done.state == .succeeded)
        #expect(done.nativeOutputs?.artifacts?["model"] == "s3://acme-models/churn/\(a.jobName)/output/model.tar.gz")
        #expect(done.nativeOutputs?.metrics?["auc"] == 0.91)
        #expect(done.usage == CloudUsage(billableSeconds: 300, runSeconds: 1200, machineType: "ml.m5.xlarge", count: 1, spot: true))
        #expect(done.startedAt != nil && done.finishedAt != nil)
        let cost = f.backend.cost(a, observation: done, pricing: PricingTable(sagemaker: ["ml.m5.xlarge": 0.24]))
        #expect(cost?.spotSavingsPercent == 75 && cost?.billableSeconds == 300)
        #expect(abs((cost?.estimatedUSD ?? 0) - 0.02) < 1e-9)

        let b = try attempt("obs-fail")
        _ = try await f.backend.start(b, context: f.context)
        try await f.harness.post("/sextant-harness/sagemaker/fail", ["prefix": "obs-fail-", "failureReason": "AlgorithmError: exit code 1"])
        let failed = try await f.backend.observe(b, context: f.context)
        #expect(failed.state == .failed && failed.reason == "Failed" && failed.message == "AlgorithmError: exit code 1")

        let gone = try attempt("obs-gone", recordedID: "arn:aws:sagemaker:eu-west-1:123456789012:training-job/obs-gone-train-0-00000000")
        let missing = try await f.backend.observe(gone, context: f.context)
        #expect(missing.state == .failed && missing.reason == "CloudJobNotFound")
    }

    @Test("spot interruption keeps the job running; SageMaker stopping it at MaxWaitTime fails it with MaxWaitTimeExceeded")
    func spotInterruption() async throws {
        let f = try await fixture()
        defer { f.moto.stop() }
        try await f.harness.holdSageMaker(prefix: "spot-")
        let a = try attempt("spot", spot: true)
        _ = try await f.backend.start(a, context: f.context)
        try await f.harness.post("/sextant-harness/sagemaker/interrupt", ["prefix": "spot-"])
        let interrupted = try await f.backend.observe(a, context: f.context)
        #expect(interrupted.state == .running && interrupted.providerStatus == "InProgress/Interrupted")
        try await f.harness.post("/sextant-harness/sagemaker/interrupt", ["prefix": "spot-", "end": "MaxWaitTimeExceeded"])
        let ended = try await f.backend.observe(a, context: f.context)
        #expect(ended.state == .failed && ended.reason == "MaxWaitTimeExceeded")
    }

    @Test("stop: Stopping then Stopped; stopping again or a job that never existed is not an error; one StopTrainingJob per stoppable job")
    func stop() async throws {
        let f = try await fixture()
        defer { f.moto.stop() }
        try await f.harness.holdSageMaker(prefix: "stop-")
        let a = try attempt("stop")
        _ = try await f.backend.start(a, context: f.context)
        try await f.backend.stop(a, context: f.context)
        #expect(try await f.backend.observe(a, context: f.context).state == .stopped)
        try await f.backend.stop(a, context: f.context)
        try await f.backend.stop(try attempt("stop-never"), context: f.context)
        let calls = try await f.harness.get("/sextant-harness/sagemaker/calls?name=\(a.jobName)")
        #expect(calls["StopTrainingJob"] == 2, "the second stop was answered ValidationException (job finished) and taken as done")
    }

    @Test("outputs: the model artifact merged with SEXTANT_OUTPUTS_URI from S3; invalid JSON there is InvalidOutputs")
    func outputs() async throws {
        let f = try await fixture()
        defer { f.moto.stop() }
        let a = try attempt("out", outputs: StepOutputs(artifacts: ["model", "report"], metrics: ["auc"]))
        // Not held: moto completes the job at once.
        _ = try await f.backend.start(a, context: f.context)
        let done = try await f.backend.observe(a, context: f.context)
        #expect(done.state == .succeeded)
        try await f.harness.putObject(bucket: "acme-models", key: "churn/\(a.jobName)/sextant-outputs.json",
                                      body: #"{"artifacts": {"report": "s3://acme-models/reports/1.html"}, "metrics": {"auc": 0.94}}"#)
        let out = try await f.backend.outputs(a, observation: done, context: f.context)
        #expect(out.artifacts == ["model": "s3://acme-models/churn/\(a.jobName)/output/model.tar.gz", "report": "s3://acme-models/reports/1.html"])
        #expect(out.metrics == ["auc": 0.94])

        // (A second job: moto refuses an anonymous overwrite of an object.)
        let bad = try attempt("out-bad", outputs: StepOutputs(artifacts: ["model"]))
        _ = try await f.backend.start(bad, context: f.context)
        let badDone = try await f.backend.observe(bad, context: f.context)
        try await f.harness.putObject(bucket: "acme-models", key: "churn/\(bad.jobName)/sextant-outputs.json", body: "not json")
        await #expect(throws: CloudBackendError(.invalidOutputs, "SEXTANT_OUTPUTS_URI does not hold a JSON object: not json")) {
            try await f.backend.outputs(bad, observation: badDone, context: f.context)
        }
        // Without the file, only the native outputs: a declared metric nowhere is MissingOutputs.
        let b = try attempt("out-missing", outputs: StepOutputs(artifacts: ["model"], metrics: ["auc"]))
        _ = try await f.backend.start(b, context: f.context)
        let bDone = try await f.backend.observe(b, context: f.context)
        do {
            _ = try await f.backend.outputs(b, observation: bDone, context: f.context)
            Issue.record("expected MissingOutputs")
        } catch let e as CloudBackendError { #expect(e.kind == .missingOutputs) }
    }

    @Test("AWS errors map to step reasons: AccessDenied, ResourceLimitExceeded, ValidationException, throttling")
    func errorMapping() async throws {
        let f = try await fixture()
        defer { f.moto.stop() }
        func kind(_ code: String, count: Int = 1) async throws -> CloudBackendError.Kind? {
            try await f.harness.injectFault("SageMaker.DescribeTrainingJob", code: code, message: "injected \(code)", count: count)
            do { _ = try await f.backend.start(try attempt("err-\(code.lowercased())"), context: f.context); return nil } catch let e as CloudBackendError {
                #expect(e.message.contains(code), "\(e.message)")
                return e.kind
            }
        }
        #expect(try await kind("AccessDeniedException") == .accessDenied)
        #expect(try await kind("ResourceLimitExceeded") == .quotaExceeded)
        #expect(try await kind("ValidationException") == .invalidRequest)
        #expect(try await kind("ThrottlingException", count: 5) == .unavailable)
        try await f.harness.post("/sextant-harness/faults", ["clear": true])
    }

    @Test("a wrong secret against moto's signature checking is CloudAccessDenied, with no secret in the message")
    func wrongSecret() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        try await moto.enableAuth()
        var env = moto.environment
        env["AWS_SECRET_ACCESS_KEY"] = "definitely-the-wrong-secret-0123456789"
        let backend = SageMakerBackend(client: AWSClient(environment: env, logger: logger, retry: AWSRetryPolicy(maxAttempts: 1, baseDelay: .milliseconds(10), maxDelay: .milliseconds(10))))
        do {
            _ = try await backend.start(try attempt("denied"), context: CloudCallContext(namespace: "ml", objectName: "run", logger: logger))
            Issue.record("expected CloudAccessDenied")
        } catch let e as CloudBackendError {
            #expect(e.kind == .accessDenied, "\(e)")
            #expect(!e.message.contains("definitely-the-wrong-secret"))
        }
    }
}
