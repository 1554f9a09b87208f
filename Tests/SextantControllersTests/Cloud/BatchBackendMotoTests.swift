import CloudAWS
import Foundation
import KubeCore
import Logging
import SextantAPI
@testable import SextantControllers
import Testing
import TestSupport

/// `BatchBackend` against moto's Batch in its Docker-free mode (`batch.use_docker: false`, set by
/// Tests/harness/moto/batch_ext.py). The harness adds over moto: jobs held RUNNING (moto would mark
/// them SUCCEEDED at submit) and finished on request, TerminateJob ending a running job FAILED with
/// the reason (moto leaves that to its Docker thread), recorded SubmitJob bodies (moto drops
/// `nodeOverrides`) and call counts. The queue and job definitions come from batch_setup.py.
@Suite("AWS Batch backend against moto", .serialized)
struct BatchBackendMotoTests {
    static let region = "eu-west-1"
    let logger = Logger(label: "batch-backend-test")

    struct Fixture {
        let moto: MotoPeer
        let harness: MotoHarnessClient
        let backend: BatchBackend
        let context: CloudCallContext
    }

    func fixture() async throws -> Fixture {
        let moto = try await MotoPeer.start()
        let setup = try await ProcessRunner.run(MotoPeer.python, [
            ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/moto/batch_setup.py").path,
            moto.url, Self.region, "ml-gpu", "churn-train", "churn-mnp",
        ], timeout: 60)
        guard setup.succeeded else {
            moto.stop()
            throw TestSupportError.startFailed("batch_setup.py: \(setup.stderr)")
        }
        let client = AWSClient(environment: moto.environment, logger: logger, retry: AWSRetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)))
        return Fixture(moto: moto, harness: MotoHarnessClient(url: moto.url), backend: BatchBackend(client: client),
                       context: CloudCallContext(namespace: "ml", objectName: "run", logger: logger))
    }

    func attempt(_ pipeline: String, nodes: Int? = nil, outputs: StepOutputs? = nil, timeout: Int64? = 3600) throws -> CloudAttempt {
        let step = AWSBatchStep(region: Self.region, jobQueue: "ml-gpu", jobDefinition: nodes == nil ? "churn-train" : "churn-mnp",
                                command: ["python", "train.py"], environment: ["EPOCHS": "10"], vcpus: 2, memoryMiB: 2048, nodes: nodes,
                                outputS3Uri: "s3://acme-models/batch/")
        return CloudAttempt(backend: "awsBatch", namespace: "ml", pipeline: pipeline, pipelineUID: "uid-\(pipeline)", step: "train", attempt: 0,
                            jobName: CloudAttempt.jobName(pipeline: pipeline, step: "train", attempt: 0, uid: "uid-\(pipeline)", limit: 128),
                            block: try JSONValue(encoding: step), timeoutSeconds: timeout, declaredOutputs: outputs)
    }

    func submitCount(_ f: Fixture) async throws -> Int {
        Int(try await f.harness.get("/sextant-harness/batch/calls")[path: ["total", "SubmitJob"]]?.intValue ?? 0)
    }

    @Test("start twice submits one job (ListJobs by name finds it), the job carries the environment and tags")
    func startAdopts() async throws {
        let f = try await fixture()
        defer { f.moto.stop() }
        try await f.harness.post("/sextant-harness/batch/hold", ["prefix": "adopt-"])
        let a = try attempt("adopt")
        let first = try await f.backend.start(a, context: f.context)
        let second = try await f.backend.start(a, context: f.context)
        #expect(first.id?.hasPrefix("arn:aws:batch:eu-west-1:123456789012:job/") == true)
        #expect(second.id == first.id && second.state == .running && second.providerStatus == "RUNNING")
        #expect(try await submitCount(f) == 1)
        let body = try #require(try await f.harness.get("/sextant-harness/batch/requests?name=\(a.jobName)")["requests"]?[0])
        let env = (body[path: ["containerOverrides", "environment"]]?.arrayValue ?? []).compactMap { e in e["name"]?.stringValue.map { ($0, e["value"]?.stringValue ?? "") } }
        #expect(Dictionary(uniqueKeysWithValues: env)["SEXTANT_OUTPUTS_URI"] == "s3://acme-models/batch/\(a.jobName)/sextant-outputs.json")
        #expect(body["timeout"] == ["attemptDurationSeconds": 3600])
        #expect(body[path: ["tags", "sextant.uid"]] == "uid-adopt")
    }

    @Test("a multi-node step submits nodeOverrides with numNodes and the overrides for every node")
    func multiNode() async throws {
        let f = try await fixture()
        defer { f.moto.stop() }
        let a = try attempt("mnp", nodes: 4)
        _ = try await f.backend.start(a, context: f.context)
        let body = try #require(try await f.harness.get("/sextant-harness/batch/requests?name=\(a.jobName)")["requests"]?[0])
        #expect(body[path: ["nodeOverrides", "numNodes"]] == 4)
        #expect(body[path: ["nodeOverrides", "nodePropertyOverrides"]]?[0]?["targetNodes"] == "0:")
        #expect(body["containerOverrides"] == nil)
    }

    @Test("observe: RUNNING while held, SUCCEEDED after, FAILED with statusReason; stop terminates a running job and it ends stopped")
    func observeAndStop() async throws {
        let f = try await fixture()
        defer { f.moto.stop() }
        try await f.harness.post("/sextant-harness/batch/hold", ["prefix": "life-"])
        let a = try attempt("life-ok")
        _ = try await f.backend.start(a, context: f.context)
        #expect(try await f.backend.observe(a, context: f.context).state == .running)
        try await f.harness.post("/sextant-harness/batch/finish", ["prefix": "life-ok-"])
        let ok = try await f.backend.observe(a, context: f.context)
        #expect(ok.state == .succeeded && ok.usage?.billableSeconds != nil)

        let b = try attempt("life-fail")
        _ = try await f.backend.start(b, context: f.context)
        try await f.harness.post("/sextant-harness/batch/finish", ["prefix": "life-fail-", "status": "FAILED", "statusReason": "Essential container in task exited"])
        let failed = try await f.backend.observe(b, context: f.context)
        #expect(failed.state == .failed && failed.reason == "Failed" && failed.message == "Essential container in task exited")

        let c = try attempt("life-stop")
        _ = try await f.backend.start(c, context: f.context)
        try await f.backend.stop(c, context: f.context)
        let stopped = try await f.backend.observe(c, context: f.context)
        #expect(stopped.state == .stopped, "\(stopped)")
        try await f.backend.stop(c, context: f.context)
        #expect(try await f.harness.get("/sextant-harness/batch/calls")[path: ["total", "TerminateJob"]] == 1)
    }

    @Test("outputs come from SEXTANT_OUTPUTS_URI; a job missing from the queue is CloudJobNotFound; a wrong queue is CloudInvalidRequest")
    func outputsAndErrors() async throws {
        let f = try await fixture()
        defer { f.moto.stop() }
        let a = try attempt("out", outputs: StepOutputs(artifacts: ["model"], metrics: ["auc"]))
        let started = try await f.backend.start(a, context: f.context)
        #expect(started.state == .running)
        let done = try await f.backend.observe(a, context: f.context)
        #expect(done.state == .succeeded)
        try await f.harness.putObject(bucket: "acme-models", key: "batch/\(a.jobName)/sextant-outputs.json",
                                      body: #"{"artifacts": {"model": "s3://acme-models/batch/model.tar.gz"}, "metrics": {"auc": 0.88}}"#)
        let out = try await f.backend.outputs(a, observation: done, context: f.context)
        #expect(out == OutputValues(artifacts: ["model": "s3://acme-models/batch/model.tar.gz"], metrics: ["auc": 0.88]))

        let missing = try await f.backend.observe(try attempt("never"), context: f.context)
        #expect(missing.state == .failed && missing.reason == "CloudJobNotFound")

        var wrongQueue = try attempt("wrongq")
        wrongQueue.block = try JSONValue(encoding: AWSBatchStep(region: Self.region, jobQueue: "no-such-queue", jobDefinition: "churn-train"))
        do {
            _ = try await f.backend.start(wrongQueue, context: f.context)
            Issue.record("expected CloudInvalidRequest")
        } catch let e as CloudBackendError { #expect(e.kind == .invalidRequest, "\(e)") }

        try await f.harness.injectFault("Batch.ListJobs", code: "AccessDeniedException", status: 403, message: "User is not authorized to perform: batch:ListJobs")
        do {
            _ = try await f.backend.start(try attempt("denied"), context: f.context)
            Issue.record("expected CloudAccessDenied")
        } catch let e as CloudBackendError { #expect(e.kind == .accessDenied, "\(e)") }
    }
}
