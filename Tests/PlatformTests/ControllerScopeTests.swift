import Foundation
import KubeCore
import Testing
import TestSupport

/// `sextant controller` (the binary the chart deploys) against `sextant dev --no-controller`: which
/// namespaces it watches, the order of the Events it records, and the audit log of that real run.
@Suite("sextant controller: namespaces watched by default, Events in order, audited creates named", .serialized)
struct ControllerScopeTests {
    static let pipelineFile = "examples/pipelines/three-step.yaml"

    @Test("without namespace flags the controller watches all namespaces (a pipeline in a second namespace runs, Events in the order things happened, every audited create names its object); with --namespace it stays restricted")
    func defaultWatchesAllNamespaces() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("controller-scope-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let audit = dir.appendingPathComponent("audit.jsonl")
        let cluster = try await DevClusterProcess.start(
            extraArguments: ["--no-controller", "--executor", "simulate", "--audit-log-path", audit.path],
            dataDirectory: dir.appendingPathComponent("dev"))
        defer { cluster.stop() }
        let k = Steps(cluster: cluster)
        try await k.waitFor("the CRDs are served") { (try? await cluster.kubectl.run(["get", "mlp"]))?.exitCode == 0 }
        // Neither namespace is the kubeconfig context's (`default`), which the old default watched.
        try await k.run("create", "namespace", "ml")
        try await k.run("create", "namespace", "research")
        let quiet = ["--metrics-bind-address", "0", "--health-probe-bind-address", "0"]

        // The chart's namespaces mode: --namespace restricts the controller to the namespaces named.
        let restricted = try ControllerProcess.start(cluster: cluster, arguments: ["--namespace", "ml"] + quiet,
                                                     log: dir.appendingPathComponent("restricted.log"))
        k.controller = restricted
        try await k.run("-n", "ml", "apply", "-f", repoRoot.appendingPathComponent(Self.pipelineFile).path)
        try await k.run("-n", "research", "apply", "-f", repoRoot.appendingPathComponent(Self.pipelineFile).path)
        try await k.waitFor(phase: "Succeeded", namespace: "ml")
        #expect(restricted.log().contains("watching namespaces: ml"), "start-up line: \(restricted.log().prefix(2000))")
        let untouched = try await k.run("-n", "research", "get", "mlp", "three-step", "-o", "jsonpath={.status.phase}")
        #expect(untouched.isEmpty, "a controller started with --namespace ml reconciled research/three-step: phase \(untouched)")
        restricted.stop()

        // No namespace flag: every namespace, and the start-up log says so.
        let unrestricted = try ControllerProcess.start(cluster: cluster, arguments: quiet, log: dir.appendingPathComponent("all.log"))
        defer { unrestricted.stop() }
        k.controller = unrestricted
        try await k.waitFor(phase: "Succeeded", namespace: "research")
        #expect(unrestricted.log().contains("watching all namespaces"), "start-up line: \(unrestricted.log().prefix(2000))")
        let registered = try await k.run("-n", "research", "get", "mlp", "three-step", "-o", "jsonpath={.status.lineage.modelVersion}")
        #expect(!registered.isEmpty, "the run registered no ModelVersion")

        try await Self.checkEventOrder(k, namespace: "research", modelVersion: registered)
        unrestricted.stop()
        cluster.stop()
        try Self.checkAuditedCreatesNamed(audit)
    }

    /// The run's Events sorted as `kubectl describe` sorts them (series.lastObservedTime, else
    /// lastTimestamp, else eventTime) read in causal order, with distinct times where order
    /// matters (kubectl's sort is not stable), and `kubectl describe` prints them so.
    static func checkEventOrder(_ k: Steps, namespace: String, modelVersion: String) async throws {
        var listed: JSONValue = .null
        // The recorder sends off the reconcile path: wait until the run's last Event is there.
        try await k.waitFor("the run's Events are recorded") {
            listed = try JSONValue.parse(try await k.run("-n", namespace, "get", "events", "-o", "json"))
            return (listed["items"]?.arrayValue ?? []).contains { $0["reason"] == "Succeeded" && $0[path: ["involvedObject", "name"]] == "three-step" }
        }
        struct Seen { var time: String; var reason: String; var note: String; var count: Int64 }
        let seen = (listed["items"]?.arrayValue ?? [])
            .filter { $0[path: ["involvedObject", "kind"]] == "MLPipeline" && $0[path: ["involvedObject", "name"]] == "three-step" }
            .map { e in
                let time = e[path: ["series", "lastObservedTime"]]?.stringValue ?? e["lastTimestamp"]?.stringValue ?? e["eventTime"]?.stringValue ?? ""
                return Seen(time: time, reason: e["reason"]?.stringValue ?? "", note: e["message"]?.stringValue ?? "",
                            count: e[path: ["series", "count"]]?.intValue ?? 1)
            }
            // All MicroTime written by one formatter (RFC 3339, 6 fractional digits, Z): as text they
            // sort as times, to the microsecond (a Date parse may keep only milliseconds).
            .sorted { $0.time < $1.time }
        #expect(!seen.isEmpty && seen.allSatisfy { !$0.time.isEmpty }, "Events without a time")
        let story = seen.map { "\($0.time) \($0.reason): \($0.note)\($0.count > 1 ? " (x\($0.count))" : "")" }.joined(separator: "\n")
        func index(_ reason: String, _ note: String = "") throws -> Int {
            try #require(seen.firstIndex { $0.reason == reason && (note.isEmpty || $0.note.contains(note)) }, "no \(reason) \(note) event in\n\(story)")
        }
        let evaluated = try index("StepSucceeded", "step evaluate succeeded")
        let modelRegistered = try index("ModelRegistered", modelVersion)
        let succeeded = try index("Succeeded")
        // A pass that reads a pipeline older than its own last status write (the cache lags behind
        // it) records a transition again; the correlator turns the repeat into a series whose
        // lastObservedTime moves the Event later. So only orders such a repeat cannot break are
        // asserted: a Job exists before its step can succeed, and a repeat of StepStarted is never
        // recorded (an existing Job is adopted silently).
        for step in ["prepare", "train", "evaluate"] {
            #expect(try index("StepStarted", "step \(step)") < index("StepSucceeded", "step \(step) succeeded"), "\(story)")
        }
        #expect(evaluated < modelRegistered && modelRegistered < succeeded,
                "ModelRegistered must follow the StepSucceeded of the step it came from and precede Succeeded:\n\(story)")
        #expect(seen[evaluated].time < seen[modelRegistered].time && seen[modelRegistered].time < seen[succeeded].time,
                "equal times would let kubectl print them in any order:\n\(story)")

        // What a user reads: `kubectl describe mlp` lists them in that order.
        let described = try await k.run("-n", namespace, "describe", "mlp", "three-step")
        let eventLines = described.split(separator: "\n").drop { !$0.hasPrefix("Events:") }.map(String.init)
        let stepLine = try #require(eventLines.firstIndex { $0.contains("StepSucceeded") && $0.contains("step evaluate succeeded") }, "\(described)")
        let registeredLine = try #require(eventLines.firstIndex { $0.contains("ModelRegistered") }, "\(described)")
        #expect(stepLine < registeredLine, "kubectl describe lists ModelRegistered before the StepSucceeded it came from:\n\(eventLines.joined(separator: "\n"))")
    }

    /// Every create in the run's audit log (kubectl's and the controller's: namespaces, pipelines,
    /// Jobs, Events, the ModelVersion) names its object in `objectRef.name`.
    static func checkAuditedCreatesNamed(_ audit: URL) throws {
        let lines = try String(contentsOf: audit, encoding: .utf8).split(separator: "\n")
        let creates = try lines.map { try JSONValue.parse(String($0)) }
            .filter { $0["verb"] == "create" && $0[path: ["objectRef", "resource"]] != nil }
        let resources = Set(creates.compactMap { $0[path: ["objectRef", "resource"]]?.stringValue })
        #expect(resources.isSuperset(of: ["namespaces", "mlpipelines", "jobs", "events", "modelversions"]), "creates seen: \(resources.sorted())")
        let unnamed = creates.filter { ($0[path: ["objectRef", "name"]]?.stringValue ?? "").isEmpty }
        #expect(unnamed.isEmpty, "\(unnamed.count) of \(creates.count) create lines leave objectRef.name empty, e.g. \(unnamed.prefix(3).map(\.jsonString))")
    }
}

/// kubectl steps against the cluster, failing with the controller's and the server's logs.
final class Steps: @unchecked Sendable {
    let cluster: DevClusterProcess
    private let lock = NSLock()
    private var current: ControllerProcess?

    init(cluster: DevClusterProcess) { self.cluster = cluster }

    var controller: ControllerProcess? {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    func logs() -> String {
        "controller log (tail):\n\(controller?.log().suffix(3000) ?? "")\ndev log (tail):\n\(cluster.log().suffix(1500))"
    }

    /// Runs kubectl and returns stdout; a failure fails the test.
    @discardableResult
    func run(_ arguments: String...) async throws -> String {
        let result = try await cluster.kubectl.run(arguments)
        try #require(result.exitCode == 0, "kubectl \(arguments.joined(separator: " ")):\n\(result.stderr)\n\(logs())")
        return result.stdout
    }

    func waitFor(_ what: String, timeout: Double = 120, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("timed out waiting for \(what)\n\(logs())")
        throw TestSupportError.timeout("waiting for \(what)")
    }

    /// Waits until three-step in `namespace` reaches `phase`.
    func waitFor(phase: String, namespace: String) async throws {
        try await waitFor("\(namespace)/three-step \(phase)") {
            let r = try await cluster.kubectl.run(["-n", namespace, "get", "mlp", "three-step", "-o", "jsonpath={.status.phase}"])
            return r.exitCode == 0 && r.stdout == phase
        }
    }
}
