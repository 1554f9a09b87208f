import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import SextantAPI
@testable import SextantControllers
import Synchronization
import Testing
import TestSupport

/// A scripted in-memory SageMaker stand-in: jobs by name, state set by the test, every call counted.
final class FakeTrainingBackend: CloudTrainingBackend {
    struct State {
        var jobs: [String: CloudJobObservation.State] = [:]
        var blocks: [String: JSONValue] = [:]
        var creates: [String] = []
        var starts = 0
        var stops: [String] = []
        var observes = 0
        /// Starts that fail with a plain (unclassified) error before one succeeds.
        var failingStarts = 0
    }

    let kind = "sagemaker"
    let nameLimit = 63
    let state = Mutex(State())

    func set(_ name: String, _ s: CloudJobObservation.State) { state.withLock { $0.jobs[name] = s } }
    func snapshot() -> State { state.withLock { $0 } }

    private func observation(_ name: String, _ s: CloudJobObservation.State) -> CloudJobObservation {
        CloudJobObservation(
            state: s, id: "arn:fake:training-job/\(name)", url: "https://console.fake/jobs/\(name)", providerStatus: s.rawValue,
            usage: CloudUsage(billableSeconds: 60, runSeconds: 60, machineType: "ml.m5.xlarge"))
    }

    struct ConnectionReset: Error {}

    func start(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation {
        let fail = state.withLock { st -> Bool in
            guard st.failingStarts > 0 else { return false }
            st.failingStarts -= 1
            st.starts += 1
            return true
        }
        if fail { throw ConnectionReset() }
        let s = state.withLock { st -> CloudJobObservation.State in
            st.starts += 1
            if st.jobs[attempt.jobName] == nil {
                st.jobs[attempt.jobName] = .running
                st.blocks[attempt.jobName] = attempt.block
                st.creates.append(attempt.jobName)
            }
            return st.jobs[attempt.jobName] ?? .running
        }
        return observation(attempt.jobName, s)
    }

    func observe(_ attempt: CloudAttempt, context: CloudCallContext) async throws -> CloudJobObservation {
        let s = state.withLock { st -> CloudJobObservation.State? in
            st.observes += 1
            return st.jobs[attempt.jobName]
        }
        guard let s else { throw CloudBackendError(.invalidRequest, "no job \(attempt.jobName)") }
        return observation(attempt.jobName, s)
    }

    func stop(_ attempt: CloudAttempt, context: CloudCallContext) async throws {
        state.withLock { st in
            st.stops.append(attempt.jobName)
            if st.jobs[attempt.jobName] == .running { st.jobs[attempt.jobName] = .stopped }
        }
    }

    func outputs(_ attempt: CloudAttempt, observation: CloudJobObservation, context: CloudCallContext) async throws -> OutputValues {
        OutputValues(artifacts: ["model": "s3://fake/\(attempt.jobName)/model.tar.gz"], metrics: ["auc": 0.9])
    }

    func cost(_ attempt: CloudAttempt, observation: CloudJobObservation, pricing: PricingTable) -> Cost? {
        Cost(estimatedUSD: 0.5, billableSeconds: observation.usage?.billableSeconds)
    }
}

/// The MLPipeline controller in-process against `sextant dev --no-controller`, with the fake backend.
@Suite("MLPipeline controller with a cloud backend on sextant dev", .serialized)
struct MLPipelineCloudControllerTests {
    static func eventually(_ seconds: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    static func run(_ body: @escaping @Sendable (Api<MLPipeline>, FakeTrainingBackend, DevClusterProcess) async throws -> Void) async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let crd = try await cluster.kubectl.run(["get", "crd", "mlpipelines.ml.sextant.dev"])
        if !crd.succeeded {
            let applied = try await cluster.kubectl.run(["apply", "-f", ProcessRunner.packageRoot.appendingPathComponent("crds").path])
            try #require(applied.succeeded, "installing CRDs failed: \(applied.stderr)")
        }
        let client = try KubeClient(configuration: ClientConfiguration.load(kubeconfig: cluster.kubeconfigPath))
        let backend = FakeTrainingBackend()
        let config = SextantControllerConfig(
            backends: CloudBackends([backend]), pricing: .shippedDefaults,
            pollSchedule: CloudPollSchedule(initialInterval: 0.3, factor: 1.5, maxInterval: 1))
        let controller = MLPipelineController.make(client: client, options: ControllerOptions(namespaces: ["default"]), config: config)
        let api = Api<MLPipeline>(client: client, namespace: "default")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await controller.run() }
            defer { group.cancelAll() }
            try await body(api, backend, cluster)
        }
        try await client.shutdown()
    }

    static func pipeline(_ name: String, cancel: Bool? = nil) -> MLPipeline {
        let sm = { (step: String, deps: [String]?, lr: String) in
            PipelineStep(
                name: step, dependsOn: deps,
                sagemaker: SageMakerStep(
                    region: "us-east-1", roleArn: "arn:aws:iam::123456789012:role/r", image: "img:sm", instanceType: "ml.m5.xlarge",
                    hyperParameters: ["input": lr], outputS3Uri: "s3://bucket/out"),
                outputs: StepOutputs(artifacts: ["model"]))
        }
        return MLPipeline(
            metadata: ObjectMeta(name: name, namespace: "default"),
            spec: MLPipelineSpec(cancel: cancel, steps: [sm("train", nil, "x"), sm("tune", ["train"], "{{steps.train.outputs.artifacts.model}}")]))
    }

    @Test("a cloud run gets the finalizer before its first job starts, records ids, passes outputs downstream, sums cost, and drops the finalizer when done")
    func finalizerLifecycle() async throws {
        try await Self.run { api, backend, _ in
            _ = try await api.create(Self.pipeline("cloud-ok"))
            var uid = ""
            #expect(try await Self.eventually {
                let p = try await api.get("cloud-ok")
                uid = p.metadata.uid ?? ""
                return p.status?.steps?.first?.attempts?.first?.cloudJob?.id != nil
            })
            let hash8 = String(DerivedName.shortHash(uid).prefix(8))
            let train = "cloud-ok-train-0-\(hash8)"
            var p = try await api.get("cloud-ok")
            #expect(p.metadata.finalizers == ["ml.sextant.dev/cleanup"])
            #expect(p.status?.steps?[0].attempts?[0].cloudJob == CloudJobRef(backend: "sagemaker", id: "arn:fake:training-job/\(train)", url: "https://console.fake/jobs/\(train)"))
            #expect(backend.snapshot().creates == [train])
            backend.set(train, .succeeded)
            let tune = "cloud-ok-tune-0-\(hash8)"
            #expect(try await Self.eventually { backend.snapshot().creates.contains(tune) })
            #expect(backend.snapshot().blocks[tune]?["hyperParameters"]?["input"]?.stringValue == "s3://fake/\(train)/model.tar.gz")
            backend.set(tune, .succeeded)
            #expect(try await Self.eventually { try await api.get("cloud-ok").status?.phase == "Succeeded" })
            #expect(try await Self.eventually { try await api.get("cloud-ok").metadata.finalizers?.contains("ml.sextant.dev/cleanup") != true })
            p = try await api.get("cloud-ok")
            #expect(p.status?.cost?.estimatedUSD == 1.0 && p.status?.cost?.billableSeconds == 120)
            #expect(p.status?.steps?.map { $0.cost?.estimatedUSD } == [0.5, 0.5])
            let s = backend.snapshot()
            #expect(s.creates == [train, tune], "one job per attempt")
            #expect(s.stops.isEmpty)
        }
    }

    @Test("a start that fails with an unclassified error keeps the attempt Running with CloudUnavailable in its message and is retried with backoff until it succeeds, making one job")
    func unavailableStartRetried() async throws {
        try await Self.run { api, backend, _ in
            backend.state.withLock { $0.failingStarts = 2 }
            _ = try await api.create(Self.pipeline("cloud-flaky"))
            #expect(try await Self.eventually {
                let a = try await api.get("cloud-flaky").status?.steps?.first?.attempts?.first
                return a?.phase == "Running" && a?.message?.hasPrefix("CloudUnavailable: ") == true
            })
            #expect(try await Self.eventually { try await api.get("cloud-flaky").status?.steps?.first?.attempts?.first?.cloudJob?.id != nil })
            let p = try await api.get("cloud-flaky")
            #expect(p.status?.steps?.first?.attempts?.count == 1)
            #expect(p.status?.steps?.first?.phase == "Running")
            let s = backend.snapshot()
            #expect(s.starts == 3 && s.creates.count == 1, "starts \(s.starts), creates \(s.creates)")
        }
    }

    @Test("deleting a run with a running cloud job stops the job first, then the finalizer goes and the run is gone")
    func deleteStopsJob() async throws {
        try await Self.run { api, backend, _ in
            _ = try await api.create(Self.pipeline("cloud-del"))
            #expect(try await Self.eventually { try await api.get("cloud-del").status?.steps?.first?.attempts?.first?.cloudJob?.id != nil })
            let name = try #require(backend.snapshot().creates.first)
            _ = try await api.delete("cloud-del")
            #expect(try await Self.eventually { try await api.getOptional("cloud-del") == nil })
            #expect(backend.snapshot().stops == [name])
            #expect(backend.snapshot().jobs[name] == .stopped)
        }
    }

    @Test("cancel stops the running cloud job, the run ends Cancelled and loses the finalizer; a run without cloud work never gets it")
    func cancelStopsJob() async throws {
        try await Self.run { api, backend, _ in
            _ = try await api.create(Self.pipeline("cloud-cancel"))
            #expect(try await Self.eventually { try await api.get("cloud-cancel").status?.steps?.first?.attempts?.first?.cloudJob?.id != nil })
            let name = try #require(backend.snapshot().creates.first)
            _ = try await api.patch("cloud-cancel", .merge(["spec": ["cancel": true]]))
            #expect(try await Self.eventually { try await api.get("cloud-cancel").status?.phase == "Cancelled" })
            #expect(try await Self.eventually { try await api.get("cloud-cancel").metadata.finalizers?.contains("ml.sextant.dev/cleanup") != true })
            #expect(backend.snapshot().stops == [name])

            var plain = MLPipeline(metadata: ObjectMeta(name: "no-cloud", namespace: "default"), spec: MLPipelineSpec(
                steps: [PipelineStep(name: "x", azureML: AzureMLStep(subscriptionId: "s", resourceGroup: "r", workspace: "w", compute: "c", environment: "e", command: "c"))]))
            plain = try await api.create(plain)
            #expect(try await Self.eventually { try await api.get("no-cloud").status?.phase == "Failed" })
            #expect((try await api.get("no-cloud").metadata.finalizers ?? []).isEmpty, "a run without cloud work never gets a finalizer")
        }
    }
}
