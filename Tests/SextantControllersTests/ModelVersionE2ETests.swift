import Foundation
import KubeCore
import Testing
import TestSupport

private func version(_ name: String, _ number: Int, auc: Double, stage: String = "Production", promotion: String = "", annotations: String = "", serving: Bool = true, servingSpec: String? = nil) -> String {
    let servingBlock = servingSpec ?? "{image: ghcr.io/acme/churn-server:2.0, replicas: 1, port: 8080}"
    return """
    apiVersion: ml.sextant.dev/v1alpha1
    kind: ModelVersion
    metadata:
      name: \(name)
      namespace: default
    \(annotations.isEmpty ? "" : "  annotations: {\(annotations)}")
    spec:
      model: churn
      version: \(number)
      artifact: {uri: "s3://models/churn/\(number)/model.tar.gz"}
      metrics: {auc: \(auc)}
      stage: \(stage)
    \(promotion.isEmpty ? "" : "  promotion: \(promotion)")
    \(serving ? "  serving: \(servingBlock)" : "")
    """
}

/// A serving block for `sextant dev --executor local`: the container is a real HTTP server on
/// `$PORT` (Ready once it accepts connections). With `gate`, it only starts listening once that
/// file exists, so its pod stays running but unready until the test creates the file.
private func localServer(gate: URL? = nil) -> String {
    let wait = gate.map { "while [ ! -e \($0.path) ]; do sleep 0.2; done; " } ?? ""
    return "{image: ghcr.io/acme/churn-server:2.0, replicas: 1, port: 8080, command: [sh, -c], " +
        "args: ['\(wait)exec python3 -m http.server \"$PORT\" --bind 127.0.0.1']}"
}

private let selectorPath = "{.spec.selector.ml\\.sextant\\.dev/model-version}"
private let promotedReason = "{.status.conditions[?(@.type==\"Promoted\")].reason}"
private let readyReason = "{.status.conditions[?(@.type==\"Ready\")].reason}"
private let servingStatus = "{.status.conditions[?(@.type==\"Serving\")].status}"

/// One look at the stable Service and its Endpoints: the version it selects and its ready pods.
private struct TrafficSample: CustomStringConvertible {
    var selected: String
    var readyPods: [String]
    var description: String { "selects \(selected.isEmpty ? "<nothing>" : selected), ready endpoints \(readyPods)" }
}

private func trafficSample(_ e: RegistryE2E, model: String) async throws -> TrafficSample {
    let r = try await e.kubectl.run(["get", "service/\(model)", "endpoints/\(model)", "-o", "json"])
    guard r.succeeded, let list = try? JSONValue.parse(Data(r.stdout.utf8)) else { return TrafficSample(selected: "", readyPods: []) }
    var sample = TrafficSample(selected: "", readyPods: [])
    for item in list["items"]?.arrayValue ?? [] {
        if item["kind"]?.stringValue == "Service" {
            sample.selected = item[path: ["spec", "selector", "ml.sextant.dev/model-version"]]?.stringValue ?? ""
        } else {
            for subset in item["subsets"]?.arrayValue ?? [] {
                for address in subset["addresses"]?.arrayValue ?? [] {
                    sample.readyPods.append(address[path: ["targetRef", "name"]]?.stringValue ?? "?")
                }
            }
        }
    }
    return sample
}

@Suite("ModelVersion end to end (sextant dev + sextant controller + kubectl)", .serialized)
struct ModelVersionE2ETests {
    @Test("approval promotes and supersedes; the stable Service moves only once the new version's pods are ready and never selects nothing")
    func promotionApprovalSupersedeAndTraffic() async throws {
        // The local executor runs the serving containers as host processes: readiness is real
        // (something listens on the pod's port), so a version can be held unready.
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        try #require(path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") },
                     "python3 must be on PATH: the local executor runs the test's model servers with it")
        let e = try await RegistryE2E.start(devArguments: ["--executor", "local"])
        defer { e.stop() }
        let gate = e.cluster.dataDirectory.appendingPathComponent("churn-v2-may-listen")
        try await e.apply(version("churn-v1", 1, auc: 0.91, promotion: "{gates: [{metric: auc, min: 0.9}]}", servingSpec: localServer()))
        try await e.waitFor("mv", "churn-v1", "{.status.stage}", equals: "Production")
        try await e.waitFor("svc", "churn", selectorPath, equals: "churn-v1")
        #expect(try await e.jsonpath("mv", "churn-v1", "{.status.endpoint}") == "http://churn-v1.default.svc:8080")
        let env = try await e.jsonpath("deploy", "churn-v1", "{.spec.template.spec.containers[0].env[*].name}")
        #expect(env.contains("MODEL_URI") && env.contains("MODEL_NAME") && env.contains("MODEL_VERSION"))
        #expect(try await e.jsonpath("deploy", "churn-v1", "{.spec.template.spec.containers[0].readinessProbe.tcpSocket.port}") == "8080")
        try await e.waitFor("mv", "churn-v1", servingStatus, equals: "True", timeout: 60)
        try await e.waitFor("mv", "churn-v1", "{.status.conditions[?(@.type==\"Ready\")].status}", equals: "True")
        try await e.waitFor("mv", "churn-v1", "{.status.readyReplicas}", equals: "1")
        try await e.waitFor("the stable Service's endpoints list churn-v1's pod") {
            let s = try await trafficSample(e, model: "churn")
            return !s.readyPods.isEmpty && s.readyPods.allSatisfy { $0.hasPrefix("churn-v1-") }
        }

        try await e.apply(version("churn-v2", 2, auc: 0.93, promotion: "{compareToProduction: {metric: auc, minImprovement: 0.005}, requireApproval: true}",
                                  servingSpec: localServer(gate: gate)))
        try await e.waitFor("mv", "churn-v2", promotedReason, equals: "AwaitingApproval")
        #expect(try await e.jsonpath("mv", "churn-v2", "{.status.stage}") == "None")
        #expect(try await e.jsonpath("svc", "churn", selectorPath) == "churn-v1")
        #expect(!(try await e.kubectl.run(["get", "deploy", "churn-v2"])).succeeded, "an unapproved version is not served")
        #expect(try await e.eventReasons("churn-v2").contains("AwaitingApproval"))

        try await e.k("annotate", "mv", "churn-v2", "ml.sextant.dev/approved-by=alice")
        try await e.waitFor("mv", "churn-v2", "{.status.stage}", equals: "Production")
        try await e.waitFor("mv", "churn-v1", promotedReason, equals: "Superseded")
        #expect(try await e.jsonpath("mv", "churn-v1", "{.status.stage}") == "Archived")
        #expect(try await e.jsonpath("mv", "churn-v2", "{.status.history[-1:].approvedBy}") == "alice")
        #expect(try await e.jsonpath("mv", "churn-v2", "{.status.history[-1:].to}") == "Production")
        let approvedAt = try await e.jsonpath("mv", "churn-v2", "{.status.history[-1:].at}")
        #expect(KubeTime.parse(approvedAt) != nil, "approval time recorded in status.history: \(approvedAt)")
        #expect(try await e.jsonpath("mv", "churn-v2", "{.status.promotedAt}") == approvedAt)
        let approval = try await e.events("churn-v2").first { $0.reason == "Approved" }
        #expect(approval?.message.contains("alice") == true, "an Approved event names the approver: \(String(describing: approval))")

        // churn-v2's pod runs but does not listen yet: traffic stays on churn-v1, whose pods are kept.
        try await e.waitFor("churn-v2's pod is running (unready)") {
            try await e.k("get", "pods", "-l", "ml.sextant.dev/model-version=churn-v2", "-o", "jsonpath={.items[*].status.phase}") == "Running"
        }
        try await e.waitFor("mv", "churn-v2", "{.status.conditions[?(@.type==\"Serving\")].reason}", equals: "DeploymentNotAvailable")
        #expect(try await e.jsonpath("svc", "churn", selectorPath) == "churn-v1")
        #expect(try await e.jsonpath("deploy", "churn-v1", "{.status.availableReplicas}") == "1")

        // churn-v2 starts listening: watch the stable Service through the switch.
        FileManager.default.createFile(atPath: gate.path, contents: Data())
        var samples: [TrafficSample] = []
        try await e.waitFor("traffic on churn-v2 and churn-v1's Deployment deleted", timeout: 60) {
            let s = try await trafficSample(e, model: "churn")
            samples.append(s)
            guard s.selected == "churn-v2", !s.readyPods.isEmpty, s.readyPods.allSatisfy({ $0.hasPrefix("churn-v2-") }) else { return false }
            return !(try await e.kubectl.run(["get", "deploy", "churn-v1"])).succeeded
        }
        let empty = samples.filter { $0.selected.isEmpty || $0.readyPods.isEmpty }
        #expect(empty.isEmpty, "the stable Service must always select ready pods during the switch: \(samples)")
        try await e.waitFor("mv", "churn-v2", servingStatus, equals: "True")
        #expect(try await e.eventReasons("churn-v2").contains("TrafficSwitched"))
    }

@Test("rollback: archiving the new Production version restores the superseded one and the stable Service follows")
    func rollback() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await e.apply(version("churn-v1", 1, auc: 0.95))
        try await e.waitFor("mv", "churn-v1", "{.status.stage}", equals: "Production")
        try await e.apply(version("churn-v2", 2, auc: 0.96, promotion: "{compareToProduction: {metric: auc}}"))
        try await e.waitFor("mv", "churn-v2", "{.status.stage}", equals: "Production")
        try await e.waitFor("svc", "churn", selectorPath, equals: "churn-v2")

        try await e.k("patch", "mv", "churn-v2", "--type=merge", "-p", "{\"spec\":{\"stage\":\"Archived\"}}")
        try await e.waitFor("mv", "churn-v1", "{.status.stage}", equals: "Production")
        #expect(try await e.jsonpath("mv", "churn-v1", promotedReason) == "Restored")
        #expect(try await e.jsonpath("mv", "churn-v1", "{.status.history[-1:].reason}") == "Restored")
        try await e.waitFor("svc", "churn", selectorPath, equals: "churn-v1")
        try await e.waitFor("mv", "churn-v1", servingStatus, equals: "True")
        try await e.waitFor("the archived version's Deployment is deleted") {
            !(try await e.kubectl.run(["get", "deploy", "churn-v2"])).succeeded
        }
        #expect(try await e.jsonpath("mv", "churn-v2", "{.status.stage}") == "Archived")
        #expect(try await e.jsonpath("mv", "churn-v2", "{.status.history[-1:].to}") == "Archived")
    }

    @Test("GatesNotMet, NotBetterThanProduction and DuplicateVersion keep Production and the stable Service unchanged")
    func blockedReasons() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await e.apply(version("churn-v1", 1, auc: 0.92))
        try await e.waitFor("svc", "churn", selectorPath, equals: "churn-v1")

        try await e.apply(version("churn-v2", 2, auc: 0.80, promotion: "{gates: [{metric: auc, min: 0.85}]}"))
        try await e.waitFor("mv", "churn-v2", promotedReason, equals: "GatesNotMet")
        #expect(try await e.jsonpath("svc", "churn", selectorPath) == "churn-v1")
        #expect(try await e.jsonpath("mv", "churn-v2", "{.status.gates[0].passed}") == "false")
        #expect(try await e.jsonpath("mv", "churn-v2", "{.status.gates[0].value}") == "0.8")
        #expect(try await e.jsonpath("mv", "churn-v2", readyReason) == "GatesNotMet")

        try await e.apply(version("churn-v3", 3, auc: 0.921, promotion: "{compareToProduction: {metric: auc, minImprovement: 0.01}}"))
        try await e.waitFor("mv", "churn-v3", promotedReason, equals: "NotBetterThanProduction")
        #expect(try await e.jsonpath("mv", "churn-v3", "{.status.stage}") == "None")
        #expect(try await e.jsonpath("svc", "churn", selectorPath) == "churn-v1")

        try await e.apply(version("churn-one-again", 1, auc: 0.99))
        try await e.waitFor("mv", "churn-one-again", readyReason, equals: "DuplicateVersion")
        #expect(try await e.jsonpath("mv", "churn-one-again", "{.status.stage}") == "None")

        #expect(try await e.jsonpath("mv", "churn-v1", "{.status.stage}") == "Production")
        #expect(try await e.jsonpath("svc", "churn", selectorPath) == "churn-v1")
        for name in ["churn-v2", "churn-v3", "churn-one-again"] {
            #expect(!(try await e.kubectl.run(["get", "deploy", name])).succeeded, "\(name) must not be served")
        }
        #expect(try await e.eventReasons("churn-v2").contains("GatesNotMet"))
    }

    @Test("a pipeline registering with stage Production and gates is served with no human step; one whose metric fails the gate gets GatesNotMet and nothing moves")
    func pipelineRegistersAndPromotesThroughGates() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await e.apply(pipeline("train-good", auc: 0.93))
        try await e.waitFor("mlp", "train-good", "{.status.lineage.modelVersion}", equals: "churn-v1", timeout: 60)
        #expect(try await e.jsonpath("mlp", "train-good", "{.status.phase}") == "Succeeded")
        #expect(try await e.jsonpath("mv", "churn-v1", "{.spec.source.pipeline}") == "train-good")
        #expect(try await e.jsonpath("mv", "churn-v1", "{.spec.artifact.uri}") == "s3://models/churn/train-good")
        try await e.waitFor("mv", "churn-v1", "{.status.stage}", equals: "Production")
        #expect(try await e.jsonpath("mv", "churn-v1", "{.status.gates[0].passed}") == "true")
        try await e.waitFor("deploy", "churn-v1", "{.status.conditions[?(@.type==\"Available\")].status}", equals: "True")
        try await e.waitFor("mv", "churn-v1", servingStatus, equals: "True")
        try await e.waitFor("mv", "churn-v1", "{.status.conditions[?(@.type==\"Ready\")].status}", equals: "True")
        try await e.waitFor("svc", "churn", selectorPath, equals: "churn-v1")
        #expect(try await e.jsonpath("mv", "churn-v1", "{.status.lineage.pipeline}") == "train-good")

        try await e.apply(pipeline("train-weak", auc: 0.85))
        try await e.waitFor("mlp", "train-weak", "{.status.lineage.modelVersion}", equals: "churn-v2", timeout: 60)
        try await e.waitFor("mv", "churn-v2", promotedReason, equals: "GatesNotMet")
        try await e.waitFor("mv", "churn-v2", "{.status.conditions[?(@.type==\"Ready\")].status}", equals: "False")
        #expect(try await e.jsonpath("mv", "churn-v2", readyReason) == "GatesNotMet")
        #expect(try await e.jsonpath("mv", "churn-v2", "{.status.stage}") == "None")
        #expect(try await e.jsonpath("mv", "churn-v2", "{.status.gates[0].value}") == "0.85")
        #expect(try await e.eventReasons("churn-v2").contains("GatesNotMet"))
        #expect(!(try await e.kubectl.run(["get", "deploy", "churn-v2"])).succeeded, "a version that failed its gates is not served")
        #expect(try await e.jsonpath("mv", "churn-v1", "{.status.stage}") == "Production")
        #expect(try await e.jsonpath("svc", "churn", selectorPath) == "churn-v1")
    }
}

/// A one-step pipeline (simulate executor) whose `train` step reports a model and its `auc`,
/// registering it for Production behind a gate `auc >= 0.9`.
private func pipeline(_ name: String, auc: Double) -> String {
    #"""
    apiVersion: ml.sextant.dev/v1alpha1
    kind: MLPipeline
    metadata: {name: \#(name), namespace: default}
    spec:
      steps:
        - name: train
          container:
            image: ghcr.io/acme/churn:1.4
            command: [python, train.py]
            podMetadata:
              annotations:
                dev.sextant.dev/simulate: '{"exitCode":0,"seconds":0,"message":"{\"artifacts\":{\"model\":\"s3://models/churn/\#(name)\"},\"metrics\":{\"auc\":\#(auc)}}"}'
          outputs: {artifacts: [model], metrics: [auc]}
      register:
        model: churn
        artifact: "{{steps.train.outputs.artifacts.model}}"
        metricsFrom: train
        stage: Production
        promotion: {gates: [{metric: auc, min: 0.9}]}
        serving: {image: ghcr.io/acme/churn-server:2.0, replicas: 1, port: 8080}
    """#
}
