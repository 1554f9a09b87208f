import Foundation
import KubeCore
import Testing
@testable import SextantAPI
@testable import SextantControllers

private func at(_ s: String) throws -> Date { try #require(KubeTime.parse(s)) }

private func inputs(
    now: String, created: String = "2026-11-01T00:00:00Z", schedule: String? = "0 * * * *", cursor: String? = nil,
    policy: String = ConcurrencyPolicy.allow, deadline: Int64? = nil, minInterval: Int64? = nil, suspend: Bool = false,
    trigger: String? = nil, observed: String? = nil, lastTrigger: String? = nil, runs: [RetrainRun] = []
) throws -> RetrainInputs {
    RetrainInputs(
        policyName: "churn", created: try at(created), now: try at(now),
        schedule: try schedule.map { try CronSchedule.parse($0) }, concurrencyPolicy: policy,
        minIntervalSeconds: minInterval, startingDeadlineSeconds: deadline, suspend: suspend,
        successfulRunsHistoryLimit: 3, failedRunsHistoryLimit: 1,
        cursor: try cursor.map(at), lastTriggerTime: try lastTrigger.map(at),
        triggerValue: trigger, observedTrigger: observed, runs: runs)
}

private func run(_ name: String, phase: String?, created: Double = 0, finished: Double? = nil) -> RetrainRun {
    let base = Date(timeIntervalSince1970: 1_790_000_000)
    return RetrainRun(name: name, uid: "u-\(name)", phase: phase, created: base.addingTimeInterval(created),
                      finished: finished.map { base.addingTimeInterval($0) }, cancelRequested: false)
}

@Suite("RetrainPolicy planner")
struct RetrainPolicyPlannerTests {
    @Test("a due schedule creates one run named after the scheduled unix minute and moves the cursor")
    func scheduleCreatesRun() throws {
        let p = RetrainPlanner.plan(try inputs(now: "2026-11-26T10:00:05Z", cursor: "2026-11-26T10:00:00Z"))
        let minute = Int(try at("2026-11-26T10:00:00Z").timeIntervalSince1970 / 60)
        #expect(p.create.map(\.name) == ["churn-\(minute)"])
        #expect(p.create.first?.reason == "Schedule")
        #expect(p.cursor.map(KubeTime.format) == "2026-11-26T11:00:00Z")
    }

    @Test("after downtime only the most recent missed schedule runs, once")
    func catchUpOnce() throws {
        let p = RetrainPlanner.plan(try inputs(now: "2026-11-26T15:30:00Z", cursor: "2026-11-26T10:00:00Z", deadline: 3600))
        let minute = Int(try at("2026-11-26T15:00:00Z").timeIntervalSince1970 / 60)
        #expect(p.create.map(\.name) == ["churn-\(minute)"])
        #expect(p.create.first?.detail.contains("6 schedule times were missed") == true)
    }

    @Test("a missed schedule older than startingDeadlineSeconds is skipped with DeadlineMissed")
    func deadlineMissed() throws {
        let p = RetrainPlanner.plan(try inputs(now: "2026-11-26T15:30:00Z", cursor: "2026-11-26T10:00:00Z", deadline: 600))
        #expect(p.create.isEmpty)
        #expect(p.events.contains { $0.1 == "DeadlineMissed" })
        #expect(p.cursor.map(KubeTime.format) == "2026-11-26T16:00:00Z")
    }

    @Test("years of downtime never loop: too many missed schedules warns and still runs the latest")
    func tooManyMissed() throws {
        let p = RetrainPlanner.plan(try inputs(now: "2026-11-26T15:00:30Z", created: "2016-01-01T00:00:00Z", schedule: "* * * * *"))
        #expect(p.events.contains { $0.1 == "TooManyMissedSchedules" })
        #expect(p.create.count == 1)
    }

    @Test("Forbid skips a trigger while any run is active, including a manual one")
    func forbid() throws {
        let p = RetrainPlanner.plan(try inputs(
            now: "2026-11-26T10:00:05Z", cursor: "2026-11-26T10:00:00Z", policy: ConcurrencyPolicy.forbid,
            runs: [run("churn-manual", phase: "Running")]))
        #expect(p.create.isEmpty)
        #expect(p.events.contains { $0.1 == "Forbid" && $0.2.contains("churn-manual") })
        #expect(p.cursor.map(KubeTime.format) == "2026-11-26T11:00:00Z")
    }

    @Test("Replace cancels the active run and waits, keeping the schedule time pending")
    func replaceWaits() throws {
        let p = RetrainPlanner.plan(try inputs(
            now: "2026-11-26T10:00:05Z", cursor: "2026-11-26T10:00:00Z", policy: ConcurrencyPolicy.replace,
            runs: [run("churn-old", phase: "Running")]))
        #expect(p.create.isEmpty)
        #expect(p.cancel == ["churn-old"])
        #expect(p.waitingForReplace)
        #expect(p.cursor.map(KubeTime.format) == "2026-11-26T10:00:00Z")
        let after = RetrainPlanner.plan(try inputs(
            now: "2026-11-26T10:00:20Z", cursor: "2026-11-26T10:00:00Z", policy: ConcurrencyPolicy.replace,
            runs: [run("churn-old", phase: "Cancelled", finished: 10)]))
        #expect(after.create.count == 1)
        #expect(after.prune.isEmpty)
    }

    @Test("a manual trigger value runs once; the same value again does nothing")
    func manualIdempotent() throws {
        let p = RetrainPlanner.plan(try inputs(now: "2026-11-26T10:30:00Z", schedule: nil, trigger: "2026-11-26 please"))
        #expect(p.create.count == 1)
        #expect(p.create.first?.name == "churn-\(RetrainPlanner.shortHash("2026-11-26 please"))")
        #expect(p.observedTrigger == "2026-11-26 please")
        let again = RetrainPlanner.plan(try inputs(now: "2026-11-26T10:31:00Z", schedule: nil, trigger: "2026-11-26 please", observed: "2026-11-26 please"))
        #expect(again.create.isEmpty)
    }

    @Test("a trigger whose run already exists is adopted, not created again (restart before the status write)")
    func adoptsExisting() throws {
        let name = "churn-\(RetrainPlanner.shortHash("x"))"
        let p = RetrainPlanner.plan(try inputs(now: "2026-11-26T10:30:00Z", schedule: nil, trigger: "x", runs: [run(name, phase: "Running")]))
        #expect(p.create.isEmpty)
        #expect(p.adopted.map(\.0.name) == [name])
        #expect(p.observedTrigger == "x")
    }

    @Test("minIntervalSeconds and suspend skip triggers with their reason")
    func minIntervalAndSuspend() throws {
        let p = RetrainPlanner.plan(try inputs(now: "2026-11-26T10:00:05Z", cursor: "2026-11-26T10:00:00Z", minInterval: 21600, lastTrigger: "2026-11-26T09:00:00Z"))
        #expect(p.create.isEmpty && p.events.contains { $0.1 == "MinInterval" })
        let s = RetrainPlanner.plan(try inputs(now: "2026-11-26T10:00:05Z", cursor: "2026-11-26T10:00:00Z", suspend: true, trigger: "go"))
        #expect(s.create.isEmpty && s.events.filter { $0.1 == "Suspended" }.count == 2)
        #expect(s.observedTrigger == "go")
    }

    @Test("history limits prune finished runs oldest first and never active ones")
    func pruning() {
        let runs = [
            run("s1", phase: "Succeeded", finished: 1), run("s2", phase: "Succeeded", finished: 2),
            run("s3", phase: "Succeeded", finished: 3), run("s4", phase: "Succeeded", finished: 4),
            run("f1", phase: "Failed", finished: 1), run("c1", phase: "Cancelled", finished: 5), run("a1", phase: "Running"),
        ]
        #expect(RetrainPlanner.prune(runs, successful: 3, failed: 1) == ["s1", "f1"])
        #expect(RetrainPlanner.prune(runs, successful: 0, failed: 0).count == 6)
    }

    @Test("long derived names are cut and end in a hash of the full name")
    func longNames() {
        let n = RetrainPlanner.runName(policy: String(repeating: "a", count: 60), suffix: "29633280")
        #expect(n.count == 63)
        #expect(n.hasSuffix(RetrainPlanner.shortHash(String(repeating: "a", count: 60) + "-29633280")))
    }
}
