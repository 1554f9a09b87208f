import Foundation
import KubeCore
import Testing
import TestSupport

/// What one Vertex end-to-end suite shares: the fake GCP and fake-gcs-server, one `sextant dev
/// --no-controller`, and the controller's environment (service-account key the fake verifies, endpoint
/// overrides). Each test runs its own `sextant controller` process against that cluster, so a test
/// can kill -9 it.
struct VertexClusterPeers: Sendable {
    let peers: VertexPeers
    let cluster: DevClusterProcess
    let controllerLog: URL

    @TaskLocal static var current: VertexClusterPeers?
}

/// Starts the peers and one `sextant dev --no-controller` once around the whole suite.
struct VertexClusterSuiteTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await FakeGCPSuiteTrait().provideScope(for: test, testCase: testCase) {
            let peers = try VertexPeers.required()
            let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
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
            let shared = VertexClusterPeers(peers: peers, cluster: cluster, controllerLog: cluster.dataDirectory.appendingPathComponent("controller.log"))
            try await VertexClusterPeers.$current.withValue(shared) { try await function() }
        }
    }
}

extension Trait where Self == VertexClusterSuiteTrait {
    /// One fake GCP, one fake-gcs-server and one `sextant dev --no-controller` for the whole suite.
    static var vertexCluster: Self { Self() }
}

/// Vertex AI steps on a real `sextant dev` whose controller calls the scripted fake GCP as Google
/// (`CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM`, a service-account key with `token_uri` at the fake,
/// `STORAGE_EMULATOR_HOST` at fake-gcs-server), checked with stock kubectl.
@Suite("Vertex AI steps end to end on sextant dev against the fake GCP", .serialized, .vertexCluster)
struct VertexEndToEndTests {
    static let simulateFeatures = #"'{"exitCode":0,"seconds":1,"message":"{\"artifacts\":{\"features\":\"gs://acme-data/features/1\"}}"}'"#
    static let simulateOK = #"'{"exitCode":0,"seconds":1,"message":"{}"}'"#

    /// container → vertexAI → container.
    static func pipeline(_ name: String, spot: Bool = true) -> String {
        """
        apiVersion: ml.sextant.dev/v1alpha1
        kind: MLPipeline
        metadata: {name: \(name), namespace: default}
        spec:
          steps:
          - name: prepare
            outputs: {artifacts: [features]}
            container: {image: ghcr.io/acme/churn:1.4, podMetadata: {annotations: {dev.sextant.dev/simulate: \(simulateFeatures)}}}
          - name: train
            dependsOn: [prepare]
            spot: \(spot)
            timeoutSeconds: 3600
            outputs: {artifacts: [model], metrics: [auc]}
            vertexAI:
              project: acme-ml
              location: europe-west4
              image: europe-docker.pkg.dev/acme-ml/train/churn:1.4
              command: [python, train.py]
              args: ["--features", "{{steps.prepare.outputs.artifacts.features}}"]
              machineType: n1-standard-4
              acceleratorType: NVIDIA_TESLA_T4
              acceleratorCount: 1
              replicaCount: 2
              serviceAccount: trainer@acme-ml.iam.gserviceaccount.com
              baseOutputDirectory: gs://acme-models/churn/{{pipeline.name}}
          - name: evaluate
            dependsOn: [train]
            container: {image: ghcr.io/acme/churn:1.4, args: ["{{steps.train.outputs.artifacts.model}}"], podMetadata: {annotations: {dev.sextant.dev/simulate: \(simulateOK)}}}
        """
    }

    func shared() throws -> VertexClusterPeers { try #require(VertexClusterPeers.current) }

    func controller(_ s: VertexClusterPeers) throws -> SageMakerRestartTests.Controller {
        try SageMakerRestartTests.Controller(kubeconfig: s.cluster.kubeconfigPath, environment: s.peers.environment, log: s.controllerLog)
    }

    func logs(_ s: VertexClusterPeers) -> String {
        "controller log:\n\(((try? String(contentsOf: s.controllerLog, encoding: .utf8)) ?? "").suffix(4000))\nfake GCP:\n\(s.peers.gcp.log().suffix(1000))"
    }

    func get(_ s: VertexClusterPeers, _ name: String, _ jsonpath: String) async -> String {
        (try? await s.cluster.kubectl.run(["-n", "default", "get", "mlp", name, "-o", "jsonpath=\(jsonpath)"]))?.stdout ?? ""
    }

    func waitFor(_ what: String, _ s: VertexClusterPeers, timeout: Double = 120, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("timed out waiting for \(what)\n\(logs(s))")
        throw TestSupportError.timeout(what)
    }

    func creates(_ s: VertexClusterPeers, prefix: String) async throws -> [JSONValue] {
        try await s.peers.gcp.requests().filter {
            $0["method"] == "POST" && $0["path"]?.stringValue?.hasSuffix("/customJobs") == true
                && $0[path: ["body", "displayName"]]?.stringValue?.hasPrefix(prefix) == true
        }
    }

    @Test("container → Vertex AI (spot) → container runs to Succeeded: model and metric passed downstream, spot and outputs URI sent, cost and console URL in status")
    func runsToSucceeded() async throws {
        let s = try shared()
        try await s.peers.gcp.control("/fake/hold", ["prefix": "vx-ok-train-"])
        let c = try controller(s)
        defer { c.kill9() }
        let applied = try await s.cluster.kubectl.run(["apply", "-f", "-"], stdin: Self.pipeline("vx-ok"))
        #expect(applied.succeeded, "\(applied.stderr)")
        try await waitFor("the CustomJob's name in the attempt", s) {
            await get(s, "vx-ok", "{.status.steps[1].attempts[0].cloudJob.id}").hasPrefix("projects/acme-ml/locations/europe-west4/customJobs/")
        }
        let create = try #require(try await creates(s, prefix: "vx-ok-train-").first)
        let jobName = try #require(create[path: ["body", "displayName"]]?.stringValue)
        #expect(jobName.hasPrefix("vx-ok-train-0-") && jobName.count <= 63)
        #expect(create["authorization"]?.stringValue?.hasPrefix("Bearer ya29.sa.") == true)
        #expect(create[path: ["body", "jobSpec", "scheduling"]] == ["timeout": "3600s", "strategy": "SPOT"])
        let pools = create[path: ["body", "jobSpec", "workerPoolSpecs"]]?.arrayValue ?? []
        #expect(pools.count == 2 && pools.first?["replicaCount"] == "1" && pools.last?["replicaCount"] == "1")
        #expect(pools.first?[path: ["containerSpec", "args"]] == ["--features", "gs://acme-data/features/1"])
        let env = pools.first?[path: ["containerSpec", "env"]]?.arrayValue ?? []
        let outputsURI = env.first { $0["name"] == "SEXTANT_OUTPUTS_URI" }?["value"]?.stringValue
        #expect(outputsURI == "gs://acme-models/churn/vx-ok/\(jobName)/sextant-outputs.json")
        #expect(create[path: ["body", "jobSpec", "baseOutputDirectory"]] == ["outputUriPrefix": "gs://acme-models/churn/vx-ok"])

        // The training code writes its metrics to SEXTANT_OUTPUTS_URI; Vertex ends the job.
        try await s.peers.gcs.put(try #require(outputsURI), body: #"{"metrics":{"auc":0.93}}"#)
        try await s.peers.gcp.control("/fake/complete", ["prefix": "vx-ok-train-", "state": "SUCCEEDED", "runSeconds": 1800])
        let waited = try await s.cluster.kubectl.run(["-n", "default", "wait", "--for=condition=Succeeded", "mlp/vx-ok", "--timeout=120s"], timeout: 130)
        let steps = await get(s, "vx-ok", "{.status.steps}")
        #expect(waited.succeeded, "\(steps)\n\(logs(s))")
        let args = try await s.cluster.kubectl.run(["-n", "default", "get", "job", "vx-ok-evaluate-0", "-o", "jsonpath={.spec.template.spec.containers[0].args}"]).stdout
        #expect(args == #"["gs://acme-models/churn/vx-ok/model/"]"#, "\(args)")
        #expect(await get(s, "vx-ok", "{.status.steps[1].outputs.metrics.auc} {.status.steps[1].attempts[0].phase} {.status.steps[1].attempts[0].cloudJob.backend}") == "0.93 Succeeded vertexAI")
        // Cost: 1800 s × 2 replicas × (n1-standard-4 + T4) with the 60 % spot discount of the shipped table.
        #expect(await get(s, "vx-ok", "{.status.steps[1].cost.billableSeconds} {.status.steps[1].cost.spotSavingsPercent} {.status.cost.spotSavingsPercent}").hasPrefix("1800 60"))
        let usd = Double(await get(s, "vx-ok", "{.status.steps[1].cost.estimatedUSD}")) ?? 0
        #expect(abs(usd - 0.5 * 2 * (0.218499 + 0.4025) * 0.4) < 0.001, "estimatedUSD \(usd)")
        let describe = try await s.cluster.kubectl.run(["-n", "default", "describe", "mlp", "vx-ok"]).stdout
        #expect(describe.contains("https://console.cloud.google.com/vertex-ai/locations/europe-west4/training/"), "\(describe)")
        #expect(try await creates(s, prefix: "vx-ok-train-").count == 1)
    }

    @Test("cancel cancels the CustomJob once and the attempt ends Cancelled")
    func cancelCancels() async throws {
        let s = try shared()
        try await s.peers.gcp.control("/fake/hold", ["prefix": "vx-cancel-train-"])
        let c = try controller(s)
        defer { c.kill9() }
        let applied = try await s.cluster.kubectl.run(["apply", "-f", "-"], stdin: Self.pipeline("vx-cancel", spot: false))
        #expect(applied.succeeded, "\(applied.stderr)")
        try await waitFor("the CustomJob to be created", s) { try await creates(s, prefix: "vx-cancel-train-").count == 1 }
        let create = try #require(try await creates(s, prefix: "vx-cancel-train-").first)
        #expect(create[path: ["body", "jobSpec", "scheduling"]] == ["timeout": "3600s"], "no SPOT without spot: true")
        _ = try await s.cluster.kubectl.run(["-n", "default", "patch", "mlp", "vx-cancel", "--type=merge", "-p", #"{"spec":{"cancel":true}}"#])
        let waited = try await s.cluster.kubectl.run(["-n", "default", "wait", "--for=jsonpath={.status.phase}=Cancelled", "mlp/vx-cancel", "--timeout=120s"], timeout: 130)
        #expect(waited.succeeded, "\(logs(s))")
        #expect(await get(s, "vx-cancel", "{.status.steps[1].phase} {.status.steps[1].attempts[0].phase}") == "Cancelled Cancelled")
        let cancels = try await s.peers.gcp.requests().filter { $0["method"] == "POST" && $0["path"]?.stringValue?.hasSuffix(":cancel") == true }
        let jobID = await get(s, "vx-cancel", "{.status.steps[1].attempts[0].cloudJob.id}")
        #expect(cancels.filter { $0["path"]?.stringValue == "/v1/\(jobID):cancel" }.count == 1, "\(cancels)")
        let job = try await s.peers.gcp.jobs().first { $0["name"]?.stringValue == jobID }
        #expect(job?["state"] == "JOB_STATE_CANCELLING" || job?["state"] == "JOB_STATE_CANCELLED")
    }

    @Test("kill -9 of the controller while the CustomJob runs: after restarts one CustomJob for the attempt, one attempt, and the run completes")
    func killNineWhileTraining() async throws {
        let s = try shared()
        try await s.peers.gcp.control("/fake/hold", ["prefix": "vx-crash-train-"])
        let applied = try await s.cluster.kubectl.run(["apply", "-f", "-"], stdin: Self.pipeline("vx-crash"))
        #expect(applied.succeeded, "\(applied.stderr)")
        // Crash the controller at varying points: before, around and after the create.
        for i in 0..<5 {
            let c = try controller(s)
            try await Task.sleep(for: .milliseconds(900 + 400 * i))
            c.kill9()
        }
        // And once for certain while the job runs with its name recorded.
        let c = try controller(s)
        try await waitFor("the CustomJob's name in the attempt", s) {
            await get(s, "vx-crash", "{.status.steps[1].attempts[0].cloudJob.id}").hasPrefix("projects/")
        }
        c.kill9()
        let last = try controller(s)
        defer { last.kill9() }
        try await Task.sleep(for: .seconds(2))
        try await s.peers.gcp.control("/fake/complete", ["prefix": "vx-crash-train-", "state": "SUCCEEDED", "runSeconds": 600])
        let jobName = try #require(try await creates(s, prefix: "vx-crash-train-").first?[path: ["body", "displayName"]]?.stringValue)
        try await s.peers.gcs.put("gs://acme-models/churn/vx-crash/\(jobName)/sextant-outputs.json", body: #"{"metrics":{"auc":0.91}}"#)
        let waited = try await s.cluster.kubectl.run(["-n", "default", "wait", "--for=condition=Succeeded", "mlp/vx-crash", "--timeout=120s"], timeout: 130)
        #expect(waited.succeeded, "\(waited.stderr)\n\(logs(s))")
        #expect(try await creates(s, prefix: "vx-crash-train-").count == 1)
        #expect(try await s.peers.gcp.jobs().filter { $0["displayName"]?.stringValue?.hasPrefix("vx-crash-train-") == true }.count == 1)
        #expect(await get(s, "vx-crash", "{range .status.steps[1].attempts[*]}{.attempt}:{.phase};{end}") == "0:Succeeded;")
    }
}
