import Foundation
import KubeCore
import Testing
import TestSupport
@testable import SextantControllers

private func policy(_ name: String, schedule: String = "0 0 1 1 *", extra: String = "") -> String {
    """
    apiVersion: ml.sextant.dev/v1alpha1
    kind: RetrainPolicy
    metadata: {name: \(name), namespace: default}
    spec:
      schedule: "\(schedule)"
    \(extra.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n"))
      pipeline:
        metadata: {labels: {team: growth}}
        spec:
          steps:
            - name: train
              container:
                image: busybox
                command: [sh, -c, "sleep 3600"]
                podMetadata: {annotations: {dev.sextant.dev/simulate: '{"exitCode":0,"seconds":3600}'}}
    """
}

private func shortHash(_ s: String) -> String { RetrainPlanner.shortHash(s) }

/// Names of the runs of a policy.
private func runs(_ e: RegistryE2E, _ policy: String) async throws -> [String] {
    let out = try await e.kubectl.run(["get", "mlp", "-l", "ml.sextant.dev/retrain-policy=\(policy)", "-o", "jsonpath={.items[*].metadata.name}"])
    return out.stdout.split(separator: " ").map(String.init).sorted()
}

@Suite("RetrainPolicy end to end (sextant dev + sextant controller + kubectl)", .serialized)
struct RetrainPolicyE2ETests {
    @Test("a manual trigger value runs once; Forbid skips a new value while that run is active")
    func manualTriggerIdempotentAndForbid() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await e.apply(policy("nightly", extra: "concurrencyPolicy: Forbid"))
        try await e.waitFor("rp", "nightly", "{.status.conditions[?(@.type==\"Ready\")].status}", equals: "True")
        try await e.k("annotate", "rp", "nightly", "ml.sextant.dev/trigger=first")
        let first = "nightly-\(shortHash("first"))"
        try await e.waitFor("a run for the first trigger") { try await runs(e, "nightly") == [first] }
        #expect(try await e.jsonpath("mlp", first, "{.metadata.labels.team}") == "growth")
        #expect(try await e.jsonpath("mlp", first, "{.metadata.ownerReferences[0].kind}") == "RetrainPolicy")
        try await e.waitFor("rp", "nightly", "{.status.lastTrigger.reason}", equals: "Manual")
        #expect(try await e.jsonpath("rp", "nightly", "{.status.runsCreated}") == "1")

        // Re-applying the same value (and unrelated edits) creates nothing new.
        try await e.k("annotate", "rp", "nightly", "ml.sextant.dev/trigger=first", "--overwrite")
        try await e.k("label", "rp", "nightly", "touched=yes")
        try await Task.sleep(for: .seconds(2))
        #expect(try await runs(e, "nightly") == [first])

        // A new value while the manual run is active: Forbid skips it (manual runs count).
        try await e.k("annotate", "rp", "nightly", "ml.sextant.dev/trigger=second", "--overwrite")
        try await e.waitFor("a Forbid event") { try await e.eventReasons("nightly").contains("Forbid") }
        #expect(try await runs(e, "nightly") == [first])
        #expect(try await e.jsonpath("rp", "nightly", "{.status.observedTrigger}") == "second")
    }

    @Test("after downtime only the most recent missed schedule runs, and only within startingDeadlineSeconds")
    func catchUpWithinDeadline() async throws {
        let e = try await RegistryE2E.start(startController: false)
        defer { e.stop() }
        try await e.apply(policy("hourly", schedule: "0 * * * *", extra: "startingDeadlineSeconds: 600"))
        try await e.apply(policy("strict", schedule: "0 * * * *", extra: "startingDeadlineSeconds: 5"))
        // The controller comes up "3 hours later", 20 s after an hour boundary.
        let real = Date()
        let boundary = (floor(real.timeIntervalSince1970 / 3600) + 3) * 3600
        let offset = boundary + 20 - real.timeIntervalSince1970
        try e.startController(clockOffset: offset)
        let expected = "hourly-\(Int(boundary / 60))"
        try await e.waitFor("one catch-up run") { try await runs(e, "hourly") == [expected] }
        try await e.waitFor("rp", "hourly", "{.status.nextScheduleTime}", equals: KubeTime.format(Date(timeIntervalSince1970: boundary + 3600)))
        try await e.waitFor("a DeadlineMissed event") { try await e.eventReasons("strict").contains("DeadlineMissed") }
        #expect(try await runs(e, "strict").isEmpty)
        let detail = try await e.jsonpath("rp", "hourly", "{.status.lastTrigger.detail}")
        #expect(detail.contains("schedule times were missed"))
    }

    @Test("Replace cancels the active run, starts the new one once it reports Cancelled and keeps it in history",
          .disabled("scripts the run's phase by hand, but the in-process MLPipeline controller now cancels the run itself within the 1 s window; needs a long-running step to hold it Running"))
    func replace() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await e.apply(policy("weekly", extra: "concurrencyPolicy: Replace\nfailedRunsHistoryLimit: 1"))
        try await e.k("annotate", "rp", "weekly", "ml.sextant.dev/trigger=a")
        let a = "weekly-\(shortHash("a"))", b = "weekly-\(shortHash("b"))"
        try await e.waitFor("run a") { try await runs(e, "weekly") == [a] }
        try await e.setRunPhase(a, "Running")
        try await e.k("annotate", "rp", "weekly", "ml.sextant.dev/trigger=b", "--overwrite")
        try await e.waitFor("mlp", a, "{.spec.cancel}", equals: "true")
        try await Task.sleep(for: .seconds(1))
        #expect(try await runs(e, "weekly") == [a], "the new run must wait for the old one to report Cancelled")
        try await e.setRunPhase(a, "Cancelled")
        try await e.waitFor("run b after a reported Cancelled") { try await runs(e, "weekly") == [a, b].sorted() }
        #expect(try await e.eventReasons("weekly").contains("Replacing"))
    }

    @Test("history limits prune finished runs oldest first and keep active ones")
    func historyPruning() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await e.apply(policy("pruned", extra: "successfulRunsHistoryLimit: 1\nfailedRunsHistoryLimit: 1"))
        var names: [String] = []
        for (i, value) in ["t1", "t2", "t3"].enumerated() {
            try await e.k("annotate", "rp", "pruned", "ml.sextant.dev/trigger=\(value)", "--overwrite")
            let name = "pruned-\(shortHash(value))"
            names.append(name)
            try await e.waitFor("run \(value)") { try await runs(e, "pruned").contains(name) }
            try await e.setRunPhase(name, i == 2 ? "Running" : "Succeeded")
            try await Task.sleep(for: .milliseconds(1100))  // distinct finishedAt seconds
        }
        // t1 and t2 succeeded (limit 1: t1 is pruned), t3 is active and kept.
        try await e.waitFor("the oldest succeeded run is pruned") { try await runs(e, "pruned") == [names[1], names[2]].sorted() }
        try await e.waitFor("rp", "pruned", "{.status.lastSuccessfulRun}", equals: names[1])
        try await e.waitFor("rp", "pruned", "{.status.active[*].name}", equals: names[2])
    }

    @Test("a run made before a controller restart is adopted, never created twice")
    func restartDuringTrigger() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await e.apply(policy("restart", extra: "concurrencyPolicy: Allow"))
        try await e.waitFor("rp", "restart", "{.status.conditions[?(@.type==\"Ready\")].status}", equals: "True")
        let uid = try await e.jsonpath("rp", "restart", "{.metadata.uid}")
        e.stopController(crash: true)
        // What a controller killed between "create run" and "write status" leaves behind.
        let name = "restart-\(shortHash("go"))"
        try await e.apply("""
            apiVersion: ml.sextant.dev/v1alpha1
            kind: MLPipeline
            metadata:
              name: \(name)
              namespace: default
              labels: {ml.sextant.dev/retrain-policy: restart}
              ownerReferences: [{apiVersion: ml.sextant.dev/v1alpha1, kind: RetrainPolicy, name: restart, uid: "\(uid)", controller: true}]
            spec:
              steps: [{name: train, container: {image: busybox, command: [sh, -c, "true"]}}]
            """)
        try await e.k("annotate", "rp", "restart", "ml.sextant.dev/trigger=go")
        try e.startController()
        try await e.waitFor("rp", "restart", "{.status.observedTrigger}", equals: "go")
        #expect(try await runs(e, "restart") == [name])
        #expect(try await e.jsonpath("rp", "restart", "{.status.runsCreated}") == "1")
        #expect(try await e.jsonpath("rp", "restart", "{.status.lastTrigger.reason}") == "Manual")
        // A crash right after a trigger: the restarted controller does not trigger again.
        try await e.k("annotate", "rp", "restart", "ml.sextant.dev/trigger=again", "--overwrite")
        let again = "restart-\(shortHash("again"))"
        try await e.waitFor("run again") { try await runs(e, "restart").contains(again) }
        e.stopController(crash: true)
        try e.startController()
        try await Task.sleep(for: .seconds(2))
        #expect(try await runs(e, "restart") == [name, again].sorted())
        #expect(try await e.jsonpath("rp", "restart", "{.status.runsCreated}") == "2")
    }

    @Test("an invalid schedule or unknown time zone gives Ready=False InvalidSchedule and creates nothing")
    func invalidSchedule() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await e.apply(policy("badzone", schedule: "0 3 * * *", extra: "timeZone: Mars/Olympus_Mons"))
        try await e.waitFor("rp", "badzone", "{.status.conditions[?(@.type==\"Ready\")].reason}", equals: "InvalidSchedule")
        let message = try await e.jsonpath("rp", "badzone", "{.status.conditions[?(@.type==\"Ready\")].message}")
        #expect(message.contains("unknown time zone"))
        try await e.k("annotate", "rp", "badzone", "ml.sextant.dev/trigger=x")
        try await Task.sleep(for: .seconds(1))
        #expect(try await runs(e, "badzone").isEmpty)
    }
}
