import Foundation
import Testing
@testable import SextantAPI

private let t0 = Date(timeIntervalSince1970: 1_790_000_000)

private func mv(
    _ name: String, version: String, created: Double = 0, stage: String? = Promotion.Stage.production,
    metrics: [String: Double] = ["auc": 0.9], gates: [Promotion.Gate] = [], compare: String? = nil,
    minImprovement: Double = 0, approval: Bool = false, approvedBy: String? = nil
) -> Promotion.Candidate {
    Promotion.Candidate(
        name: name, creationTimestamp: t0.addingTimeInterval(created), model: "churn", version: version,
        requestedStage: stage, metrics: metrics, gates: gates, compareMetric: compare, minImprovement: minImprovement,
        requireApproval: approval, approvedBy: approvedBy)
}

/// Feeds outcomes back into the candidates, as the controller does through status.
private func apply(_ outcomes: [String: Promotion.Outcome], to cs: [Promotion.Candidate]) -> [Promotion.Candidate] {
    cs.map { c in
        guard let o = outcomes[c.name] else { return c }
        var n = c
        n.currentStage = o.stage
        n.promotedAt = o.promotedAt
        n.promotedReason = o.reason
        n.history = o.history
        return n
    }
}

private func run(_ cs: [Promotion.Candidate], at seconds: Double) -> ([Promotion.Candidate], [String: Promotion.Outcome]) {
    let o = Promotion.decide(cs, now: t0.addingTimeInterval(seconds))
    return (apply(o, to: cs), o)
}

@Suite("Promotion: effective stage of model versions")
struct PromotionTests {
    @Test("a version passing its gates becomes Production with a history entry and an Event")
    func promotesWhenGatesPass() throws {
        let (_, o) = run([mv("churn-v1", version: "1", gates: [.init(metric: "auc", min: 0.85)])], at: 10)
        let r = try #require(o["churn-v1"])
        #expect(r.stage == "Production")
        #expect(r.promoted && r.reason == "Promoted")
        #expect(r.gates.first?.passed == true)
        #expect(r.history.last?.to == "Production" && r.history.last?.from == "None")
        #expect(r.events.contains { $0.reason == "Promoted" })
    }

    @Test("failing min and max gates give GatesNotMet with each gate's value and the stage kept")
    func gatesNotMet() throws {
        let c = mv("churn-v1", version: "1", metrics: ["auc": 0.8, "latency": 120],
                   gates: [.init(metric: "auc", min: 0.85), .init(metric: "latency", max: 100), .init(metric: "f1", min: 0.5)])
        let r = try #require(Promotion.decide([c], now: t0)["churn-v1"])
        #expect(r.stage == "None")
        #expect(!r.promoted && r.reason == "GatesNotMet")
        #expect(r.gates.map(\.passed) == [false, false, false])
        #expect(r.gates[0].value == 0.8 && r.gates[0].message.contains("below min 0.85"))
        #expect(r.gates[1].message.contains("above max 100"))
        #expect(r.gates[2].value == nil && r.gates[2].message.contains("not reported"))
        #expect(!r.requestSatisfied)
    }

    @Test("a version not better than Production by minImprovement gives NotBetterThanProduction")
    func notBetterThanProduction() throws {
        var (cs, _) = run([mv("churn-v1", version: "1", metrics: ["auc": 0.912])], at: 0)
        cs.append(mv("churn-v2", version: "2", created: 5, metrics: ["auc": 0.914], compare: "auc", minImprovement: 0.005))
        let (_, o) = run(cs, at: 10)
        #expect(o["churn-v2"]?.reason == "NotBetterThanProduction")
        #expect(o["churn-v2"]?.stage == "None")
        #expect(o["churn-v1"]?.stage == "Production")
    }

    @Test("an improvement of exactly minImprovement passes despite binary rounding")
    func exactImprovementPasses() throws {
        var (cs, _) = run([mv("churn-v1", version: "1", metrics: ["auc": 0.912])], at: 0)
        cs.append(mv("churn-v2", version: "2", created: 5, metrics: ["auc": 0.917], compare: "auc", minImprovement: 0.005))
        let (_, o) = run(cs, at: 10)
        #expect(o["churn-v2"]?.stage == "Production")
        #expect(o["churn-v1"]?.stage == "Archived")
    }

    @Test("requireApproval without the annotation gives AwaitingApproval; with it the approver is recorded")
    func approval() throws {
        let c = mv("churn-v1", version: "1", approval: true)
        var (cs, o) = run([c], at: 0)
        #expect(o["churn-v1"]?.reason == "AwaitingApproval")
        #expect(o["churn-v1"]?.stage == "None")
        cs[0].approvedBy = "alice"
        (cs, o) = run(cs, at: 60)
        let r = try #require(o["churn-v1"])
        #expect(r.stage == "Production")
        #expect(r.history.last?.approvedBy == "alice")
        #expect(r.events.contains { $0.reason == "Approved" && $0.message.contains("alice") })
    }

    @Test("a newer promotion supersedes the Production version, which becomes Archived with Superseded")
    func supersede() throws {
        var (cs, _) = run([mv("churn-v1", version: "1")], at: 0)
        cs.append(mv("churn-v2", version: "2", created: 30))
        let (next, o) = run(cs, at: 60)
        #expect(o["churn-v2"]?.stage == "Production")
        let old = try #require(o["churn-v1"])
        #expect(old.stage == "Archived" && old.reason == "Superseded" && !old.promoted)
        #expect(old.history.last?.reason == "Superseded")
        // Stable: a second pass (as after a controller restart) changes nothing.
        let again = Promotion.decide(next, now: t0.addingTimeInterval(3600))
        #expect(again["churn-v2"]?.stage == "Production")
        #expect(again["churn-v1"]?.stage == "Archived")
        #expect(again.values.allSatisfy { $0.events.isEmpty })
    }

    @Test("rollback: a previously Production version skips the comparison and takes Production back")
    func rollbackSkipsComparison() throws {
        var (cs, _) = run([mv("churn-v1", version: "1", metrics: ["auc": 0.95])], at: 0)
        cs.append(mv("churn-v2", version: "2", created: 30, metrics: ["auc": 0.96], compare: "auc"))
        (cs, _) = run(cs, at: 60)
        // User moves v1 away and back (one edit each in Git): v1 is worse than v2 but was Production before.
        cs[0].requestedStage = "Archived"
        cs[0].compareMetric = "auc"
        (cs, _) = run(cs, at: 120)
        cs[0].requestedStage = "Production"
        let (_, o) = run(cs, at: 180)
        #expect(o["churn-v1"]?.stage == "Production")
        #expect(o["churn-v2"]?.stage == "Archived" && o["churn-v2"]?.reason == "Superseded")
    }

    @Test("when the Production version stops requesting Production, the superseded one is restored")
    func restoreAfterDemotion() throws {
        var (cs, _) = run([mv("churn-v1", version: "1")], at: 0)
        cs.append(mv("churn-v2", version: "2", created: 30))
        (cs, _) = run(cs, at: 60)
        cs[1].requestedStage = "Archived"
        let (_, o) = run(cs, at: 120)
        #expect(o["churn-v1"]?.stage == "Production" && o["churn-v1"]?.reason == "Restored")
        #expect(o["churn-v2"]?.stage == "Archived" && o["churn-v2"]?.reason == "Archived")
    }

    @Test("two requests taking effect together: the later-created version wins, deterministically")
    func simultaneousRequests() throws {
        let cs = [mv("churn-v2", version: "2", created: 10), mv("churn-v1", version: "1", created: 0)]
        let o1 = Promotion.decide(cs, now: t0)
        let o2 = Promotion.decide(cs.reversed(), now: t0)
        #expect(o1["churn-v2"]?.stage == "Production")
        #expect(o1["churn-v1"]?.stage == "Archived")
        #expect(o1 == o2)
    }

    @Test("the later (model, version) duplicate gets DuplicateVersion and stage None")
    func duplicate() throws {
        let cs = [mv("churn-seven", version: "7", created: 10), mv("churn-v7", version: "7", created: 0)]
        let o = Promotion.decide(cs, now: t0)
        #expect(o["churn-v7"]?.stage == "Production")
        let d = try #require(o["churn-seven"])
        #expect(d.isDuplicate && d.reason == "DuplicateVersion" && d.stage == "None")
        #expect(d.message.contains("churn-v7"))
    }

    @Test("Staging needs the checks; moving Production down to Staging needs none")
    func stagingRules() throws {
        var (cs, o) = run([mv("churn-v1", version: "1", stage: "Staging", metrics: ["auc": 0.5], gates: [.init(metric: "auc", min: 0.9)])], at: 0)
        #expect(o["churn-v1"]?.reason == "GatesNotMet")
        cs[0].metrics["auc"] = 0.95
        (cs, o) = run(cs, at: 10)
        #expect(o["churn-v1"]?.stage == "Staging")
        cs[0].requestedStage = "Production"
        (cs, o) = run(cs, at: 20)
        #expect(o["churn-v1"]?.stage == "Production")
        cs[0].requestedStage = "Staging"
        cs[0].metrics["auc"] = 0.1  // gates fail now, but a move down is always allowed
        (cs, o) = run(cs, at: 30)
        #expect(o["churn-v1"]?.stage == "Staging" && o["churn-v1"]?.reason == "Demoted")
    }

    @Test("history is bounded to the newest entries")
    func boundedHistory() throws {
        var cs = [mv("churn-v1", version: "1")]
        for i in 0..<30 {
            cs[0].requestedStage = i % 2 == 0 ? "Production" : "Archived"
            (cs, _) = run(cs, at: Double(i * 10))
        }
        #expect(cs[0].history.count == Promotion.historyLimit)
        #expect(cs[0].history.last?.to == "Archived")
    }

    @Test("None and Archived requests take effect at once without a promotion")
    func noneAndArchived() throws {
        let o = Promotion.decide([mv("a", version: "1", stage: nil), mv("b", version: "2", stage: "Archived")], now: t0)
        #expect(o["a"]?.stage == "None" && o["a"]?.reason == "NotRequested" && o["a"]?.requestSatisfied == true)
        #expect(o["b"]?.stage == "Archived" && o["b"]?.reason == "Archived")
    }
}
