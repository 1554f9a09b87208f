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

    @Test("a child the controller created with a blocking owner reference needs update on the owner's finalizers; others need nothing")
    func ownerReferenceChecks() throws {
        func job(_ name: String, block: Bool, ownerKind: String = "MLPipeline") -> JSONValue {
            ["apiVersion": "batch/v1", "kind": "Job", "metadata": [
                "name": .string(name), "namespace": "ml",
                "ownerReferences": [["apiVersion": "ml.sextant.dev/v1alpha1", "kind": .string(ownerKind), "name": "run", "uid": "u",
                                     "controller": true, "blockOwnerDeletion": .bool(block)]],
            ]]
        }
        let audit = [
            #"{"verb":"create","userAgent":"sextant-controller/1","user":{"username":"\#(Self.user.name)"},"objectRef":{"apiGroup":"batch","resource":"jobs","namespace":"ml","name":"a"},"responseStatus":{"code":201}}"#,
            #"{"verb":"create","userAgent":"sextant-controller/1","user":{"username":"\#(Self.user.name)"},"objectRef":{"apiGroup":"batch","resource":"jobs","namespace":"ml","name":"b"},"responseStatus":{"code":201}}"#,
            #"{"verb":"create","userAgent":"sextant-controller/1","user":{"username":"\#(Self.user.name)"},"objectRef":{"apiGroup":"batch","resource":"jobs","namespace":"ml","name":"c"},"responseStatus":{"code":403}}"#,
            #"{"verb":"create","userAgent":"kubectl/1","user":{"username":"admin"},"objectRef":{"apiGroup":"batch","resource":"jobs","namespace":"ml","name":"d"},"responseStatus":{"code":201}}"#,
        ].joined(separator: "\n")
        let created = try RBACRuleNeeds.createdObjects(auditLog: audit, user: Self.user.name, userAgentPrefix: "sextant-controller/")
        #expect(created == ["batch/jobs/ml/a", "batch/jobs/ml/b"])
        let resources = ["Job": "jobs", "MLPipeline": "mlpipelines"]
        let result = RBACRuleNeeds.ownerFinalizerChecks(
            objects: [job("a", block: true), job("b", block: false), job("c", block: true), job("d", block: true)], created: created, resources: resources)
        #expect(result.checks.map(\.description) == ["update ml.sextant.dev/mlpipelines/finalizers in ml"])
        #expect(result.checks.first?.attributes.name == "run")
        #expect(result.unmapped.isEmpty)
        #expect(RBACRuleNeeds.ownerFinalizerChecks(objects: [job("a", block: true, ownerKind: "Other")], created: created, resources: resources).unmapped == ["Other"])
    }
}
