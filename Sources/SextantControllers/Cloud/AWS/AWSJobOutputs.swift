import Foundation
import KubeCore
import SextantAPI

/// The outputs of a finished AWS job: the provider's own merged with the JSON the step wrote to
/// `SEXTANT_OUTPUTS_URI`. Pure.
enum AWSJobOutputs {
    /// Merges `native` outputs with the outputs JSON `written` (nil when the object does not exist),
    /// keeping the declared outputs (like container steps, status stays small). A value the step wrote
    /// wins over the provider's of the same name.
    /// Throws `CloudBackendError(.invalidOutputs)` when `written` is not an outputs object and
    /// `(.missingOutputs)` when a declared output is in neither.
    static func merge(native: OutputValues?, written: String?, declared: StepOutputs?) throws -> OutputValues {
        let wantsArtifacts = declared?.artifacts ?? []
        let wantsMetrics = declared?.metrics ?? []
        var artifacts = (native?.artifacts ?? [:]).filter { wantsArtifacts.contains($0.key) }
        var metrics = (native?.metrics ?? [:]).filter { wantsMetrics.contains($0.key) }
        if let written, !written.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            guard let json = try? JSONValue.parse(written), case .object(let root) = json else {
                throw CloudBackendError(.invalidOutputs, "SEXTANT_OUTPUTS_URI does not hold a JSON object: \(AWSJobNaming.clip(written, 200))")
            }
            // Only what the object holds is asked of the parser; the rest may come from the provider.
            let present = StepOutputs(
                artifacts: wantsArtifacts.filter { root["artifacts"]?[$0] != nil },
                metrics: wantsMetrics.filter { root["metrics"]?[$0] != nil })
            let parsed: OutputValues
            do { parsed = try OutputsParser.parse(written, declared: present) } catch let e as SextantAPIError {
                throw CloudBackendError(.invalidOutputs, "SEXTANT_OUTPUTS_URI: \(e.message)")
            }
            for (k, v) in parsed.artifacts ?? [:] { artifacts[k] = v }
            for (k, v) in parsed.metrics ?? [:] { metrics[k] = v }
        }
        let missing = wantsArtifacts.filter { artifacts[$0] == nil }.map { "artifact \($0)" }
            + wantsMetrics.filter { metrics[$0] == nil }.map { "metric \($0)" }
        guard missing.isEmpty else {
            throw CloudBackendError(.missingOutputs, "missing declared outputs: \(missing.joined(separator: ", ")) (neither the job's own outputs nor SEXTANT_OUTPUTS_URI have them)")
        }
        return OutputValues(artifacts: artifacts.isEmpty ? nil : artifacts, metrics: metrics.isEmpty ? nil : metrics)
    }
}
