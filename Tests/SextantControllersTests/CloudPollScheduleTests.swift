import Foundation
import SextantAPI
@testable import SextantControllers
import Testing

@Suite("Cloud poll schedule")
struct CloudPollScheduleTests {
    let t = Date(timeIntervalSince1970: 1_800_000_000)
    let job = CloudJobObservation(state: .running, id: "arn", providerStatus: "InProgress/Training")

    @Test("a new attempt is due at once; after a poll the next one is 10 s later (no jitter at random 0.5)")
    func firstPoll() {
        var s = CloudPollSchedule()
        #expect(s.isDue("k", now: t))
        let e = s.record("k", job: job, now: t, random: 0.5)
        #expect(e.interval == 10 && e.nextPoll == t.addingTimeInterval(10))
        #expect(e.observation.nextPollAt == t.addingTimeInterval(10))
        #expect(!s.isDue("k", now: t.addingTimeInterval(9.9)))
        #expect(s.isDue("k", now: t.addingTimeInterval(10)))
    }

    @Test("the interval grows ×1.5 while nothing changes, is capped at 120 s, and resets to 10 s on a change")
    func growthCapReset() {
        var s = CloudPollSchedule()
        var now = t
        var intervals: [Double] = []
        for _ in 0..<10 {
            let e = s.record("k", job: job, now: now, random: 0.5)
            intervals.append(e.interval)
            now = e.nextPoll
        }
        #expect(intervals == [10, 15, 22.5, 33.75, 50.625, 75.9375, 113.90625, 120, 120, 120])
        var changed = job
        changed.providerStatus = "InProgress/Uploading"
        #expect(s.record("k", job: changed, now: now, random: 0.5).interval == 10)
        // A usage or timestamp change alone is not a change of state.
        var sameState = changed
        sameState.startedAt = t
        #expect(s.record("k", job: sameState, now: now, random: 0.5).interval == 15)
    }

    @Test("jitter keeps the next poll within ±10 % of the interval")
    func jitter() {
        var s = CloudPollSchedule()
        #expect(s.record("a", job: job, now: t, random: 0).nextPoll == t.addingTimeInterval(9))
        #expect(s.record("b", job: job, now: t, random: 1).nextPoll == t.addingTimeInterval(11))
    }

    @Test("a failed call keeps the last observation, carries the error, and backs off like an unchanged poll; a later success clears the error")
    func errors() {
        var s = CloudPollSchedule()
        s.record("k", job: job, now: t, random: 0.5)
        let e = s.recordError("k", error: CloudBackendError(.unavailable, "throttled"), now: t.addingTimeInterval(10), random: 0.5)
        #expect(e.observation.job == job && e.observation.error?.kind == .unavailable && e.interval == 15)
        let ok = s.record("k", job: job, now: t.addingTimeInterval(25), random: 0.5)
        #expect(ok.observation.error == nil && ok.interval == 22.5)
    }

    @Test("outputs and cost are kept with the entry; retain forgets the run's other attempts only")
    func resultsAndRetain() {
        var s = CloudPollSchedule()
        s.record("ns/u1/train/0", job: job, now: t, random: 0.5)
        s.record("ns/u1/train/1", job: job, now: t, random: 0.5)
        s.record("ns/u2/train/0", job: job, now: t, random: 0.5)
        s.recordResult("ns/u1/train/1", outputs: OutputValues(artifacts: ["model": "s3://m"]), outputsError: nil, cost: Cost(estimatedUSD: 1))
        #expect(s.entry("ns/u1/train/1")?.observation.outputs?.artifacts == ["model": "s3://m"])
        #expect(s.entry("ns/u1/train/1")?.observation.cost?.estimatedUSD == 1)
        s.retain(prefix: "ns/u1/", keep: ["ns/u1/train/1"])
        #expect(s.entry("ns/u1/train/0") == nil && s.entry("ns/u1/train/1") != nil && s.entry("ns/u2/train/0") != nil)
    }

    @Test("polling a 2-hour job that never changes costs under 70 calls")
    func pollBudget() {
        var s = CloudPollSchedule()
        var now = t
        var calls = 0
        while now < t.addingTimeInterval(7200) {
            calls += 1
            now = s.record("k", job: job, now: now, random: Double(calls % 7) / 6).nextPoll
        }
        #expect(calls < 70, "\(calls) calls")
        #expect(calls > 55, "\(calls) calls")
    }
}
