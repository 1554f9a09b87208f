import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

func batchAttempt(_ step: AWSBatchStep, timeout: Int64? = nil, jobName: String = "run-train-0-1a2b3c4d") throws -> CloudAttempt {
    CloudAttempt(backend: "awsBatch", namespace: "ml", pipeline: "run", pipelineUID: "uid-1", step: "train", attempt: 1,
                 jobName: jobName, block: try JSONValue(encoding: step), timeoutSeconds: timeout)
}

@Suite("AWS Batch request builders and DescribeJobs mapping")
struct BatchRequestTests {
    let single = AWSBatchStep(region: "eu-west-1", jobQueue: "ml-gpu", jobDefinition: "churn-train:3", command: ["python", "train.py"],
                              environment: ["EPOCHS": "10"], vcpus: 4, memoryMiB: 16384, gpus: 1, outputS3Uri: "s3://acme-models/churn/")

    @Test("SubmitJob of one container: name, queue, definition, command, environment, resources, timeout and tags")
    func singleContainer() throws {
        let body = try BatchRequests.submitJob(try batchAttempt(single, timeout: 7200))
        #expect(body["jobName"] == "run-train-0-1a2b3c4d")
        #expect(body["jobQueue"] == "ml-gpu")
        #expect(body["jobDefinition"] == "churn-train:3")
        #expect(body["nodeOverrides"] == nil)
        #expect(body[path: ["containerOverrides", "command"]] == ["python", "train.py"])
        #expect(body[path: ["containerOverrides", "environment"]] == [
            ["name": "EPOCHS", "value": "10"], ["name": "SEXTANT_ATTEMPT", "value": "1"],
            ["name": "SEXTANT_OUTPUTS_URI", "value": "s3://acme-models/churn/run-train-0-1a2b3c4d/sextant-outputs.json"],
            ["name": "SEXTANT_PIPELINE", "value": "run"], ["name": "SEXTANT_STEP", "value": "train"],
        ])
        #expect(body[path: ["containerOverrides", "resourceRequirements"]] == [["type": "VCPU", "value": "4"], ["type": "MEMORY", "value": "16384"], ["type": "GPU", "value": "1"]])
        #expect(body["timeout"] == ["attemptDurationSeconds": 7200])
        #expect(body[path: ["tags", "sextant.uid"]] == "uid-1")
    }

    @Test("nodes ≥ 2 is a multi-node parallel job: nodeOverrides.numNodes and the overrides for every node (targetNodes 0:)")
    func multiNode() throws {
        var s = single
        s.nodes = 4
        let body = try BatchRequests.submitJob(try batchAttempt(s))
        #expect(body["containerOverrides"] == nil)
        #expect(body[path: ["nodeOverrides", "numNodes"]] == 4)
        let override = try #require(body[path: ["nodeOverrides", "nodePropertyOverrides"]]?[0])
        #expect(override["targetNodes"] == "0:")
        #expect(override[path: ["containerOverrides", "command"]] == ["python", "train.py"])
        #expect(override[path: ["containerOverrides", "resourceRequirements"]]?.arrayValue?.count == 3)
    }

    @Test("no timeout → no timeout field; below 60 s it is raised to Batch's minimum")
    func timeout() throws {
        #expect(try BatchRequests.submitJob(try batchAttempt(single))["timeout"] == nil)
        #expect(try BatchRequests.submitJob(try batchAttempt(single, timeout: 5))["timeout"] == ["attemptDurationSeconds": 60])
    }

    @Test("without outputS3Uri there is no SEXTANT_OUTPUTS_URI; gpus 0 adds no GPU requirement")
    func minimal() throws {
        let s = AWSBatchStep(region: "eu-west-1", jobQueue: "q", jobDefinition: "d", gpus: 0)
        let body = try BatchRequests.submitJob(try batchAttempt(s))
        let names = (body[path: ["containerOverrides", "environment"]]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(names == ["SEXTANT_ATTEMPT", "SEXTANT_PIPELINE", "SEXTANT_STEP"])
        #expect(body[path: ["containerOverrides", "resourceRequirements"]] == nil)
        #expect(body[path: ["containerOverrides", "command"]] == nil)
    }

    @Test("job names are legal for Batch: at most 128 characters of [A-Za-z0-9_-]")
    func names() throws {
        let a = try batchAttempt(single, jobName: "churn.v2-train-0-1a2b3c4d")
        #expect(BatchRequests.jobName(a) == "churn-v2-train-0-1a2b3c4d")
        let long = try batchAttempt(single, jobName: String(repeating: "a.", count: 100))
        let name = BatchRequests.jobName(long)
        #expect(name.count <= 128 && name.range(of: "^[A-Za-z0-9][A-Za-z0-9_-]*$", options: .regularExpression) != nil, "\(name)")
    }

    @Test("ListJobs finds the name in every status (a JOB_NAME filter), DescribeJobs and TerminateJob bodies")
    func otherBodies() {
        #expect(BatchRequests.listJobs(queue: "q", jobName: "n") == ["jobQueue": "q", "filters": [["name": "JOB_NAME", "values": ["n"]]]])
        #expect(BatchRequests.describeJobs(["a"]) == ["jobs": ["a"]])
        #expect(BatchRequests.terminateJob(id: "a")["jobId"] == "a")
    }

    func job(_ status: String, reason: String? = nil, extra: [String: JSONValue] = [:]) -> JSONValue {
        var j: [String: JSONValue] = ["jobId": "0f1e", "jobArn": "arn:aws:batch:eu-west-1:123456789012:job/0f1e", "jobName": "run-train-0", "status": .string(status)]
        if let reason { j["statusReason"] = .string(reason) }
        for (k, v) in extra { j[k] = v }
        return .object(j)
    }

    @Test("SUBMITTED, PENDING, RUNNABLE, STARTING and RUNNING are running; SUCCEEDED succeeded; FAILED failed with statusReason")
    func states() {
        for s in ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING"] {
            let o = BatchState.observation(job(s), region: "eu-west-1")
            #expect(o.state == .running && o.providerStatus == s, "\(s)")
        }
        let ok = BatchState.observation(job("SUCCEEDED", extra: ["startedAt": 1_764_000_000_000, "stoppedAt": 1_764_000_090_500]), region: "eu-west-1")
        #expect(ok.state == .succeeded)
        #expect(ok.id == "arn:aws:batch:eu-west-1:123456789012:job/0f1e")
        #expect(ok.url == "https://eu-west-1.console.aws.amazon.com/batch/home?region=eu-west-1#jobs/detail/0f1e")
        #expect(ok.startedAt == Date(timeIntervalSince1970: 1_764_000_000))
        #expect(ok.usage?.billableSeconds == 91)
        let failed = BatchState.observation(job("FAILED", reason: "Essential container in task exited", extra: ["container": ["reason": "OutOfMemoryError: Container killed due to memory usage"]]), region: "eu-west-1")
        #expect(failed.state == .failed && failed.reason == "Failed")
        #expect(failed.message == "Essential container in task exited: OutOfMemoryError: Container killed due to memory usage")
        #expect(BatchState.observation(job("FAILED", reason: "Job attempt duration exceeded timeout"), region: "r").reason == "DeadlineExceeded")
        #expect(BatchState.observation(job("FAILED", reason: "Host EC2 (instance i-0abc) terminated."), region: "r").reason == "Interrupted")
        let stopped = BatchState.observation(job("FAILED", reason: BatchRequests.terminateReason), region: "r")
        #expect(stopped.state == .stopped)
    }

    @Test("cost from run time × instance price × nodes when the price is known, else seconds only")
    func cost() {
        let usage = CloudUsage(billableSeconds: 1800, runSeconds: 1800, machineType: "g5.xlarge", count: 2)
        let priced = BatchState.cost(usage, pricing: PricingTable(awsBatch: ["g5.xlarge": 1.0]))
        #expect(priced == Cost(estimatedUSD: 1.0, billableSeconds: 1800))
        #expect(BatchState.cost(usage, pricing: .empty) == Cost(billableSeconds: 1800, message: "no price for awsBatch[g5.xlarge] in the pricing table"))
        #expect(BatchState.cost(CloudUsage(billableSeconds: 60, runSeconds: 60), pricing: .empty)?.message?.contains("did not report") == true)
        #expect(BatchState.cost(CloudUsage(), pricing: .empty) == nil)
    }
}

@Suite("Outputs of AWS jobs: native outputs merged with SEXTANT_OUTPUTS_URI")
struct AWSJobOutputsTests {
    let native = OutputValues(artifacts: ["model": "s3://m/model.tar.gz"], metrics: ["validation:auc": 0.9])

    @Test("native outputs alone cover the declared ones; undeclared ones are dropped")
    func nativeOnly() throws {
        let out = try AWSJobOutputs.merge(native: native, written: nil, declared: StepOutputs(artifacts: ["model"]))
        #expect(out == OutputValues(artifacts: ["model": "s3://m/model.tar.gz"]))
    }

    @Test("the written JSON adds outputs and wins over a native value of the same name")
    func merged() throws {
        let out = try AWSJobOutputs.merge(native: native, written: #"{"artifacts": {"model": "s3://x/m", "report": "s3://x/r"}, "metrics": {"auc": 0.95}}"#,
                                          declared: StepOutputs(artifacts: ["model", "report"], metrics: ["auc", "validation:auc"]))
        #expect(out.artifacts == ["model": "s3://x/m", "report": "s3://x/r"])
        #expect(out.metrics == ["auc": 0.95, "validation:auc": 0.9])
    }

    @Test("JSON that is not an outputs object is InvalidOutputs; a declared output nowhere is MissingOutputs")
    func errors() {
        func kind(_ written: String?, _ declared: StepOutputs) -> CloudBackendError.Kind? {
            do { _ = try AWSJobOutputs.merge(native: native, written: written, declared: declared); return nil } catch let e as CloudBackendError { return e.kind } catch { return nil }
        }
        #expect(kind("not json", StepOutputs()) == .invalidOutputs)
        #expect(kind(#"{"metrics": {"auc": "high"}}"#, StepOutputs(metrics: ["auc"])) == .invalidOutputs)
        #expect(kind(#"{"artifacts": []}"#, StepOutputs()) == .invalidOutputs)
        #expect(kind(nil, StepOutputs(metrics: ["auc"])) == .missingOutputs)
        #expect(kind(#"{"metrics": {}}"#, StepOutputs(artifacts: ["other"])) == .missingOutputs)
    }
}
