import Foundation
import KubeCore
import SextantAPI

/// Decides, without I/O, what each registry mirror of one ModelVersion needs: nothing (in step with
/// the generation and effective stage), a sync (ensure + stage), a wait (backoff after a failure), or
/// a delete (the object is being deleted with `ml.sextant.dev/deletion-policy: delete`); whether the
/// mirror finalizer is added or removed; and how results become `status.registries[]` and the
/// `Mirrored` condition. A mirror never changes the effective stage or serving.
public enum MirrorPlanner {
    /// The annotation that makes a delete remove the mirrors too.
    public static let deletionPolicyAnnotation = "ml.sextant.dev/deletion-policy"
    /// The finalizer that holds a deleted version until its mirrors are deleted (only with that annotation).
    public static let finalizer = "ml.sextant.dev/registry-mirrors"
    /// The condition type.
    public static let condition = "Mirrored"

    /// What the planner reads.
    public struct Input: Sendable {
        /// `spec.registries`.
        public var registries: RegistriesSpec?
        /// `status.registries`.
        public var recorded: [RegistryStatus]
        /// The effective stage decided in this pass.
        public var stage: String
        /// `metadata.generation`.
        public var generation: Int64?
        /// A duplicate `(model, version)`: never mirrored.
        public var isDuplicate: Bool = false
        /// `metadata.deletionTimestamp` is set.
        public var deleting: Bool = false
        /// `ml.sextant.dev/deletion-policy: delete`.
        public var deletionPolicyDelete: Bool = false
        /// The mirror finalizer is on the object.
        public var hasFinalizer: Bool = false
        /// Per registry, the earliest time a failed call may be retried.
        public var notBefore: [String: Date] = [:]
        /// Now.
        public var now: Date

        /// An input.
        public init(registries: RegistriesSpec?, recorded: [RegistryStatus], stage: String, generation: Int64?, now: Date) {
            self.registries = registries
            self.recorded = recorded
            self.stage = stage
            self.generation = generation
            self.now = now
        }
    }

    /// A change of the finalizer.
    public enum FinalizerChange: Sendable, Hashable {
        case none, add, remove
    }

    /// What to do for one ModelVersion.
    public struct Plan: Sendable, Hashable {
        /// Registries to ensure and sync now.
        public var sync: [String] = []
        /// Registries whose mirror is deleted now.
        public var delete: [String] = []
        /// The earliest backoff end of a registry that waits.
        public var retryAt: Date?
        /// The finalizer change.
        public var finalizer: FinalizerChange = .none
    }

    /// The registries `spec.registries` names, in a fixed order.
    public static func configured(_ registries: RegistriesSpec?) -> [String] {
        var names: [String] = []
        if registries?.sagemaker != nil { names.append(MirrorStages.sagemaker) }
        if registries?.mlflow != nil { names.append(MirrorStages.mlflow) }
        if registries?.azureML != nil { names.append(MirrorStages.azureML) }
        if registries?.vertexAI != nil { names.append(MirrorStages.vertexAI) }
        return names
    }

    /// True when the recorded entry matches this generation and the registry's form of `stage`.
    public static func inSync(_ entry: RegistryStatus?, registry: String, stage: String, generation: Int64?) -> Bool {
        guard let entry, entry.synced == true, entry.id != nil else { return false }
        return entry.observedGeneration == generation && entry.stage == MirrorStages.registryStage(registry, stage: stage)
    }

    /// The plan for one version.
    public static func plan(_ input: Input) -> Plan {
        var plan = Plan()
        let names = configured(input.registries)
        let wantsFinalizer = input.deletionPolicyDelete && !names.isEmpty
        if input.deleting {
            guard input.hasFinalizer else { return plan }
            if input.deletionPolicyDelete {
                let recordedNames = input.recorded.filter { $0.id != nil }.map(\.registry)
                for r in Array(Set(names + recordedNames)).sorted() {
                    if let at = input.notBefore[r], at > input.now {
                        plan.retryAt = min(plan.retryAt ?? at, at)
                    } else {
                        plan.delete.append(r)
                    }
                }
            }
            // Removed once every delete succeeded (the controller removes it after the calls).
            plan.finalizer = plan.retryAt == nil ? .remove : .none
            return plan
        }
        if wantsFinalizer && !input.hasFinalizer { plan.finalizer = .add }
        if !wantsFinalizer && input.hasFinalizer { plan.finalizer = .remove }
        guard !input.isDuplicate else { return plan }
        for r in names {
            let entry = input.recorded.first { $0.registry == r }
            if inSync(entry, registry: r, stage: input.stage, generation: input.generation) { continue }
            if let at = input.notBefore[r], at > input.now {
                plan.retryAt = min(plan.retryAt ?? at, at)
                continue
            }
            plan.sync.append(r)
        }
        return plan
    }

    /// The outcome of one registry's calls.
    public enum Result: Sendable, Hashable {
        /// Found or created and brought to `stage`.
        case synced(MirrorRecord, stage: String)
        /// Found or created, but the sync failed.
        case ensuredOnly(MirrorRecord, CloudBackendError)
        /// Neither found nor created.
        case failed(CloudBackendError)
    }

    /// `status.registries[]` after this pass: entries of registries no longer configured are dropped;
    /// results are written over the recorded entries (an id, once known, is kept even when a later
    /// call fails).
    public static func entries(
        registries: RegistriesSpec?, recorded: [RegistryStatus], results: [String: Result], generation: Int64?, now: Date
    ) -> [RegistryStatus]? {
        let names = configured(registries)
        guard !names.isEmpty else { return nil }
        return names.map { r in
            var e = recorded.first { $0.registry == r } ?? RegistryStatus(registry: r)
            switch results[r] {
            case .synced(let record, let stage):
                e.id = record.id
                e.url = record.url ?? e.url
                e.synced = true
                e.stage = stage
                e.syncedAt = KubeTime.format(now)
                e.observedGeneration = generation
                e.message = nil
            case .ensuredOnly(let record, let error):
                e.id = record.id
                e.url = record.url ?? e.url
                e.synced = false
                e.message = error.description.clipped()
            case .failed(let error):
                e.synced = false
                e.message = error.description.clipped()
            case nil:
                if e.synced == nil { e.synced = false }
            }
            return e
        }
    }

    /// The `Mirrored` condition for `entries`: True/`Synced` when every mirror is in step; False with
    /// the failing mirror's reason (`CloudAccessDenied`, `CloudUnavailable`, `CloudInvalidRequest`, ...)
    /// when one failed; False/`Syncing` while one has not been synced yet. Nil when nothing is mirrored.
    public static func condition(
        entries: [RegistryStatus]?, results: [String: Result], stage: String, generation: Int64?, previous: Condition? = nil
    ) -> (status: String, reason: String, message: String)? {
        guard let entries, !entries.isEmpty else { return nil }
        var failures: [(String, CloudBackendError)] = []
        for (r, result) in results.sorted(by: { $0.key < $1.key }) {
            switch result {
            case .ensuredOnly(_, let e), .failed(let e): failures.append((r, e))
            case .synced: break
            }
        }
        if let first = failures.first {
            let text = failures.map { "\($0.0): \($0.1.message)" }.joined(separator: "; ")
            return (ConditionStatus.false, first.1.reason, "mirror sync failed (retried with backoff): \(text)".clipped())
        }
        let pending = entries.filter { !inSync($0, registry: $0.registry, stage: stage, generation: generation) }
        if !pending.isEmpty {
            // Not synced now: an earlier failure still waits for its retry; keep saying why.
            let failed = pending.filter { $0.message != nil }
            if !failed.isEmpty {
                // The failure's reason was set when it happened; keep it while the retry waits.
                let reason = previous.flatMap { $0.status == ConditionStatus.false && $0.reason != "Syncing" ? $0.reason : nil } ?? "SyncFailed"
                let text = failed.map { "\($0.registry): \($0.message ?? "")" }.joined(separator: "; ")
                return (ConditionStatus.false, reason, "mirror sync failed (retried with backoff): \(text)".clipped())
            }
            return (ConditionStatus.false, "Syncing", "not yet synced: \(pending.map(\.registry).joined(separator: ", "))")
        }
        let text = entries.map { "\($0.registry) \($0.id ?? "")" + ($0.url.map { " (\($0))" } ?? "") }.joined(separator: "; ")
        return (ConditionStatus.true, "Synced", "mirrored in \(text)".clipped())
    }

    /// Seconds before retry `failures` (1 = after the first failure): 5 s doubling, at most 300 s.
    public static func backoffSeconds(failures: Int) -> Double {
        min(300, 5 * pow(2, Double(max(0, failures - 1))))
    }
}
