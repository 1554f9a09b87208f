import Crypto
import Foundation
import KubeCore
import Testing
import TestSupport
@testable import SextantControllers

private func sha256(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
}

/// A policy without a schedule whose `events` dataset is a local file watched every 10 s (the minimum).
private func dataPolicy(_ name: String, file: URL) -> String {
    """
    apiVersion: ml.sextant.dev/v1alpha1
    kind: RetrainPolicy
    metadata: {name: \(name), namespace: default}
    spec:
      concurrencyPolicy: Allow
      triggers:
        dataChange: {dataset: events, pollIntervalSeconds: 10}
      pipeline:
        spec:
          datasets:
            - {name: events, uri: "file://\(file.path)"}
          steps:
            - name: train
              container:
                image: busybox
                command: [sh, -c, "sleep 3600"]
                podMetadata: {annotations: {dev.sextant.dev/simulate: '{"exitCode":0,"seconds":3600}'}}
    """
}

private func runNames(_ e: RegistryE2E, _ policy: String) async throws -> [String] {
    let out = try await e.kubectl.run(["get", "mlp", "-l", "ml.sextant.dev/retrain-policy=\(policy)", "-o", "jsonpath={.items[*].metadata.name}"])
    return out.stdout.split(separator: " ").map(String.init).sorted()
}

/// The whole controller log (all its runs).
private func controllerLog(_ e: RegistryE2E) -> String {
    (try? String(contentsOf: e.controllerLog, encoding: .utf8)) ?? ""
}

/// How many times the controller log says it read the data version (debug log, one line per read).
private func reads(_ e: RegistryE2E) -> Int {
    controllerLog(e).components(separatedBy: "data version read").count - 1
}

@Suite("RetrainPolicy dataChange end to end (sextant dev + sextant controller + file:// dataset)", .serialized)
struct RetrainDataChangeE2ETests {
    @Test("baseline makes no run; a new version makes exactly one with the version pinned; the same version again none; kill -9 between seeing a version and creating its run still makes exactly one")
    func dataChangeRuns() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        let started = Date()
        defer { print("RetrainDataChangeE2ETests took \(Int(Date().timeIntervalSince(started))) s") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rp-data-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("events.csv")
        try Data("id\n1\n".utf8).write(to: file)
        try await e.apply(dataPolicy("fresh", file: file))

        // Baseline: observed, no run.
        try await e.waitFor("rp", "fresh", "{.status.observedDataVersion}", equals: sha256("id\n1\n"))
        try await e.waitFor("rp", "fresh", "{.status.conditions[?(@.type==\"TriggerHealthy\")].reason}", equals: "Polling")
        #expect(try await e.eventReasons("fresh").contains("DataVersionBaseline"))
        #expect(try await runNames(e, "fresh").isEmpty)

        // A new version: one run, named after the version's hash, with the version pinned.
        let v2 = sha256("id\n1\n2\n")
        try Data("id\n1\n2\n".utf8).write(to: file)
        let run2 = "fresh-\(RetrainPlanner.shortHash(v2))"
        try await e.waitFor("the run of the second version", timeout: 40) { try await runNames(e, "fresh") == [run2] }
        #expect(try await e.jsonpath("mlp", run2, "{.spec.datasets[0].version}") == v2)
        try await e.waitFor("rp", "fresh", "{.status.lastTrigger.reason}", equals: "DataChange")
        #expect(try await e.jsonpath("rp", "fresh", "{.status.lastTrigger.detail}") == v2)
        #expect(try await e.jsonpath("rp", "fresh", "{.status.observedDataVersion}") == v2)

        // The same content written again: the next poll creates nothing.
        let before = reads(e)
        try Data("id\n1\n2\n".utf8).write(to: file)
        try await e.waitFor("another poll", timeout: 40) { reads(e) > before }
        #expect(try await runNames(e, "fresh") == [run2])

        // kill -9 while the controller holds a new version but has not created its run yet.
        e.stopController()
        try e.startController(environment: [RetrainPolicyController.triggerRunDelayVariable: "60"])
        let v3 = sha256("id\n3\n")
        let run3 = "fresh-\(RetrainPlanner.shortHash(v3))"
        try Data("id\n3\n".utf8).write(to: file)
        try await e.waitFor("the controller to hold the run of the third version", timeout: 40) {
            let log = controllerLog(e)
            return log.contains("trigger run pending") && log.contains(run3)
        }
        e.stopController(crash: true)
        #expect(try await runNames(e, "fresh") == [run2])
        #expect(try await e.jsonpath("rp", "fresh", "{.status.observedDataVersion}") == v2)
        try e.startController()
        try await e.waitFor("the run of the third version after the restart", timeout: 40) { try await runNames(e, "fresh") == [run2, run3] }
        try await e.waitFor("rp", "fresh", "{.status.observedDataVersion}", equals: v3)
        let after = reads(e)
        try await e.waitFor("another poll after the restart", timeout: 40) { reads(e) > after }
        #expect(try await runNames(e, "fresh") == [run2, run3])
        #expect(try await e.jsonpath("rp", "fresh", "{.status.runsCreated}") == "2")
        #expect(try await e.jsonpath("mlp", run3, "{.spec.datasets[0].version}") == v3)
    }
}
