import Crypto
import Foundation
import KubeCore

/// A step with every template resolved, and its cache key.
public struct ResolvedStep: Sendable, Hashable {
    /// The step as written.
    public var step: PipelineStep
    /// The container with command, args and env values resolved (container steps).
    public var container: ContainerStep?
    /// `sagemaker`, `awsBatch`, `vertexAI`, `azureML` or `airflow` (cloud steps).
    public var cloudBackend: String?
    /// The cloud block with every string resolved (cloud steps).
    public var cloudBlock: JSONValue?
    /// Every reference used, with the value it resolved to.
    public var inputs: [String: String]

    /// Resolves the templates of `step`; throws `invalidReference` when a value is unavailable.
    public init(_ step: PipelineStep, context: TemplateContext) throws {
        self.step = step
        var inputs: [String: String] = [:]
        let resolve: (String) throws -> String = { text in
            try Templates.substitute(text) { ref in
                let v = try context.value(of: ref)
                inputs[ref.description] = v
                return v
            }
        }
        if var c = step.container {
            c.command = try c.command?.map(resolve)
            c.args = try c.args?.map(resolve)
            c.env = try c.env?.map { e in
                var e = e
                e.value = try e.value.map(resolve)
                return e
            }
            container = c
        } else {
            let backend: String
            let raw: JSONValue
            if let s = step.sagemaker { backend = "sagemaker"; raw = try JSONValue(encoding: s) }
            else if let s = step.awsBatch { backend = "awsBatch"; raw = try JSONValue(encoding: s) }
            else if let s = step.vertexAI { backend = "vertexAI"; raw = try JSONValue(encoding: s) }
            else if let s = step.azureML { backend = "azureML"; raw = try JSONValue(encoding: s) }
            else if let s = step.airflow { backend = "airflow"; raw = try JSONValue(encoding: s) }
            else { throw SextantAPIError.invalidPipeline(reason: PipelineGraph.Reason.invalidStepKind, message: "step \(step.name) has no kind") }
            cloudBackend = backend
            cloudBlock = try Templates.mapStrings(raw, resolve)
        }
        self.inputs = inputs
    }

    /// SHA-256 (hex) of the resolved definition (image, command, args, env, working directory or
    /// the cloud block, plus the declared outputs) and the resolved inputs it references.
    public var cacheKey: String {
        var definition: [String: JSONValue] = [:]
        if let c = container {
            definition["image"] = .string(c.image)
            definition["command"] = .array((c.command ?? []).map { .string($0) })
            definition["args"] = .array((c.args ?? []).map { .string($0) })
            definition["env"] = .array((c.env ?? []).map { e in
                .object(["name": .string(e.name), "value": e.value.map { .string($0) } ?? .null, "valueFrom": e.valueFrom ?? .null])
            })
            definition["workingDir"] = c.workingDir.map { .string($0) } ?? .null
        }
        if let backend = cloudBackend { definition[backend] = cloudBlock ?? .null }
        definition["outputs"] = .object([
            "artifacts": .array((step.outputs?.artifacts ?? []).sorted().map { .string($0) }),
            "metrics": .array((step.outputs?.metrics ?? []).sorted().map { .string($0) }),
        ])
        let document: JSONValue = .object([
            "definition": .object(definition),
            "inputs": .object(inputs.mapValues { .string($0) }),
        ])
        return SHA256.hash(data: document.data()).map { String(format: "%02x", $0) }.joined()
    }
}
