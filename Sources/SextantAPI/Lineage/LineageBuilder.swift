import Foundation
import KubeCore

/// Builds the lineage graph of a ModelVersion, an MLPipeline or a RetrainPolicy from the objects
/// of its namespace (pure: the caller lists them).
public enum LineageBuilder {
    /// The object the graph starts from.
    public enum Root: Sendable, Equatable {
        case modelVersion(String)
        case pipeline(String)
        case policy(String)

        /// Parses `<kind>/<name>`; kinds as kubectl spells them (`modelversion`, `mv`, `mlpipeline`,
        /// `mlp`, `retrainpolicy`, `rp`, with or without the group, any case).
        public init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { return nil }
            let kind = parts[0].lowercased().split(separator: ".").first.map(String.init) ?? ""
            switch kind {
            case "modelversion", "modelversions", "mv": self = .modelVersion(parts[1])
            case "mlpipeline", "mlpipelines", "mlp": self = .pipeline(parts[1])
            case "retrainpolicy", "retrainpolicies", "rp": self = .policy(parts[1])
            default: return nil
            }
        }
    }

    /// The objects of the namespace the graph may draw on.
    public struct Objects: Sendable {
        public var pipelines: [MLPipeline]
        public var versions: [ModelVersion]
        public var policies: [RetrainPolicy]

        public init(pipelines: [MLPipeline], versions: [ModelVersion], policies: [RetrainPolicy]) {
            self.pipelines = pipelines
            self.versions = versions
            self.policies = policies
        }
    }

    /// The graph, or nil when the root object is not among `objects`.
    public static func graph(_ root: Root, _ objects: Objects) -> LineageGraph? {
        var g = LineageGraph()
        switch root {
        case .modelVersion(let name):
            guard let mv = objects.versions.first(where: { $0.metadata.name == name }) else { return nil }
            let source = mv.spec.source?.pipeline ?? mv.status?.lineage?.pipeline
            if let source, let run = objects.pipelines.first(where: { $0.metadata.name == source }) {
                addRun(run, objects, to: &g)
            } else {
                addVersion(mv, from: nil, to: &g)
            }
        case .pipeline(let name):
            guard let run = objects.pipelines.first(where: { $0.metadata.name == name }) else { return nil }
            addRun(run, objects, to: &g)
        case .policy(let name):
            guard let policy = objects.policies.first(where: { $0.metadata.name == name }) else { return nil }
            var attributes: [(String, String)] = []
            if let s = policy.spec.schedule { attributes.append(("schedule", s)) }
            if let t = policy.status?.lastTrigger { attributes.append(("lastTrigger", t.reason)) }
            let p = g.node(.policy, key: name, label: name, attributes: attributes)
            let runs = objects.pipelines
                .filter { run in
                    run.metadata.labels?[SextantLabels.retrainPolicy] == name
                        || run.metadata.ownerReferences?.contains { $0.kind == "RetrainPolicy" && $0.name == name } == true
                }
                .sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
            for run in runs {
                let r = addRun(run, objects, to: &g)
                g.edge(p, r, "triggered")
            }
        }
        return g
    }

    /// Datasets → run → steps → artifacts → registered version → serving. Returns the run's id.
    @discardableResult
    static func addRun(_ run: MLPipeline, _ objects: Objects, to g: inout LineageGraph) -> String {
        let name = run.metadata.name ?? ""
        var attributes: [(String, String)] = []
        if let phase = run.status?.phase { attributes.append(("phase", phase)) }
        if let at = run.status?.startedAt { attributes.append(("startedAt", at)) }
        if let at = run.status?.finishedAt { attributes.append(("finishedAt", at)) }
        let r = g.node(.run, key: name, label: name, attributes: attributes)
        for d in run.status?.lineage?.datasets ?? run.spec.datasets ?? [] {
            let label = d.version.map { "\(d.name)@\($0)" } ?? d.name
            let id = g.node(.dataset, key: "\(d.uri)@\(d.version ?? "")", label: label, attributes: [("uri", d.uri)])
            g.edge(id, r, "input")
        }
        var stepIDs: [String: String] = [:]
        let statuses = Dictionary((run.status?.steps ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var artifactIDs: [String: String] = [:]  // uri → id
        for step in run.spec.steps {
            let s = statuses[step.name]
            var attrs: [(String, String)] = []
            if let phase = s?.phase { attrs.append(("phase", phase)) }
            if s?.cached == true { attrs.append(("cachedFrom", s?.cachedFrom ?? "")) }
            let id = g.node(.step, key: "\(name)/\(step.name)", label: step.name, attributes: attrs)
            stepIDs[step.name] = id
            g.edge(r, id, "runs")
            for (artifact, uri) in (s?.outputs?.artifacts ?? [:]).sorted(by: { $0.key < $1.key }) {
                let a = g.node(.artifact, key: uri, label: artifact, attributes: [("uri", uri)])
                artifactIDs[uri] = a
                g.edge(id, a, "produces")
            }
        }
        for step in run.spec.steps {
            for dep in step.dependsOn ?? [] {
                if let from = stepIDs[dep], let to = stepIDs[step.name] { g.edge(from, to, "then") }
            }
        }
        let registered = objects.versions
            .filter { mv in
                mv.metadata.name == run.status?.lineage?.modelVersion
                    || (mv.spec.source?.pipeline == name && mv.spec.source?.pipeline != nil)
            }
            .sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
        for mv in registered {
            addVersion(mv, from: artifactIDs[mv.spec.artifact.uri] ?? r, to: &g)
        }
        return r
    }

    /// The version node, the edge that made it, its Deployment and endpoint.
    static func addVersion(_ mv: ModelVersion, from: String?, to g: inout LineageGraph) {
        let name = mv.metadata.name ?? ""
        var attrs: [(String, String)] = [("model", mv.spec.model), ("version", String(mv.spec.version))]
        attrs.append(("stage", mv.status?.stage ?? "None"))
        if let requested = mv.spec.stage, requested != mv.status?.stage { attrs.append(("requestedStage", requested)) }
        attrs.append(("artifact", mv.spec.artifact.uri))
        attrs += cardAttributes(mv)
        let v = g.node(.modelVersion, key: name, label: name, attributes: attrs)
        if let from {
            g.edge(from, v, "registers")
        } else {
            let a = g.node(.artifact, key: mv.spec.artifact.uri, label: "artifact", attributes: [("uri", mv.spec.artifact.uri)])
            g.edge(a, v, "registers")
        }
        if let deployment = mv.status?.deployment, !deployment.isEmpty {
            var dAttrs: [(String, String)] = []
            if let ready = mv.status?.readyReplicas { dAttrs.append(("readyReplicas", String(ready))) }
            let d = g.node(.deployment, key: "\(mv.metadata.namespace ?? "")/\(deployment)", label: deployment, attributes: dAttrs)
            g.edge(v, d, "serves")
            if let endpoint = mv.status?.endpoint, !endpoint.isEmpty {
                g.edge(d, g.node(.endpoint, key: endpoint, label: endpoint), "exposes")
            }
        } else if let endpoint = mv.status?.endpoint, !endpoint.isEmpty {
            g.edge(v, g.node(.endpoint, key: endpoint, label: endpoint), "exposes")
        }
    }

    /// The model card's fields as node attributes (none without a card).
    static func cardAttributes(_ mv: ModelVersion) -> [(String, String)] {
        guard let card = mv.spec.card else { return [] }
        var out: [(String, String)] = []
        if let v = card.description, !v.isEmpty { out.append(("card.description", v)) }
        if let v = card.intendedUse, !v.isEmpty { out.append(("card.intendedUse", v)) }
        if let v = card.limitations, !v.isEmpty { out.append(("card.limitations", v)) }
        if let v = card.owners, !v.isEmpty { out.append(("card.owners", v.joined(separator: ", "))) }
        if let v = card.license, !v.isEmpty { out.append(("card.license", v)) }
        return out
    }
}
