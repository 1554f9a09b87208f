import Foundation
import KubeCore
import Testing

@testable import DevCluster

/// Shared builders for the admission unit tests.
enum AdmissionFixtures {
    static let pods = ResourceInfo(group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true)
    static let namespaces = ResourceInfo(group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false)
    static let modelVersions = ResourceInfo(group: "ml.sextant.dev", version: "v1alpha1", resource: "modelversions", kind: "ModelVersion",
                                            namespaced: true, subresources: ["status"], crdName: "modelversions.ml.sextant.dev")
    static let alice = UserInfo(name: "alice", uid: "1001", groups: ["ml-approvers"])

    static func attributes(_ operation: String = "CREATE", info: ResourceInfo = pods, subresource: String = "", namespace: String = "ml",
                           name: String = "x", object: JSONValue? = ["metadata": ["name": "x", "labels": ["app": "web"]]],
                           old: JSONValue? = nil, user: UserInfo = alice) -> AdmissionAttributes {
        AdmissionAttributes(operation: operation, info: info, subresource: subresource, namespace: namespace, name: name,
                            object: operation == "DELETE" ? nil : object, oldObject: old, user: user, dryRun: false)
    }

    static func rule(_ operations: [String] = ["*"], groups: [String] = ["*"], versions: [String] = ["*"], resources: [String],
                     scope: String = "*", names: [String] = []) -> ResourceRule {
        ResourceRule(operations: operations, apiGroups: groups, apiVersions: versions, resources: resources, resourceNames: names, scope: scope)
    }
}

@Suite("ValidatingAdmissionPolicy matching: resource rules, selectors, exclusions")
struct AdmissionMatchingTests {
    typealias F = AdmissionFixtures

    @Test("resource patterns: '*' main resources only, '*/*' everything, 'pods/status', 'pods/*', '*/status'")
    func resourcePatterns() {
        #expect(AdmissionMatching.resourceMatches("*", resource: "pods", subresource: ""))
        #expect(!AdmissionMatching.resourceMatches("*", resource: "pods", subresource: "status"))
        #expect(AdmissionMatching.resourceMatches("*/*", resource: "pods", subresource: "status"))
        #expect(AdmissionMatching.resourceMatches("*/*", resource: "pods", subresource: ""))
        #expect(AdmissionMatching.resourceMatches("pods", resource: "pods", subresource: ""))
        #expect(!AdmissionMatching.resourceMatches("pods", resource: "pods", subresource: "status"))
        #expect(AdmissionMatching.resourceMatches("pods/status", resource: "pods", subresource: "status"))
        #expect(!AdmissionMatching.resourceMatches("pods/status", resource: "pods", subresource: "log"))
        #expect(AdmissionMatching.resourceMatches("pods/*", resource: "pods", subresource: "log"))
        #expect(AdmissionMatching.resourceMatches("*/status", resource: "deployments", subresource: "status"))
        #expect(!AdmissionMatching.resourceMatches("*/status", resource: "deployments", subresource: ""))
        #expect(!AdmissionMatching.resourceMatches("services", resource: "pods", subresource: ""))
    }

    @Test("a rule needs the operation, group, version, resource, scope and (when listed) the name")
    func ruleFields() {
        let a = F.attributes("UPDATE")
        #expect(AdmissionMatching.ruleMatches(F.rule(["UPDATE"], groups: [""], versions: ["v1"], resources: ["pods"]), a))
        #expect(AdmissionMatching.ruleMatches(F.rule(["*"], resources: ["*"]), a))
        #expect(!AdmissionMatching.ruleMatches(F.rule(["CREATE", "DELETE"], resources: ["pods"]), a))
        #expect(!AdmissionMatching.ruleMatches(F.rule(groups: ["apps"], resources: ["pods"]), a))
        #expect(!AdmissionMatching.ruleMatches(F.rule(versions: ["v2"], resources: ["pods"]), a))
        #expect(!AdmissionMatching.ruleMatches(F.rule(resources: ["pods"], scope: "Cluster"), a))
        #expect(AdmissionMatching.ruleMatches(F.rule(resources: ["pods"], scope: "Namespaced"), a))
        #expect(AdmissionMatching.ruleMatches(F.rule(resources: ["namespaces"], scope: "Cluster"), F.attributes(info: F.namespaces, namespace: "")))
        #expect(AdmissionMatching.ruleMatches(F.rule(resources: ["pods"], names: ["x"]), a))
        #expect(!AdmissionMatching.ruleMatches(F.rule(resources: ["pods"], names: ["y"]), a))
        #expect(AdmissionMatching.ruleMatches(F.rule(groups: ["ml.sextant.dev"], resources: ["modelversions/status"]),
                                              F.attributes(info: F.modelVersions, subresource: "status")))
    }

    @Test("excludeResourceRules win over resourceRules; a binding without resourceRules matches every resource")
    func exclusionsAndBindings() throws {
        let match = MatchResources(try JSONValue.parse("""
            {"resourceRules": [{"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*"]}],
             "excludeResourceRules": [{"operations": ["*"], "apiGroups": [""], "apiVersions": ["*"], "resources": ["pods"]}]}
            """))
        #expect(!AdmissionMatching.matches(match, F.attributes(), namespaceLabels: [:], isBinding: false))
        #expect(AdmissionMatching.matches(match, F.attributes(info: F.modelVersions), namespaceLabels: [:], isBinding: false))
        let empty = MatchResources(.emptyObject)
        #expect(AdmissionMatching.matches(empty, F.attributes(), namespaceLabels: [:], isBinding: true))
        #expect(!AdmissionMatching.matches(empty, F.attributes(), namespaceLabels: [:], isBinding: false))
    }

    @Test("namespaceSelector: the request namespace's labels; ignored for cluster-scoped kinds; a Namespace is matched by its own labels")
    func namespaceSelector() throws {
        let match = MatchResources(try JSONValue.parse("""
            {"namespaceSelector": {"matchLabels": {"env": "prod"}},
             "resourceRules": [{"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*"]}]}
            """))
        #expect(AdmissionMatching.matches(match, F.attributes(), namespaceLabels: ["env": "prod"], isBinding: false))
        #expect(!AdmissionMatching.matches(match, F.attributes(), namespaceLabels: ["env": "dev"], isBinding: false))
        #expect(!AdmissionMatching.matches(match, F.attributes(), namespaceLabels: nil, isBinding: false))
        let crd = ResourceInfo(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)
        #expect(AdmissionMatching.matches(match, F.attributes(info: crd, namespace: ""), namespaceLabels: nil, isBinding: false))
        let prodNamespace: JSONValue = ["metadata": ["name": "p", "labels": ["env": "prod"]]]
        #expect(AdmissionMatching.matches(match, F.attributes(info: F.namespaces, namespace: "", object: prodNamespace), namespaceLabels: nil, isBinding: false))
        #expect(!AdmissionMatching.matches(match, F.attributes(info: F.namespaces, namespace: ""), namespaceLabels: nil, isBinding: false))
    }

    @Test("objectSelector matches when the new or the old object has the labels")
    func objectSelector() throws {
        let match = MatchResources(try JSONValue.parse("""
            {"objectSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]},
             "resourceRules": [{"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*"]}]}
            """))
        #expect(AdmissionMatching.matches(match, F.attributes(), namespaceLabels: [:], isBinding: false))
        let unlabelled: JSONValue = ["metadata": ["name": "x"]]
        #expect(!AdmissionMatching.matches(match, F.attributes(object: unlabelled), namespaceLabels: [:], isBinding: false))
        #expect(AdmissionMatching.matches(match, F.attributes("UPDATE", object: unlabelled, old: ["metadata": ["labels": ["app": "web"]]]),
                                          namespaceLabels: [:], isBinding: false))
        #expect(AdmissionMatching.matches(match, F.attributes("DELETE", old: ["metadata": ["labels": ["app": "web"]]]), namespaceLabels: [:], isBinding: false))
    }
}
