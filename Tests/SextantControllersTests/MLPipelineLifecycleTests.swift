import Foundation
import KubeCore
import TestSupport
import Testing

/// Cancel, spec immutability, run and step timeouts, parallelism and registration numbering on a
/// real `sextant dev` (simulate executor, in-process operator), checked with stock kubectl.
@Suite("MLPipeline lifecycle end to end on sextant dev", .serialized)
struct MLPipelineLifecycleTests {
    /// A `dev.sextant.dev/simulate` annotation value, quoted for YAML flow style.
    static func simulate(exitCode: Int = 0, seconds: Int, message: String? = nil) -> String {
        var object: [String: JSONValue] = ["exitCode": .int(Int64(exitCode)), "seconds": .int(Int64(seconds))]
        if let message { object["message"] = .string(message) }
        let json = JSONValue.object(object).jsonString
        return "'" + json.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// A container step in YAML flow style.
    static func step(_ name: String, dependsOn: [String] = [], sim: String, extra: String = "") -> String {
        let deps = dependsOn.isEmpty ? "" : "dependsOn: [\(dependsOn.joined(separator: ", "))], "
        return "  - {name: \(name), \(deps)\(extra)container: {image: ghcr.io/acme/step:1, podMetadata: {annotations: {dev.sextant.dev/simulate: \(sim)}}}}"
    }

    static func pipeline(_ name: String, spec: String = "", steps: [String]) -> String {
        """
        apiVersion: ml.sextant.dev/v1alpha1
        kind: MLPipeline
        metadata: {name: \(name), namespace: default}
        spec:
        \(spec.isEmpty ? "" : "  " + spec + "\n")  steps:
        \(steps.joined(separator: "\n"))
        """
    }

    func kubectl(_ cluster: DevClusterProcess, _ args: [String], stdin: String? = nil, timeout: Double = 120) async throws -> CommandResult {
        let r = try await cluster.kubectl.run(["-n", "default"] + args, stdin: stdin, timeout: timeout)
        if !r.succeeded { Issue.record("kubectl \(args.joined(separator: " ")) failed: \(r.stderr)\n\(cluster.log().suffix(3000))") }
        return r
    }

    func get(_ cluster: DevClusterProcess, _ object: String, _ jsonpath: String) async throws -> String {
        try await kubectl(cluster, ["get", object, "-o", "jsonpath=\(jsonpath)"]).stdout
    }

    @Test("spec edits other than cancel are rejected with 422; cancel deletes the running Job, cancels unfinished steps and ends the run Cancelled")
    func cancelAndImmutability() async throws {
        let cluster = try await DevClusterProcess.start()
        defer { cluster.stop() }
        let yaml = Self.pipeline("stop-me", steps: [
            Self.step("long", sim: Self.simulate(seconds: 600)),
            Self.step("after", dependsOn: ["long"], sim: Self.simulate(seconds: 0)),
        ])
        _ = try await kubectl(cluster, ["apply", "-f", "-"], stdin: yaml)
        _ = try await kubectl(cluster, ["wait", "--for=jsonpath={.status.steps[0].phase}=Running", "mlp/stop-me", "--timeout=60s"], timeout: 70)
        _ = try await kubectl(cluster, ["wait", "--for=jsonpath={.status.active}=1", "job/stop-me-long-0", "--timeout=60s"], timeout: 70)

        // Immutability: kubectl patch, kubectl edit and a raw merge patch are all refused with the rule's message.
        let rule = "spec is immutable after creation except spec.cancel"
        let patched = try await cluster.kubectl.run(["-n", "default", "patch", "mlp", "stop-me", "--type", "merge", "-p", #"{"spec":{"parallelism":3}}"#])
        #expect(!patched.succeeded && patched.stderr.contains(rule), "kubectl patch: \(patched.stdout) \(patched.stderr)")
        let edited = try await ProcessRunner.run(
            cluster.kubectl.executable, ["-n", "default", "edit", "mlp", "stop-me"],
            environment: ["KUBECONFIG": cluster.kubeconfigPath, "KUBE_EDITOR": "sed -i s#acme/step:1#acme/step:2#"])
        // kubectl edit reopens the file with the server's reasons in its header, then keeps a copy.
        #expect(!edited.succeeded && edited.stderr.contains("is invalid"), "kubectl edit: \(edited.stdout) \(edited.stderr)")
        if let copy = edited.stderr.split(separator: "\"").first(where: { $0.contains("kubectl-edit-") }).map(String.init) {
            let header = (try? String(contentsOfFile: copy, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: copy)
            #expect(header.contains("spec: Forbidden: \(rule)"), "\(header.prefix(600))")
        } else {
            Issue.record("kubectl edit kept no copy of the rejected edit: \(edited.stderr)")
        }
        let raw = try await cluster.request(
            "PATCH", "/apis/ml.sextant.dev/v1alpha1/namespaces/default/mlpipelines/stop-me",
            body: #"{"spec":{"params":{"x":"y"}}}"#, contentType: "application/merge-patch+json")
        #expect(raw.status == 422, "\(raw.body)")
        #expect(raw.json?["reason"]?.stringValue == "Invalid" && raw.body.contains(rule), "\(raw.body)")
        #expect(try await get(cluster, "mlp/stop-me", "{.spec.parallelism}{.spec.steps[0].container.image}") == "ghcr.io/acme/step:1")

        // Cancel is the one field that may change.
        _ = try await kubectl(cluster, ["patch", "mlp", "stop-me", "--type", "merge", "-p", #"{"spec":{"cancel":true}}"#])
        _ = try await kubectl(cluster, ["wait", "--for=jsonpath={.status.phase}=Cancelled", "mlp/stop-me", "--timeout=60s"], timeout: 70)
        _ = try await kubectl(cluster, ["wait", "--for=condition=Succeeded=False", "mlp/stop-me", "--timeout=30s"], timeout: 40)
        #expect(try await get(cluster, "mlp/stop-me", #"{.status.conditions[?(@.type=="Succeeded")].reason} {.status.conditions[?(@.type=="Ready")].status}"#) == "Cancelled False")
        #expect(try await get(cluster, "mlp/stop-me", "{.status.steps[*].phase} {.status.steps[0].attempts[0].reason} {.status.steps[1].attempts}") == "Cancelled Cancelled Cancelled ")
        _ = try await kubectl(cluster, ["wait", "--for=delete", "job/stop-me-long-0", "--timeout=60s"], timeout: 70)
        #expect(try await kubectl(cluster, ["get", "jobs", "-l", "ml.sextant.dev/pipeline=stop-me", "-o", "name"]).stdout.isEmpty)
        let describe = try await kubectl(cluster, ["describe", "mlp", "stop-me"]).stdout
        #expect(describe.contains("Cancelled") && describe.contains("run cancelled"), "\(describe)")
        #expect(try await get(cluster, "mlp/stop-me", "{.status.finishedAt}").isEmpty == false)
    }

    @Test("a run past its timeoutSeconds has its running Job deleted, unfinished steps Cancelled and ends Failed with reason RunTimeout")
    func runTimeout() async throws {
        let cluster = try await DevClusterProcess.start()
        defer { cluster.stop() }
        let yaml = Self.pipeline("slow-run", spec: "timeoutSeconds: 4", steps: [
            Self.step("quick", sim: Self.simulate(seconds: 0)),
            Self.step("long", dependsOn: ["quick"], sim: Self.simulate(seconds: 600)),
            Self.step("after", dependsOn: ["long"], sim: Self.simulate(seconds: 0)),
        ])
        _ = try await kubectl(cluster, ["apply", "-f", "-"], stdin: yaml)
        _ = try await kubectl(cluster, ["wait", "--for=jsonpath={.status.phase}=Failed", "mlp/slow-run", "--timeout=90s"], timeout: 100)
        #expect(try await get(cluster, "mlp/slow-run", #"{.status.conditions[?(@.type=="Succeeded")].status} {.status.conditions[?(@.type=="Succeeded")].reason}"#) == "False RunTimeout")
        #expect(try await get(cluster, "mlp/slow-run", "{.status.steps[*].phase} {.status.steps[1].attempts[0].reason}") == "Succeeded Cancelled Cancelled RunTimeout")
        _ = try await kubectl(cluster, ["wait", "--for=delete", "job/slow-run-long-0", "--timeout=60s"], timeout: 70)
        let jobs = try await kubectl(cluster, ["get", "jobs", "-l", "ml.sextant.dev/pipeline=slow-run", "-o", "name"]).stdout
        #expect(jobs.split(separator: "\n") == ["job.batch/slow-run-quick-0"])
        let describe = try await kubectl(cluster, ["describe", "mlp", "slow-run"]).stdout
        #expect(describe.contains("RunTimeout"), "\(describe)")
    }

    @Test("a step's timeoutSeconds becomes the Job's activeDeadlineSeconds; each attempt past it fails DeadlineExceeded and is retried")
    func stepTimeout() async throws {
        let cluster = try await DevClusterProcess.start()
        defer { cluster.stop() }
        let yaml = Self.pipeline("slow-step", steps: [
            Self.step("hang", sim: Self.simulate(seconds: 600), extra: "timeoutSeconds: 2, retry: {limit: 1, backoff: {initialSeconds: 0}}, "),
            Self.step("after", dependsOn: ["hang"], sim: Self.simulate(seconds: 0)),
        ])
        _ = try await kubectl(cluster, ["apply", "-f", "-"], stdin: yaml)
        _ = try await kubectl(cluster, ["wait", "--for=jsonpath={.status.phase}=Failed", "mlp/slow-step", "--timeout=90s"], timeout: 100)
        #expect(try await get(cluster, "job/slow-step-hang-0", "{.spec.activeDeadlineSeconds}") == "2")
        #expect(try await get(cluster, "job/slow-step-hang-1", #"{.status.conditions[?(@.type=="Failed")].reason}"#) == "DeadlineExceeded")
        #expect(try await get(cluster, "mlp/slow-step", "{.status.steps[*].phase} {.status.steps[0].attempts[*].reason} {.status.steps[0].attempts[*].job}")
                == "Failed Skipped DeadlineExceeded DeadlineExceeded slow-step-hang-0 slow-step-hang-1")
        #expect(try await get(cluster, "mlp/slow-step", #"{.status.conditions[?(@.type=="Succeeded")].reason}"#) == "StepFailed")
        let describe = try await kubectl(cluster, ["describe", "mlp", "slow-step"]).stdout
        #expect(describe.contains("StepRetrying") && describe.contains("DeadlineExceeded") && describe.contains("attempt 1 started as Job slow-step-hang-1"), "\(describe)")
    }

    @Test("parallelism 2 keeps at most two of four independent steps running at once, and does run two at once")
    func parallelism() async throws {
        let cluster = try await DevClusterProcess.start()
        defer { cluster.stop() }
        let sim = Self.simulate(seconds: 3)
        let yaml = Self.pipeline("two-at-a-time", spec: "parallelism: 2", steps: ["a", "b", "c", "d"].map { Self.step($0, sim: sim) })
        _ = try await kubectl(cluster, ["apply", "-f", "-"], stdin: yaml)
        // Sample the live Jobs while the run goes: never more than two unfinished ones.
        var maxUnfinished = 0
        var phase = ""
        let deadline = Date().addingTimeInterval(120)
        while phase != "Succeeded" && Date() < deadline {
            let completions = try await kubectl(cluster, ["get", "jobs", "-l", "ml.sextant.dev/pipeline=two-at-a-time", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.succeeded};{end}"]).stdout
            let unfinished = completions.split(separator: ";").filter { !$0.hasSuffix("=1") }.count
            maxUnfinished = max(maxUnfinished, unfinished)
            phase = try await get(cluster, "mlp/two-at-a-time", "{.status.phase}")
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(phase == "Succeeded")
        #expect(maxUnfinished <= 2 && maxUnfinished >= 1, "saw \(maxUnfinished) unfinished Jobs at once")
        // The recorded attempts tell the same: intervals [startedAt, finishedAt) overlap at most two deep, and two deep at least once.
        let spans = try await get(cluster, "mlp/two-at-a-time", "{range .status.steps[*].attempts[*]}{.startedAt},{.finishedAt};{end}")
        var edges: [(Date, Int)] = []
        for span in spans.split(separator: ";") {
            let parts = span.split(separator: ",").map(String.init)
            let start = try #require(parts.first.flatMap(KubeTime.parse)), end = try #require(parts.last.flatMap(KubeTime.parse))
            edges += [(start, 1), (end, -1)]
        }
        #expect(edges.count == 8)
        edges.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }  // ends before starts at the same second
        var depth = 0, maxDepth = 0
        for (_, delta) in edges {
            depth += delta
            maxDepth = max(maxDepth, depth)
        }
        #expect(maxDepth == 2, "attempt spans: \(spans)")
    }

    @Test("register takes the next free version number, past a name another model holds (AlreadyExists), once per run")
    func registerNextFreeVersion() async throws {
        let cluster = try await DevClusterProcess.start()
        defer { cluster.stop() }
        let existing = """
        apiVersion: ml.sextant.dev/v1alpha1
        kind: ModelVersion
        metadata: {name: reg-v1, namespace: default}
        spec: {model: reg, version: 1, artifact: {uri: "s3://m/1"}}
        ---
        apiVersion: ml.sextant.dev/v1alpha1
        kind: ModelVersion
        metadata: {name: reg-v2, namespace: default}
        spec: {model: squatter, version: 7, artifact: {uri: "s3://s/7"}}
        """
        _ = try await kubectl(cluster, ["apply", "-f", "-"], stdin: existing)
        let out = Self.simulate(seconds: 0, message: #"{"artifacts":{"m":"s3://out/m"},"metrics":{"auc":0.8}}"#)
        var runs: [String] = []
        for name in ["reg-a", "reg-b"] {
            runs.append(Self.pipeline(name, steps: [Self.step("train", sim: out, extra: "outputs: {artifacts: [m], metrics: [auc]}, ")])
                + "\n  register: {model: reg, artifact: \"{{steps.train.outputs.artifacts.m}}\", metricsFrom: train}")
        }
        _ = try await kubectl(cluster, ["apply", "-f", "-"], stdin: runs.joined(separator: "\n---\n"))
        for name in ["reg-a", "reg-b"] {
            _ = try await kubectl(cluster, ["wait", "--for=condition=Succeeded", "mlp/\(name)", "--timeout=90s"], timeout: 100)
        }
        let a = try await get(cluster, "mlp/reg-a", "{.status.lineage.modelVersion}")
        let b = try await get(cluster, "mlp/reg-b", "{.status.lineage.modelVersion}")
        #expect(Set([a, b]) == ["reg-v3", "reg-v4"], "registered \(a) and \(b)")
        let versions = try await kubectl(cluster, ["get", "mv", "-l", "ml.sextant.dev/model=reg", "-o", "jsonpath={range .items[*]}{.metadata.name}:{.spec.version}:{.spec.source.pipeline};{end}"]).stdout
        #expect(Set(versions.split(separator: ";").map(String.init)) == ["\(a):\(a.dropFirst(5)):reg-a", "\(b):\(b.dropFirst(5)):reg-b"], "\(versions)")
        #expect(try await get(cluster, "mv/reg-v2", "{.spec.model}") == "squatter")
        let table = try await kubectl(cluster, ["get", "mlp"]).stdout
        #expect(table.contains("AGE") && table.contains(a) && table.contains(b), "\(table)")
    }
}
