import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

/// A Vertex AI attempt for the pure builder tests.
func vertexAttempt(
    _ step: VertexAIStep = VertexAIStep(project: "acme-ml", location: "europe-west4", image: "europe-docker.pkg.dev/acme/train:1", machineType: "n1-standard-4",
                                        baseOutputDirectory: "gs://acme-models/churn/"),
    spot: Bool = false, timeout: Int64? = nil, jobName: String = "run-train-0-1a2b3c4d", recordedID: String? = nil,
    declared: StepOutputs? = nil
) throws -> CloudAttempt {
    CloudAttempt(backend: "vertexAI", namespace: "ml", pipeline: "run", pipelineUID: "8f14e45f-ceea-467e-a9b4-3c5d5a1e2b7f", step: "train", attempt: 0,
                 jobName: jobName, block: try JSONValue(encoding: step), spot: spot, timeoutSeconds: timeout, declaredOutputs: declared,
                 recordedID: recordedID)
}

@Suite("Vertex AI request builders (CustomJob body, labels, names, console URL)")
struct VertexRequestTests {
    let full = VertexAIStep(
        project: "acme-ml", location: "europe-west4", image: "europe-docker.pkg.dev/acme/train:1", command: ["python", "train.py"], args: ["--lr", "0.05"],
        machineType: "n1-standard-8", acceleratorType: "NVIDIA_TESLA_T4", acceleratorCount: 2, replicaCount: 3,
        serviceAccount: "trainer@acme-ml.iam.gserviceaccount.com", baseOutputDirectory: "gs://acme-models/churn", environment: ["EPOCHS": "10"])

    @Test("customJobs.create carries machine, accelerators, replicas (chief pool of 1 + workers), container, env, service account, output directory, labels")
    func everyField() throws {
        let body = try VertexRequests.createCustomJob(try vertexAttempt(full, spot: true, timeout: 7200))
        #expect(body["displayName"] == "run-train-0-1a2b3c4d")
        let pools = try #require(body[path: ["jobSpec", "workerPoolSpecs"]]?.arrayValue)
        try #require(pools.count == 2)
        #expect(pools[0]["machineSpec"] == ["machineType": "n1-standard-8", "acceleratorType": "NVIDIA_TESLA_T4", "acceleratorCount": 2])
        #expect(pools[0]["replicaCount"] == "1" && pools[1]["replicaCount"] == "2")
        #expect(pools[0]["containerSpec"] == pools[1]["containerSpec"])
        #expect(pools[0][path: ["containerSpec", "imageUri"]] == "europe-docker.pkg.dev/acme/train:1")
        #expect(pools[0][path: ["containerSpec", "command"]] == ["python", "train.py"])
        #expect(pools[0][path: ["containerSpec", "args"]] == ["--lr", "0.05"])
        #expect(pools[0][path: ["containerSpec", "env"]] == [
            ["name": "EPOCHS", "value": "10"],
            ["name": "SEXTANT_ATTEMPT", "value": "0"],
            ["name": "SEXTANT_OUTPUTS_URI", "value": "gs://acme-models/churn/run-train-0-1a2b3c4d/sextant-outputs.json"],
            ["name": "SEXTANT_PIPELINE", "value": "run"],
            ["name": "SEXTANT_STEP", "value": "train"],
        ])
        #expect(body[path: ["jobSpec", "serviceAccount"]] == "trainer@acme-ml.iam.gserviceaccount.com")
        #expect(body[path: ["jobSpec", "baseOutputDirectory"]] == ["outputUriPrefix": "gs://acme-models/churn"])
        #expect(body[path: ["jobSpec", "scheduling"]] == ["timeout": "7200s", "strategy": "SPOT"])
        #expect(body[path: ["labels", "sextant-attempt"]] == "run-train-0-1a2b3c4d")
        #expect(body[path: ["labels", "sextant-uid"]] == "8f14e45f-ceea-467e-a9b4-3c5d5a1e2b7f")
        #expect(body[path: ["labels", "managed-by"]] == "sextant")
    }

    @Test("defaults: one pool of one replica, no accelerator, no scheduling without spot or timeout")
    func defaults() throws {
        let body = try VertexRequests.createCustomJob(try vertexAttempt())
        let pools = try #require(body[path: ["jobSpec", "workerPoolSpecs"]]?.arrayValue)
        #expect(pools.count == 1 && pools[0]["machineSpec"] == ["machineType": "n1-standard-4"])
        #expect(body[path: ["jobSpec", "scheduling"]] == nil)
        #expect(body[path: ["jobSpec", "serviceAccount"]] == nil)
        #expect(pools[0][path: ["containerSpec", "command"]] == nil)
    }

    @Test("without baseOutputDirectory there is no SEXTANT_OUTPUTS_URI and no model artifact")
    func noOutputDirectory() throws {
        var step = full
        step.baseOutputDirectory = nil
        let body = try VertexRequests.createCustomJob(try vertexAttempt(step))
        let names = body[path: ["jobSpec", "workerPoolSpecs"]]?[0]?[path: ["containerSpec", "env"]]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names?.contains("SEXTANT_OUTPUTS_URI") == false)
        #expect(VertexRequests.modelURI(step) == nil)
        #expect(VertexRequests.modelURI(full) == "gs://acme-models/churn/model/")
    }

    @Test("label values are legal (lower case, [a-z0-9_-], ≤ 63) and the list filter names the attempt label")
    func labelsAndFilter() throws {
        let long = String(repeating: "Pipeline.Name", count: 8)
        let attempt = try vertexAttempt(jobName: "\(long)-train-0-1a2b3c4d")
        for (k, v) in VertexRequests.labels(attempt) {
            #expect(v.count <= 63 && v.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_" }, "\(k)=\(v)")
        }
        #expect(VertexRequests.listFilter(try vertexAttempt()) == #"labels.sextant-attempt="run-train-0-1a2b3c4d""#)
        #expect(VertexRequests.listURL("http://127.0.0.1:1", full, try vertexAttempt())
                == "http://127.0.0.1:1/v1/projects/acme-ml/locations/europe-west4/customJobs?filter=labels.sextant-attempt%3D%22run-train-0-1a2b3c4d%22")
    }

    @Test("recorded resource names are got directly; console URL of a CustomJob")
    func namesAndURL() throws {
        let name = "projects/acme-ml/locations/europe-west4/customJobs/1234567890"
        #expect(VertexRequests.recordedName(try vertexAttempt(recordedID: name)) == name)
        #expect(VertexRequests.recordedName(try vertexAttempt(recordedID: "arn:aws:x")) == nil)
        #expect(VertexRequests.consoleURL(name: name) == "https://console.cloud.google.com/vertex-ai/locations/europe-west4/training/1234567890/cpu?project=acme-ml")
    }
}

@Suite("Vertex AI JobState mapping and cost")
struct VertexStateTests {
    let step = VertexAIStep(project: "p", location: "us-central1", image: "i", machineType: "n1-standard-4", acceleratorType: "NVIDIA_TESLA_T4",
                            acceleratorCount: 1, replicaCount: 2, baseOutputDirectory: "gs://b/out")

    func job(_ state: String, error: JSONValue? = nil, start: String? = "2026-12-07T10:00:00.123456Z", end: String? = nil, spot: Bool = false) -> JSONValue {
        var j: [String: JSONValue] = [
            "name": "projects/p/locations/us-central1/customJobs/42", "state": .string(state),
            "jobSpec": ["workerPoolSpecs": [
                ["machineSpec": ["machineType": "n1-standard-4"], "replicaCount": "1"],
                ["machineSpec": ["machineType": "n1-standard-4"], "replicaCount": "1"],
            ], "scheduling": spot ? ["strategy": "SPOT"] : [:]],
        ]
        if let start { j["startTime"] = .string(start) }
        if let end { j["endTime"] = .string(end) }
        if let error { j["error"] = error }
        return .object(j)
    }

    @Test("every JobState maps: queued/pending/running/updating/paused → running, cancelling → stopping, succeeded, failed, cancelled, expired")
    func everyState() {
        let expected: [(String, CloudJobObservation.State)] = [
            ("JOB_STATE_QUEUED", .running), ("JOB_STATE_PENDING", .running), ("JOB_STATE_RUNNING", .running),
            ("JOB_STATE_UPDATING", .running), ("JOB_STATE_PAUSED", .running), ("JOB_STATE_UNSPECIFIED", .running),
            ("JOB_STATE_CANCELLING", .stopping), ("JOB_STATE_SUCCEEDED", .succeeded), ("JOB_STATE_FAILED", .failed),
            ("JOB_STATE_CANCELLED", .stopped), ("JOB_STATE_EXPIRED", .failed), ("JOB_STATE_PARTIALLY_SUCCEEDED", .failed),
            ("JOB_STATE_SOMETHING_NEW", .running),
        ]
        for (state, mapped) in expected {
            let o = VertexState.observation(job(state), step: step, spot: false)
            #expect(o.state == mapped, "\(state)")
            #expect(o.id == "projects/p/locations/us-central1/customJobs/42")
            #expect(o.url == "https://console.cloud.google.com/vertex-ai/locations/us-central1/training/42/cpu?project=p")
        }
        #expect(VertexState.observation(job("JOB_STATE_SOMETHING_NEW"), step: step, spot: false).message == "unknown JobState JOB_STATE_SOMETHING_NEW")
    }

    @Test("FAILED carries error.message; preemption is Interrupted, the timeout DeadlineExceeded")
    func failures() {
        let failed = VertexState.observation(job("JOB_STATE_FAILED", error: ["code": 3, "message": "The replica workerpool0-0 exited with a non-zero status of 1."]), step: step, spot: false)
        #expect(failed.reason == "Failed" && failed.message == "The replica workerpool0-0 exited with a non-zero status of 1.")
        #expect(VertexState.observation(job("JOB_STATE_FAILED", error: ["code": 14, "message": "The job was preempted."]), step: step, spot: true).reason == "Interrupted")
        #expect(VertexState.observation(job("JOB_STATE_FAILED", error: ["code": 4, "message": "Job exceeded the scheduling timeout."]), step: step, spot: false).reason == "DeadlineExceeded")
    }

    @Test("SUCCEEDED gives artifact model = <baseOutputDirectory>/model/ and run time from start/end")
    func succeeded() {
        let o = VertexState.observation(job("JOB_STATE_SUCCEEDED", end: "2026-12-07T10:30:00.123456Z"), step: step, spot: false)
        #expect(o.nativeOutputs?.artifacts == ["model": "gs://b/out/model/"])
        #expect(o.usage == CloudUsage(billableSeconds: 1800, runSeconds: 1800, machineType: "n1-standard-4", count: 2, spot: false))
    }

    @Test("cost: run time × (machine + accelerators) × replicas, spot discount of the table, missing price named")
    func cost() throws {
        let pricing = PricingTable(vertexAI: ["n1-standard-4": 0.2, "NVIDIA_TESLA_T4": 0.4], spotDiscountPercent: ["vertexAI": 60])
        let usage = CloudUsage(billableSeconds: 1800, runSeconds: 1800, machineType: "n1-standard-4", count: 2, spot: false)
        let onDemand = try #require(VertexState.cost(usage, step: step, pricing: pricing))
        #expect(abs((onDemand.estimatedUSD ?? 0) - 0.6) < 1e-9, "0.5 h × (0.2 + 0.4) × 2")
        #expect(onDemand.spotSavingsPercent == nil && onDemand.billableSeconds == 1800)
        var spotUsage = usage
        spotUsage.spot = true
        let spot = try #require(VertexState.cost(spotUsage, step: step, pricing: pricing))
        #expect(abs((spot.estimatedUSD ?? 0) - 0.24) < 1e-9 && spot.spotSavingsPercent == 60)
        let unpriced = try #require(VertexState.cost(usage, step: step, pricing: PricingTable(vertexAI: ["n1-standard-4": 0.2])))
        #expect(unpriced.estimatedUSD == nil && unpriced.message == "no price for vertexAI[NVIDIA_TESLA_T4] in the pricing table")
        #expect(VertexState.cost(CloudUsage(), step: step, pricing: pricing) == nil, "no cost before the job ran")
    }
}
