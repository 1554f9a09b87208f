import KubeCore

/// Who sends a write through the API, for admission (nil in `WriteOptions` for the in-process
/// controllers, which kube-apiserver would not see either: they are not API clients here).
struct AdmissionContext: Sendable {
    var user: UserInfo
}

/// One request as admission sees it (kube-apiserver's `admission.Attributes`).
struct AdmissionAttributes: Sendable {
    /// `CREATE`, `UPDATE` or `DELETE`.
    var operation: String
    var info: ResourceInfo
    /// "" for the main resource, else `status`, `scale`, `finalize`, ...
    var subresource: String
    /// "" for cluster-scoped resources.
    var namespace: String
    /// "" for a create with `generateName` (the name is generated after admission attributes are taken).
    var name: String
    /// nil on DELETE.
    var object: JSONValue?
    /// nil on CREATE.
    var oldObject: JSONValue?
    var user: UserInfo
    var dryRun: Bool

    /// CEL's `request`: the AdmissionRequest fields policies read (typed, so unset strings are "").
    var requestValue: JSONValue {
        let kind: JSONValue = ["group": .string(info.group), "version": .string(info.version), "kind": .string(info.kind)]
        let resource: JSONValue = ["group": .string(info.group), "version": .string(info.version), "resource": .string(info.resource)]
        let extra = JSONValue.object(user.extra.mapValues { .array($0.map(JSONValue.string)) })
        let optionsKind: String
        switch operation {
        case "CREATE": optionsKind = "CreateOptions"
        case "UPDATE": optionsKind = "UpdateOptions"
        default: optionsKind = "DeleteOptions"
        }
        var options: JSONValue = ["kind": .string(optionsKind), "apiVersion": "meta.k8s.io/v1"]
        if dryRun { options["dryRun"] = ["All"] }
        return [
            "uid": "", "kind": kind, "resource": resource, "subResource": .string(subresource),
            "requestKind": kind, "requestResource": resource, "requestSubResource": .string(subresource),
            "name": .string(name), "namespace": .string(namespace), "operation": .string(operation),
            "userInfo": ["username": .string(user.name), "uid": .string(user.uid), "groups": .array(user.groups.map(JSONValue.string)), "extra": extra],
            "dryRun": .bool(dryRun), "options": options,
        ]
    }

    /// The labels the namespace selector is matched against: a Namespace's own (new, else old),
    /// otherwise those of the request's namespace (looked up by the caller).
    var isNamespaceItself: Bool { info.group.isEmpty && info.resource == "namespaces" }

    /// `namespaceObject` as CEL sees it: the Namespace without managedFields and ownerReferences.
    static func namespaceValue(_ namespace: JSONValue?) -> JSONValue {
        guard var ns = namespace else { return .null }
        ns[path: ["metadata", "managedFields"]] = nil
        ns[path: ["metadata", "ownerReferences"]] = nil
        return ns
    }
}
