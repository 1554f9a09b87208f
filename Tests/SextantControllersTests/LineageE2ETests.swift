import Foundation
import KubeCore
import Testing
import TestSupport

/// Checks a `flowchart` against the part of Mermaid's flowchart grammar (flow.jison) that
/// `sextant lineage` uses: the header, node statements `id<open>"text"<close>` with the shape
/// delimiters of square, round, cylinder `[( )]`, lean-right `[/ /]`, hexagon `{{ }}`, subroutine
/// `[[ ]]`, circle `(( ))` and asymmetric `> ]`, and edges `a -->|text| b` between declared nodes.
/// Returns the problems (empty = valid).
func mermaidFlowchartProblems(_ text: String) -> [String] {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    guard lines.first == "flowchart LR" else { return ["the first line is not `flowchart LR`: \(lines.first ?? "")"] }
    let quoted = #""[^"]*""#
    let shapes = [#"\[\("#, #"\)\]"#, #"\[\["#, #"\]\]"#, #"\(\("#, #"\)\)"#, #"\[/"#, #"/\]"#, #"\{\{"#, #"\}\}"#,
                  #"\["#, #"\]"#, #"\("#, #"\)"#, ">", #"\]"#]
    var nodePatterns: [NSRegularExpression] = []
    for i in stride(from: 0, to: shapes.count, by: 2) {
        if let re = try? NSRegularExpression(pattern: "^  ([a-z0-9_]+)\(shapes[i])\(quoted)\(shapes[i + 1])$") { nodePatterns.append(re) }
    }
    guard let edge = try? NSRegularExpression(pattern: #"^  ([a-z0-9_]+) -->\|([^|"]*)\| ([a-z0-9_]+)$"#) else { return ["bad pattern"] }
    var declared = Set<String>()
    var problems: [String] = []
    for (n, line) in lines.enumerated().dropFirst() {
        let range = NSRange(line.startIndex..., in: line)
        if let m = nodePatterns.lazy.compactMap({ $0.firstMatch(in: line, range: range) }).first, let r = Range(m.range(at: 1), in: line) {
            declared.insert(String(line[r]))
        } else if let m = edge.firstMatch(in: line, range: range), let a = Range(m.range(at: 1), in: line), let b = Range(m.range(at: 3), in: line) {
            for id in [String(line[a]), String(line[b])] where !declared.contains(id) { problems.append("line \(n + 1): edge to undeclared node \(id)") }
        } else {
            problems.append("line \(n + 1) is neither a node nor an edge statement: \(line)")
        }
    }
    return problems
}

@Suite("sextant lineage against a cluster", .serialized)
struct LineageE2ETests {
    @Test("mermaid output passes the flowchart grammar check, dot output is laid out by Graphviz, json lists the chain dataset → run → steps → artifact → version → Deployment → endpoint")
    func lineageFormats() async throws {
        let dot = ProcessRunner.packageRoot.appendingPathComponent(".sextant/bin/dot").path
        try #require(FileManager.default.isExecutableFile(atPath: dot), "Graphviz is not installed: run hack/install-tools.sh graphviz")
        let e = try await RegistryE2E.start()
        defer { e.stop() }
        let sim = #"'{"exitCode":0,"seconds":1,"message":"{\"artifacts\":{\"model\":\"s3://models/churn/7\"},\"metrics\":{\"auc\":0.93}}"}'"#
        try await e.apply("""
            apiVersion: ml.sextant.dev/v1alpha1
            kind: MLPipeline
            metadata: {name: churn-weekly, namespace: default}
            spec:
              datasets: [{name: events, uri: "s3://acme-data/events.parquet", version: "3HL4kq"}]
              steps:
              - {name: prepare, container: {image: busybox, podMetadata: {annotations: {dev.sextant.dev/simulate: '{"exitCode":0,"seconds":1}'}}}}
              - {name: train, dependsOn: [prepare], outputs: {artifacts: [model], metrics: [auc]}, container: {image: busybox, podMetadata: {annotations: {dev.sextant.dev/simulate: \(sim)}}}}
              register: {model: churn, artifact: "{{steps.train.outputs.artifacts.model}}", metricsFrom: train, stage: Production,
                         serving: {image: ghcr.io/acme/churn-server:2.0, replicas: 1, port: 8080}}
            """)
        try await e.waitFor("mv", "churn-v1", "{.status.readyReplicas}", equals: "1", timeout: 60)
        try await e.k("patch", "mv", "churn-v1", "--type=merge", "-p",
                      #"{"spec":{"card":{"description":"Churn \"risk\" <score>","intendedUse":"retention","owners":["growth-ml"],"license":"Proprietary"}}}"#)
        let binary = try DevClusterProcess.binaryPath()
        func lineage(_ object: String, _ format: String) async throws -> String {
            let r = try await ProcessRunner.run(binary, ["lineage", object, "-n", "default", "--format", format, "--kubeconfig", e.cluster.kubeconfigPath])
            try #require(r.succeeded, "sextant lineage \(object) --format \(format): \(r.stderr)")
            return r.stdout
        }

        let json = try JSONValue.parse(Data(try await lineage("mv/churn-v1", "json").utf8))
        let kinds = Set((json["nodes"]?.arrayValue ?? []).compactMap { $0["kind"]?.stringValue })
        #expect(kinds == ["Dataset", "MLPipeline", "Step", "Artifact", "ModelVersion", "Deployment", "Endpoint"])
        let relations = (json["edges"]?.arrayValue ?? []).compactMap { $0["relation"]?.stringValue }
        #expect(Set(relations) == ["input", "runs", "then", "produces", "registers", "serves", "exposes"])
        let version = (json["nodes"]?.arrayValue ?? []).first { $0["kind"]?.stringValue == "ModelVersion" }
        #expect(version?[path: ["attributes", "card.owners"]]?.stringValue == "growth-ml")
        #expect(version?[path: ["attributes", "stage"]]?.stringValue == "Production")

        for object in ["mv/churn-v1", "mlp/churn-weekly"] {
            let mermaid = try await lineage(object, "mermaid")
            #expect(mermaidFlowchartProblems(mermaid).isEmpty, "\(mermaidFlowchartProblems(mermaid))\n\(mermaid)")
            #expect(mermaid.contains("events@3HL4kq"))
            let dotText = try await lineage(object, "dot")
            let laidOut = try await ProcessRunner.run(dot, ["-Tsvg"], stdin: dotText)
            #expect(laidOut.succeeded, "dot rejected the output: \(laidOut.stderr)\n\(dotText)")
            // Graphviz writes "-" as "&#45;" in SVG text; every node of the graph is laid out.
            #expect(laidOut.stdout.contains("ModelVersion: churn&#45;v1"))
            let nodes = dotText.split(separator: "\n").filter { $0.contains(" [label=") && !$0.contains(" -> ") }.count
            #expect(laidOut.stdout.components(separatedBy: "class=\"node\"").count - 1 == nodes)
        }
        // The grammar check does fail on a broken flowchart.
        #expect(!mermaidFlowchartProblems("flowchart LR\n  a[\"x\"]\n  a -->|r| b\n").isEmpty)
        #expect(!mermaidFlowchartProblems("flowchart LR\n  a[\"say \"hi\"\"]\n").isEmpty)
        let missing = try await ProcessRunner.run(binary, ["lineage", "mv/nope", "-n", "default", "--kubeconfig", e.cluster.kubeconfigPath])
        #expect(missing.exitCode == 1 && missing.stderr.contains("not found"))
    }
}
