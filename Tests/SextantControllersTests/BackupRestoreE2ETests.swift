import Foundation
import KubeCore
import Testing
import TestSupport

/// The simulate executor's annotation value (single-quoted YAML): runs `seconds`, exits `exitCode`,
/// writes `outputs` (a JSON object) as the termination message.
private func simulate(seconds: Int, exitCode: Int = 0, outputs: String? = nil) -> String {
    let message = outputs.map { #","message":""# + $0.replacingOccurrences(of: "\"", with: "\\\"") + "\"" } ?? ""
    return "'{\"exitCode\":\(exitCode),\"seconds\":\(seconds)\(message)}'"
}

private func run(_ name: String, seconds: Int, exitCode: Int = 0, register: String = "") -> String {
    """
    apiVersion: ml.sextant.dev/v1alpha1
    kind: MLPipeline
    metadata: {name: \(name), namespace: default}
    spec:
      steps:
      - name: train
        outputs: {artifacts: [model], metrics: [auc]}
        container: {image: busybox, podMetadata: {annotations: {dev.sextant.dev/simulate: \(simulate(seconds: seconds, exitCode: exitCode, outputs: #"{"artifacts":{"model":"s3://models/\#(name)"},"metrics":{"auc":0.93}}"#))}}}
    \(register.isEmpty ? "" : "  register: \(register)")
    """
}

private func version(_ name: String, _ number: Int, stage: String) -> String {
    """
    apiVersion: ml.sextant.dev/v1alpha1
    kind: ModelVersion
    metadata: {name: \(name), namespace: default}
    spec:
      model: churn
      version: \(number)
      artifact: {uri: "s3://models/churn/\(number)"}
      metrics: {auc: 0.91}
      stage: \(stage)
      serving: {image: ghcr.io/acme/churn-server:2.0, replicas: 1, port: 8080}
    """
}

private let policy = """
    apiVersion: ml.sextant.dev/v1alpha1
    kind: RetrainPolicy
    metadata: {name: nightly, namespace: default, annotations: {ml.sextant.dev/trigger: first}}
    spec:
      schedule: "0 0 1 1 *"
      startingDeadlineSeconds: 600
      pipeline:
        spec:
          steps:
          - name: train
            container: {image: busybox, podMetadata: {annotations: {dev.sextant.dev/simulate: '{"exitCode":0,"seconds":1}'}}}
    """

/// `sextant ARGS` with `environment`; requires success and returns stdout.
private func sextant(_ args: [String], environment: [String: String] = [:]) async throws -> String {
    let r = try await ProcessRunner.run(try DevClusterProcess.binaryPath(), args, environment: environment, timeout: 60)
    try #require(r.succeeded, "sextant \(args.joined(separator: " ")) failed (\(r.exitCode)): \(r.stderr)")
    return r.stdout
}

/// `{name: value}` of every object of `kinds` (kubectl custom-columns-free: one jsonpath call per kind).
private func snapshot(_ e: RegistryE2E, _ kind: String, _ path: String) async throws -> [String: String] {
    let out = try await e.k("get", kind, "-o", "jsonpath={range .items[*]}{.metadata.name}={\(path)}{\"\\n\"}{end}")
    var result: [String: String] = [:]
    for line in out.split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
    }
    return result
}

/// The first 1 January 00:00 UTC after `date` (the policy's schedule).
private func nextNewYear(after date: Date) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
    let year = calendar.component(.year, from: date) + 1
    return calendar.date(from: DateComponents(year: year, month: 1, day: 1)) ?? date
}

@Suite("Backup and restore end to end (two sextant dev clusters, moto S3)", .serialized)
struct BackupRestoreE2ETests {
    @Test("backup to S3, restore into a new empty cluster: same phases and stages, no Job for finished runs, the running run completes, serving and ownership come back, no catch-up beyond the deadline, a second restore changes nothing")
    func backupRestoreRoundTrip() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        let bucket = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "-f", "-X", "PUT", "\(moto.url)/sextant-backups"])
        try #require(bucket.succeeded, "creating the bucket failed: \(bucket.stderr)")
        let uri = "s3://sextant-backups/dr/default.json"
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sextant-dr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let file = work.appendingPathComponent("backup.json").path

        // The source cluster: finished, failed and running runs, versions in every stage, a served
        // Production version, a policy with a run it made.
        let a = try await RegistryE2E.start()
        var aStopped = false
        defer { if !aStopped { a.stop() } }
        try await a.apply(policy)
        try await a.apply(run("done", seconds: 1, register: "{model: churn, artifact: \"{{steps.train.outputs.artifacts.model}}\", metricsFrom: train, stage: Production, serving: {image: ghcr.io/acme/churn-server:2.0, replicas: 1, port: 8080}}"))
        try await a.apply(run("broken", seconds: 1, exitCode: 1))
        try await a.waitFor("mv", "churn-v1", "{.status.stage}", equals: "Production", timeout: 60)
        try await a.apply(version("churn-v2", 2, stage: "Staging"))
        try await a.apply(version("churn-v3", 3, stage: "None"))
        try await a.apply(version("churn-v4", 4, stage: "Archived"))
        try await a.waitFor("mv", "churn-v2", "{.status.stage}", equals: "Staging")
        try await a.waitFor("mv", "churn-v4", "{.status.stage}", equals: "Archived")
        try await a.waitFor("mv", "churn-v1", "{.status.readyReplicas}", equals: "1")
        try await a.waitFor("mlp", "broken", "{.status.phase}", equals: "Failed")
        var policyRun = ""
        try await a.waitFor("the policy's manual run") {
            policyRun = try await a.k("get", "mlp", "-l", "ml.sextant.dev/retrain-policy=nightly", "-o", "jsonpath={.items[*].metadata.name}")
            return !policyRun.isEmpty
        }
        try await a.waitFor("mlp", policyRun, "{.status.phase}", equals: "Succeeded")
        try await a.apply(run("slow", seconds: 20, register: "{model: slow, artifact: \"{{steps.train.outputs.artifacts.model}}\", metricsFrom: train}"))
        try await a.waitFor("mlp", "slow", "{.status.steps[0].phase}", equals: "Running")

        let aws = moto.environment
        _ = try await sextant(["backup", "--kubeconfig", a.cluster.kubeconfigPath, "-n", "default", "--output", uri], environment: aws)
        _ = try await sextant(["backup", "--kubeconfig", a.cluster.kubeconfigPath, "-n", "default", "--output", file])
        let phasesBefore = try await snapshot(a, "mlp", ".status.phase")
        let stagesBefore = try await snapshot(a, "mv", ".status.stage")
        #expect(phasesBefore["slow"] == "Running")
        #expect(phasesBefore.count == 4 && stagesBefore.count == 4)
        a.stop()
        aStopped = true

        // A new, empty cluster, its controller already running, its clock 30 minutes past the
        // policy's next schedule time (startingDeadlineSeconds is 10 minutes).
        let offset = nextNewYear(after: Date()).addingTimeInterval(1800).timeIntervalSinceNow
        let b = try await RegistryE2E.start(clockOffset: offset)
        defer { b.stop() }
        #expect(try await b.k("get", "mlp,mv,rp", "-o", "name").isEmpty)
        let restored = try await sextant(["restore", uri, "--kubeconfig", b.cluster.kubeconfigPath], environment: aws)
        #expect(restored.contains("restored 9 created, 0 resumed, 0 already present"), "\(restored)")

        // Same phases and stages; the running run completes with one Job and registers once.
        try await b.waitFor("mlp", "slow", "{.status.phase}", equals: "Succeeded", timeout: 90)
        try await b.waitFor("mlp", "slow", "{.status.lineage.modelVersion}", equals: "slow-v1")
        var phasesAfter = try await snapshot(b, "mlp", ".status.phase")
        #expect(phasesAfter.removeValue(forKey: "slow") == "Succeeded")
        var expected = phasesBefore
        expected["slow"] = nil
        #expect(phasesAfter == expected)
        let stagesAfter = try await snapshot(b, "mv", ".status.stage")
        #expect(stagesAfter.filter { $0.key != "slow-v1" } == stagesBefore)
        #expect(try await b.k("get", "mv", "-l", "ml.sextant.dev/model=slow", "-o", "name") == "modelversion.ml.sextant.dev/slow-v1\n")
        let jobs = try await b.k("get", "jobs", "-o", "jsonpath={.items[*].metadata.name}")
        #expect(jobs == "slow-train-0", "finished runs must not run again: \(jobs)")

        // Serving is back for the effective stages; the stable Service selects Production.
        try await b.waitFor("mv", "churn-v1", "{.status.readyReplicas}", equals: "1", timeout: 60)
        try await b.waitFor("mv", "churn-v2", "{.status.readyReplicas}", equals: "1", timeout: 60)
        #expect(try await b.jsonpath("service", "churn", "{.spec.selector.ml\\.sextant\\.dev/model-version}") == "churn-v1")
        #expect(try await b.jsonpath("deployment", "churn-v3", "{.metadata.name}").isEmpty)

        // Ownership points at the new uids; the policy neither re-runs its manual trigger nor
        // catches up on a schedule missed by more than startingDeadlineSeconds.
        let policyUID = try await b.jsonpath("rp", "nightly", "{.metadata.uid}")
        #expect(try await b.jsonpath("mlp", policyRun, "{.metadata.ownerReferences[0].uid}") == policyUID)
        try await b.waitFor("a DeadlineMissed event", timeout: 30) { try await b.eventReasons("nightly").contains("DeadlineMissed") }
        #expect(try await b.k("get", "mlp", "-l", "ml.sextant.dev/retrain-policy=nightly", "-o", "jsonpath={.items[*].metadata.name}") == policyRun)
        #expect(try await b.jsonpath("rp", "nightly", "{.status.runsCreated}") == "1")
        #expect(try await b.jsonpath("mlp", "done", "{.metadata.annotations.ml\\.sextant\\.dev/restore-pending}").isEmpty)

        // A second restore changes nothing.
        try await Task.sleep(for: .seconds(2))
        let versions = try await b.k("get", "mlp,mv,rp", "-o", "jsonpath={range .items[*]}{.metadata.name}:{.metadata.resourceVersion} {end}")
        let again = try await sextant(["restore", file, "--kubeconfig", b.cluster.kubeconfigPath])
        #expect(again.contains("restored 0 created, 0 resumed, 9 already present"), "\(again)")
        try await Task.sleep(for: .seconds(2))
        #expect(try await b.k("get", "mlp,mv,rp", "-o", "jsonpath={range .items[*]}{.metadata.name}:{.metadata.resourceVersion} {end}") == versions)
    }

    @Test("restore refuses a file that is not a backup with exit code 2 and the reason")
    func refusesNonBackup() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sextant-dr-\(UUID().uuidString).json")
        try Data(#"{"kind":"List","apiVersion":"v1","items":[]}"#.utf8).write(to: work)
        defer { try? FileManager.default.removeItem(at: work) }
        let bad = try await ProcessRunner.run(try DevClusterProcess.binaryPath(), ["restore", work.path, "--kubeconfig", "/nonexistent"])
        #expect(bad.exitCode == 2)
        #expect(bad.stderr.contains("not a SextantBackup document"))
    }

    @Test("backup to gs:// (service-account key, Cloud Storage media upload) and restore from it bring a version back with its status")
    func gcsRoundTrip() async throws {
        let gcp = try await FakeGCPPeer.start()
        defer { gcp.stop() }
        let env = try await gcp.serviceAccountEnvironment().merging(["STORAGE_EMULATOR_HOST": gcp.url]) { _, new in new }
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await e.apply(version("churn-v1", 1, stage: "Staging"))
        try await e.waitFor("mv", "churn-v1", "{.status.stage}", equals: "Staging")
        let uri = "gs://acme-sextant-backups/dr/"
        let written = try await ProcessRunner.run(try DevClusterProcess.binaryPath(),
                                                  ["backup", "--kubeconfig", e.cluster.kubeconfigPath, "-n", "default", "--output", uri], environment: env)
        try #require(written.succeeded, "\(written.stderr)")
        // A prefix destination gets one timestamped object per backup.
        let object = try #require(written.stderr.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(object.hasPrefix(uri + "sextant-backup-") && object.hasSuffix("Z.json"), "\(written.stderr)")
        let uploads = try await gcp.requests().filter { $0["path"]?.stringValue == "/upload/storage/v1/b/acme-sextant-backups/o" }
        #expect(uploads.count == 1)
        #expect(uploads.first?["authorization"]?.stringValue?.hasPrefix("Bearer ") == true)
        e.stopController()
        try await e.k("delete", "mv", "churn-v1")
        _ = try await sextant(["restore", object, "--kubeconfig", e.cluster.kubeconfigPath], environment: env)
        #expect(try await e.jsonpath("mv", "churn-v1", "{.status.stage}") == "Staging")
    }
}
