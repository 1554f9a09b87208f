import Foundation
import KubeCore

/// Text forms of a lineage graph: Mermaid flowchart, Graphviz DOT, JSON.
public enum LineageRenderer {
    /// The output formats of `sextant lineage --format`.
    public enum Format: String, CaseIterable, Sendable {
        case mermaid, dot, json
    }

    /// The graph in `format`.
    public static func render(_ graph: LineageGraph, as format: Format) -> String {
        switch format {
        case .mermaid: return mermaid(graph)
        case .dot: return dot(graph)
        case .json: return json(graph).data(pretty: true).string + "\n"
        }
    }

    /// The node's text: `Kind: label` then one `key: value` line per attribute.
    static func lines(_ node: LineageGraph.Node) -> [String] {
        ["\(node.kind.rawValue): \(node.label)"] + node.attributes.map { "\($0.0): \($0.1)" }
    }

    /// A Mermaid `flowchart LR`: one shape per node kind, labelled edges. Labels are quoted strings
    /// with `"`, `<`, `>`, `#` and `|` written as Mermaid entity codes.
    public static func mermaid(_ graph: LineageGraph) -> String {
        func escape(_ s: String) -> String {
            var out = ""
            for c in s {
                switch c {
                case "\"": out += "#quot;"
                case "#": out += "#35;"
                case "<": out += "#lt;"
                case ">": out += "#gt;"
                case "|": out += "#124;"
                case "\n", "\r": out += " "
                default: out.append(c)
                }
            }
            return out
        }
        var out = "flowchart LR\n"
        for node in graph.nodes {
            let text = "\"" + lines(node).map(escape).joined(separator: "<br/>") + "\""
            let shape: String
            switch node.kind {
            case .dataset: shape = "[(\(text))]"
            case .run: shape = "[\(text)]"
            case .step: shape = "(\(text))"
            case .artifact: shape = "[/\(text)/]"
            case .modelVersion: shape = "{{\(text)}}"
            case .deployment: shape = "[[\(text)]]"
            case .endpoint: shape = "((\(text)))"
            case .policy: shape = ">\(text)]"
            }
            out += "  \(node.id)\(shape)\n"
        }
        for e in graph.edges {
            out += "  \(e.from) -->|\(escape(e.relation))| \(e.to)\n"
        }
        return out
    }

    /// A Graphviz `digraph`, left to right, one shape per node kind.
    public static func dot(_ graph: LineageGraph) -> String {
        func quote(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: " ") + "\""
        }
        var out = "digraph lineage {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n"
        for node in graph.nodes {
            let shape: String
            switch node.kind {
            case .dataset: shape = "cylinder"
            case .run: shape = "box"
            case .step: shape = "box, style=rounded"
            case .artifact: shape = "note"
            case .modelVersion: shape = "hexagon"
            case .deployment: shape = "component"
            case .endpoint: shape = "ellipse"
            case .policy: shape = "cds"
            }
            // "\n" inside a DOT string is a centred line break.
            let label = lines(node).map { quote($0).dropFirst().dropLast() }.joined(separator: "\\n")
            out += "  \(node.id) [label=\"\(label)\", shape=\(shape)];\n"
        }
        for e in graph.edges {
            out += "  \(e.from) -> \(e.to) [label=\(quote(e.relation))];\n"
        }
        return out + "}\n"
    }

    /// `{nodes: [{id, kind, label, attributes}], edges: [{from, to, relation}]}`.
    public static func json(_ graph: LineageGraph) -> JSONValue {
        .object([
            "nodes": .array(graph.nodes.map { n in
                .object([
                    "id": .string(n.id), "kind": .string(n.kind.rawValue), "label": .string(n.label),
                    "attributes": .object(Dictionary(n.attributes.map { ($0.0, JSONValue.string($0.1)) }, uniquingKeysWith: { a, _ in a })),
                ])
            }),
            "edges": .array(graph.edges.map { .object(["from": .string($0.from), "to": .string($0.to), "relation": .string($0.relation)]) }),
        ])
    }
}

extension Data {
    fileprivate var string: String { String(decoding: self, as: UTF8.self) }
}
