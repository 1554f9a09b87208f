import Foundation
import KubeCore

/// How one write is performed.
struct WriteOptions: Sendable {
    /// `dryRun=All`: everything but persisting and notifying.
    var dryRun = false
    /// The field manager recorded in managedFields (nil: none recorded).
    var fieldManager: String?
    /// `status` for the status subresource.
    var subresource: String?
    /// `Strict`, `Warn` or `Ignore` for unknown fields of custom resources.
    var fieldValidation = "Warn"
    /// Built-in kinds are checked (unknown fields, types, 422 rules): set for API requests,
    /// not for the in-process controllers.
    var validateBuiltins = false
    /// True when managedFields were already computed (server-side apply).
    var managedFieldsHandled = false
    var now = Date()
    /// The API client's identity, for ValidatingAdmissionPolicies (nil: an in-process controller, not admitted).
    var admission: AdmissionContext?
}

/// The outcome of a write.
struct WriteResult: Sendable {
    var object: JSONValue
    var warnings: [String] = []
    var created = false
}

extension DevStore {
    // MARK: Create

    func createObject(_ info: ResourceInfo, namespace: String?, _ input: JSONValue, _ opts: WriteOptions) throws -> WriteResult {
        guard var object = input.objectValue.map(JSONValue.object) else {
            throw APIErrors.badRequest("the object provided is unrecognized (must be of type \(info.kind))")
        }
        if info.group == "events.k8s.io" { object = EventConversion.toCore(object) }
        var meta = object["metadata"]?.objectValue ?? [:]
        if info.namespaced {
            let urlNamespace = namespace ?? ""
            let bodyNamespace = meta["namespace"]?.stringValue ?? ""
            if !bodyNamespace.isEmpty && !urlNamespace.isEmpty && bodyNamespace != urlNamespace {
                throw APIErrors.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            let ns = urlNamespace.isEmpty ? bodyNamespace : urlNamespace
            guard !ns.isEmpty else { throw APIErrors.badRequest("the server could not find the requested resource") }
            meta["namespace"] = .string(ns)
        } else {
            meta["namespace"] = nil
        }
        // kube-apiserver's etcd3 store refuses a create carrying a resourceVersion that parses as a
        // non-zero number (storage.ErrResourceVersionSetOnCreate, a 500 there; a 400 here: bad input
        // is never a 5xx) and overwrites any other value.
        if let rv = meta["resourceVersion"]?.stringValue, let number = UInt64(rv), number != 0 {
            throw APIErrors.badRequest("resourceVersion should not be set on objects to be created")
        }
        meta["resourceVersion"] = nil
        var name = meta["name"]?.stringValue ?? ""
        if name.isEmpty, let prefix = meta["generateName"]?.stringValue, !prefix.isEmpty {
            name = Self.generateName(prefix)
            meta["name"] = .string(name)
        }
        var causes = ObjectRules.validateName(info, name: name, generateName: meta["generateName"]?.stringValue)
        if !causes.isEmpty { throw APIErrors.invalid(info, name, causes) }
        let ns = meta["namespace"]?.stringValue
        if info.namespaced, let ns { try checkNamespaceWritable(ns, info: info, name: name) }
        let key = Self.objectKey(namespace: ns, name: name)
        if objects[info.storageKey]?[key] != nil { throw APIErrors.alreadyExists(info, name) }

        meta["uid"] = .string(UUID().uuidString.lowercased())
        meta["creationTimestamp"] = .string(KubeTime.format(opts.now))
        meta["deletionTimestamp"] = nil
        meta["deletionGracePeriodSeconds"] = nil
        meta["generation"] = ResourceCatalog.tracksGeneration(info) ? Optional(JSONValue.int(1)) : Optional<JSONValue>.none
        meta["managedFields"] = opts.managedFieldsHandled ? meta["managedFields"] : nil
        object["metadata"] = .object(meta)
        object["apiVersion"] = .string(info.group == "events.k8s.io" ? "v1" : info.apiVersion)
        object["kind"] = .string(info.kind)
        if info.hasStatus { object["status"] = nil }
        ObjectRules.prepareCreate(info, &object, now: opts.now)
        try BuiltinDefaults.prepareCreate(&object, resource: info.gvr) { Array((objects[info.storageKey] ?? [:]).values) }

        var warnings: [String] = []
        var celCost: Int64?
        causes = try validate(info, &object, old: nil, opts: opts, warnings: &warnings, celCost: &celCost)
        if !causes.isEmpty { throw APIErrors.invalid(info, name, causes) }
        if let manager = opts.fieldManager, !opts.managedFieldsHandled {
            object = ServerSideApply.recordUpdate(old: nil, new: object, manager: manager, subresource: nil, now: opts.now)
        }
        warnings += try admit(info, operation: "CREATE", name: input[path: ["metadata", "name"]]?.stringValue ?? "", new: object, old: nil,
                              subresource: nil, dryRun: opts.dryRun, context: opts.admission)
        if opts.dryRun {
            return WriteResult(object: present(object, info), warnings: warnings, created: true)
        }
        let stored = try commit(info, key: key, new: object, old: nil, celCost: celCost)
        return WriteResult(object: present(stored, info), warnings: warnings, created: true)
    }

    /// Five random characters from [a-z0-9] minus vowels-free set the apiserver uses (bcdfghjklmnpqrstvwxz2456789).
    static func generateName(_ prefix: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        let base = prefix.count > 58 ? String(prefix.prefix(58)) : prefix
        return base + String((0..<5).map { _ in alphabet.randomElement() ?? "x" })
    }

    func checkNamespaceWritable(_ namespace: String, info: ResourceInfo, name: String) throws {
        guard let ns = objects[ResourceCatalog.namespacesKey]?[namespace] else {
            throw APIErrors.namespaceNotFound(namespace)
        }
        if ns[path: ["metadata", "deletionTimestamp"]] != nil {
            // The NamespaceLifecycle admission plugin's answer, with its cause.
            var status = APIErrors.forbidden(info, name, "unable to create new content in namespace \(namespace) because it is being terminated")
            status.details?.causes = [StatusCause(reason: "NamespaceTerminating", message: "namespace \(namespace) is being terminated", field: "metadata.namespace")]
            throw status
        }
    }

    // MARK: Update

    /// Replaces an object (or its status with `opts.subresource == "status"`). With
    /// `allowCreate`, a missing object is created (apply, create-on-update kinds).
    func updateObject(_ info: ResourceInfo, namespace: String?, name: String, _ input: JSONValue, _ opts: WriteOptions, allowCreate: Bool = false) throws -> WriteResult {
        let ns = info.namespaced ? namespace : nil
        let key = Self.objectKey(namespace: ns, name: name)
        guard var object = input.objectValue.map(JSONValue.object) else {
            throw APIErrors.badRequest("the object provided is unrecognized (must be of type \(info.kind))")
        }
        if info.group == "events.k8s.io" { object = EventConversion.toCore(object) }
        let bodyName = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if !bodyName.isEmpty && bodyName != name {
            throw APIErrors.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if info.namespaced, let bodyNS = object[path: ["metadata", "namespace"]]?.stringValue, !bodyNS.isEmpty, let ns, bodyNS != ns {
            throw APIErrors.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        guard let old = objects[info.storageKey]?[key] else {
            if allowCreate && opts.subresource == nil {
                object[path: ["metadata", "name"]] = .string(name)
                object[path: ["metadata", "resourceVersion"]] = nil
                return try createObject(info, namespace: ns, object, opts)
            }
            throw APIErrors.notFound(info, name)
        }
        if let rv = object[path: ["metadata", "resourceVersion"]]?.stringValue, !rv.isEmpty,
           rv != old[path: ["metadata", "resourceVersion"]]?.stringValue {
            throw APIErrors.conflict(info, name)
        }
        try Self.checkUpdatePreconditions(info, name: name, new: object, old: old)
        // Server-owned metadata comes from the stored object.
        var meta = object["metadata"]?.objectValue ?? [:]
        let oldMeta = old["metadata"]?.objectValue ?? [:]
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion", "namespace", "name"] {
            meta[field] = oldMeta[field]
        }
        if !opts.managedFieldsHandled { meta["managedFields"] = oldMeta["managedFields"] }
        object["metadata"] = .object(meta)
        object["apiVersion"] = old["apiVersion"]
        object["kind"] = old["kind"]
        if info.isCustom { object["apiVersion"] = .string(info.apiVersion) }

        if opts.subresource == "status" {
            var merged = old
            merged["status"] = object["status"]
            if opts.managedFieldsHandled { merged[path: ["metadata", "managedFields"]] = object[path: ["metadata", "managedFields"]] }
            object = merged
        } else if info.hasStatus {
            object["status"] = old["status"]
        }
        ObjectRules.prepareUpdate(info, &object, old: old)
        BuiltinDefaults.prepareUpdate(&object, old: old, resource: info.gvr)
        var warnings: [String] = []
        var celCost: Int64?
        let causes = try validate(info, &object, old: old, opts: opts, warnings: &warnings, celCost: &celCost)
        if !causes.isEmpty { throw APIErrors.invalid(info, name, causes) }
        // Compared after pruning and schema defaults, as kube-apiserver does: an update that only
        // omits a defaulted field is the same spec and keeps the generation.
        if ResourceCatalog.tracksGeneration(info), ObjectRules.specChanged(info, object, old) {
            let generation = (old[path: ["metadata", "generation"]]?.intValue ?? 0) + 1
            object[path: ["metadata", "generation"]] = .int(generation)
        }
        warnings += try admit(info, operation: "UPDATE", name: name, new: object, old: old,
                              subresource: opts.subresource, dryRun: opts.dryRun, context: opts.admission)
        if object == old {  // no-op: same resourceVersion, no event
            return WriteResult(object: present(old, info), warnings: warnings)
        }
        if let manager = opts.fieldManager, !opts.managedFieldsHandled {
            object = ServerSideApply.recordUpdate(old: old, new: object, manager: manager, subresource: opts.subresource, now: opts.now)
        }
        if opts.dryRun { return WriteResult(object: present(object, info), warnings: warnings) }
        // Removing the last finalizer of an object being deleted removes it.
        if object[path: ["metadata", "deletionTimestamp"]] != nil, (object[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty,
           !ObjectRules.hasPendingNamespaceFinalizers(info, object) {
            let removed = try commit(info, key: key, new: nil, old: object)
            afterRemoval(info, removed)
            return WriteResult(object: present(removed, info), warnings: warnings)
        }
        let stored = try commit(info, key: key, new: object, old: old, celCost: celCost)
        if info.storageKey == ResourceCatalog.namespacesKey, stored[path: ["metadata", "deletionTimestamp"]] != nil,
           let gone = try finishNamespaceIfEmpty(name) {
            return WriteResult(object: present(gone, info), warnings: warnings)
        }
        return WriteResult(object: present(stored, info), warnings: warnings)
    }

    /// Read-modify-write in one step (patches): `transform` gets the current object (nil when
    /// missing and `allowCreate`) and returns the desired object, which is then written as an update.
    func mutateObject(_ info: ResourceInfo, namespace: String?, name: String, _ opts: WriteOptions, allowCreate: Bool = false, _ transform: @Sendable (JSONValue?) throws -> JSONValue) throws -> WriteResult {
        let key = Self.objectKey(namespace: info.namespaced ? namespace : nil, name: name)
        let current = objects[info.storageKey]?[key].map { present($0, info) }
        if current == nil && !allowCreate { throw APIErrors.notFound(info, name) }
        let desired = try transform(current)
        return try updateObject(info, namespace: namespace, name: name, desired, opts, allowCreate: allowCreate)
    }

    // MARK: Commit

    /// Assigns the next resourceVersion, queues it on the durable log (group commit; callers
    /// acknowledge only after `awaitDurable()`) and notifies watchers. `new == nil` removes.
    /// Returns the stored object (for removals: the last state with the removal's resourceVersion).
    /// `celCost` is set for a custom object that was validated (see `ValidationMemo`).
    @discardableResult
    func commit(_ info: ResourceInfo, key: String, new: JSONValue?, old: JSONValue?, celCost: Int64? = nil) throws -> JSONValue {
        let rv = currentRV + 1
        var object = new ?? old ?? .emptyObject
        object[path: ["metadata", "resourceVersion"]] = .string(String(rv))
        let logged: JSONValue? = new == nil ? Optional<JSONValue>.none : Optional(object)
        try log?.append([LogRecord(resourceVersion: rv, storageKey: info.storageKey, objectKey: key, object: logged)])
        currentRV = rv
        labelIndex.update(storageKey: info.storageKey, key: key, old: objects[info.storageKey]?[key], new: new == nil ? nil : object)
        if new == nil {
            objects[info.storageKey]?[key] = nil
        } else {
            objects[info.storageKey, default: [:]][key] = object
        }
        let kind: StoreEvent.Kind = new == nil ? .deleted : (old == nil ? .added : .modified)
        let gvr = catalog.primary(storageKey: info.storageKey)?.gvr ?? info.gvr
        if info.storageKey == ResourceCatalog.crdStorageKey {
            catalog = ResourceCatalog(crds: Array((objects[ResourceCatalog.crdStorageKey] ?? [:]).values))
            validationMemo.reset()
        } else if info.isCustom {
            validationMemo.record(new == nil ? nil : object, removed: new == nil ? old : nil, celCost: celCost)
        }
        publish(StoreEvent(kind: kind, resource: gvr, object: object, resourceVersion: rv), previous: old)
        logger.debug("\(kind.rawValue)", metadata: [
            "kind": "\(info.kind)", "namespace": "\(object[path: ["metadata", "namespace"]]?.stringValue ?? "")",
            "name": "\(object[path: ["metadata", "name"]]?.stringValue ?? "")", "resourceVersion": "\(rv)",
        ])
        return object
    }
}
