import Foundation
import KubeCore

/// A lineage graph: datasets@version → run → steps → artifacts → model versions →
/// deployments/endpoints (and, for a policy, the policy → its runs). Nodes and edges keep the
/// order they were added, so every rendering is deterministic.
public struct LineageGraph: Sendable, Equatable {
    /// What a node stands for.
    public enum NodeKind: String, Sendable, Codable {
        case policy = "RetrainPolicy"
        case dataset = "Dataset"
        case run = "MLPipeline"
        case step = "Step"
        case artifact = "Artifact"
        case modelVersion = "ModelVersion"
        case deployment = "Deployment"
        case endpoint = "Endpoint"
    }

    /// One node; `id` is unique in the graph and made of `[a-z0-9_]` only (safe in Mermaid and DOT).
    public struct Node: Sendable, Equatable {
        public var id: String
        public var kind: NodeKind
        public var label: String
        /// Extra facts shown with the node (phase, stage, version, card fields, ...), in order.
        public var attributes: [(String, String)]

        public static func == (a: Node, b: Node) -> Bool {
            a.id == b.id && a.kind == b.kind && a.label == b.label
                && a.attributes.map(\.0) == b.attributes.map(\.0) && a.attributes.map(\.1) == b.attributes.map(\.1)
        }
    }

    /// One edge with its relation (`input`, `runs`, `produces`, `registers`, ...).
    public struct Edge: Sendable, Hashable {
        public var from: String
        public var to: String
        public var relation: String
    }

    public private(set) var nodes: [Node] = []
    public private(set) var edges: [Edge] = []
    private var index: [String: Int] = [:]
    private var edgeSet: Set<Edge> = []

    public init() {}

    /// Adds a node (or returns the id of the one with the same kind and key) and returns its id.
    @discardableResult
    public mutating func node(_ kind: NodeKind, key: String, label: String, attributes: [(String, String)] = []) -> String {
        let id = Self.identifier(kind, key)
        if let i = index[id] {
            for (k, v) in attributes where !nodes[i].attributes.contains(where: { $0.0 == k }) { nodes[i].attributes.append((k, v)) }
            return id
        }
        index[id] = nodes.count
        nodes.append(Node(id: id, kind: kind, label: label, attributes: attributes))
        return id
    }

    /// Adds an edge once.
    public mutating func edge(_ from: String, _ to: String, _ relation: String) {
        let e = Edge(from: from, to: to, relation: relation)
        if edgeSet.insert(e).inserted { edges.append(e) }
    }

    /// The node with `id`.
    public func node(id: String) -> Node? { index[id].map { nodes[$0] } }

    /// A stable identifier: the kind, then the key reduced to `[a-z0-9_]`, then 8 hex digits of a
    /// hash of the key so that different keys never collide after the reduction.
    static func identifier(_ kind: NodeKind, _ key: String) -> String {
        let reduced = key.lowercased().unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? String($0) : "_" }.joined()
        var hash: UInt32 = 2_166_136_261
        for byte in key.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return "\(kind.rawValue.lowercased())_\(reduced.prefix(40))_\(String(format: "%08x", hash))"
    }
}
