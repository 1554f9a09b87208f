import Foundation

extension Promotion {
    /// Appends a transition, keeping the newest `historyLimit` entries.
    static func appending(_ history: [Transition], _ t: Transition) -> [Transition] {
        var h = history
        h.append(t)
        if h.count > historyLimit { h.removeFirst(h.count - historyLimit) }
        return h
    }

    /// A later version with the same (model, version): stage None, nothing served.
    static func duplicate(_ c: Candidate, of original: Candidate, now: Date) -> Outcome {
        let message = "model \(c.model) version \(c.version) is already registered by \(original.name); nothing is served for this one"
        var history = c.history
        if c.stage != Stage.none {
            history = appending(history, Transition(from: c.stage, to: Stage.none, at: now, reason: Reason.duplicateVersion))
        }
        let events = c.promotedReason == Reason.duplicateVersion ? [] : [EventNote(type: "Warning", reason: Reason.duplicateVersion, message: message)]
        return Outcome(
            name: c.name, stage: Stage.none, promotedAt: c.stage == Stage.none ? c.promotedAt : nil, promoted: false,
            reason: Reason.duplicateVersion, message: message, requestSatisfied: false,
            gates: evaluateGates(c), history: history, events: events, isDuplicate: true)
    }

    /// The requested move up did not happen; the version keeps its stage.
    static func blocked(_ c: Candidate, gates: [GateOutcome], failure: (String, String)) -> Outcome {
        let (reason, detail) = failure
        let message = "requested \(c.requested) is not in effect (stage stays \(c.stage)): \(detail)"
        let events = c.promotedReason == reason ? [] : [EventNote(type: "Warning", reason: reason, message: message)]
        return Outcome(
            name: c.name, stage: c.stage, promotedAt: c.promotedAt, promoted: false, reason: reason, message: message,
            requestSatisfied: false, gates: gates, history: c.history, events: events, isDuplicate: false)
    }

    /// The requested stage is already in effect.
    static func settled(_ c: Candidate, gates: [GateOutcome], message: String) -> Outcome {
        // Keep how it got here (Promoted, Restored, Demoted) instead of flapping back to Promoted.
        let kept = [Reason.promoted, Reason.restored, Reason.demoted]
        let reason = c.promotedReason.flatMap { kept.contains($0) ? $0 : nil } ?? Reason.promoted
        return Outcome(
            name: c.name, stage: c.stage, promotedAt: c.promotedAt, promoted: true, reason: reason, message: message,
            requestSatisfied: true, gates: gates, history: c.history, events: [], isDuplicate: false)
    }

    /// A move that needs no checks (down, archive, none, supersede); records a transition when the stage changes.
    static func moved(_ c: Candidate, gates: [GateOutcome], to stage: String, promoted: Bool, reason: String, message: String, now: Date) -> Outcome {
        var history = c.history
        var events: [EventNote] = []
        if c.stage != stage {
            history = appending(history, Transition(from: c.stage, to: stage, at: now, reason: reason))
            events.append(EventNote(type: "Normal", reason: reason, message: "stage \(c.stage) -> \(stage): \(message)"))
        }
        return Outcome(
            name: c.name, stage: stage, promotedAt: c.promotedAt, promoted: promoted, reason: reason, message: message,
            requestSatisfied: true, gates: gates, history: history, events: events, isDuplicate: false)
    }

    /// A move up that passed its checks: new promotedAt, history entry with the approver, Events.
    static func promote(_ c: Candidate, gates: [GateOutcome], to stage: String, reason: String, message: String, now: Date) -> Outcome {
        let approver = c.requireApproval ? c.approvedBy : nil
        let history = appending(c.history, Transition(from: c.stage, to: stage, at: now, reason: reason, approvedBy: approver))
        var events = [EventNote(type: "Normal", reason: reason, message: "stage \(c.stage) -> \(stage): \(message)")]
        if let a = approver {
            events.insert(EventNote(type: "Normal", reason: "Approved", message: "promotion to \(stage) approved by \(a)"), at: 0)
        }
        let text = approver.map { "\(message) (approved by \($0))" } ?? message
        return Outcome(
            name: c.name, stage: stage, promotedAt: now, promoted: true, reason: reason, message: text,
            requestSatisfied: true, gates: gates, history: history, events: events, isDuplicate: false)
    }
}
