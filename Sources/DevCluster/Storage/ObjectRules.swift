import Foundation
import KubeCore

/// Per-kind rules of the built-in registry strategies (PrepareForCreate/PrepareForUpdate and
/// name validation) that clients can observe.
enum ObjectRules {
    static let dns1123SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let dns1123LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    static let dns1035LabelMessage = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

    /// `metadata.name` checks (required, DNS-1123 subdomain; labels for namespaces, DNS-1035 for services).
    static func validateName(_ info: ResourceInfo, name: String, generateName: String?) -> [StatusCause] {
        if name.isEmpty {
            return [APIErrors.required("metadata.name", "name or generateName is required")]
        }
        switch info.group.isEmpty ? info.resource : "" {
        case "namespaces":
            if !isDNS1123Label(name) { return [APIErrors.invalidValue("metadata.name", .string(name), dns1123LabelMessage)] }
        case "services":
            if !isDNS1035Label(name) { return [APIErrors.invalidValue("metadata.name", .string(name), dns1035LabelMessage)] }
        default:
            break
        }
        if info.resource == "customresourcedefinitions" { return [] }  // checked by the CRD rules
        if info.group == "rbac.authorization.k8s.io" {
            // ValidateRBACName: any path segment name (`system:discovery` is valid).
            if name == "." || name == ".." { return [APIErrors.invalidValue("metadata.name", .string(name), "may not be '\(name)'")] }
            for bad in ["/", "%"] where name.contains(bad) {
                return [APIErrors.invalidValue("metadata.name", .string(name), "may not contain '\(bad)'")]
            }
            return []
        }
        if !isDNS1123Subdomain(name) {
            return [APIErrors.invalidValue("metadata.name", .string(name), dns1123SubdomainMessage)]
        }
        return []
    }

    static func isDNS1123Label(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 63, let f = s.first, let l = s.last else { return false }
        let ok: (Character) -> Bool = { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") }
        return ok(f) && ok(l) && s.allSatisfy { ok($0) || $0 == "-" }
    }

    static func isDNS1035Label(_ s: String) -> Bool {
        guard let f = s.first, f >= "a" && f <= "z" else { return false }
        return isDNS1123Label(s)
    }

    static func isDNS1123Subdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            let p = String(part)
            return !p.isEmpty && isDNS1123Label(p.count > 63 ? String(p.prefix(63)) : p)
        }
    }

    /// Defaults a real server applies on create.
    static func prepareCreate(_ info: ResourceInfo, _ object: inout JSONValue, now: Date) {
        guard info.group.isEmpty || ["batch", "apps", "apiextensions.k8s.io"].contains(info.group) else { return }
        switch (info.group, info.resource) {
        case ("", "namespaces"):
            if object[path: ["spec", "finalizers"]] == nil { object[path: ["spec", "finalizers"]] = ["kubernetes"] }
            object["status"] = ["phase": "Active"]
        case ("", "pods"):
            object["status"] = ["phase": "Pending", "qosClass": "BestEffort"]
            if object[path: ["spec", "restartPolicy"]] == nil { object[path: ["spec", "restartPolicy"]] = "Always" }
            if object[path: ["spec", "serviceAccountName"]] == nil { object[path: ["spec", "serviceAccountName"]] = "default" }
        case ("", "services"):
            object["status"] = ["loadBalancer": .emptyObject]
            if object[path: ["spec", "type"]] == nil { object[path: ["spec", "type"]] = "ClusterIP" }
        case ("batch", "jobs"):
            prepareJob(&object)
        case ("apps", "deployments"):
            if object[path: ["spec", "replicas"]] == nil { object[path: ["spec", "replicas"]] = 1 }
            if object[path: ["spec", "revisionHistoryLimit"]] == nil { object[path: ["spec", "revisionHistoryLimit"]] = 10 }
            if object[path: ["spec", "progressDeadlineSeconds"]] == nil { object[path: ["spec", "progressDeadlineSeconds"]] = 600 }
            if object[path: ["spec", "strategy"]] == nil {
                object[path: ["spec", "strategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]]
            }
            object["status"] = .emptyObject
        case ("apiextensions.k8s.io", "customresourcedefinitions"):
            object["status"] = nil
        default:
            break
        }
    }

    /// Job defaults: counts, and the generated selector/labels tying pods to this Job's uid.
    static func prepareJob(_ object: inout JSONValue) {
        for (field, value) in [("parallelism", JSONValue.int(1)), ("completions", .int(1)), ("backoffLimit", .int(6))]
        where object[path: ["spec", field]] == nil {
            object[path: ["spec", field]] = value
        }
        if object[path: ["spec", "completionMode"]] == nil { object[path: ["spec", "completionMode"]] = "NonIndexed" }
        if object[path: ["spec", "suspend"]] == nil { object[path: ["spec", "suspend"]] = false }
        if object[path: ["spec", "template", "spec", "restartPolicy"]] == nil {
            object[path: ["spec", "template", "spec", "restartPolicy"]] = "Never"
        }
        object["status"] = .emptyObject
        guard object[path: ["spec", "manualSelector"]]?.boolValue != true,
              let uid = object[path: ["metadata", "uid"]]?.stringValue,
              let name = object[path: ["metadata", "name"]]?.stringValue else { return }
        object[path: ["spec", "selector"]] = ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]]
        var labels = object[path: ["spec", "template", "metadata", "labels"]]?.objectValue ?? [:]
        labels["batch.kubernetes.io/controller-uid"] = .string(uid)
        labels["controller-uid"] = .string(uid)
        labels["batch.kubernetes.io/job-name"] = .string(name)
        labels["job-name"] = .string(name)
        object[path: ["spec", "template", "metadata", "labels"]] = .object(labels)
    }

    /// Update rules: namespaces keep `spec.finalizers` (changed only through `/finalize`).
    static func prepareUpdate(_ info: ResourceInfo, _ object: inout JSONValue, old: JSONValue) {
        if info.group.isEmpty && info.resource == "namespaces" {
            object[path: ["spec", "finalizers"]] = old[path: ["spec", "finalizers"]]
            object["status"] = old["status"]
        }
    }

    /// Whether the part of the object that drives `metadata.generation` changed: `spec` for
    /// built-ins, everything but metadata (and status, with a status subresource) for custom resources.
    static func specChanged(_ info: ResourceInfo, _ new: JSONValue, _ old: JSONValue) -> Bool {
        if info.isCustom {
            var a = new, b = old
            for key in ["metadata", "apiVersion", "kind"] { a[key] = nil; b[key] = nil }
            if info.hasStatus { a["status"] = nil; b["status"] = nil }
            return a != b
        }
        return new["spec"] != old["spec"]
    }

    /// Namespaces are removed by the namespace lifecycle, not by their last finalizer alone.
    static func hasPendingNamespaceFinalizers(_ info: ResourceInfo, _ object: JSONValue) -> Bool {
        info.storageKey == ResourceCatalog.namespacesKey
    }
}
