import Foundation
import KubeCore
import SextantAPI
import Testing

private func decode<T: Decodable>(_ json: String) throws -> T {
    try JSONValue.parse(json).decode(as: T.self)
}

private func objects() throws -> LineageBuilder.Objects {
    let run: MLPipeline = try decode("""
        {"apiVersion":"ml.sextant.dev/v1alpha1","kind":"MLPipeline",
         "metadata":{"name":"churn-1","namespace":"ml","labels":{"ml.sextant.dev/retrain-policy":"weekly"}},
         "spec":{"datasets":[{"name":"events","uri":"s3://data/events.parquet","version":"v3"}],
                 "steps":[{"name":"prepare","container":{"image":"i"},"outputs":{"artifacts":["features"]}},
                          {"name":"train","dependsOn":["prepare"],"container":{"image":"i"},"outputs":{"artifacts":["model"]}}]},
         "status":{"phase":"Succeeded","steps":[
                     {"name":"prepare","phase":"Succeeded","outputs":{"artifacts":{"features":"s3://a/features"}}},
                     {"name":"train","phase":"Succeeded","outputs":{"artifacts":{"model":"s3://a/model.tar.gz"}}}],
                   "lineage":{"datasets":[{"name":"events","uri":"s3://data/events.parquet","version":"v3"}],"modelVersion":"churn-v1"}}}
        """)
    let other: MLPipeline = try decode("""
        {"metadata":{"name":"unrelated","namespace":"ml"},"spec":{"steps":[{"name":"x","container":{"image":"i"}}]}}
        """)
    let mv: ModelVersion = try decode("""
        {"metadata":{"name":"churn-v1","namespace":"ml"},
         "spec":{"model":"churn","version":1,"artifact":{"uri":"s3://a/model.tar.gz"},"source":{"pipeline":"churn-1","step":"train"},"stage":"Production"},
         "status":{"stage":"Production","deployment":"churn-v1","endpoint":"http://churn-v1.ml.svc:8080","readyReplicas":2}}
        """)
    let policy: RetrainPolicy = try decode("""
        {"metadata":{"name":"weekly","namespace":"ml"},"spec":{"schedule":"0 3 * * 1","pipeline":{"spec":{"steps":[{"name":"x","container":{"image":"i"}}]}}}}
        """)
    return LineageBuilder.Objects(pipelines: [run, other], versions: [mv], policies: [policy])
}

@Suite("Lineage graph")
struct LineageTests {
    @Test("kinds parse as kubectl spells them")
    func roots() {
        #expect(LineageBuilder.Root("mv/churn-v1") == .modelVersion("churn-v1"))
        #expect(LineageBuilder.Root("ModelVersion/churn-v1") == .modelVersion("churn-v1"))
        #expect(LineageBuilder.Root("mlpipelines.ml.sextant.dev/run") == .pipeline("run"))
        #expect(LineageBuilder.Root("rp/weekly") == .policy("weekly"))
        #expect(LineageBuilder.Root("deployment/x") == nil)
        #expect(LineageBuilder.Root("mv") == nil)
    }

    @Test("a ModelVersion's graph runs dataset@version → run → steps → artifacts → version → Deployment → endpoint")
    func modelVersionChain() throws {
        let g = try #require(LineageBuilder.graph(.modelVersion("churn-v1"), try objects()))
        func id(_ kind: LineageGraph.NodeKind, _ label: String) -> String? { g.nodes.first { $0.kind == kind && $0.label == label }?.id }
        let dataset = try #require(id(.dataset, "events@v3"))
        let run = try #require(id(.run, "churn-1"))
        let prepare = try #require(id(.step, "prepare")), train = try #require(id(.step, "train"))
        let model = try #require(id(.artifact, "model"))
        let version = try #require(id(.modelVersion, "churn-v1"))
        let deployment = try #require(id(.deployment, "churn-v1"))
        let endpoint = try #require(id(.endpoint, "http://churn-v1.ml.svc:8080"))
        let edges = Set(g.edges.map { "\($0.from) \($0.relation) \($0.to)" })
        for expected in ["\(dataset) input \(run)", "\(run) runs \(prepare)", "\(run) runs \(train)", "\(prepare) then \(train)",
                         "\(train) produces \(model)", "\(model) registers \(version)", "\(version) serves \(deployment)",
                         "\(deployment) exposes \(endpoint)"] {
            #expect(edges.contains(expected), "missing edge \(expected)")
        }
        #expect(!g.nodes.contains { $0.label == "unrelated" })
        let mvNode = try #require(g.node(id: version))
        #expect(mvNode.attributes.contains { $0 == ("stage", "Production") })
        #expect(g.nodes.allSatisfy { $0.id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } })
    }

    @Test("a policy's graph holds its runs; an unknown object gives no graph")
    func policyAndMissing() throws {
        let g = try #require(LineageBuilder.graph(.policy("weekly"), try objects()))
        #expect(g.nodes.first?.kind == .policy)
        #expect(g.edges.contains { $0.relation == "triggered" && g.node(id: $0.to)?.label == "churn-1" })
        #expect(!g.nodes.contains { $0.label == "unrelated" })
        #expect(LineageBuilder.graph(.pipeline("nope"), try objects()) == nil)
    }

    @Test("Mermaid output is one flowchart with quoted, entity-escaped labels; DOT output escapes quotes; JSON lists nodes and edges")
    func renderings() throws {
        var g = LineageGraph()
        let a = g.node(.dataset, key: "k", label: #"say "hi" <b> #1 | x"#)
        let b = g.node(.run, key: "r", label: "run", attributes: [("phase", "Succeeded")])
        g.edge(a, b, "input")
        g.edge(a, b, "input")
        #expect(g.edges.count == 1)
        let mermaid = LineageRenderer.mermaid(g)
        #expect(mermaid.hasPrefix("flowchart LR\n"))
        #expect(mermaid.contains(#"[("Dataset: say #quot;hi#quot; #lt;b#gt; #35;1 #124; x")]"#))
        #expect(mermaid.contains(#"["MLPipeline: run<br/>phase: Succeeded"]"#))
        #expect(mermaid.contains("\(a) -->|input| \(b)"))
        let dot = LineageRenderer.dot(g)
        #expect(dot.hasPrefix("digraph lineage {"))
        #expect(dot.contains(#"label="Dataset: say \"hi\" <b> #1 | x", shape=cylinder"#))
        #expect(dot.contains(#"label="MLPipeline: run\nphase: Succeeded""#))
        let json = LineageRenderer.json(g)
        #expect(json["nodes"]?.arrayValue?.count == 2)
        #expect(json["edges"]?[0]?["relation"] == "input")
    }
}
