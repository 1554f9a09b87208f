import Foundation
import KubeCore

/// The outcome of a delete: the object as it is now and whether it is gone.
struct DeleteResult: Sendable {
    var object: JSONValue
    var removed: Bool
    /// Warnings of admission policies (Warn action).
    var warnings: [String] = []
}

extension DevStore {
    /// Deletes an object following kube-apiserver's generic registry: preconditions, finalizers
    /// and `deletionTimestamp`, propagation finalizers (`orphan`, `foregroundDeletion`), and the
    /// namespace lifecycle (a namespace becomes Terminating, its content is deleted, then it goes).
    /// With `admission` (a request through the API), the ValidatingAdmissionPolicies run first.
    func deleteObject(_ info: ResourceInfo, namespace: String?, name: String, options: DeleteOptions, dryRun: Bool = false, now: Date = Date(),
                      admission: AdmissionContext? = nil) throws -> DeleteResult {
        var warnings: [String] = []
        if admission != nil, let old = objects[info.storageKey]?[Self.objectKey(namespace: info.namespaced ? namespace : nil, name: name)] {
            warnings = try admit(info, operation: "DELETE", name: name, new: nil, old: old, subresource: nil, dryRun: dryRun, context: admission)
        }
        var result = try deleteUnadmitted(info, namespace: namespace, name: name, options: options, dryRun: dryRun, now: now)
        result.warnings = warnings
        return result
    }

    private func deleteUnadmitted(_ info: ResourceInfo, namespace: String?, name: String, options: DeleteOptions, dryRun: Bool, now: Date) throws -> DeleteResult {
        let key = Self.objectKey(namespace: info.namespaced ? namespace : nil, name: name)
        guard let old = objects[info.storageKey]?[key] else { throw APIErrors.notFound(info, name) }
        if let uid = options.preconditions?.uid, let current = old[path: ["metadata", "uid"]]?.stringValue, uid != current {
            throw APIErrors.conflict(info, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current)")
        }
        if let rv = options.preconditions?.resourceVersion, let current = old[path: ["metadata", "resourceVersion"]]?.stringValue, rv != current {
            throw APIErrors.conflict(info, name, "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current)")
        }
        if info.gvr == BuiltinDefaults.pods, let marked = PodGracefulDeletion.marked(old, requested: options.gracePeriodSeconds, now: now) {
            // Graceful pod deletion: the kubelet stops the containers, then deletes with grace 0.
            let stored = dryRun || marked == old ? marked : try commit(info, key: key, new: marked, old: old)
            return DeleteResult(object: present(stored, info), removed: false)
        }
        var finalizers = old[path: ["metadata", "finalizers"]]?.arrayValue?.compactMap(\.stringValue) ?? []
        let policy = options.propagationPolicy ?? Self.defaultPropagation(info)
        if options.propagationPolicy != nil || finalizers.contains("orphan") || finalizers.contains("foregroundDeletion") {
            // An explicit policy replaces the propagation finalizer of an earlier delete.
            if options.propagationPolicy != nil {
                finalizers.removeAll { $0 == "orphan" || $0 == "foregroundDeletion" }
            }
        }
        if self.options.garbageCollectorRunning {
            if policy == PropagationPolicy.orphan && !finalizers.contains("orphan") { finalizers.append("orphan") }
            if policy == PropagationPolicy.foreground && !finalizers.contains("foregroundDeletion") { finalizers.append("foregroundDeletion") }
        }
        let isNamespace = info.storageKey == ResourceCatalog.namespacesKey
        if finalizers.isEmpty && !isNamespace {
            if dryRun { return DeleteResult(object: present(old, info), removed: true) }
            let removed = try commit(info, key: key, new: nil, old: old)
            afterRemoval(info, removed)
            return DeleteResult(object: present(removed, info), removed: true)
        }
        var marked = old
        if marked[path: ["metadata", "deletionTimestamp"]] == nil {
            Self.bumpGenerationForDeletion(&marked)
            marked[path: ["metadata", "deletionTimestamp"]] = .string(KubeTime.format(now))
            marked[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(0)
        }
        if finalizers.isEmpty {
            marked[path: ["metadata", "finalizers"]] = Optional<JSONValue>.none
        } else {
            marked[path: ["metadata", "finalizers"]] = .array(finalizers.map(JSONValue.string))
        }
        if isNamespace { marked[path: ["status", "phase"]] = "Terminating" }
        if dryRun { return DeleteResult(object: present(marked, info), removed: false) }
        var stored = old
        if marked != old { stored = try commit(info, key: key, new: marked, old: old) }
        if isNamespace {
            try deleteNamespaceContent(name, now: now)
            if let gone = try finishNamespaceIfEmpty(name) { return DeleteResult(object: present(gone, info), removed: true) }
        }
        return DeleteResult(object: present(stored, info), removed: false)
    }

    /// The propagation policy used when a delete names none (batch/v1 Jobs orphan their pods by
    /// default, for compatibility, as kube-apiserver does).
    static func defaultPropagation(_ info: ResourceInfo) -> String {
        if info.group == "batch" && info.resource == "jobs" { return PropagationPolicy.orphan }
        return PropagationPolicy.background
    }

    /// Housekeeping after an object is gone: namespaces waiting for their content, CRDs.
    func afterRemoval(_ info: ResourceInfo, _ object: JSONValue) {
        if info.namespaced, let ns = object[path: ["metadata", "namespace"]]?.stringValue,
           objects[ResourceCatalog.namespacesKey]?[ns]?[path: ["metadata", "deletionTimestamp"]] != nil {
            _ = try? finishNamespaceIfEmpty(ns)
        }
        if info.storageKey == ResourceCatalog.crdStorageKey,
           let plural = object[path: ["spec", "names", "plural"]]?.stringValue,
           let group = object[path: ["spec", "group"]]?.stringValue {
            removeAllCustomResources(storageKey: "\(plural).\(group)", info: ResourceCatalog.infos(for: object).first?.0)
        }
    }

    private func removeAllCustomResources(storageKey: String, info: ResourceInfo?) {
        guard let info, let items = objects[storageKey] else { return }
        for (key, object) in items.sorted(by: { $0.key < $1.key }) {
            _ = try? commit(info, key: key, new: nil, old: object)
        }
        objects[storageKey] = nil
        labelIndex.removeAll(storageKey: storageKey)
    }

    /// Deletes every namespaced object of a terminating namespace (background propagation).
    private func deleteNamespaceContent(_ namespace: String, now: Date) throws {
        let prefix = "\(namespace)/"
        for info in catalog.infos where info.namespaced {
            guard catalog.primary(storageKey: info.storageKey) == info else { continue }
            let keys = (objects[info.storageKey] ?? [:]).keys.filter { $0.hasPrefix(prefix) }.sorted()
            for key in keys {
                guard let object = objects[info.storageKey]?[key], object[path: ["metadata", "deletionTimestamp"]] == nil,
                      let name = object[path: ["metadata", "name"]]?.stringValue else { continue }
                _ = try deleteObject(info, namespace: namespace, name: name, options: DeleteOptions(propagationPolicy: PropagationPolicy.background), now: now)
            }
        }
    }

    /// `PUT /api/v1/namespaces/NAME/finalize`: replaces `spec.finalizers` only.
    func finalizeNamespace(name: String, _ object: JSONValue, _ opts: WriteOptions) throws -> WriteResult {
        guard let info = catalog.primary(storageKey: ResourceCatalog.namespacesKey) else { throw APIErrors.pathNotFound }
        guard let old = objects[info.storageKey]?[name] else { throw APIErrors.notFound(info, name) }
        var updated = old
        updated[path: ["spec", "finalizers"]] = object[path: ["spec", "finalizers"]]
        if updated == old || opts.dryRun { return WriteResult(object: present(updated, info)) }
        let stored = try commit(info, key: name, new: updated, old: old)
        if let gone = try finishNamespaceIfEmpty(name) { return WriteResult(object: present(gone, info)) }
        return WriteResult(object: present(stored, info))
    }

    /// Removes a terminating namespace once nothing is left in it and its finalizers are gone.
    @discardableResult
    func finishNamespaceIfEmpty(_ namespace: String) throws -> JSONValue? {
        guard let info = catalog.primary(storageKey: ResourceCatalog.namespacesKey),
              let ns = objects[info.storageKey]?[namespace], ns[path: ["metadata", "deletionTimestamp"]] != nil,
              (ns[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty else { return nil }
        let prefix = "\(namespace)/"
        for (storageKey, items) in objects where storageKey != info.storageKey {
            if items.keys.contains(where: { $0.hasPrefix(prefix) }) { return nil }
        }
        return try commit(info, key: namespace, new: nil, old: ns)
    }
}
