import Foundation
import KubeCore

/// A `{{...}}` reference inside a step string.
public enum TemplateReference: Sendable, Hashable, CustomStringConvertible {
    /// `{{params.N}}`.
    case param(String)
    /// `{{datasets.N.uri}}`.
    case datasetURI(String)
    /// `{{datasets.N.version}}`.
    case datasetVersion(String)
    /// `{{steps.S.outputs.artifacts.N}}`.
    case artifact(step: String, name: String)
    /// `{{steps.S.outputs.metrics.N}}`.
    case metric(step: String, name: String)
    /// `{{pipeline.name}}`.
    case pipelineName
    /// `{{pipeline.namespace}}`.
    case pipelineNamespace
    /// `{{pipeline.uid}}`.
    case pipelineUID

    /// Parses the text between the braces (whitespace trimmed). Throws `invalidReference`.
    public init(parsing expression: String) throws {
        let parts = expression.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 2 where parts[0] == "params" && !parts[1].isEmpty: self = .param(parts[1])
        case 2 where parts[0] == "pipeline" && parts[1] == "name": self = .pipelineName
        case 2 where parts[0] == "pipeline" && parts[1] == "namespace": self = .pipelineNamespace
        case 2 where parts[0] == "pipeline" && parts[1] == "uid": self = .pipelineUID
        case 3 where parts[0] == "datasets" && parts[2] == "uri" && !parts[1].isEmpty: self = .datasetURI(parts[1])
        case 3 where parts[0] == "datasets" && parts[2] == "version" && !parts[1].isEmpty: self = .datasetVersion(parts[1])
        case 5 where parts[0] == "steps" && parts[2] == "outputs" && parts[3] == "artifacts" && !parts[4].isEmpty:
            self = .artifact(step: parts[1], name: parts[4])
        case 5 where parts[0] == "steps" && parts[2] == "outputs" && parts[3] == "metrics" && !parts[4].isEmpty:
            self = .metric(step: parts[1], name: parts[4])
        default:
            throw SextantAPIError.invalidReference("unknown template {{\(expression)}}")
        }
    }

    /// The referenced step, for output references.
    public var step: String? {
        switch self {
        case .artifact(let s, _), .metric(let s, _): return s
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .param(let n): return "params.\(n)"
        case .datasetURI(let n): return "datasets.\(n).uri"
        case .datasetVersion(let n): return "datasets.\(n).version"
        case .artifact(let s, let n): return "steps.\(s).outputs.artifacts.\(n)"
        case .metric(let s, let n): return "steps.\(s).outputs.metrics.\(n)"
        case .pipelineName: return "pipeline.name"
        case .pipelineNamespace: return "pipeline.namespace"
        case .pipelineUID: return "pipeline.uid"
        }
    }
}

/// Finding and substituting `{{...}}` templates.
public enum Templates {
    /// Every reference in `text`, in order. Throws `invalidReference` for unknown or unterminated templates.
    public static func references(in text: String) throws -> [TemplateReference] {
        var refs: [TemplateReference] = []
        _ = try substitute(text) { ref in
            refs.append(ref)
            return ""
        }
        return refs
    }

    /// Replaces every template in `text` with `value(reference)`.
    public static func substitute(_ text: String, _ value: (TemplateReference) throws -> String) throws -> String {
        guard text.contains("{{") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[rest.startIndex..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                throw SextantAPIError.invalidReference("unterminated template in \"\(text)\"")
            }
            out += try value(TemplateReference(parsing: String(afterOpen[afterOpen.startIndex..<close.lowerBound])))
            rest = afterOpen[close.upperBound...]
        }
        out += rest
        return out
    }

    /// Applies `transform` to every string inside a JSON value (cloud step blocks).
    public static func mapStrings(_ value: JSONValue, _ transform: (String) throws -> String) rethrows -> JSONValue {
        switch value {
        case .string(let s): return .string(try transform(s))
        case .array(let a): return .array(try a.map { try mapStrings($0, transform) })
        case .object(let o): return .object(try o.mapValues { try mapStrings($0, transform) })
        default: return value
        }
    }
}

/// Values the templates of one step resolve to.
public struct TemplateContext: Sendable {
    /// Pipeline name, namespace and uid.
    public var pipelineName: String
    /// Namespace.
    public var pipelineNamespace: String
    /// Uid.
    public var pipelineUID: String
    /// Declared params.
    public var params: [String: String]
    /// Declared datasets by name.
    public var datasets: [String: Dataset]
    /// Outputs of finished steps by step name.
    public var outputs: [String: OutputValues]

    /// A context.
    public init(pipelineName: String, pipelineNamespace: String, pipelineUID: String, params: [String: String], datasets: [String: Dataset], outputs: [String: OutputValues]) {
        self.pipelineName = pipelineName
        self.pipelineNamespace = pipelineNamespace
        self.pipelineUID = pipelineUID
        self.params = params
        self.datasets = datasets
        self.outputs = outputs
    }

    /// The context of a pipeline with the given finished outputs.
    public init(pipeline: MLPipeline, outputs: [String: OutputValues]) {
        self.init(
            pipelineName: pipeline.metadata.name ?? "", pipelineNamespace: pipeline.metadata.namespace ?? "",
            pipelineUID: pipeline.metadata.uid ?? "", params: pipeline.spec.params ?? [:],
            datasets: Dictionary((pipeline.spec.datasets ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }),
            outputs: outputs)
    }

    /// The value of one reference. Throws `invalidReference` when it is not available.
    public func value(of ref: TemplateReference) throws -> String {
        switch ref {
        case .param(let n):
            guard let v = params[n] else { throw SextantAPIError.invalidReference("param \(n) is not declared in spec.params") }
            return v
        case .datasetURI(let n):
            guard let d = datasets[n] else { throw SextantAPIError.invalidReference("dataset \(n) is not declared in spec.datasets") }
            return d.uri
        case .datasetVersion(let n):
            guard let d = datasets[n] else { throw SextantAPIError.invalidReference("dataset \(n) is not declared in spec.datasets") }
            guard let v = d.version else { throw SextantAPIError.invalidReference("dataset \(n) has no version") }
            return v
        case .artifact(let s, let n):
            guard let v = outputs[s]?.artifacts?[n] else { throw SextantAPIError.invalidReference("step \(s) has no artifact output \(n)") }
            return v
        case .metric(let s, let n):
            guard let v = outputs[s]?.metrics?[n] else { throw SextantAPIError.invalidReference("step \(s) has no metric output \(n)") }
            return Templates.format(v)
        case .pipelineName: return pipelineName
        case .pipelineNamespace: return pipelineNamespace
        case .pipelineUID: return pipelineUID
        }
    }

    /// Resolves every template in `text`.
    public func resolve(_ text: String) throws -> String {
        try Templates.substitute(text, value(of:))
    }
}

extension Templates {
    /// A metric as text: integral values without a fraction (`3`), others in shortest form (`0.93`).
    public static func format(_ value: Double) -> String {
        if value.isFinite, value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
