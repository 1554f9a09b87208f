import KubeCore

/// Everything the server knows about one served resource collection: names for discovery,
/// scope, subresources, and where its objects are stored.
public struct ResourceInfo: Sendable, Hashable {
    public var group: String
    public var version: String
    /// Plural lower-case name used in URLs (`jobs`).
    public var resource: String
    public var kind: String
    public var singular: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    /// `status`, `log`, ... (subresources served under `<name>/<sub>`).
    public var subresources: [String]
    /// The collection objects live in; two versions/groups of one kind share it (events).
    public var storageKey: String
    /// For custom resources: the CRD's name (`plural.group`).
    public var crdName: String?
    /// Verbs advertised in discovery.
    public var verbs: [String]

    public init(
        group: String, version: String, resource: String, kind: String, singular: String? = nil,
        namespaced: Bool, shortNames: [String] = [], categories: [String] = [], subresources: [String] = [],
        storageKey: String? = nil, crdName: String? = nil,
        verbs: [String] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    ) {
        self.group = group
        self.version = version
        self.resource = resource
        self.kind = kind
        self.singular = singular ?? kind.lowercased()
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
        self.storageKey = storageKey ?? (group.isEmpty ? resource : "\(resource).\(group)")
        self.crdName = crdName
        self.verbs = verbs
    }

    public var gvr: GroupVersionResource { GroupVersionResource(group: group, version: version, resource: resource) }
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// `jobs.batch` or `pods`: the name used in error messages.
    public var qualifiedResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
    /// `Job.batch` or `Pod`: the name used in 422 messages.
    public var qualifiedKind: String { group.isEmpty ? kind : "\(kind).\(group)" }
    public var hasStatus: Bool { subresources.contains("status") }
    public var isCustom: Bool { crdName != nil }
}

/// The built-in resources `sextant dev` serves.
enum BuiltinResources {
    static let all: [ResourceInfo] = [
        ResourceInfo(group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false, shortNames: ["ns"], subresources: ["status", "finalize"]),
        ResourceInfo(group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true, shortNames: ["po"], categories: ["all"], subresources: ["status", "log"]),
        ResourceInfo(group: "", version: "v1", resource: "services", kind: "Service", namespaced: true, shortNames: ["svc"], categories: ["all"], subresources: ["status"]),
        ResourceInfo(group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true, shortNames: ["cm"]),
        ResourceInfo(group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true),
        ResourceInfo(group: "", version: "v1", resource: "serviceaccounts", kind: "ServiceAccount", namespaced: true, shortNames: ["sa"], subresources: ["token"]),
        ResourceInfo(group: "", version: "v1", resource: "events", kind: "Event", namespaced: true, shortNames: ["ev"], storageKey: "events"),
        ResourceInfo(group: "", version: "v1", resource: "endpoints", kind: "Endpoints", singular: "endpoints", namespaced: true, shortNames: ["ep"]),
        ResourceInfo(group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false, shortNames: ["no"], subresources: ["status"]),
        ResourceInfo(group: "", version: "v1", resource: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true, shortNames: ["pvc"], subresources: ["status"]),
        ResourceInfo(group: "events.k8s.io", version: "v1", resource: "events", kind: "Event", namespaced: true, shortNames: ["ev"], storageKey: "events"),
        ResourceInfo(group: "batch", version: "v1", resource: "jobs", kind: "Job", namespaced: true, categories: ["all"], subresources: ["status"]),
        ResourceInfo(group: "batch", version: "v1", resource: "cronjobs", kind: "CronJob", namespaced: true, shortNames: ["cj"], categories: ["all"], subresources: ["status"]),
        ResourceInfo(group: "apps", version: "v1", resource: "deployments", kind: "Deployment", namespaced: true, shortNames: ["deploy"], categories: ["all"], subresources: ["status", "scale"]),
        ResourceInfo(group: "apps", version: "v1", resource: "replicasets", kind: "ReplicaSet", namespaced: true, shortNames: ["rs"], categories: ["all"], subresources: ["status"]),
        ResourceInfo(group: "apps", version: "v1", resource: "statefulsets", kind: "StatefulSet", namespaced: true, shortNames: ["sts"], categories: ["all"], subresources: ["status"]),
        ResourceInfo(group: "apps", version: "v1", resource: "daemonsets", kind: "DaemonSet", namespaced: true, shortNames: ["ds"], categories: ["all"], subresources: ["status"]),
        ResourceInfo(group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease", namespaced: true),
        ResourceInfo(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false, shortNames: ["crd", "crds"], categories: ["api-extensions"], subresources: ["status"]),
        ResourceInfo(group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", kind: "Role", namespaced: true),
        ResourceInfo(group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings", kind: "RoleBinding", namespaced: true),
        ResourceInfo(group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles", kind: "ClusterRole", namespaced: false),
        ResourceInfo(group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterrolebindings", kind: "ClusterRoleBinding", namespaced: false),
        ResourceInfo(group: "policy", version: "v1", resource: "poddisruptionbudgets", kind: "PodDisruptionBudget", namespaced: true, shortNames: ["pdb"], subresources: ["status"]),
        ResourceInfo(group: "networking.k8s.io", version: "v1", resource: "networkpolicies", kind: "NetworkPolicy", namespaced: true, shortNames: ["netpol"]),
        ResourceInfo(group: "networking.k8s.io", version: "v1", resource: "ingresses", kind: "Ingress", namespaced: true, shortNames: ["ing"], subresources: ["status"]),
        ResourceInfo(group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers", kind: "HorizontalPodAutoscaler", namespaced: true, shortNames: ["hpa"], categories: ["all"], subresources: ["status"]),
        ResourceInfo(group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses", kind: "PriorityClass", namespaced: false, shortNames: ["pc"]),
        ResourceInfo(group: "storage.k8s.io", version: "v1", resource: "storageclasses", kind: "StorageClass", namespaced: false, shortNames: ["sc"]),
        ResourceInfo(group: "admissionregistration.k8s.io", version: "v1", resource: "validatingadmissionpolicies", kind: "ValidatingAdmissionPolicy",
                     namespaced: false, categories: ["api-extensions"], subresources: ["status"]),
        ResourceInfo(group: "admissionregistration.k8s.io", version: "v1", resource: "validatingadmissionpolicybindings", kind: "ValidatingAdmissionPolicyBinding",
                     namespaced: false, categories: ["api-extensions"]),
    ]

    /// Group order in `/apis` (the real server's priority order, roughly).
    static let groupOrder = [
        "apps", "events.k8s.io", "autoscaling", "batch", "networking.k8s.io", "policy",
        "rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io",
    ]

    /// Field selectors each kind accepts besides `metadata.name` and `metadata.namespace`
    /// (from the kinds' `GetAttrs`/field label conversion funcs in kube-apiserver).
    static func extraFieldLabels(_ info: ResourceInfo) -> [String] {
        switch (info.group, info.resource) {
        case ("", "pods"):
            return ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"]
        case ("", "events"):
            return ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"]
        case ("events.k8s.io", "events"):
            return ["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "regarding.apiVersion", "regarding.resourceVersion", "regarding.fieldPath", "reason", "reportingController", "type"]
        case ("", "secrets"): return ["type"]
        case ("", "namespaces"): return ["status.phase"]
        case ("", "nodes"): return ["spec.unschedulable"]
        case ("batch", "jobs"): return ["status.successful"]
        case ("", "replicationcontrollers"): return ["status.replicas"]
        case ("apps", "replicasets"): return ["status.replicas"]
        default: return []
        }
    }
}
