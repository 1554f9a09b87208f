import Foundation
import KubeCore
import SextantAPI

/// The canaries of one model in one reconcile: which Production requests are held back while
/// their rollout runs (or after it failed), the promotion outcomes with those holds, the new
/// `status.rollout` of each version, and what serving each held version gets.
///
/// A version with `serving.canary` whose Production request passes its checks while another
/// served version is Production does not take over: the promotion is decided again as if it
/// still asked for its current stage, and its `Promoted` condition tells the rollout's state. When
/// the rollout succeeds the request goes through (Production, the previous one Superseded).
struct CanaryDecision: Sendable {
    /// A Production request held back.
    struct Hold: Sendable, Hashable {
        enum Kind: Sendable, Hashable { case progressing, failed, pending }
        var kind: Kind
        var reason: String
        var message: String
        var notes: [RolloutMachine.Note]
    }

    /// The rollout that runs now (Progressing, or Succeeded in this reconcile).
    struct Active: Sendable {
        var candidate: ModelVersion
        var production: ModelVersion
        var machine: RolloutMachine
        var state: RolloutMachine.State
        var wakeAt: Date?
    }

    /// Promotion outcomes after the holds.
    var outcomes: [String: Promotion.Outcome]
    var holds: [String: Hold] = [:]
    var active: Active?
    /// New `status.rollout` per version (a key with nil clears it); versions absent keep theirs.
    var rollouts: [String: RolloutStatus?] = [:]

    /// Condition reasons.
    static let progressingReason = "CanaryProgressing"
    static let failedReason = "CanaryFailed"
    static let pendingReason = "CanaryPending"

    /// The candidate's Production request is fresh (not already in effect, not a restore) and it has a canary.
    static func isFreshCanaryClaim(_ v: ModelVersion, _ outcomes: [String: Promotion.Outcome]) -> Bool {
        guard v.spec.serving?.canary != nil, let o = outcomes[v.name], !o.isDuplicate else { return false }
        return o.stage == Promotion.Stage.production && o.reason == Promotion.Reason.promoted
            && (v.status?.stage ?? Promotion.Stage.none) != Promotion.Stage.production
    }

    /// The served version that is Production now (the one a fresh claim would supersede).
    static func currentProduction(_ group: [ModelVersion], excluding name: String, _ outcomes: [String: Promotion.Outcome]) -> ModelVersion? {
        group.filter { v in
            v.name != name && v.status?.stage == Promotion.Stage.production && v.spec.serving != nil && outcomes[v.name]?.isDuplicate != true
        }.max { ($0.status?.promotedAt ?? "", $0.name) < ($1.status?.promotedAt ?? "", $1.name) }
    }

    /// The stored rollout, when it belongs to the version's current spec (a spec change starts over).
    static func storedState(_ v: ModelVersion) -> RolloutMachine.State? {
        guard let generation = v.metadata.generation, v.status?.observedGeneration == generation else { return nil }
        return RolloutMachine.State(v.status?.rollout)
    }

    /// Decides the canaries of `group` (one model). `measure` runs a due analysis query.
    static func decide(
        group: [ModelVersion], now: Date, isAvailable: (ModelVersion) -> Bool,
        measure: (PrometheusQuery, ModelVersion) async -> RolloutMachine.Measurement
    ) async -> CanaryDecision {
        let base = group.map(ModelVersionStatusBuilder.candidate)
        var outcomes = Promotion.decide(base, now: now)
        var result = CanaryDecision(outcomes: outcomes)
        // Every fresh canary claim, in the order the arbitration would promote them.
        // A version whose canary failed stays held even when no Production is left (it was
        // deleted meanwhile): it is tried again only when its spec changes.
        var claimants: [(ModelVersion, ModelVersion?)] = []
        var heldNames: Set<String> = []
        while let v = group.first(where: { !heldNames.contains($0.name) && isFreshCanaryClaim($0, outcomes) }) {
            let production = currentProduction(group, excluding: v.name, outcomes)
            guard production != nil || storedState(v)?.phase == RolloutPhase.failed else { break }
            claimants.append((v, production))
            heldNames.insert(v.name)
            outcomes = Promotion.decide(holding(base, heldNames, group), now: now)
        }
        // The rollout already under way keeps going; else the first claim that has not failed starts.
        let running = claimants.first { storedState($0.0)?.phase == RolloutPhase.progressing }
        let starter = running ?? claimants.first { storedState($0.0)?.phase != RolloutPhase.failed }
        var letThrough: Set<String> = []
        for (v, production) in claimants {
            let stored = storedState(v)
            if stored?.phase == RolloutPhase.failed, let stored, let canary = v.spec.serving?.canary {
                let machine = RolloutMachine(canary)
                result.holds[v.name] = Hold(kind: .failed, reason: failedReason, message: machine.terminalMessage(stored), notes: [])
            } else if v.name == starter?.0.name, let canary = v.spec.serving?.canary, let production {
                let machine = RolloutMachine(canary)
                let available = isAvailable(v)
                var measurement: RolloutMachine.Measurement?
                if machine.sampleDue(stored, now: now, candidateAvailable: available), let query = machine.query {
                    measurement = await measure(query, v)
                }
                let d = machine.advance(stored, now: now, candidateAvailable: available, measurement: measurement)
                result.rollouts[v.name] = d.state.status
                result.active = Active(candidate: v, production: production, machine: machine, state: d.state, wakeAt: d.wakeAt)
                switch d.state.phase {
                case RolloutPhase.succeeded:
                    letThrough.insert(v.name)
                    result.holds[v.name] = Hold(kind: .progressing, reason: Promotion.Reason.promoted, message: d.message, notes: d.notes)
                case RolloutPhase.failed:
                    result.holds[v.name] = Hold(kind: .failed, reason: failedReason, message: d.message, notes: d.notes)
                default:
                    result.holds[v.name] = Hold(kind: .progressing, reason: progressingReason, message: d.message, notes: d.notes)
                }
            } else {
                result.holds[v.name] = Hold(kind: .pending, reason: pendingReason,
                                            message: "waiting: the canary of \(starter?.0.name ?? "another version") runs first", notes: [])
                if stored?.phase == RolloutPhase.progressing { result.rollouts[v.name] = .some(nil) }
            }
        }
        // A rollout that is no longer wanted (request withdrawn, Production gone) is cleared.
        for v in group where result.rollouts[v.name] == nil && !claimants.contains(where: { $0.0.name == v.name })
            && v.status?.rollout?.phase == RolloutPhase.progressing {
            result.rollouts[v.name] = .some(nil)
        }
        let held = heldNames.subtracting(letThrough)
        var final = held.count == heldNames.count ? outcomes : Promotion.decide(holding(base, held, group), now: now)
        for (name, hold) in result.holds {
            guard var o = final[name] else { continue }
            let events = hold.notes.map { Promotion.EventNote(type: $0.warning ? "Warning" : "Normal", reason: $0.reason, message: $0.message) }
            if letThrough.contains(name) {
                o.events = events + o.events
            } else {
                o.promoted = false
                o.reason = hold.reason
                o.message = "requested Production is not in effect (stage stays \(o.stage)): \(hold.message)"
                o.requestSatisfied = false
                o.events = events
            }
            final[name] = o
        }
        result.outcomes = final
        return result
    }

    /// The candidates with each held version asking only for the stage it has.
    static func holding(_ base: [Promotion.Candidate], _ held: Set<String>, _ group: [ModelVersion]) -> [Promotion.Candidate] {
        base.map { c in
            guard held.contains(c.name) else { return c }
            var h = c
            h.requestedStage = group.first { $0.name == c.name }?.status?.stage ?? Promotion.Stage.none
            return h
        }
    }

    // MARK: - Serving of the held versions

    /// The running rollout's candidate, while its traffic share is being served.
    var progressingCandidate: Active? {
        guard let a = active, a.state.phase == RolloutPhase.progressing else { return nil }
        return a
    }

    /// The version is served for its canary (Progressing), whatever its stage.
    func servesCanary(_ name: String) -> Bool { progressingCandidate?.candidate.name == name }

    /// The version's canary failed: its Deployment is kept at zero replicas.
    func isRolledBack(_ name: String) -> Bool { holds[name]?.kind == .failed }

    /// The stable Service selects the pods of Production and the candidate (replica ratio, traffic started).
    var sharesStableService: Bool {
        guard let a = progressingCandidate else { return false }
        return a.candidate.spec.serving?.gateway == nil && a.state.startedAt != nil && a.state.trafficPercent > 0
    }

    /// The Gateway whose route carries the split, while a gateway canary runs.
    var canaryGateway: ServingGateway? { progressingCandidate?.candidate.spec.serving?.gateway }

    /// Replicas of a held version's Deployment: the step's share of Production's replicas
    /// (replica ratio), its own replicas (gateway), zero after a failure; nil = unchanged.
    /// `productionReplicas` are the ones Production runs now: with an HPA on Production, what the
    /// HPA last set, so the share follows Production as it scales.
    ///
    /// With `autoscaling` on the candidate: while its replica-ratio canary runs it has no HPA
    /// (`suspendsAutoscaling`: the ratio decides its replicas, an HPA of its own would undo them);
    /// in the reconcile where its rollout succeeds it starts with Production's replicas (within
    /// its own min..max), and from then on its HPA scales it. A gateway canary keeps its HPA.
    func replicas(for v: ModelVersion, productionReplicas: Int) -> Int? {
        if isRolledBack(v.name) { return 0 }
        guard let a = active, a.candidate.name == v.name else { return nil }
        if a.state.phase == RolloutPhase.succeeded {
            guard let scaling = v.spec.serving?.autoscaling, v.spec.serving?.gateway == nil else { return nil }
            return min(scaling.maxReplicas, max(scaling.effectiveMinReplicas, productionReplicas))
        }
        guard a.state.phase == RolloutPhase.progressing, v.spec.serving?.gateway == nil else { return nil }
        let step = a.machine.steps.indices.contains(a.state.step) ? a.machine.steps[a.state.step] : a.state.trafficPercent
        return CanaryTraffic.candidateReplicas(production: productionReplicas, percent: step)
    }

    /// The version's HPA is withheld: it is the candidate of a running replica-ratio canary,
    /// whose replicas are the step's share of Production's (see `replicas(for:productionReplicas:)`).
    func suspendsAutoscaling(_ name: String) -> Bool {
        guard let a = progressingCandidate, a.candidate.name == name else { return false }
        return a.candidate.spec.serving?.gateway == nil
    }

    /// Status of a version after the canary: `status.rollout`, and a rolled-back version's Serving condition.
    func adjust(_ status: inout ModelVersionStatus, for v: ModelVersion, now: Date) {
        if let rollout = rollouts[v.name] { status.rollout = rollout }
        guard isRolledBack(v.name) else { return }
        var conditions = status.conditions ?? []
        conditions.set(type: ModelVersionStatusBuilder.serving, status: ConditionStatus.false, reason: Self.failedReason,
                       message: "Deployment \(v.name) is scaled to zero: its canary failed", observedGeneration: v.metadata.generation, now: now)
        status.conditions = conditions
    }
}
