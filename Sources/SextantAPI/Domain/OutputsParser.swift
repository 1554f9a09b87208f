import Foundation
import KubeCore

/// Parses the JSON a step writes to $SEXTANT_OUTPUTS_PATH.
public enum OutputsParser {
    /// Parses `{"artifacts": {name: uri}, "metrics": {name: number}}` and checks the declared
    /// outputs are present. Throws `invalidOutputs` / `missingOutputs`.
    public static func parse(_ message: String?, declared: StepOutputs?) throws -> OutputValues {
        let wantsArtifacts = declared?.artifacts ?? []
        let wantsMetrics = declared?.metrics ?? []
        let text = (message ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty {
            if wantsArtifacts.isEmpty && wantsMetrics.isEmpty { return OutputValues() }
            throw SextantAPIError.missingOutputs("the step wrote no outputs; declared: \((wantsArtifacts + wantsMetrics).joined(separator: ", "))")
        }
        guard let json = try? JSONValue.parse(text), case .object(let root) = json else {
            // A step that declares nothing may leave any message (a log line); it is not read.
            if wantsArtifacts.isEmpty && wantsMetrics.isEmpty { return OutputValues() }
            throw SextantAPIError.invalidOutputs("outputs are not a JSON object: \(text.prefix(200))")
        }
        var artifacts: [String: String] = [:]
        var metrics: [String: Double] = [:]
        if let a = root["artifacts"] {
            guard case .object(let o) = a else { throw SextantAPIError.invalidOutputs("\"artifacts\" must be an object of strings") }
            for (k, v) in o {
                guard let s = v.stringValue else { throw SextantAPIError.invalidOutputs("artifact \(k) must be a string") }
                artifacts[k] = s
            }
        }
        if let m = root["metrics"] {
            guard case .object(let o) = m else { throw SextantAPIError.invalidOutputs("\"metrics\" must be an object of numbers") }
            for (k, v) in o {
                guard let d = v.doubleValue else { throw SextantAPIError.invalidOutputs("metric \(k) must be a number") }
                metrics[k] = d
            }
        }
        let missing = wantsArtifacts.filter { artifacts[$0] == nil }.map { "artifact \($0)" }
            + wantsMetrics.filter { metrics[$0] == nil }.map { "metric \($0)" }
        guard missing.isEmpty else { throw SextantAPIError.missingOutputs("missing declared outputs: \(missing.joined(separator: ", "))") }
        // Keep only declared outputs: status stays small and predictable.
        let keptArtifacts = artifacts.filter { wantsArtifacts.contains($0.key) }
        let keptMetrics = metrics.filter { wantsMetrics.contains($0.key) }
        return OutputValues(artifacts: keptArtifacts.isEmpty ? nil : keptArtifacts, metrics: keptMetrics.isEmpty ? nil : keptMetrics)
    }
}
