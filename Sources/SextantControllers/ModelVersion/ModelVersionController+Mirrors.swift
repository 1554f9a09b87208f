import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import SextantAPI

extension ModelVersionController {
    /// What mirroring did to one version in a pass: its status (registries and `Mirrored`), the
    /// Events to record once that status is written, and when a failed call is retried.
    struct MirrorPass: Sendable {
        var status: ModelVersionStatus
        var events: [(warning: Bool, reason: String, note: String)] = []
        var retryAt: Date?
    }

    /// The subject of `v`'s mirrors at effective stage `stage`.
    static func mirrorSubject(_ v: ModelVersion, stage: String, mlflowRunID: String?) -> MirrorSubject {
        MirrorSubject(
            namespace: v.namespace ?? "default", name: v.name, uid: v.uid, model: v.spec.model, version: v.spec.version,
            artifactURI: v.spec.artifact.uri, digest: v.spec.artifact.digest, framework: v.spec.framework,
            metrics: v.spec.metrics ?? [:], stage: stage, pipeline: v.spec.source?.pipeline, step: v.spec.source?.step,
            mlflowRunID: mlflowRunID, registries: v.spec.registries ?? RegistriesSpec())
    }

    static func planInput(_ v: ModelVersion, stage: String, isDuplicate: Bool, work: MirrorWork, now: Date) async -> MirrorPlanner.Input {
        var input = MirrorPlanner.Input(registries: v.spec.registries, recorded: v.status?.registries ?? [], stage: stage,
                                        generation: v.metadata.generation, now: now)
        input.isDuplicate = isDuplicate
        input.deleting = v.isBeingDeleted
        input.deletionPolicyDelete = v.metadata.annotations?[MirrorPlanner.deletionPolicyAnnotation] == "delete"
        input.hasFinalizer = CleanupFinalizer.isPresent(on: v, name: MirrorPlanner.finalizer)
        input.notBefore = await work.notBefore(uid: v.uid)
        return input
    }

    /// Brings `v`'s mirrors in step with its effective stage (`built.stage`) and writes the result into
    /// `built`: `status.registries[]` (an id as soon as it is known) and the `Mirrored` condition. Keeps
    /// the mirror finalizer when the deletion policy is `delete`. Never throws for a registry failure:
    /// that is recorded, retried with backoff, and never touches the stage or serving.
    static func syncMirrors(
        _ v: ModelVersion, built: ModelVersionStatus, isDuplicate: Bool, ctx: ReconcileContext<ModelVersion>, work: MirrorWork, now: Date
    ) async throws -> MirrorPass {
        var pass = MirrorPass(status: built)
        let stage = built.stage ?? ModelStage.none
        let input = await planInput(v, stage: stage, isDuplicate: isDuplicate, work: work, now: now)
        let plan = MirrorPlanner.plan(input)
        switch plan.finalizer {
        case .add: _ = try await CleanupFinalizer.add(to: v, api: ctx.api, name: MirrorPlanner.finalizer)
        case .remove: try await CleanupFinalizer.remove(from: v, api: ctx.api, name: MirrorPlanner.finalizer)
        case .none: break
        }
        pass.retryAt = plan.retryAt
        guard !MirrorPlanner.configured(v.spec.registries).isEmpty || v.status?.registries != nil else { return pass }
        var results: [String: MirrorPlanner.Result] = [:]
        if !plan.sync.isEmpty {
            let uid = v.uid
            let context = await callContext(v, ctx: ctx, work: work)
            let runID = await producingRunID(v, ctx: ctx)
            for r in plan.sync {
                var subject = mirrorSubject(v, stage: stage, mlflowRunID: runID)
                let before = v.status?.registries?.first { $0.registry == r }
                subject.recordedID = before?.id
                let call = subject
                let outcome = await work.calls.outcome(uid: uid, registry: r, subject: call) {
                    await syncOne(r, subject: call, work: work, context: context)
                }
                guard case .finished(let result) = outcome else {
                    // Out: look again soon (the call itself never holds this worker).
                    let soon = now.addingTimeInterval(MirrorWork.pollSeconds)
                    pass.retryAt = min(pass.retryAt ?? soon, soon)
                    continue
                }
                results[r] = result
                switch result {
                case .synced(let record, let shown):
                    await work.succeeded(uid: uid, registry: r)
                    if record.created {
                        pass.events.append((false, "MirrorCreated", "\(r): created \(record.id)" + (record.url.map { " — \($0)" } ?? "")))
                    }
                    if before?.stage != shown || record.created {
                        pass.events.append((false, "MirrorSynced", "\(r): \(record.id) is \(shown) (stage \(stage))"))
                    }
                case .ensuredOnly(_, let e), .failed(let e):
                    let at = await work.failed(uid: uid, registry: r, now: now)
                    pass.retryAt = min(pass.retryAt ?? at, at)
                    pass.events.append((true, "MirrorFailed", "\(r): \(e.description) (retried in \(Int(at.timeIntervalSince(now))) s)".clipped()))
                }
            }
        }
        pass.status.registries = MirrorPlanner.entries(registries: v.spec.registries, recorded: v.status?.registries ?? [],
                                                       results: results, generation: v.metadata.generation, now: now)
        var conditions = pass.status.conditions ?? []
        if let c = MirrorPlanner.condition(entries: pass.status.registries, results: results, stage: stage,
                                           generation: v.metadata.generation, previous: conditions.condition(MirrorPlanner.condition)) {
            conditions.set(type: MirrorPlanner.condition, status: c.status, reason: c.reason, message: c.message,
                           observedGeneration: v.metadata.generation, now: now)
        } else {
            conditions.removeAll { $0.type == MirrorPlanner.condition }
        }
        pass.status.conditions = conditions
        return pass
    }

    /// Ensure then sync one registry; the id is kept when only the sync fails. Made off the reconcile
    /// path (`MirrorCalls`).
    static func syncOne(_ registry: String, subject: MirrorSubject, work: MirrorWork, context: CloudCallContext) async -> MirrorPlanner.Result {
        guard let mirror = work.mirrors[registry] else {
            return .failed(CloudBackendError(.invalidRequest, "this controller has no \(registry) registry client"))
        }
        let record: MirrorRecord
        do {
            record = try await mirror.ensure(subject, context: context)
        } catch {
            return .failed(CloudBackendError.classify(error))
        }
        do {
            let shown = try await mirror.sync(subject, record: record, context: context)
            return .synced(record, stage: shown)
        } catch {
            return .ensuredOnly(record, CloudBackendError.classify(error))
        }
    }

    /// A deleted version: with `ml.sextant.dev/deletion-policy: delete`, deletes its mirrors, then
    /// removes the mirror finalizer. A failed delete is retried with backoff (the finalizer stays).
    static func deleteMirrors(_ v: ModelVersion, ctx: ReconcileContext<ModelVersion>, work: MirrorWork, now: Date) async throws -> Date? {
        let stage = v.status?.stage ?? ModelStage.none
        let plan = MirrorPlanner.plan(await planInput(v, stage: stage, isDuplicate: false, work: work, now: now))
        var retryAt = plan.retryAt
        let uid = v.uid
        if !plan.delete.isEmpty {
            let context = await callContext(v, ctx: ctx, work: work)
            for r in plan.delete {
                var subject = mirrorSubject(v, stage: stage, mlflowRunID: nil)
                subject.recordedID = v.status?.registries?.first { $0.registry == r }?.id
                do {
                    guard let mirror = work.mirrors[r] else {
                        throw CloudBackendError(.invalidRequest, "this controller has no \(r) registry client")
                    }
                    try await mirror.delete(subject, context: context)
                    await work.succeeded(uid: uid, registry: r)
                    await ctx.event(v, reason: "MirrorDeleted", note: "\(r): deleted \(subject.recordedID ?? "the mirror") (deletion policy delete)")
                } catch {
                    let e = CloudBackendError.classify(error)
                    let at = await work.failed(uid: uid, registry: r, now: now)
                    retryAt = min(retryAt ?? at, at)
                    await ctx.event(v, type: .warning, reason: "MirrorDeleteFailed", note: "\(r): \(e.description)".clipped())
                }
            }
        }
        if retryAt == nil && CleanupFinalizer.isPresent(on: v, name: MirrorPlanner.finalizer) {
            try await CleanupFinalizer.remove(from: v, api: ctx.api, name: MirrorPlanner.finalizer)
            await work.forget(uid: uid)
        }
        return retryAt
    }

    /// `status.tracking.mlflow.runId` of the producing run, when the version mirrors to MLflow and the
    /// run was tracked (read untyped: a missing run or field gives nil).
    static func producingRunID(_ v: ModelVersion, ctx: ReconcileContext<ModelVersion>) async -> String? {
        guard v.spec.registries?.mlflow != nil, let pipeline = v.spec.source?.pipeline else { return nil }
        let api = DynamicApi(client: ctx.client,
                             resource: GroupVersionResource(group: MLPipeline.group, version: MLPipeline.version, resource: MLPipeline.plural),
                             namespaced: true, namespace: v.namespace ?? "default")
        let run = try? await api.get(pipeline)
        return run?[path: ["status", "tracking", "mlflow", "runId"]]?.stringValue
    }

    static func callContext(_ v: ModelVersion, ctx: ReconcileContext<ModelVersion>, work: MirrorWork) async -> CloudCallContext {
        let namespace = v.namespace ?? "default"
        let annotations = await work.namespaceAnnotations(namespace, client: ctx.client, logger: ctx.logger)
        return CloudCallContext(namespace: namespace, objectName: v.name, namespaceAnnotations: annotations, logger: ctx.logger)
    }
}
