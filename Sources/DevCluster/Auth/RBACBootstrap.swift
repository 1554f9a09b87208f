import Foundation
import KubeCore

/// The bootstrap RBAC policy of kube-apiserver that clients rely on (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy`):
/// `cluster-admin`, discovery and self-review for every authenticated user, and the aggregated
/// `admin`/`edit`/`view` roles (empty shells that collect `aggregate-to-*` ClusterRoles).
enum RBACBootstrap {
    static let autoupdate: JSONValue = ["rbac.authorization.kubernetes.io/autoupdate": "true"]
    static let bootstrapLabels: JSONValue = ["kubernetes.io/bootstrapping": "rbac-defaults"]

    static func rule(_ verbs: [String], groups: [String], resources: [String]) -> JSONValue {
        ["verbs": .array(verbs.map(JSONValue.string)), "apiGroups": .array(groups.map(JSONValue.string)), "resources": .array(resources.map(JSONValue.string))]
    }

    static func nonResource(_ verbs: [String], _ urls: [String]) -> JSONValue {
        ["verbs": .array(verbs.map(JSONValue.string)), "nonResourceURLs": .array(urls.map(JSONValue.string))]
    }

    static func clusterRole(_ name: String, rules: [JSONValue], labels: JSONValue = bootstrapLabels, aggregateTo: [String]? = nil) -> JSONValue {
        var role: JSONValue = [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": ["name": .string(name), "labels": labels, "annotations": autoupdate], "rules": .array(rules),
        ]
        if let aggregateTo {
            role["aggregationRule"] = ["clusterRoleSelectors": .array(aggregateTo.map { ["matchLabels": .object(["rbac.authorization.k8s.io/aggregate-to-\($0)": "true"])] })]
        }
        return role
    }

    static func binding(_ name: String, role: String, groups: [String]) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": ["name": .string(name), "labels": bootstrapLabels, "annotations": autoupdate],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(role)],
            "subjects": .array(groups.map { ["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": .string($0)] }),
        ]
    }

    static let clusterRoles: [JSONValue] = [
        clusterRole("cluster-admin", rules: [rule(["*"], groups: ["*"], resources: ["*"]), nonResource(["*"], ["*"])]),
        clusterRole("system:discovery", rules: [nonResource(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"])]),
        clusterRole("system:public-info-viewer", rules: [nonResource(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"])]),
        clusterRole("system:basic-user", rules: [
            rule(["create"], groups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            rule(["create"], groups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"]),
        ]),
        clusterRole("admin", rules: [], labels: bootstrapLabels, aggregateTo: ["admin"]),
        clusterRole("edit", rules: [], labels: ["kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-admin": "true"], aggregateTo: ["edit"]),
        clusterRole("view", rules: [], labels: ["kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-edit": "true"], aggregateTo: ["view"]),
    ]

    static let clusterRoleBindings: [JSONValue] = [
        binding("cluster-admin", role: "cluster-admin", groups: ["system:masters"]),
        binding("system:discovery", role: "system:discovery", groups: ["system:authenticated"]),
        binding("system:public-info-viewer", role: "system:public-info-viewer", groups: ["system:authenticated", "system:unauthenticated"]),
        binding("system:basic-user", role: "system:basic-user", groups: ["system:authenticated"]),
    ]
}

extension DevStore {
    static let clusterRolesInfo = ResourceInfo(group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles", kind: "ClusterRole", namespaced: false)
    static let clusterRoleBindingsInfo = ResourceInfo(group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterrolebindings", kind: "ClusterRoleBinding", namespaced: false)
    static let rolesInfo = ResourceInfo(group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", kind: "Role", namespaced: true)
    static let roleBindingsInfo = ResourceInfo(group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings", kind: "RoleBinding", namespaced: true)

    /// Creates the bootstrap ClusterRoles and ClusterRoleBindings that are missing.
    func bootstrapRBAC() throws {
        for (info, objects) in [(Self.clusterRolesInfo, RBACBootstrap.clusterRoles), (Self.clusterRoleBindingsInfo, RBACBootstrap.clusterRoleBindings)] {
            for object in objects {
                guard let name = object.name, self.objects[info.storageKey]?[name] == nil else { continue }
                _ = try createObject(info, namespace: nil, object, WriteOptions(fieldManager: "kube-apiserver"))
            }
        }
    }

    /// The RBAC objects an authorization decision in `namespace` reads.
    func rbacObjects(namespace: String) -> RBACObjects {
        let prefix = "\(namespace)/"
        let inNamespace: (ResourceInfo) -> [JSONValue] = { info in
            namespace.isEmpty ? [] : (self.objects[info.storageKey] ?? [:]).filter { $0.key.hasPrefix(prefix) }.map(\.value)
        }
        return RBACObjects(
            clusterRoles: Array((objects[Self.clusterRolesInfo.storageKey] ?? [:]).values),
            clusterRoleBindings: Array((objects[Self.clusterRoleBindingsInfo.storageKey] ?? [:]).values),
            roles: inNamespace(Self.rolesInfo), roleBindings: inNamespace(Self.roleBindingsInfo))
    }
}
