import Foundation
import KubeCore
import SextantAPI

/// The canary rollout of one version as a pure value: the state is what `status.rollout` holds,
/// time and observations come in as inputs, and each call returns the next state and what to do.
/// Nothing here reads a clock or does I/O, so a restarted controller resumes at the same step
/// from the stored status and the clock.
///
/// - Before the candidate's Deployment is available the rollout is `Progressing` at step 0 with
///   0 % of the traffic and no `startedAt`.
/// - Step `k` gives the candidate `trafficPercent[k]` % for `stepSeconds`; it ends at
///   `max(startedAt + (k+1)·stepSeconds, lastSample.at + stepSeconds)` (a late sample, e.g. after a
///   controller outage, gives the next step its full time).
/// - At the end of each step one analysis sample is taken (when an analysis is set). A sample fails
///   when its value is out of bounds or there is no value. More than `failureLimit` failed samples
///   in the rollout → `Failed` (all traffic back). Otherwise the next step, and after the last
///   one `Succeeded` (the candidate becomes Production).
struct RolloutMachine: Sendable, Hashable {
    /// Percent of traffic per step.
    var steps: [Int]
    var stepSeconds: Int64
    var query: PrometheusQuery?
    var maxValue: Double?
    var minValue: Double?
    var failureLimit: Int

    init(_ canary: CanarySpec) {
        steps = canary.trafficPercent.map { min(100, max(0, $0)) }
        stepSeconds = max(1, canary.stepSeconds ?? 300)
        query = canary.analysis?.prometheus
        maxValue = canary.analysis?.maxValue
        minValue = canary.analysis?.minValue
        failureLimit = max(0, canary.analysis?.failureLimit ?? 0)
    }

    /// The rollout state (the parsed `status.rollout`).
    struct State: Sendable, Hashable {
        var phase: String
        var step: Int
        var trafficPercent: Int
        var startedAt: Date?
        var samples: [Sample]
    }

    /// One analysis sample.
    struct Sample: Sendable, Hashable {
        var at: Date
        var value: Double?
        var passed: Bool
    }

    /// What the analysis query gave at a step boundary.
    enum Measurement: Sendable, Hashable {
        case value(Double)
        /// No value: the query failed or matched nothing (the text says which).
        case none(String)
    }

    /// An Event to record on the candidate.
    struct Note: Sendable, Hashable {
        var warning: Bool
        var reason: String
        var message: String
    }

    /// The result of one call.
    struct Decision: Sendable, Hashable {
        var state: State
        /// When to look again (the end of the current step); nil = only on a change.
        var wakeAt: Date?
        var notes: [Note] = []
        /// The message for the `Promoted` condition while the rollout is not Succeeded.
        var message: String
    }

    /// The state a new rollout begins in.
    static let initial = State(phase: RolloutPhase.progressing, step: 0, trafficPercent: 0, startedAt: nil, samples: [])

    /// When the current step ends (nil before the rollout has started).
    func stepEnd(_ s: State) -> Date? {
        guard let started = s.startedAt else { return nil }
        let nominal = started.addingTimeInterval(Double(stepSeconds) * Double(s.step + 1))
        guard let last = s.samples.last?.at else { return nominal }
        return max(nominal, last.addingTimeInterval(Double(stepSeconds)))
    }

    /// A sample is needed now: the rollout is running, the step has ended and an analysis is set.
    func sampleDue(_ state: State?, now: Date, candidateAvailable: Bool) -> Bool {
        let s = state ?? Self.initial
        guard query != nil, s.phase == RolloutPhase.progressing, let end = stepEnd(s) else { return false }
        return now >= end
    }

    /// The next state. `measurement` is the analysis taken for this call when `sampleDue` said so.
    func advance(_ state: State?, now: Date, candidateAvailable: Bool, measurement: Measurement? = nil) -> Decision {
        var s = state ?? Self.initial
        let at = Date(timeIntervalSince1970: floor(now.timeIntervalSince1970))
        var notes: [Note] = []
        guard s.phase == RolloutPhase.progressing else {
            return Decision(state: s, wakeAt: nil, message: terminalMessage(s))
        }
        guard !steps.isEmpty else {
            s.phase = RolloutPhase.succeeded
            s.trafficPercent = 100
            return Decision(state: s, wakeAt: nil, notes: [], message: "canary has no steps")
        }
        s.step = min(s.step, steps.count - 1)
        if s.startedAt == nil {
            guard candidateAvailable else {
                return Decision(state: s, wakeAt: nil, message: "canary: waiting for the candidate's Deployment to become available (0% of traffic)")
            }
            s.startedAt = at
            s.step = 0
            s.trafficPercent = steps[0]
            notes.append(Note(warning: false, reason: "CanaryStarted",
                              message: "canary step 1/\(steps.count): \(steps[0])% of traffic for \(stepSeconds)s"))
        }
        guard let end = stepEnd(s), now >= end else {
            return Decision(state: s, wakeAt: stepEnd(s), notes: notes, message: progressMessage(s))
        }
        if query != nil {
            guard let measurement else {
                // The caller did not sample although one is due: look again at once.
                return Decision(state: s, wakeAt: now, notes: notes, message: progressMessage(s))
            }
            let sample = judge(measurement, at: at)
            s.samples.append(sample)
            let failures = s.samples.filter { !$0.passed }.count
            if failures > failureLimit {
                let failed = describe(measurement)
                s.phase = RolloutPhase.failed
                s.trafficPercent = 0
                let message = "canary failed at step \(s.step + 1)/\(steps.count) (\(steps[s.step])% of traffic): \(failed); "
                    + "\(failures) failed sample\(failures == 1 ? "" : "s") > failureLimit \(failureLimit); all traffic is back on Production"
                notes.append(Note(warning: true, reason: "CanaryFailed", message: message))
                return Decision(state: s, wakeAt: nil, notes: notes, message: message)
            }
        }
        if s.step + 1 < steps.count {
            s.step += 1
            s.trafficPercent = steps[s.step]
            notes.append(Note(warning: false, reason: "CanaryStep",
                              message: "canary step \(s.step + 1)/\(steps.count): \(steps[s.step])% of traffic for \(stepSeconds)s"))
            return Decision(state: s, wakeAt: stepEnd(s), notes: notes, message: progressMessage(s))
        }
        s.phase = RolloutPhase.succeeded
        s.trafficPercent = 100
        let message = "canary succeeded after \(steps.count) step\(steps.count == 1 ? "" : "s")"
        notes.append(Note(warning: false, reason: "CanarySucceeded", message: message))
        return Decision(state: s, wakeAt: nil, notes: notes, message: message)
    }

    /// A sample from a measurement: inside the bounds passes; no value fails.
    func judge(_ m: Measurement, at: Date) -> Sample {
        guard case .value(let v) = m, v.isFinite else { return Sample(at: at, value: nil, passed: false) }
        var passed = true
        if let max = maxValue, v > max { passed = false }
        if let min = minValue, v < min { passed = false }
        return Sample(at: at, value: v, passed: passed)
    }

    /// "value 0.2 is above maxValue 0.01", or why there was no value.
    func describe(_ m: Measurement) -> String {
        switch m {
        case .none(let why): return "no analysis value (\(why))"
        case .value(let v):
            if !v.isFinite { return "analysis value \(v) is not a number" }
            if let max = maxValue, v > max { return "analysis value \(Self.format(v)) is above maxValue \(Self.format(max))" }
            if let min = minValue, v < min { return "analysis value \(Self.format(v)) is below minValue \(Self.format(min))" }
            return "analysis value \(Self.format(v)) is within bounds"
        }
    }

    /// A number without trailing zeros (`0.2`, `0.015`).
    static func format(_ v: Double) -> String {
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    func progressMessage(_ s: State) -> String {
        guard s.startedAt != nil else { return "canary: waiting for the candidate's Deployment to become available (0% of traffic)" }
        return "canary step \(s.step + 1)/\(steps.count): \(s.trafficPercent)% of traffic; Production is unchanged until the last step passes"
    }

    func terminalMessage(_ s: State) -> String {
        if s.phase == RolloutPhase.failed {
            let last = s.samples.last { !$0.passed }
            let what = last?.value.map { describe(.value($0)) } ?? "no analysis value"
            return "canary failed at step \(s.step + 1)/\(steps.count): \(what); retried when the version's spec changes"
        }
        return "canary \(s.phase)"
    }
}

extension RolloutMachine.State {
    /// The state stored in `status.rollout` (nil when absent or unreadable).
    init?(_ status: RolloutStatus?) {
        guard let status, RolloutPhase.all.contains(status.phase) else { return nil }
        self.init(
            phase: status.phase, step: max(0, status.step ?? 0), trafficPercent: status.trafficPercent ?? 0,
            startedAt: status.startedAt.flatMap(KubeTime.parse),
            samples: (status.analysis ?? []).compactMap { a in
                KubeTime.parse(a.at).map { RolloutMachine.Sample(at: $0, value: a.value, passed: a.passed) }
            })
    }

    /// As `status.rollout`.
    var status: RolloutStatus {
        RolloutStatus(
            phase: phase, trafficPercent: trafficPercent, step: step, startedAt: startedAt.map(KubeTime.format),
            analysis: samples.isEmpty ? nil : samples.map { AnalysisSample(at: KubeTime.format($0.at), value: $0.value, passed: $0.passed) })
    }
}
