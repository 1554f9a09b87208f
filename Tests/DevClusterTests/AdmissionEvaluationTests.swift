import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("ValidatingAdmissionPolicy evaluation and dispatch: validations, variables, failurePolicy, actions, params")
struct AdmissionEvaluationTests {
    typealias F = AdmissionFixtures

    /// A policy on pods (all operations) with the given spec fields merged in.
    static func policy(_ spec: String, name: String = "p") throws -> JSONValue {
        var s = try JSONValue.parse(spec)
        if s["matchConstraints"] == nil {
            s["matchConstraints"] = try JSONValue.parse(#"{"resourceRules": [{"operations": ["*"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}]}"#)
        }
        return ["metadata": ["name": .string(name)], "spec": s]
    }

    static func binding(_ name: String = "b", policy: String = "p", actions: [String] = ["Deny"], extra: String = "{}") throws -> JSONValue {
        var spec = try JSONValue.parse(extra)
        spec["policyName"] = .string(policy)
        spec["validationActions"] = .array(actions.map(JSONValue.string))
        return ["metadata": ["name": .string(name)], "spec": spec]
    }

    static func environment(_ policies: [JSONValue], _ bindings: [JSONValue], params: [JSONValue] = [], namespace: JSONValue? = nil) -> AdmissionEnvironment {
        AdmissionEnvironment(policies: policies, bindings: bindings, namespace: namespace) { kind, ns in
            guard kind.kind == "ConfigMap" else { return nil }
            return .init(namespaced: true, objects: ns.isEmpty ? params : params.filter { $0[path: ["metadata", "namespace"]]?.stringValue == ns })
        }
    }

    static func evaluate(_ spec: String, _ a: AdmissionAttributes = F.attributes()) throws -> PolicyEvaluation {
        AdmissionEvaluator(policy: AdmissionPolicy(try policy(spec))).evaluate(a, params: nil, namespace: nil)
    }

    @Test("a false validation denies with messageExpression, else message, else 'failed expression: <expr>'; the reason defaults to Invalid")
    func messages() throws {
        var r = try Self.evaluate(#"{"validations": [{"expression": "object.metadata.name == 'y'"}]}"#)
        #expect(r.decisions == [PolicyDecision(action: .deny, message: "failed expression: object.metadata.name == 'y'", reason: "Invalid")])
        r = try Self.evaluate(#"{"validations": [{"expression": "false", "message": "no", "reason": "Forbidden"}]}"#)
        #expect(r.decisions == [PolicyDecision(action: .deny, message: "no", reason: "Forbidden")])
        r = try Self.evaluate(#"{"validations": [{"expression": "false", "message": "static", "messageExpression": "'name ' + object.metadata.name"}]}"#)
        #expect(r.decisions.first?.message == "name x")
        // A messageExpression that fails or is not a single-line string falls back to message.
        r = try Self.evaluate(#"{"validations": [{"expression": "false", "message": "static", "messageExpression": "object.nope"}]}"#)
        #expect(r.decisions.first?.message == "static")
        r = try Self.evaluate(#"{"validations": [{"expression": "false", "message": "static", "messageExpression": "'a\\nb'"}]}"#)
        #expect(r.decisions.first?.message == "static")
        r = try Self.evaluate(#"{"validations": [{"expression": "true"}]}"#)
        #expect(r.decisions == [PolicyDecision(action: .admit)])
    }

    @Test("request carries userInfo, operation, namespace, name, kind and resource; oldObject is null on create, object null on delete")
    func requestAndObjects() throws {
        let spec = #"""
        {"validations": [
          {"expression": "request.userInfo.username == 'alice' && 'ml-approvers' in request.userInfo.groups && 'system:authenticated' in request.userInfo.groups"},
          {"expression": "request.operation == 'CREATE' && request.namespace == 'ml' && request.name == 'x'"},
          {"expression": "request.kind.kind == 'Pod' && request.kind.version == 'v1' && request.resource.resource == 'pods' && request.resource.group == ''"},
          {"expression": "oldObject == null && object != null"}]}
        """#
        let created = try Self.evaluate(spec)
        #expect(created.decisions.allSatisfy { $0.action == .admit }, "\(created.decisions)")
        let deleted = try Self.evaluate(#"{"validations": [{"expression": "object == null && oldObject.metadata.name == 'x' && request.operation == 'DELETE'"}]}"#,
                                        F.attributes("DELETE", old: ["metadata": ["name": "x"]]))
        #expect(deleted.decisions == [PolicyDecision(action: .admit)])
    }

    @Test("variables compose in order; a failing variable fails only the validations that use it")
    func variables() throws {
        let spec = #"""
        {"variables": [{"name": "n", "expression": "object.metadata.name"}, {"name": "nn", "expression": "variables.n + variables.n"},
                       {"name": "bad", "expression": "object.spec.missing"}],
         "validations": [{"expression": "variables.nn == 'xx'"}, {"expression": "variables.bad == 1"}, {"expression": "true || variables.bad == 1"}]}
        """#
        let r = try Self.evaluate(spec)
        #expect(r.decisions.count == 3)
        #expect(r.decisions[0] == PolicyDecision(action: .admit))
        #expect(r.decisions[1].action == .deny && r.decisions[1].isError)
        #expect(r.decisions[1].message.hasPrefix("expression 'variables.bad == 1' resulted in error: composited variable \"bad\""), "\(r.decisions[1].message)")
        #expect(r.decisions[2] == PolicyDecision(action: .admit))
    }

    @Test("failurePolicy: an evaluation error denies under Fail and admits under Ignore")
    func failurePolicy() throws {
        let fail = try Self.evaluate(#"{"validations": [{"expression": "object.spec.replicas > 1"}]}"#)
        #expect(fail.decisions == [PolicyDecision(action: .deny, message: "expression 'object.spec.replicas > 1' resulted in error: no such key: spec", isError: true)])
        let ignore = try Self.evaluate(#"{"failurePolicy": "Ignore", "validations": [{"expression": "object.spec.replicas > 1"}]}"#)
        #expect(ignore.decisions.first?.action == .admit)
    }

    @Test("matchConditions: any false skips the policy; an error is an error decision")
    func matchConditions() throws {
        let skipped = try Self.evaluate(#"{"matchConditions": [{"name": "a", "expression": "object.metadata.name == 'other'"}, {"name": "b", "expression": "object.nope"}], "validations": [{"expression": "false"}]}"#)
        #expect(skipped.decisions.isEmpty)
        let matched = try Self.evaluate(#"{"matchConditions": [{"name": "a", "expression": "object.metadata.name == 'x'"}], "validations": [{"expression": "false"}]}"#)
        #expect(matched.decisions.first?.action == .deny)
        let broken = try Self.evaluate(#"{"matchConditions": [{"name": "a", "expression": "object.nope == 1"}], "validations": [{"expression": "true"}]}"#)
        #expect(broken.decisions.first?.isError == true)
        #expect(broken.decisions.first?.action == .deny)
    }

    @Test("Deny answers kube-apiserver's error: 422 Invalid by default, the validation's reason (403 Forbidden) when set, the message as a cause")
    func denyStatus() throws {
        let env = Self.environment([try Self.policy(#"{"validations": [{"expression": "false", "message": "nope"}]}"#)], [try Self.binding()])
        let outcome = AdmissionDispatcher.dispatch(F.attributes(), env)
        let message = "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: nope"
        let denial = try #require(outcome.denial)
        #expect(denial.code == 422)
        #expect(denial.reason == "Invalid")
        #expect(denial.message == "pods \"x\" is forbidden: \(message)")
        #expect(denial.details?.causes == [StatusCause(message: message)])
        #expect(denial.details?.kind == "pods" && denial.details?.name == "x")
        let forbidden = Self.environment([try Self.policy(#"{"validations": [{"expression": "false", "message": "nope", "reason": "Forbidden"}]}"#)], [try Self.binding()])
        let f = try #require(AdmissionDispatcher.dispatch(F.attributes(), forbidden).denial)
        #expect(f.code == 403 && f.reason == "Forbidden")
    }

    @Test("Warn adds kube-apiserver's warning text; Audit adds the validation_failure annotation; a policy without a binding does nothing")
    func warnAndAudit() throws {
        let policy = try Self.policy(#"{"validations": [{"expression": "true"}, {"expression": "false", "message": "too big"}], "auditAnnotations": [{"key": "who", "valueExpression": "request.userInfo.username"}]}"#)
        let outcome = AdmissionDispatcher.dispatch(F.attributes(), Self.environment([policy], [try Self.binding(actions: ["Warn", "Audit"])]))
        #expect(outcome.denial == nil)
        #expect(outcome.warnings == ["Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': too big"])
        let failure = try JSONValue.parse(try #require(outcome.auditAnnotations[AdmissionDispatcher.validationFailureKey]))
        #expect(failure == [["message": "too big", "policy": "p", "binding": "b", "expressionIndex": 1, "validationActions": ["Warn", "Audit"]]])
        #expect(outcome.auditAnnotations["p/who"] == "alice")
        let unbound = AdmissionDispatcher.dispatch(F.attributes(), Self.environment([policy], []))
        #expect(unbound.denial == nil && unbound.warnings.isEmpty && unbound.auditAnnotations.isEmpty)
    }

    @Test("binding matchResources narrows the policy: a binding for another namespace label does not apply")
    func bindingMatchResources() throws {
        let policy = try Self.policy(#"{"validations": [{"expression": "false"}]}"#)
        let binding = try Self.binding(extra: #"{"matchResources": {"namespaceSelector": {"matchLabels": {"env": "prod"}}}}"#)
        let prod: JSONValue = ["metadata": ["name": "ml", "labels": ["env": "prod"]]]
        let dev: JSONValue = ["metadata": ["name": "ml", "labels": ["env": "dev"]]]
        #expect(AdmissionDispatcher.dispatch(F.attributes(), Self.environment([policy], [binding], namespace: prod)).denial != nil)
        #expect(AdmissionDispatcher.dispatch(F.attributes(), Self.environment([policy], [binding], namespace: dev)).denial == nil)
    }

    @Test("paramRef by name (request namespace by default) and selector; parameterNotFoundAction Deny/Allow; a missing paramRef is a configuration error")
    func params() throws {
        let policy = try Self.policy(#"""
            {"paramKind": {"apiVersion": "v1", "kind": "ConfigMap"},
             "validations": [{"expression": "object.metadata.name in params.data.allowed.split(',')", "messageExpression": "'not allowed by ' + params.metadata.name"}]}
            """#)
        let limits: JSONValue = ["metadata": ["name": "limits", "namespace": "ml", "labels": ["kind": "limits"]], "data": ["allowed": "a,b"]]
        let others: JSONValue = ["metadata": ["name": "others", "namespace": "ml", "labels": ["kind": "limits"]], "data": ["allowed": "x"]]
        let byName = try Self.binding(extra: #"{"paramRef": {"name": "limits", "parameterNotFoundAction": "Deny"}}"#)
        let denied = AdmissionDispatcher.dispatch(F.attributes(), Self.environment([policy], [byName], params: [limits, others]))
        #expect(denied.denial?.message?.hasSuffix("denied request: not allowed by limits") == true, "\(String(describing: denied.denial))")
        // Selector: every matching param is evaluated; `others` allows x.
        let bySelector = try Self.binding(extra: #"{"paramRef": {"selector": {"matchLabels": {"kind": "limits"}}, "parameterNotFoundAction": "Deny"}}"#)
        let selected = AdmissionDispatcher.dispatch(F.attributes(), Self.environment([policy], [bySelector], params: [limits, others]))
        #expect(selected.denial?.message?.hasSuffix("not allowed by limits") == true)
        // None found: Deny is a configuration error, Allow admits.
        let missing = AdmissionDispatcher.dispatch(F.attributes(), Self.environment([policy], [byName], params: []))
        #expect(missing.denial?.message == "pods \"x\" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction")
        let allow = try Self.binding(extra: #"{"paramRef": {"name": "limits", "parameterNotFoundAction": "Allow"}}"#)
        #expect(AdmissionDispatcher.dispatch(F.attributes(), Self.environment([policy], [allow], params: [])).denial == nil)
        let noRef = AdmissionDispatcher.dispatch(F.attributes(), Self.environment([policy], [try Self.binding()], params: [limits]))
        #expect(noRef.denial?.message?.contains("is defined but paramRef is missing in binding") == true)
        // Elsewhere: paramRef.namespace picks another namespace.
        let elsewhere = try Self.binding(extra: #"{"paramRef": {"name": "limits", "namespace": "ops", "parameterNotFoundAction": "Deny"}}"#)
        #expect(AdmissionDispatcher.dispatch(F.attributes(), Self.environment([policy], [elsewhere], params: [limits])).denial?.message?.contains("no params found") == true)
    }

    @Test("policy objects are validated: required fields, CEL outside the subset, Deny with Warn, unknown reason")
    func objectValidation() throws {
        let bad = try Self.policy(#"{"validations": [{"expression": "authorizer.group('').resource('pods').check('get').allowed()", "reason": "Teapot"}], "failurePolicy": "Sometimes"}"#)
        let causes = AdmissionPolicyValidation.policy(bad)
        #expect(Set(causes.compactMap(\.field)) == ["spec.failurePolicy", "spec.validations[0].expression", "spec.validations[0].reason"], "\(causes)")
        #expect(AdmissionPolicyValidation.policy(["metadata": ["name": "p"], "spec": .emptyObject]).compactMap(\.field) == ["spec.matchConstraints", "spec.validations"])
        let binding = try Self.binding(actions: ["Deny", "Warn"])
        #expect(AdmissionPolicyValidation.binding(binding).compactMap(\.field) == ["spec.validationActions"])
        #expect(AdmissionPolicyValidation.binding(["metadata": ["name": "b"], "spec": .emptyObject]).compactMap(\.field) == ["spec.policyName", "spec.validationActions"])
        #expect(AdmissionPolicyValidation.policy(try Self.policy(#"{"validations": [{"expression": "object.metadata.name != ''"}]}"#)).isEmpty)
    }
}
