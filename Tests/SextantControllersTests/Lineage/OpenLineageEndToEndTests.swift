import Foundation
import KubeCore
@testable import SextantControllers
import Testing
import TestSupport

/// `sextant controller --openlineage-url` against `sextant dev --no-controller` and the validating
/// receiver: a succeeding, a failing and a cancelled run, with a kill -9 of the controller mid-run.
@Suite("OpenLineage events end to end on sextant dev", .serialized)
struct OpenLineageEndToEndTests {
    static func sim(_ seconds: Int, exit: Int = 0) -> String {
        #"'{"exitCode":\#(exit),"seconds":\#(seconds),"message":"{\"artifacts\":{\"m\":\"s3://models/run-\#(seconds)/model.bin\"}}"}'"#
    }

    static let pipelines = """
    apiVersion: ml.sextant.dev/v1alpha1
    kind: MLPipeline
    metadata: {name: ok, namespace: default}
    spec:
      datasets: [{name: train, uri: "s3://data/churn/train.csv", version: "v7"}]
      steps:
      - {name: a, outputs: {artifacts: [m]}, container: {image: i, args: ["{{datasets.train.uri}}"], podMetadata: {annotations: {dev.sextant.dev/simulate: \(sim(4))}}}}
      - {name: b, dependsOn: [a], outputs: {artifacts: [m]}, container: {image: i, args: ["{{steps.a.outputs.artifacts.m}}"], podMetadata: {annotations: {dev.sextant.dev/simulate: \(sim(1))}}}}
    ---
    apiVersion: ml.sextant.dev/v1alpha1
    kind: MLPipeline
    metadata: {name: bad, namespace: default}
    spec:
      steps:
      - {name: a, container: {image: i, podMetadata: {annotations: {dev.sextant.dev/simulate: \(sim(2, exit: 3))}}}}
    ---
    apiVersion: ml.sextant.dev/v1alpha1
    kind: MLPipeline
    metadata: {name: long, namespace: default}
    spec:
      steps:
      - {name: a, container: {image: i, podMetadata: {annotations: {dev.sextant.dev/simulate: \(sim(300))}}}}
    """

    static func find(_ events: [JSONValue], job: String, type: String) -> [JSONValue] {
        events.filter { $0[path: ["job", "name"]]?.stringValue == job && $0["eventType"]?.stringValue == type }
    }

    @Test("runs and steps get START and COMPLETE/FAIL/ABORT with parent and dataset version facets, schema-valid, with the same run ids across a kill -9 of the controller")
    func eventsAcrossRestart() async throws {
        let receiver = try await OpenLineageReceiver.start()
        defer { receiver.stop() }
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let k = cluster.kubectl
        let log = cluster.dataDirectory.appendingPathComponent("controller.log")
        let logs = { "controller log:\n\(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(3000))" }
        var served = false
        for _ in 0..<100 where !served {
            served = (try await k.run(["get", "mlp"])).succeeded
            if !served { try await Task.sleep(for: .milliseconds(200)) }
        }
        let args = ["--openlineage-url", receiver.url]
        let first = try ControllerProcess(kubeconfig: cluster.kubeconfigPath, arguments: args, environment: ["OPENLINEAGE_NAMESPACE": "e2e"], log: log)
        let applied = try await k.run(["apply", "-f", "-"], stdin: Self.pipelines)
        try #require(applied.succeeded, "\(applied.stderr)")

        // Kill the controller once the first run and its first step have started.
        let started = try await receiver.waitFor(timeout: 60) { !Self.find($0, job: "default.ok.a", type: "START").isEmpty }
        first.kill9()
        try #require(!Self.find(started.events, job: "default.ok", type: "START").isEmpty, "no START of the run before the kill; \(logs())")
        let second = try ControllerProcess(kubeconfig: cluster.kubeconfigPath, arguments: args, environment: ["OPENLINEAGE_NAMESPACE": "e2e"], log: log)
        defer { second.kill9() }
        let patched = try await k.run(["-n", "default", "patch", "mlp", "long", "--type", "merge", "-p", #"{"spec":{"cancel":true}}"#])
        #expect(patched.succeeded, "\(patched.stderr)")
        for (name, condition) in [("ok", "condition=Succeeded"), ("bad", "jsonpath={.status.phase}=Failed"), ("long", "jsonpath={.status.phase}=Cancelled")] {
            let waited = try await k.run(["-n", "default", "wait", "--for=\(condition)", "mlp/\(name)", "--timeout=90s"], timeout: 100)
            #expect(waited.succeeded, "\(name): \(waited.stderr) \(logs())")
        }
        let got = try await receiver.waitFor(timeout: 30) { events in
            !Self.find(events, job: "default.ok", type: "COMPLETE").isEmpty && !Self.find(events, job: "default.bad", type: "FAIL").isEmpty
                && !Self.find(events, job: "default.long", type: "ABORT").isEmpty
        }
        #expect(got.errors.isEmpty, "schema violations: \(got.errors)")
        let events = got.events
        #expect(events.allSatisfy { $0[path: ["job", "namespace"]]?.stringValue == "e2e" })

        // The run id is the UUIDv5 of the object's uid, the same before and after the restart.
        let uid = try await k.run(["-n", "default", "get", "mlp", "ok", "-o", "jsonpath={.metadata.uid}"]).stdout
        let runID = OpenLineageIDs.pipelineRun(uid: uid)
        let runStart = Self.find(events, job: "default.ok", type: "START")
        let runComplete = Self.find(events, job: "default.ok", type: "COMPLETE")
        #expect(runStart.count == 1 && runComplete.count == 1)
        #expect(runStart.first?[path: ["run", "runId"]]?.stringValue == runID)
        #expect(runComplete.first?[path: ["run", "runId"]]?.stringValue == runID)
        #expect(runStart.first?["inputs"]?[0]?[path: ["facets", "version", "datasetVersion"]]?.stringValue == "v7")
        #expect(runComplete.first?["outputs"]?.arrayValue?.count == 2)

        // Steps: START and COMPLETE with the attempt's run id and the run as parent.
        for step in ["a", "b"] {
            let id = OpenLineageIDs.stepRun(uid: uid, step: step, attempt: 0)
            let s = Self.find(events, job: "default.ok.\(step)", type: "START")
            let c = Self.find(events, job: "default.ok.\(step)", type: "COMPLETE")
            #expect(s.count == 1 && c.count == 1, "step \(step): \(s.count) START, \(c.count) COMPLETE")
            for e in s + c {
                #expect(e[path: ["run", "runId"]]?.stringValue == id)
                #expect(e[path: ["run", "facets", "parent", "run", "runId"]]?.stringValue == runID)
                #expect(e[path: ["run", "facets", "parent", "job", "name"]]?.stringValue == "default.ok")
            }
        }
        let aInputs = Self.find(events, job: "default.ok.a", type: "START").first?["inputs"]
        #expect(aInputs?[0]?["namespace"]?.stringValue == "s3://data")
        #expect(aInputs?[0]?[path: ["facets", "version", "datasetVersion"]]?.stringValue == "v7")
        let bComplete = Self.find(events, job: "default.ok.b", type: "COMPLETE").first
        #expect(bComplete?["inputs"]?[0]?["name"]?.stringValue == "run-4/model.bin", "b reads a's artifact")
        #expect(bComplete?["outputs"]?[0]?["name"]?.stringValue == "run-1/model.bin")

        // The failing run: its step FAILs with an errorMessage, then the run FAILs; the cancelled one ABORTs.
        #expect(Self.find(events, job: "default.bad.a", type: "FAIL").first?[path: ["run", "facets", "errorMessage", "message"]]?.stringValue != nil)
        #expect(Self.find(events, job: "default.bad", type: "FAIL").count == 1)
        #expect(Self.find(events, job: "default.long.a", type: "ABORT").count == 1)
        #expect(Self.find(events, job: "default.long", type: "ABORT").count == 1)
    }
}
