import Foundation
import KubeCore

extension Promotion {
    /// A request for Production that passed its checks (or is already in effect).
    private struct Claim {
        enum Kind { case current, superseded, fresh }
        var candidate: Candidate
        var time: Date
        var kind: Kind
    }

    /// Decides the effective stage of every version in `candidates` (one namespace, any models).
    ///
    /// Rules (docs/api.md, ModelVersion):
    /// - The older of two versions with the same (model, version) (creationTimestamp, then name) keeps it;
    ///   the later one is `DuplicateVersion` with stage None.
    /// - A move up to Staging or Production takes effect when the gates pass, the comparison with the
    ///   current Production version passes (skipped for a version that was Production before) and,
    ///   if required, the approval annotation is present; otherwise the version keeps its stage.
    ///   Moves down (to Staging, None, Archived) take effect at once.
    /// - At most one version per model is Production: among the versions asking for it, the most
    ///   recent request that took effect wins (`promotedAt`; a request taking effect now is the most
    ///   recent; ties by later creationTimestamp, then greater name). The replaced one becomes
    ///   Archived with reason `Superseded`. A superseded version that still asks for Production
    ///   takes it back (`Restored`) when the version that replaced it stops asking.
    public static func decide(_ candidates: [Candidate], now: Date) -> [String: Outcome] {
        var result: [String: Outcome] = [:]
        let byModel = Dictionary(grouping: candidates, by: \.model)
        for (_, group) in byModel {
            for outcome in decideModel(group, now: now) {
                result[outcome.name] = outcome
            }
        }
        return result
    }

    private static func older(_ a: Candidate, _ b: Candidate) -> Bool {
        (a.creationTimestamp, a.name) < (b.creationTimestamp, b.name)
    }

    private static func decideModel(_ group: [Candidate], now: Date) -> [Outcome] {
        var outcomes: [Outcome] = []
        var originals: [String: Candidate] = [:]
        var live: [Candidate] = []
        for c in group.sorted(by: older) {
            if let original = originals[c.version] {
                outcomes.append(duplicate(c, of: original, now: now))
            } else {
                originals[c.version] = c
                live.append(c)
            }
        }
        let production = live.filter { $0.stage == Stage.production }
            .max { ($0.promotedAt ?? .distantPast, $0.creationTimestamp, $0.name) < ($1.promotedAt ?? .distantPast, $1.creationTimestamp, $1.name) }

        var claims: [Claim] = []
        for c in live {
            let gates = evaluateGates(c)
            switch c.requested {
            case Stage.production:
                if c.stage == Stage.production {
                    claims.append(Claim(candidate: c, time: c.promotedAt ?? c.creationTimestamp, kind: .current))
                } else if let failure = check(c, gates: gates, production: c.isSuperseded ? nil : production) {
                    outcomes.append(blocked(c, gates: gates, failure: failure))
                } else if c.isSuperseded {
                    claims.append(Claim(candidate: c, time: c.promotedAt ?? c.creationTimestamp, kind: .superseded))
                } else {
                    claims.append(Claim(candidate: c, time: now, kind: .fresh))
                }
            case Stage.staging:
                if c.stage == Stage.staging {
                    outcomes.append(settled(c, gates: gates, message: "stage Staging in effect"))
                } else if c.stage == Stage.production {
                    outcomes.append(moved(c, gates: gates, to: Stage.staging, promoted: true, reason: Reason.demoted,
                                          message: "moved down from Production to Staging as requested", now: now))
                } else if let failure = check(c, gates: gates, production: production) {
                    outcomes.append(blocked(c, gates: gates, failure: failure))
                } else {
                    outcomes.append(promote(c, gates: gates, to: Stage.staging, reason: Reason.promoted, message: "promoted to Staging", now: now))
                }
            case Stage.archived:
                outcomes.append(moved(c, gates: gates, to: Stage.archived, promoted: false, reason: Reason.archived,
                                      message: "spec.stage is Archived", now: now))
            default:
                outcomes.append(moved(c, gates: gates, to: Stage.none, promoted: false, reason: Reason.notRequested,
                                      message: "spec.stage is None: no stage requested", now: now))
            }
        }
        outcomes += arbitrate(claims, now: now)
        return outcomes
    }

    /// Picks the one effective Production version among the claims.
    private static func arbitrate(_ claims: [Claim], now: Date) -> [Outcome] {
        guard let winner = claims.max(by: { ($0.time, $0.candidate.creationTimestamp, $0.candidate.name) < ($1.time, $1.candidate.creationTimestamp, $1.candidate.name) }) else {
            return []
        }
        var outcomes: [Outcome] = []
        let w = winner.candidate
        let wGates = evaluateGates(w)
        switch winner.kind {
        case .current:
            outcomes.append(settled(w, gates: wGates, message: "stage Production in effect since \(KubeTime.format(w.promotedAt ?? w.creationTimestamp))"))
        case .fresh:
            outcomes.append(promote(w, gates: wGates, to: Stage.production, reason: Reason.promoted, message: "promoted to Production", now: now))
        case .superseded:
            outcomes.append(promote(w, gates: wGates, to: Stage.production, reason: Reason.restored,
                                    message: "took Production back: the version that superseded it no longer requests Production", now: now))
        }
        for claim in claims where claim.candidate.name != w.name {
            let c = claim.candidate
            let gates = evaluateGates(c)
            let message = "superseded by \(w.name) (version \(w.version)); requested Production is not in effect"
            switch claim.kind {
            case .superseded:
                outcomes.append(Outcome(
                    name: c.name, stage: c.stage, promotedAt: c.promotedAt, promoted: false, reason: Reason.superseded,
                    message: message, requestSatisfied: false, gates: gates, history: c.history, events: [], isDuplicate: false))
            case .current, .fresh:
                var o = moved(c, gates: gates, to: Stage.archived, promoted: false, reason: Reason.superseded, message: message, now: now)
                o.requestSatisfied = false
                if claim.kind == .fresh { o.promotedAt = now }
                outcomes.append(o)
            }
        }
        return outcomes
    }

    /// Gate results, in the order of the spec.
    public static func evaluateGates(_ c: Candidate) -> [GateOutcome] {
        c.gates.map { gate in
            guard let value = c.metrics[gate.metric] else {
                return GateOutcome(metric: gate.metric, value: nil, passed: false, message: "metric \(gate.metric) is not reported")
            }
            var problems: [String] = []
            var bounds: [String] = []
            if let min = gate.min {
                bounds.append(">= \(format(min))")
                if value < min { problems.append("below min \(format(min))") }
            }
            if let max = gate.max {
                bounds.append("<= \(format(max))")
                if value > max { problems.append("above max \(format(max))") }
            }
            let passed = problems.isEmpty
            let message = passed
                ? "\(gate.metric) \(format(value)) passes (\(bounds.isEmpty ? "no bound" : bounds.joined(separator: ", ")))"
                : "\(gate.metric) \(format(value)) is \(problems.joined(separator: " and "))"
            return GateOutcome(metric: gate.metric, value: value, passed: passed, message: message)
        }
    }

    /// The first failing check (gates, comparison, approval) as (reason, message), nil when all pass.
    /// `production` is the version to compare with (nil = skip the comparison).
    private static func check(_ c: Candidate, gates: [GateOutcome], production: Candidate?) -> (String, String)? {
        let failed = gates.filter { !$0.passed }
        if !failed.isEmpty {
            return (Reason.gatesNotMet, failed.map(\.message).joined(separator: "; "))
        }
        if c.requireCard && !c.missingCardFields.isEmpty {
            return (Reason.cardMissing, "promotion.requireCard is set: spec.card lacks \(c.missingCardFields.joined(separator: ", "))")
        }
        if let metric = c.compareMetric, let p = production, p.name != c.name, !c.wasProduction {
            guard let mine = c.metrics[metric] else {
                return (Reason.notBetterThanProduction, "metric \(metric) is not reported, cannot compare with Production \(p.name)")
            }
            if let theirs = p.metrics[metric] {
                // Tolerance for decimal inputs (0.917 - 0.912 is 0.00499999... in binary).
                if mine - theirs + 1e-9 < c.minImprovement {
                    return (Reason.notBetterThanProduction,
                            "\(metric) \(format(mine)) vs Production \(p.name) \(format(theirs)): improvement \(format(mine - theirs)) is below the required \(format(c.minImprovement))")
                }
            }
        }
        if c.requireApproval && (c.approvedBy ?? "").isEmpty {
            return (Reason.awaitingApproval, "waiting for approval: set the annotation \(approvedByAnnotation)")
        }
        return nil
    }

    static func format(_ v: Double) -> String {
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
