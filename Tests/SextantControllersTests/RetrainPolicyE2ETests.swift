import Foundation
import KubeCore
import Testing
import TestSupport
@testable import SextantControllers

/// A policy whose runs have one `train` step scripted by the simulate executor: it runs
/// `seconds` (default: an hour, so the run stays Running) and exits with `exitCode`.
private func policy(_ name: String, schedule: String = "0 0 1 1 *", extra: String = "", seconds: Int = 3600, exitCode: Int = 0) -> String {
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
                command: [sh, -c, "sleep \(seconds)"]
                podMetadata: {annotations: {dev.sextant.dev/simulate: '{"exitCode":\(exitCode),"seconds":\(seconds)}'}}
    """
}

private func shortHash(_ s: String) -> String { RetrainPlanner.shortHash(s) }

/// The runs of a policy with their phases (one kubectl call, so one consistent look).
private func runPhases(_ e: RegistryE2E, _ policy: String) async throws -> [String: String] {
    let r = try await e.kubectl.run(["get", "mlp", "-l", "ml.sextant.dev/retrain-policy=\(policy)", "-o", "json"])
    guard r.succeeded, let list = try? JSONValue.parse(Data(r.stdout.utf8)) else { return [:] }
    var phases: [String: String] = [:]
    for item in list["items"]?.arrayValue ?? [] {
        if let name = item[path: ["metadata", "name"]]?.stringValue {
            phases[name] = item[path: ["status", "phase"]]?.stringValue ?? ""
        }
    }
    return phases
}

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

    @Test("Forbid: an active manual run makes a due schedule trigger skip (manual runs count too)")
    func forbidCountsManualRuns() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await e.apply(policy("guarded", schedule: "0 * * * *", extra: "concurrencyPolicy: Forbid"))
        try await e.k("annotate", "rp", "guarded", "ml.sextant.dev/trigger=by-hand")
        let manual = "guarded-\(shortHash("by-hand"))"
        try await e.waitFor("the manual run is Running") { try await runPhases(e, "guarded") == [manual: "Running"] }
        let next = try #require(KubeTime.parse(try await e.jsonpath("rp", "guarded", "{.status.nextScheduleTime}")))
        // The controller comes back 5 s after the next schedule time while the manual run is active.
        e.stopController()
        try e.startController(clockOffset: next.timeIntervalSince(Date()) + 5)
        try await e.waitFor("rp", "guarded", "{.status.nextScheduleTime}", equals: KubeTime.format(next.addingTimeInterval(3600)))
        try await e.waitFor("a Forbid event for the schedule trigger") {
            try await e.events("guarded").contains { $0.reason == "Forbid" && $0.message.contains("Schedule trigger") && $0.message.contains(manual) }
        }
        #expect(try await runs(e, "guarded") == [manual])
        #expect(try await e.jsonpath("rp", "guarded", "{.status.lastTrigger.reason}") == "Manual")
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
        // Every minute of the two hours before that boundary: 120 missed schedule times.
        let hour = { (t: Double) in Int(t / 3600) % 24 }
        try await e.apply(policy("busy", schedule: "* \(hour(boundary - 7200)),\(hour(boundary - 3600)) * * *"))
        let offset = boundary + 20 - real.timeIntervalSince1970
        try e.startController(clockOffset: offset)
        let expected = "hourly-\(Int(boundary / 60))"
        try await e.waitFor("one catch-up run") { try await runs(e, "hourly") == [expected] }
        try await e.waitFor("rp", "hourly", "{.status.nextScheduleTime}", equals: KubeTime.format(Date(timeIntervalSince1970: boundary + 3600)))
        try await e.waitFor("a DeadlineMissed event") { try await e.eventReasons("strict").contains("DeadlineMissed") }
        #expect(try await runs(e, "strict").isEmpty)
        let detail = try await e.jsonpath("rp", "hourly", "{.status.lastTrigger.detail}")
        #expect(detail.contains("schedule times were missed"))
        // More than 100 missed: one run for the most recent, a warning, and the next time is tomorrow.
        try await e.waitFor("one catch-up run for the busy policy") { try await runs(e, "busy") == ["busy-\(Int((boundary - 60) / 60))"] }
        try await e.waitFor("rp", "busy", "{.status.nextScheduleTime}", equals: KubeTime.format(Date(timeIntervalSince1970: boundary - 7200 + 86400)))
        try await e.waitFor("a TooManyMissedSchedules event") { try await e.eventReasons("busy").contains("TooManyMissedSchedules") }
        #expect(try await runs(e, "busy").count == 1)
    }

    @Test("Replace sets spec.cancel on the active run, starts the new one only after it reports Cancelled, and keeps it in history")
    func replace() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await e.apply(policy("weekly", extra: "concurrencyPolicy: Replace\nfailedRunsHistoryLimit: 1"))
        try await e.k("annotate", "rp", "weekly", "ml.sextant.dev/trigger=a")
        let a = "weekly-\(shortHash("a"))", b = "weekly-\(shortHash("b"))"
        // The step runs an hour: the run is held Running by the real pipeline controller.
        try await e.waitFor("run a is Running") { try await runPhases(e, "weekly") == [a: "Running"] }
        try await e.k("annotate", "rp", "weekly", "ml.sextant.dev/trigger=b", "--overwrite")
        try await e.waitFor("mlp", a, "{.spec.cancel}", equals: "true")
        // Until b exists, every look must show a alone; once b exists, a must already be Cancelled.
        var looks: [[String: String]] = []
        try await e.waitFor("run b after a reported Cancelled", timeout: 60) {
            let phases = try await runPhases(e, "weekly")
            looks.append(phases)
            return phases[b] != nil
        }
        let early = looks.filter { $0[b] != nil && $0[a] != "Cancelled" }
        #expect(early.isEmpty, "b was created before a reported Cancelled: \(looks)")
        #expect(looks.allSatisfy { $0[a] != nil }, "the cancelled run is kept: \(looks)")
        try await e.waitFor("b is Running and a stays in history as Cancelled") {
            try await runPhases(e, "weekly") == [a: "Cancelled", b: "Running"]
        }
        try await e.waitFor("rp", "weekly", "{.status.active[*].name}", equals: b)
        #expect(try await e.jsonpath("mlp", b, "{.spec.cancel}") != "true")
        #expect(try await e.eventReasons("weekly").contains("Replacing"))
        #expect(try await e.jsonpath("rp", "weekly", "{.status.runsCreated}") == "2")
    }

    @Test("history limits prune finished runs oldest first, keep active ones, and template edits leave runs in flight alone")
    func historyPruning() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        let limits = "concurrencyPolicy: Allow\nsuccessfulRunsHistoryLimit: 1\nfailedRunsHistoryLimit: 1"
        try await e.apply(policy("pruned", extra: limits, seconds: 0))
        /// Triggers `value` and waits until its run reaches `phase`; returns the run's name.
        func trigger(_ value: String, until phase: String) async throws -> String {
            try await e.k("annotate", "rp", "pruned", "ml.sextant.dev/trigger=\(value)", "--overwrite")
            let name = "pruned-\(shortHash(value))"
            try await e.waitFor("run \(value) \(phase)", timeout: 60) { try await runPhases(e, "pruned")[name] == phase }
            try await Task.sleep(for: .milliseconds(1100))  // distinct finishedAt seconds
            return name
        }
        let s1 = try await trigger("s1", until: "Succeeded")
        let s2 = try await trigger("s2", until: "Succeeded")
        try await e.waitFor("the older succeeded run is pruned") { try await runs(e, "pruned") == [s2] }
        #expect(!s1.isEmpty)

        try await e.apply(policy("pruned", extra: limits, seconds: 0, exitCode: 1))
        let f1 = try await trigger("f1", until: "Failed")
        let f2 = try await trigger("f2", until: "Failed")
        try await e.waitFor("the older failed run is pruned") { try await runs(e, "pruned") == [s2, f2].sorted() }
        #expect(!f1.isEmpty)

        try await e.apply(policy("pruned", extra: limits, seconds: 3600))
        let long = try await trigger("long", until: "Running")
        let annotationPath = "{.spec.steps[0].container.podMetadata.annotations.dev\\.sextant\\.dev/simulate}"
        #expect(try await e.jsonpath("mlp", long, annotationPath) == #"{"exitCode":0,"seconds":3600}"#)
        // Editing the template does not touch the run in flight; the next trigger uses the new one.
        try await e.apply(policy("pruned", extra: limits, seconds: 0))
        let s3 = try await trigger("s3", until: "Succeeded")
        #expect(try await e.jsonpath("mlp", s3, annotationPath) == #"{"exitCode":0,"seconds":0}"#)
        try await e.waitFor("s2 is pruned; the failed, active and newest succeeded runs stay") {
            try await runPhases(e, "pruned") == [f2: "Failed", long: "Running", s3: "Succeeded"]
        }
        #expect(try await e.jsonpath("mlp", long, annotationPath) == #"{"exitCode":0,"seconds":3600}"#)
        try await e.waitFor("rp", "pruned", "{.status.lastSuccessfulRun}", equals: s3)
        try await e.waitFor("rp", "pruned", "{.status.active[*].name}", equals: long)
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

    @Test("minIntervalSeconds and suspend skip triggers with an Event saying why; resuming lets the next trigger run")
    func minIntervalAndSuspend() async throws {
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        try await e.apply(policy("paced", extra: "concurrencyPolicy: Allow\nminIntervalSeconds: 3600", seconds: 0))
        try await e.k("annotate", "rp", "paced", "ml.sextant.dev/trigger=one")
        let one = "paced-\(shortHash("one"))"
        try await e.waitFor("run one") { try await runs(e, "paced") == [one] }
        try await e.k("annotate", "rp", "paced", "ml.sextant.dev/trigger=two", "--overwrite")
        try await e.waitFor("a MinInterval event") { try await e.eventReasons("paced").contains("MinInterval") }
        try await e.waitFor("rp", "paced", "{.status.observedTrigger}", equals: "two")
        #expect(try await runs(e, "paced") == [one])

        try await e.k("patch", "rp", "paced", "--type=merge", "-p", #"{"spec":{"suspend":true,"minIntervalSeconds":null}}"#)
        try await e.waitFor("rp", "paced", "{.status.conditions[?(@.type==\"Suspended\")].status}", equals: "True")
        try await e.k("annotate", "rp", "paced", "ml.sextant.dev/trigger=three", "--overwrite")
        try await e.waitFor("a Suspended event") { try await e.eventReasons("paced").contains("Suspended") }
        try await e.waitFor("rp", "paced", "{.status.observedTrigger}", equals: "three")
        #expect(try await runs(e, "paced") == [one])

        try await e.k("patch", "rp", "paced", "--type=merge", "-p", #"{"spec":{"suspend":false}}"#)
        try await e.waitFor("rp", "paced", "{.status.conditions[?(@.type==\"Suspended\")].status}", equals: "False")
        #expect(try await runs(e, "paced") == [one], "a trigger skipped while suspended does not run on resume")
        try await e.k("annotate", "rp", "paced", "ml.sextant.dev/trigger=four", "--overwrite")
        let four = "paced-\(shortHash("four"))"
        try await e.waitFor("run four after resuming") { try await runs(e, "paced") == [one, four].sorted() }
        #expect(try await e.jsonpath("rp", "paced", "{.status.runsCreated}") == "2")
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
