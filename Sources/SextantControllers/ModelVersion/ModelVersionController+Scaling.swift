import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import SextantAPI

extension ModelVersionController {
    /// Creates, updates or deletes the version's HorizontalPodAutoscaler and PodDisruptionBudget
    /// to match `serving` (nil = the version is not served: both go). Only objects this version
    /// controls are deleted. An invalid block is reported as a Warning event and creates nothing.
    static func applyScaling(_ v: ModelVersion, serving: ServingSpec?, ctx: ReconcileContext<ModelVersion>) async throws {
        if let serving, !serving.scalingProblems.isEmpty {
            await ctx.event(v, type: .warning, reason: "InvalidServing", note: serving.scalingProblems.joined(separator: "; "))
        }
        let hpas = ctx.api(HorizontalPodAutoscaler.self)
        let hpaCache = ctx.cache(HorizontalPodAutoscaler.self)
        if let hpa = serving.flatMap({ ServingScaling.horizontalPodAutoscaler(for: v, serving: $0) }) {
            try await ensure(hpa, api: hpas, cached: hpaCache)
        } else {
            try await deleteControlled(v, api: hpas, cached: hpaCache)
        }
        let pdbs = ctx.api(PodDisruptionBudget.self)
        let pdbCache = ctx.cache(PodDisruptionBudget.self)
        if let pdb = serving.flatMap({ ServingScaling.podDisruptionBudget(for: v, serving: $0) }) {
            try await ensure(pdb, api: pdbs, cached: pdbCache, updatePatch: ServingScaling.budgetUpdatePatch)
        } else {
            try await deleteControlled(v, api: pdbs, cached: pdbCache)
        }
    }

    /// Deletes the object named after the version when the version is its controller.
    private static func deleteControlled<R: Resource>(_ v: ModelVersion, api: Api<R>, cached: Store<R>?) async throws {
        let existing: R?
        if let cached {
            existing = cached.get(namespace: v.namespace, name: v.name)
        } else {
            existing = try await api.getOptional(v.name)
        }
        guard let existing, existing.metadata.controllerReference?.uid == v.uid else { return }
        do {
            _ = try await api.delete(v.name)
        } catch where error.isNotFound {
            return
        }
    }
}
