import Foundation
import KubeCore

/// What a request asks to do (kube-apiserver's `authorizer.Attributes`).
struct AuthorizationAttributes: Sendable, Equatable {
    var verb: String
    var isResourceRequest: Bool
    var apiGroup = ""
    var apiVersion = ""
    var namespace = ""
    var resource = ""
    var subresource = ""
    var name = ""
    /// For non-resource requests: the URL path.
    var path = ""

    init(verb: String, isResourceRequest: Bool, apiGroup: String = "", apiVersion: String = "", namespace: String = "",
         resource: String = "", subresource: String = "", name: String = "", path: String = "") {
        self.verb = verb
        self.isResourceRequest = isResourceRequest
        self.apiGroup = apiGroup
        self.apiVersion = apiVersion
        self.namespace = namespace
        self.resource = resource
        self.subresource = subresource
        self.name = name
        self.path = path
    }

    init(_ info: RequestInfo, path: String) {
        self.init(verb: info.verb, isResourceRequest: info.isResourceRequest, apiGroup: info.apiGroup, apiVersion: info.apiVersion,
                  namespace: info.namespace, resource: info.resource, subresource: info.subresource, name: info.name, path: path)
    }
}

/// The RBAC objects an authorization decision reads.
struct RBACObjects: Sendable {
    var clusterRoles: [JSONValue] = []
    var clusterRoleBindings: [JSONValue] = []
    /// Roles and RoleBindings of the request's namespace.
    var roles: [JSONValue] = []
    var roleBindings: [JSONValue] = []
}

/// kube-apiserver's RBAC authorizer (`plugin/pkg/auth/authorizer/rbac`), pure: ClusterRoleBindings,
/// then the namespace's RoleBindings; a rule allows when verb, API group, resource (with
/// subresource), resourceName — or the non-resource URL — match. Aggregated ClusterRoles also
/// grant the rules of the ClusterRoles their `aggregationRule` selects.
enum RBACAuthorizer {
    static func allows(user: UserInfo, _ attributes: AuthorizationAttributes, _ objects: RBACObjects) -> Bool {
        allowedBy(user: user, attributes, objects) != nil
    }

    /// nil when denied, else the reason (`RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to User "u"`;
    /// empty for `system:masters`).
    static func allowedBy(user: UserInfo, _ attributes: AuthorizationAttributes, _ objects: RBACObjects) -> String? {
        if user.isMaster { return "" }
        for grant in grants(user: user, namespace: attributes.namespace, objects) where grant.rules.contains(where: { ruleAllows($0, attributes) }) {
            return "RBAC: allowed by \(grant.binding) of \(grant.role) to \(grant.subject)"
        }
        return nil
    }

    /// Every rule granted to the user in `namespace` (cluster-wide ones included).
    static func rulesFor(user: UserInfo, namespace: String, _ objects: RBACObjects) -> [JSONValue] {
        grants(user: user, namespace: namespace, objects).flatMap(\.rules)
    }

    struct Grant {
        var binding: String
        var role: String
        var subject: String
        var rules: [JSONValue]
    }

    /// The bindings that apply to the user: ClusterRoleBindings, then RoleBindings of `namespace`.
    static func grants(user: UserInfo, namespace: String, _ objects: RBACObjects) -> [Grant] {
        var out: [Grant] = []
        let clusterRolesByName = Dictionary(objects.clusterRoles.compactMap { role in role.name.map { ($0, role) } }) { a, _ in a }
        for binding in objects.clusterRoleBindings {
            guard let subject = matchingSubject(binding, user: user, bindingNamespace: ""),
                  binding[path: ["roleRef", "kind"]]?.stringValue == "ClusterRole",
                  let roleName = binding[path: ["roleRef", "name"]]?.stringValue, let role = clusterRolesByName[roleName] else { continue }
            out.append(Grant(binding: "ClusterRoleBinding \"\(binding.name ?? "")\"", role: "ClusterRole \"\(roleName)\"", subject: subject,
                             rules: rules(of: role, clusterRoles: objects.clusterRoles)))
        }
        guard !namespace.isEmpty else { return out }
        let rolesByName = Dictionary(objects.roles.compactMap { role in role.name.map { ($0, role) } }) { a, _ in a }
        for binding in objects.roleBindings {
            guard let subject = matchingSubject(binding, user: user, bindingNamespace: namespace),
                  let roleName = binding[path: ["roleRef", "name"]]?.stringValue else { continue }
            let kind = binding[path: ["roleRef", "kind"]]?.stringValue ?? ""
            let role: JSONValue?
            switch kind {
            case "Role": role = rolesByName[roleName]
            case "ClusterRole": role = clusterRolesByName[roleName]
            default: role = nil
            }
            guard let role else { continue }
            out.append(Grant(binding: "RoleBinding \"\(binding.name ?? "")/\(namespace)\"", role: "\(kind) \"\(roleName)\"", subject: subject,
                             rules: rules(of: role, clusterRoles: objects.clusterRoles)))
        }
        return out
    }

    /// The rules a role grants: its own, plus for an aggregated ClusterRole those of every other
    /// ClusterRole whose labels match one of its `clusterRoleSelectors`.
    /// Aggregation is transitive (`view` into `edit` into `admin`), as the aggregation controller's
    /// rewritten `rules` make it.
    static func rules(of role: JSONValue, clusterRoles: [JSONValue]) -> [JSONValue] {
        var visited: Set<String> = []
        return rules(of: role, clusterRoles: clusterRoles, visited: &visited)
    }

    private static func rules(of role: JSONValue, clusterRoles: [JSONValue], visited: inout Set<String>) -> [JSONValue] {
        visited.insert(role.name ?? "")
        var rules = role["rules"]?.arrayValue ?? []
        guard let selectors = role[path: ["aggregationRule", "clusterRoleSelectors"]]?.arrayValue else { return rules }
        for other in clusterRoles where !visited.contains(other.name ?? "") {
            let labels = other.labels
            if selectors.contains(where: { selector in (try? selector.decode(as: LabelSelector.self).matches(labels)) ?? false }) {
                rules += Self.rules(of: other, clusterRoles: clusterRoles, visited: &visited)
            }
        }
        return rules
    }

    /// The subject of the binding that names the user (`User "u"`, `Group "g"`, `ServiceAccount "ns/n"`), if any.
    static func matchingSubject(_ binding: JSONValue, user: UserInfo, bindingNamespace: String) -> String? {
        for subject in binding["subjects"]?.arrayValue ?? [] {
            let name = subject["name"]?.stringValue ?? ""
            switch subject["kind"]?.stringValue {
            case "User": if name == user.name { return "User \"\(name)\"" }
            case "Group": if user.groups.contains(name) { return "Group \"\(name)\"" }
            case "ServiceAccount":
                let namespace = subject["namespace"]?.stringValue ?? bindingNamespace
                if !namespace.isEmpty, user.name == "system:serviceaccount:\(namespace):\(name)" { return "ServiceAccount \"\(name)/\(namespace)\"" }
            default: continue
            }
        }
        return nil
    }

    static func ruleAllows(_ rule: JSONValue, _ a: AuthorizationAttributes) -> Bool {
        let strings: (String) -> [String] = { rule[$0]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        let verbs = strings("verbs")
        guard verbs.contains("*") || verbs.contains(a.verb) else { return false }
        if !a.isResourceRequest {
            return strings("nonResourceURLs").contains { pattern in
                pattern == "*" || pattern == a.path || (pattern.hasSuffix("*") && a.path.hasPrefix(String(pattern.dropLast())))
            }
        }
        let groups = strings("apiGroups")
        guard groups.contains("*") || groups.contains(a.apiGroup) else { return false }
        let resources = strings("resources")
        let combined = a.subresource.isEmpty ? a.resource : "\(a.resource)/\(a.subresource)"
        let resourceMatches = resources.contains { r in
            if r == "*" || r == combined { return true }
            if a.subresource.isEmpty { return false }
            return r == "*/\(a.subresource)" || r == "\(a.resource)/*"
        }
        guard resourceMatches else { return false }
        let names = strings("resourceNames")
        return names.isEmpty || (!a.name.isEmpty && names.contains(a.name))
    }

    /// The 403 message of `responsewriters.forbiddenMessage`.
    static func forbiddenMessage(user: UserInfo, _ a: AuthorizationAttributes) -> String {
        guard a.isResourceRequest else { return "User \"\(user.name)\" cannot \(a.verb) path \"\(a.path)\"" }
        let resource = a.subresource.isEmpty ? a.resource : "\(a.resource)/\(a.subresource)"
        if !a.namespace.isEmpty {
            return "User \"\(user.name)\" cannot \(a.verb) resource \"\(resource)\" in API group \"\(a.apiGroup)\" in the namespace \"\(a.namespace)\""
        }
        return "User \"\(user.name)\" cannot \(a.verb) resource \"\(resource)\" in API group \"\(a.apiGroup)\" at the cluster scope"
    }

    /// The 403 Status kube-apiserver sends (`apierrors.NewForbidden` of the group/resource and name).
    static func forbidden(user: UserInfo, _ a: AuthorizationAttributes) -> Status {
        let message = forbiddenMessage(user: user, a)
        guard a.isResourceRequest else {
            return Status(message: "forbidden: \(message)", reason: "Forbidden", details: StatusDetails(), code: 403)
        }
        let qualified = a.apiGroup.isEmpty ? a.resource : "\(a.resource).\(a.apiGroup)"
        let subject = a.name.isEmpty ? qualified : "\(qualified) \"\(a.name)\""
        return Status(message: "\(subject) is forbidden: \(message)", reason: "Forbidden",
                      details: StatusDetails(name: a.name.isEmpty ? nil : a.name, group: a.apiGroup, kind: a.resource), code: 403)
    }
}
