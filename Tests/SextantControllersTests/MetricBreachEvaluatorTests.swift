import Foundation
import KubeCore
import SextantAPI
import Testing
@testable import SextantControllers

/// Samples at metricT0 + offset seconds.
private let metricT0 = Date(timeIntervalSince1970: 1_796_600_000)
private func mt(_ s: Double) -> Date { metricT0.addingTimeInterval(s) }
private func samples(_ pairs: [(Double, Double)]) -> MetricPollResult {
    .samples(pairs.map { MetricSample(time: mt($0.0), value: $0.1) })
}

/// Feeds polls through the evaluator like the controller does: the state of each poll is the
/// previous poll's, with the breach marked handled when it fired (the planner created its run).
private struct Driver {
    var evaluator: MetricBreachEvaluator
    var state = MetricBreachState()
    var fired: [MetricBreach] = []
    var last: MetricEvaluation?

    init(_ threshold: MetricBreachEvaluator.Threshold, forSeconds: Int64) {
        evaluator = MetricBreachEvaluator(threshold: threshold, forSeconds: forSeconds)
    }

    mutating func poll(_ result: MetricPollResult, at polled: Double) {
        let e = evaluator.evaluate(state, result, polledAt: mt(polled))
        last = e
        state = e.state
        if let b = e.breach {
            fired.append(b)
            state.handledBreach = b.since
        }
    }
}

@Suite("Metric breach evaluator (pure, with a clock)")
struct MetricBreachEvaluatorTests {
    @Test("values above a below-threshold never fire")
    func aboveThresholdNeverFires() {
        var d = Driver(.below(0.8), forSeconds: 10)
        for k in 0..<10 { d.poll(samples([(Double(k * 10), 0.9), (Double(k * 10 + 5), 0.85)]), at: Double(k * 10 + 6)) }
        #expect(d.fired.isEmpty)
        #expect(d.state.breachingSince == nil)
        #expect(d.last?.health.healthy == true && d.last?.health.reason == "Polling")
        #expect(d.state.value == 0.85 && d.state.observedAt == mt(95))
    }

    @Test("fires once after forSeconds of samples below, not before, and not again while it stays below")
    func firesOncePerBreach() {
        var d = Driver(.below(0.8), forSeconds: 20)
        d.poll(samples([(0, 0.9), (5, 0.7), (10, 0.7)]), at: 11)
        #expect(d.fired.isEmpty)
        #expect(d.state.breachingSince == mt(5))
        d.poll(samples([(15, 0.6), (20, 0.7)]), at: 21)
        #expect(d.fired.isEmpty, "15 s of breach is less than forSeconds 20")
        d.poll(samples([(25, 0.7)]), at: 26)
        #expect(d.fired.count == 1)
        #expect(d.fired.first?.since == mt(5) && d.fired.first?.value == 0.7)
        #expect(d.fired.first?.id == KubeTime.format(mt(5)))
        for k in 3..<10 { d.poll(samples([(Double(k * 10), 0.5)]), at: Double(k * 10 + 1)) }
        #expect(d.fired.count == 1, "one run per breach")
        #expect(d.last?.health.message.contains("already fired") == true)
    }

    @Test("a single sample back over the threshold ends the breach; the next breach fires again (hysteresis)")
    func rearmsOnlyAfterRecovery() {
        var d = Driver(.below(0.8), forSeconds: 10)
        d.poll(samples([(0, 0.7), (10, 0.7)]), at: 11)
        #expect(d.fired.count == 1)
        d.poll(samples([(20, 0.79), (30, 0.6)]), at: 31)
        #expect(d.fired.count == 1, "still the same breach")
        d.poll(samples([(40, 0.8)]), at: 41)   // exactly at the threshold is not below: recovered
        #expect(d.state.breachingSince == nil && d.state.handledBreach == nil)
        d.poll(samples([(50, 0.7), (55, 0.7)]), at: 56)
        #expect(d.fired.count == 1, "5 s of the new breach")
        d.poll(samples([(60, 0.7)]), at: 61)
        #expect(d.fired.count == 2)
        #expect(d.fired.last?.since == mt(50))
        #expect(d.fired[0].id != d.fired[1].id)
    }

    @Test("a dip inside one window is seen: every sample must be past the threshold")
    func dipInsideWindowResetsBreach() {
        var d = Driver(.above(0.3), forSeconds: 10)
        d.poll(samples([(0, 0.4), (4, 0.2), (8, 0.5), (12, 0.5)]), at: 13)
        #expect(d.fired.isEmpty, "the breach restarted at 8 s after the dip at 4 s")
        #expect(d.state.breachingSince == mt(8))
        d.poll(samples([(16, 0.5), (18, 0.31)]), at: 19)
        #expect(d.fired.map(\.since) == [mt(8)])
    }

    @Test("forSeconds 0 fires on the first sample past the threshold")
    func zeroForSeconds() {
        var d = Driver(.above(5), forSeconds: 0)
        d.poll(samples([(0, 1)]), at: 1)
        #expect(d.fired.isEmpty)
        d.poll(samples([(10, 6)]), at: 11)
        #expect(d.fired.map(\.since) == [mt(10)])
    }

    @Test("a failed or empty query never fires, says why, and keeps the breach state for the next window")
    func failuresNeverFire() {
        var d = Driver(.below(0.8), forSeconds: 10)
        d.poll(samples([(0, 0.5), (5, 0.5)]), at: 6)
        d.poll(.failed(reason: "QueryFailed", message: "bad_data: parse error"), at: 20)
        #expect(d.fired.isEmpty)
        #expect(d.last?.health.healthy == false && d.last?.health.reason == "QueryFailed")
        #expect(d.state.breachingSince == mt(0) && d.state.observedAt == mt(5))
        d.poll(.samples([]), at: 30)
        #expect(d.fired.isEmpty)
        #expect(d.last?.health.reason == "NoSamples")
        d.poll(.samples([MetricSample(time: mt(31), value: .nan)]), at: 32)
        #expect(d.last?.health.reason == "NoSamples", "NaN is not a real sample")
        // The next good window starts at observedAt: the samples in the gap count.
        d.poll(samples([(5, 0.5), (15, 0.5), (25, 0.5)]), at: 40)
        #expect(d.fired.map(\.since) == [mt(0)])
        #expect(d.last?.health.reason == "Polling")
    }

    @Test("a restart that lost the handled mark sees the same breach id again (the planner adopts the run)")
    func sameBreachIdAfterRestart() {
        var d = Driver(.below(0.8), forSeconds: 10)
        d.poll(samples([(0, 0.9), (10, 0.5)]), at: 11)
        let persisted = d.state          // written to status before the crash
        d.poll(samples([(20, 0.5)]), at: 21)
        #expect(d.fired.count == 1)
        // kill -9 before the status write of the firing pass: the next process starts from `persisted`
        // and asks again from observedAt.
        let again = d.evaluator.evaluate(persisted, samples([(10, 0.5), (20, 0.5), (30, 0.5)]), polledAt: mt(31))
        #expect(again.breach?.id == d.fired.first?.id)
        // With the handled mark persisted it does not fire at all.
        var handled = again.state
        handled.handledBreach = again.breach?.since
        #expect(d.evaluator.evaluate(handled, samples([(40, 0.5)]), polledAt: mt(41)).breach == nil)
    }

    @Test("sample times are cut to whole seconds so the breach id is stable")
    func wholeSeconds() {
        let e = MetricBreachEvaluator(threshold: .below(1), forSeconds: 0)
        let r = e.evaluate(MetricBreachState(), .samples([MetricSample(time: mt(0.75), value: 0)]), polledAt: mt(1))
        #expect(r.breach?.since == mt(0))
        #expect(MetricBreachState(r.state.status) == r.state)
    }

    @Test("a trigger needs exactly one of below and above")
    func thresholdFromTrigger() {
        let p = PrometheusQuery(url: "http://p", query: "q")
        #expect(MetricBreachEvaluator(MetricTrigger(prometheus: p, below: 1)) != nil)
        #expect(MetricBreachEvaluator(MetricTrigger(prometheus: p, above: 1, forSeconds: 5))?.forSeconds == 5)
        #expect(MetricBreachEvaluator(MetricTrigger(prometheus: p)) == nil)
        #expect(MetricBreachEvaluator(MetricTrigger(prometheus: p, below: 1, above: 2)) == nil)
    }
}

@Suite("Metric poll schedule and windows (pure)")
struct MetricPollScheduleTests {
    @Test("the next poll is the interval plus a jitter below 10 %, the same for the same poll, spread across policies")
    func jitter() {
        let last = mt(0)
        var offsets: Set<Int> = []
        for k in 0..<50 {
            let next = MetricPollSchedule.nextPoll(after: last, key: "uid-\(k)", interval: 60)
            let d = next.timeIntervalSince(last)
            #expect(d >= 60 && d < 66)
            #expect(next == MetricPollSchedule.nextPoll(after: last, key: "uid-\(k)", interval: 60))
            offsets.insert(Int(d * 10))
        }
        #expect(offsets.count > 20)
    }

    @Test("windows start at the last observed sample, aligned to the step, and reach back a bounded number of steps")
    func windows() {
        let first = MetricPollSchedule.window(now: mt(1000.6), observedAt: nil, forSeconds: 30, interval: 10)
        #expect(first.step == 6 && first.end == mt(1000))
        #expect(first.start.timeIntervalSince1970.truncatingRemainder(dividingBy: 6) == 0)
        #expect(first.start <= mt(960) && first.start > mt(954))
        let next = MetricPollSchedule.window(now: mt(1100), observedAt: mt(997), forSeconds: 30, interval: 10)
        #expect(next.start <= mt(997) && next.start > mt(991))
        let far = MetricPollSchedule.window(now: mt(10_000_000), observedAt: mt(0), forSeconds: 300, interval: 10)
        #expect(far.end.timeIntervalSince(far.start) <= Double(far.step * MetricPollSchedule.maxPoints))
        #expect(MetricPollSchedule.step(forSeconds: 0) == 1 && MetricPollSchedule.step(forSeconds: 3600) == 60)
    }
}
