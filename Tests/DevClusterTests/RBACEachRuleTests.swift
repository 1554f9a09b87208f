import Foundation
import KubeCore
import Testing
@testable import DevCluster

/// The "each rule is needed" analysis on its own (the real run is in ControllerRBACTests).
@Suite("Each granted RBAC rule is needed: removing a grant denies a recorded request")
struct RBACEachRuleTests {
    static let user = UserInfo(name: "system:serviceaccount:sys:ctl", groups: ["system:serviceaccounts", "system:serviceaccounts:sys"])

    static func chart(extraVerb: String? = nil) throws -> [JSONValue] {
        let extra = extraVerb.map { ", \"\($0)\"" } ?? ""
        return try YAMLDocuments.parse("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: ctl}
        rules:
          - apiGroups: ["batch"]
            resources: ["jobs"]
            verbs: ["list", "create"\(extra)]
          - apiGroups: ["", "apps"]
            resources: ["services"]
            verbs: ["get"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: ctl}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ctl}
        subjects: [{kind: ServiceAccount, name: ctl, namespace: sys}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: leases, namespace: sys}
        rules: [{apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["update"]}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: leases, namespace: sys}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: leases}
        subjects: [{kind: ServiceAccount, name: ctl, namespace: sys}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: not-bound}
        rules: [{apiGroups: [""], resources: ["secrets"], verbs: ["get"]}]
        """)
    }

    static func log(_ lines: [(verb: String, group: String, resource: String, namespace: String)], user: String = RBACEachRuleTests.user.name) -> String {
        lines.map { l in
            let ref: JSONValue = ["apiGroup": .string(l.group), "apiVersion": "v1", "resource": .string(l.resource), "namespace": .string(l.namespace)]
            let e: JSONValue = ["kind": "Event", "verb": .string(l.verb), "requestURI": "/x", "userAgent": "sextant-controller/1",
                                "user": ["username": .string(user)], "objectRef": ref]
            return e.jsonString
        }.joined(separator: "\n") + "\n" + #"{"kind":"Event","verb":"get","requestURI":"/apis","userAgent":"sextant-controller/1","user":{"username":"\#(user)"}}"#
    }

    static let workload: [(verb: String, group: String, resource: String, namespace: String)] = [("list", "batch", "jobs", ""), ("create", "batch", "jobs", "ml"), ("get", "", "services", "ml"),
                           ("update", "coordination.k8s.io", "leases", "sys")]

    @Test("every grant used by a recorded request is needed, each with the request its removal denies")
    func allNeeded() throws {
        let requests = try RBACRuleNeeds.requests(auditLog: Self.log(Self.workload), user: Self.user.name, userAgentPrefix: "sextant-controller/")
        #expect(requests.count == 5)
        let chart = try Self.chart()
        let outcome = RBACRuleNeeds.evaluate(chart: chart, user: Self.user, requests: requests)
        #expect(outcome.deniedWithFullRBAC.isEmpty)
        // The unbound ClusterRole is not the controller's: not evaluated.
        #expect(RBACRuleNeeds.grants(chart: chart, user: Self.user).count == 5)
        // get apps/services names no resource that exists: no request needs it.
        #expect(outcome.unneeded.map(\.description) == ["ClusterRole ctl rules[1]: get apps/services"])
        #expect(outcome.neededBy.count == 4)
        #expect(outcome.neededBy.values.map(\.description).sorted().contains("update coordination.k8s.io/leases in sys"))
    }

    @Test("a granted verb no request uses is named; a request of another user counts for nothing")
    func unneededVerbNamed() throws {
        let chart = try Self.chart(extraVerb: "delete")
        let requests = try RBACRuleNeeds.requests(auditLog: Self.log(Self.workload) + "\n" + Self.log([("delete", "batch", "jobs", "ml")], user: "alice"),
                                                  user: Self.user.name, userAgentPrefix: "sextant-controller/")
        let outcome = RBACRuleNeeds.evaluate(chart: chart, user: Self.user, requests: requests)
        #expect(outcome.unneeded.map(\.description).contains("ClusterRole ctl rules[0]: delete batch/jobs"))
        let withDelete = requests + [RBACRuleNeeds.Request(attributes: AuthorizationAttributes(
            verb: "delete", isResourceRequest: true, apiGroup: "batch", namespace: "ml", resource: "jobs", name: "j"))]
        #expect(!RBACRuleNeeds.evaluate(chart: chart, user: Self.user, requests: withDelete).unneeded.map(\.description)
            .contains("ClusterRole ctl rules[0]: delete batch/jobs"))
    }

    @Test("removing one grant keeps every other grant of the rule")
    func removalIsExact() throws {
        let chart = try Self.chart()
        let grants = RBACRuleNeeds.grants(chart: chart, user: Self.user)
        let remove = try #require(grants.first { $0.verb == "create" && $0.resource == "jobs" })
        let reduced = RBACRuleNeeds.removing(remove, from: chart)
        let left = Set(RBACRuleNeeds.grants(chart: reduced, user: Self.user).map { "\($0.verb) \($0.apiGroup)/\($0.resource)" })
        #expect(left == Set(grants.filter { $0 != remove }.map { "\($0.verb) \($0.apiGroup)/\($0.resource)" }))
        let create = RBACRuleNeeds.Request(attributes: AuthorizationAttributes(verb: "create", isResourceRequest: true, apiGroup: "batch", namespace: "ml", resource: "jobs"))
        #expect(RBACRuleNeeds.allowed(create, user: Self.user, chart: chart))
        #expect(!RBACRuleNeeds.allowed(create, user: Self.user, chart: reduced))
    }
}
