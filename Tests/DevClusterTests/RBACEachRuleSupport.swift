import Foundation
import KubeCore
@testable import DevCluster

/// "Each granted rule is needed": one grant unit of a chart Role/ClusterRole (verb × API group ×
/// resource of one rule) is needed when removing it from the RBAC objects makes the server's own
/// authorizer (`RBACAuthorizer`, what `sextant dev` runs on every request) deny at least one request
/// the controller made in a full-RBAC run (read from `sextant dev`'s audit log).
enum RBACRuleNeeds {
    /// One verb × group × resource that one rule of one role grants.
    struct Grant: Hashable, Sendable, CustomStringConvertible {
        var roleKind: String
        var roleName: String
        var roleNamespace: String
        /// The rule's index in the role's `rules`.
        var rule: Int
        var verb: String
        var apiGroup: String
        var resource: String

        /// "verb group/resource" (core for the empty group).
        var unit: String { "\(verb) \(apiGroup.isEmpty ? "core" : apiGroup)/\(resource)" }

        var description: String {
            let role = roleNamespace.isEmpty ? "\(roleKind) \(roleName)" : "\(roleKind) \(roleNamespace)/\(roleName)"
            return "\(role) rules[\(rule)]: \(verb) \(apiGroup.isEmpty ? "core" : apiGroup)/\(resource)"
        }
    }

    /// One request the controller made, as the authorizer sees it.
    struct Request: Hashable, Sendable, CustomStringConvertible {
        var attributes: AuthorizationAttributes

        static func == (a: Request, b: Request) -> Bool { a.attributes == b.attributes }
        func hash(into hasher: inout Hasher) {
            hasher.combine(description)
            hasher.combine(attributes.name)
            hasher.combine(attributes.path)
        }

        var description: String {
            let a = attributes
            guard a.isResourceRequest else { return "\(a.verb) \(a.path)" }
            let resource = a.subresource.isEmpty ? a.resource : "\(a.resource)/\(a.subresource)"
            return "\(a.verb) \(a.apiGroup.isEmpty ? "core" : a.apiGroup)/\(resource)\(a.namespace.isEmpty ? "" : " in \(a.namespace)")"
        }
    }

    struct Outcome: Sendable {
        /// Requests the full RBAC already denies (should be none).
        var deniedWithFullRBAC: [Request]
        /// Each needed grant with one request that removing it denies.
        var neededBy: [Grant: Request]
        /// Grants no recorded request needs.
        var unneeded: [Grant]
    }

    /// The requests of `user` in an audit log (audit.k8s.io/v1 Events, one a line), deduplicated.
    static func requests(auditLog text: String, user: String, userAgentPrefix: String) throws -> [Request] {
        var out: [Request] = []
        var seen = Set<Request>()
        for line in text.split(separator: "\n") where !line.isEmpty {
            let event = try JSONValue.parse(String(line))
            guard event[path: ["user", "username"]]?.stringValue == user,
                  event["userAgent"]?.stringValue?.hasPrefix(userAgentPrefix) == true else { continue }
            let verb = event["verb"]?.stringValue ?? ""
            let uri = event["requestURI"]?.stringValue ?? ""
            let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
            let attributes: AuthorizationAttributes
            if let ref = event["objectRef"] {
                // The audit log names the created object; the authorizer sees no name on a create.
                attributes = AuthorizationAttributes(
                    verb: verb, isResourceRequest: true, apiGroup: ref["apiGroup"]?.stringValue ?? "",
                    apiVersion: ref["apiVersion"]?.stringValue ?? "", namespace: ref["namespace"]?.stringValue ?? "",
                    resource: ref["resource"]?.stringValue ?? "", subresource: ref["subresource"]?.stringValue ?? "",
                    name: verb == "create" ? "" : ref["name"]?.stringValue ?? "", path: path)
            } else {
                attributes = AuthorizationAttributes(verb: verb, isResourceRequest: false, path: path)
            }
            let request = Request(attributes: attributes)
            if seen.insert(request).inserted { out.append(request) }
        }
        return out
    }

    /// The checks kube-apiserver's OwnerReferencesPermissionEnforcement admission plugin makes for
    /// the objects `user` created (`created`: "group/resource/namespace/name" of its create requests
    /// in the audit log) that carry an ownerReference with `blockOwnerDeletion: true` (`objects`:
    /// the live objects, e.g. a `kubectl get -A -o json` list): `update` on the owner's
    /// `finalizers` subresource, by name, in the child's namespace (gc_admission.go,
    /// ownerRefToDeleteAttributeRecords). `sextant dev` does not run that plugin, so these checks
    /// are not in its audit log; `resources` maps an owner's kind to its resource (a kind missing
    /// there is returned in `unmapped`).
    static func ownerFinalizerChecks(objects: [JSONValue], created: Set<String>, resources: [String: String]) -> (checks: [Request], unmapped: [String]) {
        var out: [Request] = []
        var seen = Set<Request>()
        var unmapped: [String] = []
        for object in objects {
            let apiVersion = object["apiVersion"]?.stringValue ?? ""
            let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
            let namespace = object[path: ["metadata", "namespace"]]?.stringValue ?? ""
            let kind = object["kind"]?.stringValue ?? ""
            guard let resource = resources[kind],
                  created.contains("\(group)/\(resource)/\(namespace)/\(object.name ?? "")") else { continue }
            for ref in object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? [] where ref["blockOwnerDeletion"]?.boolValue == true {
                let ownerKind = ref["kind"]?.stringValue ?? ""
                guard let ownerResource = resources[ownerKind] else {
                    unmapped.append(ownerKind)
                    continue
                }
                let ownerVersion = ref["apiVersion"]?.stringValue ?? ""
                let ownerGroup = ownerVersion.contains("/") ? String(ownerVersion.split(separator: "/")[0]) : ""
                let path = "/apis/\(ownerVersion)/namespaces/\(namespace)/\(ownerResource)/\(ref["name"]?.stringValue ?? "")/finalizers"
                let request = Request(attributes: AuthorizationAttributes(
                    verb: "update", isResourceRequest: true, apiGroup: ownerGroup,
                    apiVersion: String(ownerVersion.split(separator: "/").last ?? ""), namespace: namespace,
                    resource: ownerResource, subresource: "finalizers", name: ref["name"]?.stringValue ?? "", path: path))
                if seen.insert(request).inserted { out.append(request) }
            }
        }
        return (out, unmapped)
    }

    /// "group/resource/namespace/name" of every object `user` created (audit create events).
    static func createdObjects(auditLog text: String, user: String, userAgentPrefix: String) throws -> Set<String> {
        var out = Set<String>()
        for line in text.split(separator: "\n") where !line.isEmpty {
            let event = try JSONValue.parse(String(line))
            guard event[path: ["user", "username"]]?.stringValue == user, event["verb"]?.stringValue == "create",
                  event["userAgent"]?.stringValue?.hasPrefix(userAgentPrefix) == true,
                  let code = event[path: ["responseStatus", "code"]]?.intValue, (200..<300).contains(code),
                  let ref = event["objectRef"], (ref["subresource"]?.stringValue ?? "").isEmpty else { continue }
            out.insert("\(ref["apiGroup"]?.stringValue ?? "")/\(ref["resource"]?.stringValue ?? "")/\(ref["namespace"]?.stringValue ?? "")/\(ref["name"]?.stringValue ?? "")")
        }
        return out
    }

    /// The grant units of the roles the chart binds to `user` (its other roles, e.g. the
    /// user-facing aggregated ones, are not the controller's).
    static func grants(chart: [JSONValue], user: UserInfo) -> [Grant] {
        var bound = Set<String>()  // "Kind/namespace/name"
        for binding in chart where ["ClusterRoleBinding", "RoleBinding"].contains(binding["kind"]?.stringValue ?? "") {
            let namespace = binding[path: ["metadata", "namespace"]]?.stringValue ?? ""
            guard RBACAuthorizer.matchingSubject(binding, user: user, bindingNamespace: namespace) != nil,
                  let kind = binding[path: ["roleRef", "kind"]]?.stringValue,
                  let name = binding[path: ["roleRef", "name"]]?.stringValue else { continue }
            bound.insert("\(kind)/\(kind == "Role" ? namespace : "")/\(name)")
        }
        var out: [Grant] = []
        for role in chart where ["ClusterRole", "Role"].contains(role["kind"]?.stringValue ?? "") {
            let kind = role["kind"]?.stringValue ?? ""
            let namespace = kind == "Role" ? role[path: ["metadata", "namespace"]]?.stringValue ?? "" : ""
            let name = role.name ?? ""
            guard bound.contains("\(kind)/\(namespace)/\(name)") else { continue }
            for (index, rule) in (role["rules"]?.arrayValue ?? []).enumerated() {
                let strings: (String) -> [String] = { rule[$0]?.arrayValue?.compactMap(\.stringValue) ?? [] }
                for verb in strings("verbs") {
                    for group in strings("apiGroups") {
                        for resource in strings("resources") {
                            out.append(Grant(roleKind: kind, roleName: name, roleNamespace: namespace, rule: index,
                                             verb: verb, apiGroup: group, resource: resource))
                        }
                    }
                    for url in strings("nonResourceURLs") {
                        out.append(Grant(roleKind: kind, roleName: name, roleNamespace: namespace, rule: index,
                                         verb: verb, apiGroup: "", resource: url))
                    }
                }
            }
        }
        return out
    }

    /// The chart's objects with one grant unit taken out of its rule: the rule V×G×R becomes
    /// (V−v)×G×R, v×(G−g)×R and v×g×(R−r) (empty ones dropped), so every other unit stays granted.
    static func removing(_ grant: Grant, from chart: [JSONValue]) -> [JSONValue] {
        chart.map { object in
            let kind = object["kind"]?.stringValue ?? ""
            let namespace = kind == "Role" ? object[path: ["metadata", "namespace"]]?.stringValue ?? "" : ""
            guard kind == grant.roleKind, object.name == grant.roleName, namespace == grant.roleNamespace,
                  var rules = object["rules"]?.arrayValue, grant.rule < rules.count else { return object }
            let rule = rules[grant.rule]
            let strings: (String) -> [String] = { rule[$0]?.arrayValue?.compactMap(\.stringValue) ?? [] }
            let list: ([String]) -> JSONValue = { .array($0.map(JSONValue.string)) }
            var split: [JSONValue] = []
            func add(_ verbs: [String], _ groups: [String], _ resources: [String], key: String) {
                guard !verbs.isEmpty, !resources.isEmpty, key == "nonResourceURLs" || !groups.isEmpty else { return }
                var r = rule
                r["verbs"] = list(verbs)
                if key == "resources" { r["apiGroups"] = list(groups) }
                r[key] = list(resources)
                split.append(r)
            }
            let isURL = rule["nonResourceURLs"] != nil
            let key = isURL ? "nonResourceURLs" : "resources"
            add(strings("verbs").filter { $0 != grant.verb }, strings("apiGroups"), strings(key), key: key)
            if !isURL { add([grant.verb], strings("apiGroups").filter { $0 != grant.apiGroup }, strings(key), key: key) }
            add([grant.verb], [grant.apiGroup], strings(key).filter { $0 != grant.resource }, key: key)
            rules.replaceSubrange(grant.rule...grant.rule, with: split)
            var changed = object
            changed["rules"] = .array(rules)
            return changed
        }
    }

    /// The RBAC objects the server reads for a request in `namespace`: its bootstrap roles and
    /// bindings plus the chart's.
    static func objects(chart: [JSONValue], namespace: String) -> RBACObjects {
        func of(_ kind: String) -> [JSONValue] { chart.filter { $0["kind"]?.stringValue == kind } }
        func inNamespace(_ kind: String) -> [JSONValue] {
            namespace.isEmpty ? [] : of(kind).filter { $0[path: ["metadata", "namespace"]]?.stringValue == namespace }
        }
        return RBACObjects(clusterRoles: RBACBootstrap.clusterRoles + of("ClusterRole"),
                           clusterRoleBindings: RBACBootstrap.clusterRoleBindings + of("ClusterRoleBinding"),
                           roles: inNamespace("Role"), roleBindings: inNamespace("RoleBinding"))
    }

    static func allowed(_ request: Request, user: UserInfo, chart: [JSONValue]) -> Bool {
        RBACAuthorizer.allows(user: user, request.attributes, objects(chart: chart, namespace: request.attributes.namespace))
    }

    /// Removes each grant unit in turn and finds a recorded request it denies.
    static func evaluate(chart: [JSONValue], user: UserInfo, requests: [Request]) -> Outcome {
        let denied = requests.filter { !allowed($0, user: user, chart: chart) }
        var neededBy: [Grant: Request] = [:]
        var unneeded: [Grant] = []
        for grant in grants(chart: chart, user: user) {
            let reduced = removing(grant, from: chart)
            if let request = requests.first(where: { !denied.contains($0) && !allowed($0, user: user, chart: reduced) }) {
                neededBy[grant] = request
            } else {
                unneeded.append(grant)
            }
        }
        return Outcome(deniedWithFullRBAC: denied, neededBy: neededBy, unneeded: unneeded)
    }
}
