import Foundation
import KubeCore
import Testing

@Suite("The chart's approval policy values")
struct ApprovalChartTests {
    @Test("defaults render the policy and a Deny binding that refuses every approval (no approver groups)")
    func defaults() async throws {
        let docs = try await renderChart()
        let policy = try #require(docs.object(kind: "ValidatingAdmissionPolicy", name: "sextant-approvals"))
        #expect(policy[path: ["spec", "failurePolicy"]]?.stringValue == "Fail")
        let rule = try #require(policy[path: ["spec", "matchConstraints", "resourceRules"]]?[0])
        #expect(rule["resources"]?.stringList == ["modelversions"] && rule["apiGroups"]?.stringList == ["ml.sextant.dev"])
        #expect(rule["operations"]?.stringList == ["CREATE", "UPDATE"])
        let groups = policy[path: ["spec", "variables"]]?.arrayValue?.first { $0["name"]?.stringValue == "approverGroups" }
        #expect(groups?["expression"]?.stringValue == "[]")
        #expect(policy[path: ["spec", "validations"]]?[0]?["message"]?.stringValue?.hasPrefix("no approver groups are configured") == true)
        let binding = try #require(docs.object(kind: "ValidatingAdmissionPolicyBinding", name: "sextant-approvals"))
        #expect(binding[path: ["spec", "policyName"]]?.stringValue == "sextant-approvals")
        #expect(binding[path: ["spec", "validationActions"]]?.stringList == ["Deny"])
    }

    @Test("approverGroups and exemptGroups become CEL lists; Warn+Audit rollout; enabled=false renders nothing")
    func values() async throws {
        let docs = try await renderChart(["--set", "governance.approverGroups={ml-approvers,leads}", "--set", "governance.exemptGroups={dr}",
                                          "--set", "governance.approvalPolicy.validationActions={Warn,Audit}"])
        let policy = try #require(docs.object(kind: "ValidatingAdmissionPolicy", name: "sextant-approvals"))
        let groups = policy[path: ["spec", "variables"]]?.arrayValue?.first { $0["name"]?.stringValue == "approverGroups" }
        #expect(groups?["expression"]?.stringValue == #"["ml-approvers","leads"]"#)
        let conditions = policy[path: ["spec", "matchConditions"]]?.arrayValue ?? []
        #expect(conditions.contains { $0["expression"]?.stringValue == #"!request.userInfo.groups.exists(g, g in ["dr"])"# })
        #expect(docs.object(kind: "ValidatingAdmissionPolicyBinding", name: "sextant-approvals")?[path: ["spec", "validationActions"]]?.stringList == ["Warn", "Audit"])
        let disabled = try await renderChart(["--set", "governance.approvalPolicy.enabled=false"])
        #expect(disabled.objects(kind: "ValidatingAdmissionPolicy").isEmpty && disabled.objects(kind: "ValidatingAdmissionPolicyBinding").isEmpty)
    }

    @Test("the values schema rejects Deny together with Warn, unknown actions and empty group names")
    func schema() async throws {
        for bad in [["--set", "governance.approvalPolicy.validationActions={Deny,Warn}"], ["--set", "governance.approvalPolicy.validationActions={Block}"],
                    ["--set-json", #"governance.approverGroups=[""]"#]] {
            let result = try await helmTemplate(bad)
            #expect(result.exitCode != 0, "\(bad) was accepted")
            #expect(result.stderr.contains("governance"), "\(result.output)")
        }
    }
}
