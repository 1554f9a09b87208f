import Foundation
import KubeCore
import SextantAPI
import Testing

private let t0 = Date(timeIntervalSince1970: 1_790_000_000)

private func candidate(requireCard: Bool, card: ModelCard?) -> Promotion.Candidate {
    Promotion.Candidate(name: "churn-v1", creationTimestamp: t0, model: "churn", version: "1", requestedStage: Promotion.Stage.production,
                        metrics: ["auc": 0.9], gates: [.init(metric: "auc", min: 0.8)])
        .requiringCard(requireCard, missing: card?.missingRequiredFields ?? ModelCard.requiredFields)
}

@Suite("Model cards")
struct ModelCardTests {
    static let complete = ModelCard(description: "Churn classifier", intendedUse: "Weekly retention campaigns", limitations: "EU customers only",
                                    owners: ["growth-ml"], license: "Proprietary")

    @Test("promotion.requireCard without a card is a gate failure CardMissing naming the fields; the stage does not change")
    func missingCardBlocks() throws {
        let outcome = try #require(Promotion.decide([candidate(requireCard: true, card: nil)], now: t0)["churn-v1"])
        #expect(outcome.reason == Promotion.Reason.cardMissing)
        #expect(outcome.stage == Promotion.Stage.none)
        #expect(outcome.message.contains("description, intendedUse, owners"))
        let partial = try #require(Promotion.decide([candidate(requireCard: true, card: ModelCard(description: "d", owners: [""]))], now: t0)["churn-v1"])
        #expect(partial.reason == Promotion.Reason.cardMissing)
        #expect(partial.message.hasSuffix("lacks intendedUse, owners"))
    }

    @Test("a complete card, or no requireCard, lets the version through")
    func completeCardPasses() throws {
        #expect(Promotion.decide([candidate(requireCard: true, card: Self.complete)], now: t0)["churn-v1"]?.stage == Promotion.Stage.production)
        #expect(Promotion.decide([candidate(requireCard: false, card: nil)], now: t0)["churn-v1"]?.stage == Promotion.Stage.production)
    }

    @Test("the card is part of spec (so kubectl describe shows it), round-trips through JSON, and appears in the lineage graph")
    func cardInSpecAndLineage() throws {
        var mv = try JSONValue.parse(#"{"metadata":{"name":"churn-v1","namespace":"ml"},"spec":{"model":"churn","version":1,"artifact":{"uri":"s3://m"}}}"#)
            .decode(as: ModelVersion.self)
        mv.spec.card = Self.complete
        let json = try JSONValue(encoding: mv)
        #expect(json[path: ["spec", "card", "owners"]] == ["growth-ml"])
        #expect(try json.decode(as: ModelVersion.self).spec.card == Self.complete)
        let graph = try #require(LineageBuilder.graph(.modelVersion("churn-v1"), .init(pipelines: [], versions: [mv], policies: [])))
        let node = try #require(graph.nodes.first { $0.kind == .modelVersion })
        #expect(node.attributes.contains { $0 == ("card.intendedUse", "Weekly retention campaigns") })
        #expect(node.attributes.contains { $0 == ("card.owners", "growth-ml") })
        #expect(LineageRenderer.mermaid(graph).contains("card.license: Proprietary"))
    }
}
