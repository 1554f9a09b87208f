import CloudGCP
import Foundation
import KubeCore
import Logging
import SextantAPI
@testable import SextantControllers
import Testing
import TestSupport

/// The peers of one Vertex suite: the scripted fake GCP (token endpoint, Vertex CustomJobs) and
/// fake-gcs-server (outputs JSON), started once for the whole suite (`.fakeGCP` trait).
struct VertexPeers: Sendable {
    let gcp: FakeGCPPeer
    let gcs: FakeGCSPeer
    /// GOOGLE_APPLICATION_CREDENTIALS (a service-account key the fake verifies) and the endpoint overrides.
    let environment: [String: String]

    @TaskLocal static var current: VertexPeers?

    static func required() throws -> VertexPeers {
        try #require(current, "the suite runs with the .fakeGCP trait")
    }
}

/// Starts `VertexPeers` once around a whole suite and stops them after it.
struct FakeGCPSuiteTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let gcp = try await FakeGCPPeer.start()
        defer { gcp.stop() }
        let gcs = try await FakeGCSPeer.start()
        defer { gcs.stop() }
        let env = try await gcp.serviceAccountEnvironment().merging(["STORAGE_EMULATOR_HOST": gcs.url]) { _, new in new }
        try await VertexPeers.$current.withValue(VertexPeers(gcp: gcp, gcs: gcs, environment: env)) { try await function() }
    }
}

extension Trait where Self == FakeGCPSuiteTrait {
    /// One fake GCP and one fake-gcs-server for the whole suite.
    static var fakeGCP: Self { Self() }
}

/// `VertexBackend` through the real CloudGCP client against the scripted fake GCP server
/// (Tests/harness/gcp/fake_gcp.py): the service-account JWT is verified by the fake with the
/// public key, every Vertex call must carry a token the fake issued, jobs move queued → pending →
/// running → succeeded (or are held running, then failed / cancelled on request), and 429/503 and
/// expired tokens are injected. Outputs JSON comes from fake-gcs-server.
@Suite("Vertex AI backend against the scripted fake GCP", .serialized, .fakeGCP)
struct VertexBackendFakeTests {
    let logger = Logger(label: "vertex-backend-test")

    func backend(_ peers: VertexPeers) -> VertexBackend {
        VertexBackend(client: GCPClient(environment: peers.environment, logger: logger,
                                        retry: GCPRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50))))
    }

    var context: CloudCallContext { CloudCallContext(namespace: "ml", objectName: "run", logger: logger) }

    func step(_ output: String = "gs://acme-models/churn") -> VertexAIStep {
        VertexAIStep(project: "acme-ml", location: "europe-west4", image: "europe-docker.pkg.dev/acme/train:1", command: ["python", "train.py"],
                     args: ["--lr", "0.05"], machineType: "n1-standard-4", acceleratorType: "NVIDIA_TESLA_T4", acceleratorCount: 1,
                     replicaCount: 1, serviceAccount: "trainer@acme-ml.iam.gserviceaccount.com", baseOutputDirectory: output)
    }

    func observeUntil(_ backend: VertexBackend, _ attempt: CloudAttempt, _ states: Set<CloudJobObservation.State>, polls: Int = 10) async throws -> [CloudJobObservation] {
        var seen: [CloudJobObservation] = []
        for _ in 0..<polls {
            let o = try await backend.observe(attempt, context: context)
            seen.append(o)
            if states.contains(o.state) { return seen }
        }
        return seen
    }

    @Test("create → queued/pending/running → succeeded: JWT-authorised calls, the create body as sent, outputs from GCS merged with the model directory, one job after a second start")
    func runsToSucceeded() async throws {
        let peers = try VertexPeers.required()
        let backend = backend(peers)
        var attempt = try vertexAttempt(step(), spot: true, timeout: 3600, jobName: "vx-ok-train-0-1a2b3c4d",
                                        declared: StepOutputs(artifacts: ["model"], metrics: ["auc"]))
        let started = try await backend.start(attempt, context: context)
        #expect(started.state == .running && started.providerStatus == "QUEUED")
        let name = try #require(started.id)
        #expect(name.hasPrefix("projects/acme-ml/locations/europe-west4/customJobs/"))
        #expect(started.url?.hasPrefix("https://console.cloud.google.com/vertex-ai/locations/europe-west4/training/") == true)

        // A restarted controller without the recorded id adopts the job by its label: no second create.
        let again = try await backend.start(attempt, context: context)
        #expect(again.id == name && again.providerStatus == "PENDING", "adopted by a get, which moved the job on")
        let creates = try await peers.gcp.requests().filter { $0["method"] == "POST" && $0["path"]?.stringValue?.hasSuffix("/customJobs") == true }
        #expect(creates.count == 1)
        let create = try #require(creates.first)
        #expect(create["authorization"]?.stringValue?.hasPrefix("Bearer ya29.sa.") == true, "the token came from the JWT grant")
        #expect(create[path: ["body", "jobSpec", "scheduling"]] == ["timeout": "3600s", "strategy": "SPOT"])
        #expect(create[path: ["body", "jobSpec", "workerPoolSpecs"]]?[0]?["machineSpec"] == ["machineType": "n1-standard-4", "acceleratorType": "NVIDIA_TESLA_T4", "acceleratorCount": 1])
        #expect(create[path: ["body", "labels", "sextant-attempt"]] == "vx-ok-train-0-1a2b3c4d")
        let tokenCalls = try await peers.gcp.requests().filter { $0["path"] == "/token" }
        #expect(tokenCalls.count == 1, "one token for every call (cached)")

        attempt.recordedID = name
        let seen = try await observeUntil(backend, attempt, [.succeeded, .failed])
        #expect(seen.map { $0.providerStatus ?? "" } == ["RUNNING", "SUCCEEDED"])
        let done = try #require(seen.last)
        #expect(done.state == .succeeded && done.startedAt != nil && done.finishedAt != nil)

        try await peers.gcs.put("gs://acme-models/churn/vx-ok-train-0-1a2b3c4d/sextant-outputs.json", body: #"{"metrics":{"auc":0.93}}"#)
        let outputs = try await backend.outputs(attempt, observation: done, context: context)
        #expect(outputs.artifacts == ["model": "gs://acme-models/churn/model/"])
        #expect(outputs.metrics == ["auc": 0.93])
        let cost = try #require(backend.cost(attempt, observation: done, pricing: PricingTable.shippedDefaults))
        #expect(cost.spotSavingsPercent == 60 && cost.estimatedUSD != nil)
    }

    @Test("FAILED reports error.message; a missing declared output is MissingOutputs")
    func failedJob() async throws {
        let peers = try VertexPeers.required()
        let backend = backend(peers)
        try await peers.gcp.control("/fake/hold", ["prefix": "vx-fail-"])
        var attempt = try vertexAttempt(step(), jobName: "vx-fail-train-0-1a2b3c4d", declared: StepOutputs(artifacts: ["model"], metrics: ["auc"]))
        attempt.recordedID = try #require(try await backend.start(attempt, context: context).id)
        let running = try await observeUntil(backend, attempt, [.running], polls: 3)
        #expect(running.last?.providerStatus == "PENDING" || running.last?.providerStatus == "RUNNING")
        try await peers.gcp.control("/fake/complete", ["prefix": "vx-fail-", "state": "FAILED", "message": "The replica workerpool0-0 exited with a non-zero status of 2."])
        let o = try await backend.observe(attempt, context: context)
        #expect(o.state == .failed && o.reason == "Failed")
        #expect(o.message == "The replica workerpool0-0 exited with a non-zero status of 2.")
        let succeeded = CloudJobObservation(state: .succeeded, nativeOutputs: OutputValues(artifacts: ["model": "gs://x/model/"]))
        let error = await #expect(throws: CloudBackendError.self) { try await backend.outputs(attempt, observation: succeeded, context: context) }
        #expect(error?.kind == .missingOutputs)
    }

    @Test("stop cancels a running job (CANCELLING → CANCELLED); a second stop of the finished job makes no call")
    func cancel() async throws {
        let peers = try VertexPeers.required()
        let backend = backend(peers)
        try await peers.gcp.control("/fake/hold", ["prefix": "vx-cancel-"])
        var attempt = try vertexAttempt(step(), jobName: "vx-cancel-train-0-1a2b3c4d")
        attempt.recordedID = try #require(try await backend.start(attempt, context: context).id)
        try await backend.stop(attempt, context: context)
        let seen = try await observeUntil(backend, attempt, [.stopped], polls: 3)
        #expect(seen.last?.state == .stopped)
        try await backend.stop(attempt, context: context)
        let cancels = try await peers.gcp.requests().filter { $0["path"]?.stringValue?.hasSuffix(":cancel") == true && $0["path"]?.stringValue?.contains(attempt.recordedID ?? "-") == true }
        #expect(cancels.count == 1)
    }

    @Test("429 and 503 on create are retried to one job; expired tokens are refreshed once")
    func throttlingAndExpiredTokens() async throws {
        let peers = try VertexPeers.required()
        let backend = backend(peers)
        try await peers.gcp.control("/fake/inject", ["pathContains": "/customJobs", "method": "POST", "statuses": [429, 503]])
        let attempt = try vertexAttempt(step(), jobName: "vx-retry-train-0-1a2b3c4d")
        let started = try await backend.start(attempt, context: context)
        #expect(started.id != nil)
        let jobs = try await peers.gcp.jobs().filter { $0["displayName"] == "vx-retry-train-0-1a2b3c4d" }
        #expect(jobs.count == 1)
        let tokensBefore = try await peers.gcp.requests().filter { $0["path"] == "/token" }.count
        try await peers.gcp.control("/fake/expire-tokens")
        let o = try await backend.observe(attempt, context: context)
        #expect(o.id == started.id)
        let tokensAfter = try await peers.gcp.requests().filter { $0["path"] == "/token" }.count
        #expect(tokensAfter == tokensBefore + 1)
    }

    @Test("a request Vertex rejects is CloudInvalidRequest with Google's message; no credentials the fake knows is CloudAccessDenied")
    func errorsMapToReasons() async throws {
        let peers = try VertexPeers.required()
        var bad = step()
        bad.baseOutputDirectory = "s3://not-gcs"
        let invalid = await #expect(throws: CloudBackendError.self) {
            try await backend(peers).start(try vertexAttempt(bad, jobName: "vx-bad-train-0-1a2b3c4d"), context: context)
        }
        #expect(invalid?.kind == .invalidRequest && invalid?.message.contains("outputUriPrefix") == true, "\(String(describing: invalid))")
        // A key the fake does not know: its JWT signature is rejected.
        let stranger = try await FakeGCPPeer.start()
        defer { stranger.stop() }
        var env = try await stranger.serviceAccountEnvironment()
        env.merge(peers.gcp.endpointEnvironment) { _, new in new }
        let keyFile = try #require(env["GOOGLE_APPLICATION_CREDENTIALS"])
        let text = try String(contentsOfFile: keyFile, encoding: .utf8).replacingOccurrences(of: stranger.url, with: peers.gcp.url)
        try text.write(toFile: keyFile, atomically: true, encoding: .utf8)
        let denied = await #expect(throws: CloudBackendError.self) {
            try await VertexBackend(client: GCPClient(environment: env, logger: logger)).start(try vertexAttempt(step(), jobName: "vx-denied-train-0-1a2b3c4d"), context: context)
        }
        #expect(denied?.kind == .accessDenied && denied?.message.contains("Invalid JWT Signature") == true, "\(String(describing: denied))")
    }

    @Test("workload-identity federation and the metadata server both authorise Vertex calls end to end")
    func otherTokenFlows() async throws {
        let peers = try VertexPeers.required()
        // external_account: a projected service-account token file → STS → impersonation.
        let subject = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6bWw6c2V4dGFudCJ9.c2lnbmF0dXJl"
        let audience = "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/k8s/providers/cluster"
        try await peers.gcp.control("/fake/subject", ["token": .string(subject), "audience": .string(audience)])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wif-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try subject.write(to: dir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let config: JSONValue = [
            "type": "external_account", "audience": .string(audience), "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": .string(peers.gcp.url + "/v1/token"),
            "service_account_impersonation_url": .string(peers.gcp.url + "/v1/projects/-/serviceAccounts/sextant@acme-ml.iam.gserviceaccount.com:generateAccessToken"),
            "credential_source": ["file": .string(dir.appendingPathComponent("token").path)],
        ]
        try config.data().write(to: dir.appendingPathComponent("wif.json"))
        var env = peers.gcp.endpointEnvironment
        env["GOOGLE_APPLICATION_CREDENTIALS"] = dir.appendingPathComponent("wif.json").path
        let wif = VertexBackend(client: GCPClient(environment: env, logger: logger))
        _ = try await wif.start(try vertexAttempt(step(), jobName: "vx-wif-train-0-1a2b3c4d"), context: context)
        let viaWIF = try await peers.gcp.requests().last { $0["method"] == "POST" && $0["path"]?.stringValue?.hasSuffix("/customJobs") == true }
        #expect(viaWIF?["authorization"]?.stringValue?.hasPrefix("Bearer ya29.impersonated.") == true)

        // No key file: the metadata server at GCE_METADATA_HOST (GKE Workload Identity).
        let metadata = VertexBackend(client: GCPClient(environment: peers.gcp.endpointEnvironment, logger: logger))
        _ = try await metadata.start(try vertexAttempt(step(), jobName: "vx-meta-train-0-1a2b3c4d"), context: context)
        let viaMetadata = try await peers.gcp.requests().last { $0["method"] == "POST" && $0["path"]?.stringValue?.hasSuffix("/customJobs") == true }
        #expect(viaMetadata?["authorization"]?.stringValue?.hasPrefix("Bearer ya29.metadata.") == true)
        let metadataCall = try await peers.gcp.requests().last { $0["path"]?.stringValue?.hasPrefix("/computeMetadata/") == true }
        #expect(metadataCall?["metadataFlavor"] == "Google")
    }
}

/// The same backend calls sent to drongo (PyPI), a second implementation of the Vertex REST routes,
/// to catch drift between the scripted fake and it.
@Suite("Vertex AI backend: the fake agrees with drongo", .serialized, .fakeGCP)
struct VertexDrongoDriftTests {
    let logger = Logger(label: "vertex-drongo-test")

    @Test("drongo accepts the backend's create, echoes the CustomJob like the fake, and get/list/cancel parse the same; the fake's answer has every field drongo's has")
    func sameRequestsOnDrongo() async throws {
        let peers = try VertexPeers.required()
        let drongo = try await DrongoPeer.start()
        defer { drongo.stop() }
        let context = CloudCallContext(namespace: "ml", objectName: "run", logger: logger)
        let step = VertexAIStep(project: "acme-ml", location: "europe-west4", image: "europe-docker.pkg.dev/acme/train:1", command: ["python", "train.py"],
                                machineType: "n1-standard-4", replicaCount: 2, serviceAccount: "trainer@acme-ml.iam.gserviceaccount.com",
                                baseOutputDirectory: "gs://acme-models/churn", environment: ["EPOCHS": "3"])
        var attempt = try vertexAttempt(step, spot: true, timeout: 600, jobName: "vx-drift-train-0-1a2b3c4d")
        // Tokens from the fake's metadata server; Vertex calls to drongo (which ignores them).
        var env = peers.gcp.endpointEnvironment
        env["CLOUDSDK_API_ENDPOINT_OVERRIDES_AIPLATFORM"] = drongo.url
        let onDrongo = VertexBackend(client: GCPClient(environment: env, logger: logger))
        let onFake = VertexBackend(client: GCPClient(environment: peers.environment, logger: logger))

        let d = try await onDrongo.start(attempt, context: context)
        let f = try await onFake.start(attempt, context: context)
        let pattern = #/^projects/acme-ml/locations/europe-west4/customJobs/[0-9]+$/#
        #expect(try pattern.wholeMatch(in: try #require(d.id)) != nil, "drongo name \(d.id ?? "-")")
        #expect(try pattern.wholeMatch(in: try #require(f.id)) != nil, "fake name \(f.id ?? "-")")
        let sent = try VertexRequests.createCustomJob(attempt)
        let drongoJob = try await drongo.get("/v1/\(try #require(d.id))")
        let fakeJob = try #require(try await peers.gcp.jobs().first { $0["name"]?.stringValue == f.id })
        for field in ["displayName", "jobSpec", "labels"] {
            #expect(drongoJob[field] == sent[field], "drongo echoes \(field)")
            #expect(fakeJob[field] == sent[field], "the fake echoes \(field)")
        }
        let drongoKeys = Set(drongoJob.objectValue?.keys.map { $0 } ?? [])
        let fakeKeys = Set(fakeJob.objectValue?.keys.map { $0 } ?? [])
        #expect(drongoKeys.isSubset(of: fakeKeys), "fields only drongo answers: \(drongoKeys.subtracting(fakeKeys).sorted())")

        // Adoption on drongo too: its list ignores the filter, the backend checks the label itself.
        let again = try await onDrongo.start(attempt, context: context)
        #expect(again.id == d.id)
        let listed = try await drongo.get("/v1/projects/acme-ml/locations/europe-west4/customJobs")["customJobs"]?.arrayValue ?? []
        #expect(listed.filter { $0["displayName"] == "vx-drift-train-0-1a2b3c4d" }.count == 1)

        // drongo answers no state (Vertex does): the mapping treats it as unspecified → running.
        attempt.recordedID = d.id
        #expect(try await onDrongo.observe(attempt, context: context).state == .running)
        try await onDrongo.stop(attempt, context: context)
        #expect(try await onDrongo.observe(attempt, context: context).state == .stopped)
    }
}
