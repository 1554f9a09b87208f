import Foundation
import KubeClient
import KubeCore
import SextantAPI

/// Creates the ModelVersion a successful run registers, at most once per run.
///
/// Idempotence across restarts (kill -9 at any moment): the created ModelVersion carries the run's
/// uid in the annotation `ml.sextant.dev/pipeline-uid`; before creating, the live list (not a cache)
/// is searched for it, so a run whose status write was lost adopts the version it created.
public enum ModelRegistration {
    /// The ModelVersion for `pipeline` as version `version` (nil when there is nothing to register).
    public static func desiredModelVersion(for pipeline: MLPipeline, version: Int64) throws -> ModelVersion? {
        guard let register = pipeline.spec.register else { return nil }
        let outputs = Dictionary((pipeline.status?.steps ?? []).map { ($0.name, $0.outputs ?? OutputValues()) }, uniquingKeysWith: { a, _ in a })
        let context = TemplateContext(pipeline: pipeline, outputs: outputs)
        let artifact = try context.resolve(register.artifact)
        let sourceStep = (try? Templates.references(in: register.artifact))?.compactMap(\.step).first ?? register.metricsFrom
        let metrics = register.metricsFrom.flatMap { outputs[$0]?.metrics }
        let name = "\(register.model)-v\(version)"
        let pipelineName = pipeline.metadata.name ?? ""
        return ModelVersion(
            metadata: ObjectMeta(
                name: name, namespace: pipeline.metadata.namespace,
                labels: [
                    SextantLabels.managedBy: SextantLabels.managedByValue,
                    SextantLabels.model: register.model,
                    SextantLabels.pipeline: DerivedName.labelValue(pipelineName),
                ],
                annotations: [SextantLabels.pipelineUID: pipeline.metadata.uid ?? ""]),
            spec: ModelVersionSpec(
                model: register.model, version: version, artifact: ArtifactRef(uri: artifact), framework: register.framework,
                metrics: metrics, source: ModelSource(pipeline: pipelineName, step: sourceStep), stage: register.stage,
                promotion: register.promotion, serving: register.serving))
    }

    /// Registers the run's model version (or finds the one it registered before) and returns its name.
    public static func register(_ pipeline: MLPipeline, api: Api<ModelVersion>) async throws -> String? {
        guard let register = pipeline.spec.register else { return nil }
        var taken: Int64 = 0  // the highest number whose name was found taken
        for _ in 0..<20 {
            let existing = try await api.list().items.filter { $0.spec.model == register.model }
            if let mine = existing.first(where: { $0.metadata.annotations?[SextantLabels.pipelineUID] == pipeline.metadata.uid }) {
                return mine.name
            }
            let next = max((existing.map(\.spec.version).max() ?? 0), taken) + 1
            guard let mv = try desiredModelVersion(for: pipeline, version: next) else { return nil }
            do {
                return try await api.create(mv).name
            } catch where error.isAlreadyExists {
                // Someone took the name (a concurrent run, or an object of another model): list
                // again and take a number above both the highest version and the taken name.
                taken = next
            }
        }
        throw ControllerError.registrationFailed("no free version number for model \(register.model) after 20 attempts")
    }
}
