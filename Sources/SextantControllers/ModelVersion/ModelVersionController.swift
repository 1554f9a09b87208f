import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import SextantAPI

/// The model registry controller. Promotion decisions span all versions of a model (one
/// Production per model), so every reconcile of a version decides for its whole model and
/// writes the status of each version whose status changed. One worker keeps those group
/// decisions sequential.
public enum ModelVersionController {
    /// The controller, ready to add to a `ControllerManager`.
    /// Versions with `spec.registries` are mirrored through `mirrors` (`RegistryMirror`s by registry).
    public static func make(
        client: KubeClient, namespaces: [String], pricing: PricingTable = .shippedDefaults, mirrors: MirrorWork = MirrorWork(),
        logger: Logger? = nil
    ) -> Controller<ModelVersion> {
        Controller<ModelVersion>("modelversion", client: client, namespaces: namespaces, logger: logger) { mv, ctx in
            try await reconcile(mv, ctx: ctx, now: Date(), pricing: pricing, mirrors: mirrors)
        }
        .owns(Deployment.self, labelSelector: "\(SextantLabels.managedBy)=\(SextantLabels.managedByValue)")
        // Every ModelVersion owner of a Service: the stable Service lists all versions of its model,
        // so when one is deleted (the garbage collector drops it from the owners) the others decide again.
        .watches(KubeService.self, labelSelector: "\(SextantLabels.managedBy)=\(SextantLabels.managedByValue)", mapping: modelVersionOwnerKeys)
        .owns(HorizontalPodAutoscaler.self, labelSelector: "\(SextantLabels.managedBy)=\(SextantLabels.managedByValue)")
        .owns(PodDisruptionBudget.self, labelSelector: "\(SextantLabels.managedBy)=\(SextantLabels.managedByValue)")
        .workers(1)
    }

    /// Keys of all ModelVersion owners of `object`.
    @Sendable static func modelVersionOwnerKeys<O: Resource>(_ object: O) -> [ObjectKey] {
        (object.metadata.ownerReferences ?? []).filter { ref in
            ref.kind == ModelVersion.kind && ref.apiVersion.split(separator: "/").first.map(String.init) == ModelVersion.group
        }.map { ObjectKey(namespace: object.metadata.namespace, name: $0.name) }
    }

    static func reconcile(
        _ mv: ModelVersion, ctx: ReconcileContext<ModelVersion>, now: Date, pricing: PricingTable = .shippedDefaults,
        mirrors: MirrorWork = MirrorWork()
    ) async throws -> ReconcileAction {
        let namespace = mv.namespace ?? "default"
        // A failed registry call is retried no earlier than this.
        var mirrorRetryAt: Date?
        if mv.isBeingDeleted {
            mirrorRetryAt = try await deleteMirrors(mv, ctx: ctx, work: mirrors, now: now)
        }
        let store = ctx.store
        await mirrors.sweep(now: now) { Set(store.list().compactMap(\.metadata.uid)) }
        let model = mv.spec.model
        let group = ctx.store.list(namespace: namespace)
            .filter { $0.spec.model == model && !$0.isBeingDeleted }
            .sorted { $0.name < $1.name }
        // A version `sextant restore` is still writing back decides nothing for its model yet.
        if group.contains(where: { RestoreMarker.isPending($0.metadata.annotations) }) { return .awaitChange }
        // Promotion, with Production requests held back while their canary runs (CanaryDecision).
        let canary = await decideCanaries(group, namespace: namespace, now: now, ctx: ctx)
        let outcomes = canary.outcomes
        let deployments = ctx.api(Deployment.self)
        let services = ctx.api(KubeService.self)
        var log = ctx.logger
        log[metadataKey: "model"] = "\(model)"

        var stable = try await stableServiceTarget(model: model, namespace: namespace, group: group, outcomes: outcomes, ctx: ctx)
        stable?.sharedWithCanary = canary.sharesStableService
        var anyNotAvailable = false
        // Versions whose serving goes away; deleted only after the stable Service has moved, so it
        // never selects the pods of a Deployment being deleted.
        var unserved: [(ModelVersion, String)] = []
        for v in group {
            guard let outcome = outcomes[v.name] else { continue }
            let servingSpec = v.spec.serving
            let wanted = servingSpec != nil && !outcome.isDuplicate
                && (outcome.stage == Promotion.Stage.staging || outcome.stage == Promotion.Stage.production || canary.servesCanary(v.name))
                && !canary.isRolledBack(v.name)
            // The version the stable Service still selects keeps its pods until traffic has moved.
            let heldForTraffic = !wanted && stable?.chosen.name == v.name
            var deployment: Deployment?
            var served = false
            if wanted || heldForTraffic || canary.isRolledBack(v.name), let serving = servingSpec {
                served = true
                let base = ServingResources.deployment(for: v, serving: serving)
                let (desired, shaped) = canaryShaped(base, for: v, stage: outcome.stage,
                                                     stable: stable, canary: canary, namespace: namespace, ctx: ctx)
                // A canary-shaped replica count is written; otherwise replicas belong to the HPA (if any).
                deployment = try await ensure(desired, api: deployments, cached: ctx.cache(Deployment.self),
                                              updatePatch: { shaped ? $0 : ServingScaling.deploymentUpdatePatch($0, serving: serving) })
                _ = try await ensure(ServingResources.service(for: v, serving: serving), api: services, cached: ctx.cache(KubeService.self))
                // No HPA on a replica-ratio canary's candidate: the step's share decides its replicas.
                let scaled = (wanted || heldForTraffic) && !canary.suspendsAutoscaling(v.name)
                try await applyScaling(v, serving: scaled ? serving : nil, ctx: ctx)
                if (!ServingResources.isAvailable(deployment) && wanted) || heldForTraffic { anyNotAvailable = true }
            } else {
                unserved.append((v, outcome.stage))
            }
            let obs = ModelVersionStatusBuilder.ServingObservation(
                wanted: wanted, deployment: deployment, port: servingSpec.map(ServingResources.port) ?? ServingResources.defaultPort)
            var pipeline: MLPipeline?
            if let source = v.spec.source?.pipeline, v.status?.lineage?.datasets == nil || v.status?.cost == nil {
                pipeline = try? await ctx.api(MLPipeline.self).getOptional(source)
            }
            let lineage = ModelVersionStatusBuilder.lineage(for: v, pipeline: pipeline)
            var built = ModelVersionStatusBuilder.status(for: v, outcome: outcome, serving: obs, lineage: lineage, now: now)
            built.cost = ModelVersionStatusBuilder.cost(for: v, pipeline: pipeline, pricing: pricing,
                                                        replicas: ModelVersionStatusBuilder.pricedReplicas(served: served, deployment: deployment))
            canary.adjust(&built, for: v, now: now)
            let mirrored = try await syncMirrors(v, built: built, isDuplicate: outcome.isDuplicate, ctx: ctx, work: mirrors, now: now)
            if let at = mirrored.retryAt { mirrorRetryAt = min(mirrorRetryAt ?? at, at) }
            let desired = mirrored.status
            if desired != v.status {
                try await ctx.updateStatus(v) { status in
                    status = desired
                }
                for note in outcome.events {
                    await ctx.event(v, type: note.type == "Warning" ? .warning : .normal, reason: note.reason, note: note.message)
                }
            }
            for e in mirrored.events {
                await ctx.event(v, type: e.warning ? .warning : .normal, reason: e.reason, note: e.note)
            }
        }
        try await applyStableService(stable, model: model, namespace: namespace, ctx: ctx, log: log)
        await applyRoute(stable, canary: canary, model: model, namespace: namespace, group: group, ctx: ctx, log: log)
        for (v, stage) in unserved {
            try await removeServing(v, stage: stage, deployments: deployments, services: services, ctx: ctx)
        }
        // Deployment status changes arrive through the owned-Deployment watch; poll slowly as a safety net.
        var after: Double? = anyNotAvailable ? 5 : nil
        if let wake = canary.active?.wakeAt {
            let wait = max(0.2, wake.timeIntervalSince(now))
            after = min(after ?? wait, wait)
        }
        if let at = mirrorRetryAt {
            let wait = max(1, at.timeIntervalSince(now))
            after = min(after ?? wait, wait)
        }
        guard let after else { return .awaitChange }
        return .requeue(after: .milliseconds(Int64(after * 1000)))
    }

    /// Where the model's stable Service should point after this reconcile.
    struct StableTarget: Sendable {
        /// The effective Production version.
        var target: ModelVersion
        /// The version selected now: the target, or the previous one while the target is not available.
        var chosen: ModelVersion
        var existing: KubeService?
        var owners: [OwnerReference]
        /// A replica-ratio canary runs: the Service selects the pods of Production and the candidate.
        var sharedWithCanary = false
    }

    /// Picks the version the stable Service selects: the effective Production version, but the
    /// currently selected one stays while the new one's Deployment is not available and the old
    /// one's is, so clients never see a Service that selects nothing.
    static func stableServiceTarget(
        model: String, namespace: String, group: [ModelVersion], outcomes: [String: Promotion.Outcome],
        ctx: ReconcileContext<ModelVersion>
    ) async throws -> StableTarget? {
        let existing = try await ctx.api(KubeService.self).getOptional(model)
        if let e = existing, e.metadata.labels?[SextantLabels.managedBy] != SextantLabels.managedByValue { return nil }
        guard let target = group.first(where: { v in
            outcomes[v.name]?.stage == Promotion.Stage.production && v.spec.serving != nil && outcomes[v.name]?.isDuplicate == false
        }) else {
            return nil
        }
        var chosen = target
        let deployments = ctx.cache(Deployment.self)
        if let current = existing?.spec?.selector?[SextantLabels.modelVersion], current != target.name,
           let currentVersion = group.first(where: { $0.name == current }), currentVersion.spec.serving != nil {
            let targetReady = ServingResources.isAvailable(deployments?.get(namespace: namespace, name: target.name))
            let currentReady = ServingResources.isAvailable(deployments?.get(namespace: namespace, name: current))
            if !targetReady && currentReady { chosen = currentVersion }
        }
        let owners = group.map { v -> OwnerReference in
            var ref = v.ownerReference(controller: true, blockOwnerDeletion: false)
            ref.controller = v.name == target.name ? true : nil
            return ref
        }
        return StableTarget(target: target, chosen: chosen, existing: existing, owners: owners)
    }

    /// Creates, moves or deletes the model's stable Service.
    static func applyStableService(
        _ stable: StableTarget?, model: String, namespace: String,
        ctx: ReconcileContext<ModelVersion>, log: Logger
    ) async throws {
        let services = ctx.api(KubeService.self)
        guard let stable else {
            if let e = try await services.getOptional(model), e.metadata.labels?[SextantLabels.managedBy] == SextantLabels.managedByValue {
                _ = try? await services.delete(e.name)
                log.info("no served Production version; deleted the stable Service", metadata: ["service": "\(model)"])
            }
            return
        }
        let chosen = stable.chosen
        let port = chosen.spec.serving.map(ServingResources.port) ?? ServingResources.defaultPort
        var desired = ServingResources.stableService(model: model, namespace: namespace, target: chosen, port: port, owners: stable.owners)
        if stable.sharedWithCanary { desired = CanaryTraffic.sharedStableService(desired, model: model) }
        let before = stable.existing?.spec?.selector?[SextantLabels.modelVersion]
        try await ensure(desired, api: services, cached: nil, compareOwners: true)
        if before != chosen.name && !stable.sharedWithCanary {
            await ctx.event(chosen, reason: "TrafficSwitched",
                            note: "Service \(model) now selects the pods of \(chosen.name)\(before.map { " (was \($0))" } ?? "")")
        }
    }

    /// Deletes the version's Deployment and Service (when they are ours).
    static func removeServing(_ v: ModelVersion, stage: String, deployments: Api<Deployment>, services: Api<KubeService>, ctx: ReconcileContext<ModelVersion>) async throws {
        try await applyScaling(v, serving: nil, ctx: ctx)
        if let d = ctx.cache(Deployment.self)?.get(namespace: v.namespace, name: v.name), d.metadata.controllerReference?.uid == v.uid {
            _ = try? await deployments.delete(v.name)
            await ctx.event(v, reason: "ServingRemoved", note: "deleted Deployment \(v.name): stage \(stage) is not served")
        }
        if let s = ctx.cache(KubeService.self)?.get(namespace: v.namespace, name: v.name), s.metadata.controllerReference?.uid == v.uid {
            _ = try? await services.delete(v.name)
        }
    }
}
