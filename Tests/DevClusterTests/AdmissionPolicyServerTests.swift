import Foundation
import KubeCore
import Testing
import TestSupport

/// ValidatingAdmissionPolicy and its binding served and enforced by `sextant dev`, seen with stock
/// kubectl and raw HTTPS as a token-auth-file user: one server for the suite's one test.
@Suite("sextant dev serves and enforces ValidatingAdmissionPolicies")
struct AdmissionPolicyServerTests {
    static let policies = """
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicy
    metadata: {name: cm-size}
    spec:
      matchConstraints:
        resourceRules:
        - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["configmaps"]}
        namespaceSelector: {matchLabels: {policy: enforced}}
      variables:
      - {name: keys, expression: "has(object.data) ? size(object.data) : 0"}
      validations:
      - expression: "variables.keys <= 2"
        messageExpression: "'configmap ' + object.metadata.name + ' has ' + string(variables.keys) + ' keys, at most 2 allowed for ' + request.userInfo.username"
      auditAnnotations:
      - {key: user, valueExpression: "request.userInfo.username"}
    ---
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicyBinding
    metadata: {name: cm-size-deny}
    spec: {policyName: cm-size, validationActions: [Deny]}
    ---
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicy
    metadata: {name: keep-protected}
    spec:
      matchConstraints:
        resourceRules:
        - {apiGroups: ["*"], apiVersions: ["*"], operations: ["DELETE"], resources: ["*"]}
      matchConditions:
      - {name: protected, expression: "has(oldObject.metadata.labels) && 'protected' in oldObject.metadata.labels"}
      validations:
      - {expression: "object == null && 'admins' in request.userInfo.groups", message: "protected objects are deleted by admins only", reason: Forbidden}
    ---
    apiVersion: admissionregistration.k8s.io/v1
    kind: ValidatingAdmissionPolicyBinding
    metadata: {name: keep-protected-warn}
    spec: {policyName: keep-protected, validationActions: [Warn, Audit]}
    """

    @Test("kubectl manages policies; Deny answers 422 with kube-apiserver's message; Warn reaches kubectl; Audit and auditAnnotations reach the audit log")
    func policiesEnforced() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sextant-vap-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokens = dir.appendingPathComponent("tokens.csv")
        try "jane-token,jane,u-1,\"devs\"\n".write(to: tokens, atomically: true, encoding: .utf8)
        let audit = dir.appendingPathComponent("audit.jsonl")
        let cluster = try await DevClusterProcess.start(
            extraArguments: ["--no-controller", "--token-auth-file", tokens.path, "--audit-log-path", audit.path], dataDirectory: dir.appendingPathComponent("dev"))
        defer { cluster.stop() }
        let admin = cluster.kubectl
        func k(_ arguments: String..., stdin: String? = nil) async throws -> String {
            let r = try await admin.run(arguments, stdin: stdin)
            try #require(r.succeeded, "kubectl \(arguments.joined(separator: " ")): \(r.stderr)\n\(cluster.log().suffix(1500))")
            return r.stdout
        }
        let resources = try await k("api-resources", "--api-group=admissionregistration.k8s.io", "-o", "name")
        #expect(resources.contains("validatingadmissionpolicies.admissionregistration.k8s.io"))
        #expect(resources.contains("validatingadmissionpolicybindings.admissionregistration.k8s.io"))
        _ = try await k("apply", "-f", "-", stdin: Self.policies)
        let listed = try await k("get", "validatingadmissionpolicies")
        #expect(listed.contains("cm-size") && listed.contains("VALIDATIONS"), "\(listed)")
        let stored = try JSONValue.parse(try await k("get", "validatingadmissionpolicy", "cm-size", "-o", "json"))
        #expect(stored[path: ["spec", "failurePolicy"]] == "Fail")
        #expect(stored[path: ["spec", "matchConstraints", "resourceRules"]]?[0]?["scope"] == "*")
        // A policy outside the supported CEL subset is refused, not silently passed.
        let refused = try await admin.run(["apply", "-f", "-"], stdin: """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicy
            metadata: {name: authz}
            spec:
              matchConstraints: {resourceRules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}]}
              validations: [{expression: "authorizer.requestResource.check('get').allowed()"}]
            """)
        #expect(!refused.succeeded && refused.stderr.contains("spec.validations[0].expression"), "\(refused.stderr)")

        _ = try await k("create", "namespace", "team")
        _ = try await k("label", "namespace", "team", "policy=enforced")
        _ = try await k("create", "clusterrole", "cm-edit", "--verb=*", "--resource=configmaps")
        _ = try await k("create", "rolebinding", "devs-cm", "-n", "team", "--clusterrole=cm-edit", "--group=devs")
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big","namespace":"team"},"data":{"a":"1","b":"2","c":"3"}}"#
        let denied = try await request(cluster, token: "jane-token", "POST", "/api/v1/namespaces/team/configmaps", body: body)
        let message = "ValidatingAdmissionPolicy 'cm-size' with binding 'cm-size-deny' denied request: configmap big has 3 keys, at most 2 allowed for jane"
        #expect(denied.status == 422, "\(denied.body)")
        #expect(denied.json?["message"] == .string("configmaps \"big\" is forbidden: \(message)"))
        #expect(denied.json?["reason"] == "Invalid")
        #expect(denied.json?[path: ["details", "causes"]] == [["message": .string(message)]])
        // Same object in a namespace the selector does not pick: admitted.
        _ = try await k("create", "configmap", "big", "-n", "default", "--from-literal=a=1", "--from-literal=b=2", "--from-literal=c=3")
        let small = try await request(cluster, token: "jane-token", "POST", "/api/v1/namespaces/team/configmaps",
                                      body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"small","namespace":"team","labels":{"protected":"yes"}},"data":{"a":"1"}}"#)
        #expect(small.status == 201, "\(small.body)")
        // An update is checked too (kubectl patch as jane).
        let jane = try kubeconfig(for: cluster, token: "jane-token", name: "jane")
        let patched = try await jane.run(["-n", "team", "patch", "configmap", "small", "--type=merge", "-p", #"{"data":{"b":"2","c":"3"}}"#])
        #expect(!patched.succeeded)
        #expect(patched.stderr.contains("configmap small has 3 keys, at most 2 allowed for jane"), "\(patched.stderr)")
        // Warn + Audit on delete: kubectl prints the warning, the delete goes through.
        let deleted = try await jane.run(["-n", "team", "delete", "configmap", "small"])
        #expect(deleted.succeeded, "\(deleted.stderr)")
        #expect(deleted.stderr.contains("Warning: Validation failed for ValidatingAdmissionPolicy 'keep-protected' with binding 'keep-protected-warn': protected objects are deleted by admins only"),
                "\(deleted.stderr)")
        // Policies and bindings delete like any object; afterwards nothing is enforced.
        _ = try await k("delete", "validatingadmissionpolicybinding", "cm-size-deny")
        let allowed = try await request(cluster, token: "jane-token", "POST", "/api/v1/namespaces/team/configmaps", body: body)
        #expect(allowed.status == 201, "\(allowed.body)")
        cluster.stop()

        var annotations: [JSONValue] = []
        for line in try String(contentsOf: audit, encoding: .utf8).split(separator: "\n") {
            let event = try JSONValue.parse(String(line))
            if let a = event["annotations"] { annotations.append(a) }
        }
        #expect(annotations.contains { $0["cm-size/user"] == "jane" }, "\(annotations)")
        let failure = annotations.compactMap { $0["validation.policy.admission.k8s.io/validation_failure"]?.stringValue }.first
        let parsed = try JSONValue.parse(try #require(failure, "\(annotations)"))
        #expect(parsed == [["message": "protected objects are deleted by admins only", "policy": "keep-protected", "binding": "keep-protected-warn",
                            "expressionIndex": 0, "validationActions": ["Warn", "Audit"]]])
    }

    @Test("the Gateway API safe-upgrades policy installs and refuses an experimental-channel or pre-v1.5 CRD over the standard one")
    func gatewaySafeUpgrades() async throws {
        // The policy, its binding and the GatewayClass CRD of the harness's Gateway API standard install.
        let install = try String(contentsOf: ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/crds/gateway-api/standard-install.yaml"), encoding: .utf8)
        let wanted = ["kind: ValidatingAdmissionPolicy\n", "kind: ValidatingAdmissionPolicyBinding\n", "name: gatewayclasses.gateway.networking.k8s.io\n"]
        let documents = install.components(separatedBy: "\n---\n").filter { doc in wanted.contains { doc.contains($0) } }
        try #require(documents.count == 3, "\(documents.count) documents")
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let kubectl = cluster.kubectl
        let applied = try await kubectl.run(["apply", "--server-side", "-f", "-"], stdin: documents.joined(separator: "\n---\n"))
        try #require(applied.succeeded, "\(applied.stderr)")
        let crd = "customresourcedefinitions.apiextensions.k8s.io"
        for (annotation, message) in [
            ("gateway.networking.k8s.io/channel=experimental", "Installing experimental CRDs on top of standard channel CRDs is prohibited by default."),
            ("gateway.networking.k8s.io/bundle-version=v1.4.0", "Installing CRDs with version before v1.5.0 is prohibited by default."),
        ] {
            let refused = try await kubectl.run(["annotate", "--overwrite", crd, "gatewayclasses.gateway.networking.k8s.io", annotation])
            #expect(!refused.succeeded)
            #expect(refused.stderr.contains("ValidatingAdmissionPolicy 'safe-upgrades.gateway.networking.k8s.io' with binding 'safe-upgrades.gateway.networking.k8s.io' denied request: \(message)"),
                    "\(refused.stderr)")
            let pair = annotation.split(separator: "=").map(String.init)
            let patch: JSONValue = ["metadata": ["annotations": .object([pair[0]: .string(pair[1])])]]
            let status = try await cluster.request("PATCH", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gatewayclasses.gateway.networking.k8s.io",
                                                   body: patch.jsonString, contentType: "application/merge-patch+json")
            #expect(status.status == 422 && status.json?["reason"] == "Invalid", "\(status.body)")
        }
        // A patch release of the standard channel, and other groups' CRDs, pass.
        #expect(try await kubectl.run(["annotate", "--overwrite", crd, "gatewayclasses.gateway.networking.k8s.io", "gateway.networking.k8s.io/bundle-version=v1.6.2"]).succeeded)
        let other = try await kubectl.run(["apply", "-f", "-"], stdin: """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec:
              group: example.com
              names: {kind: Widget, plural: widgets}
              scope: Namespaced
              versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
            """)
        #expect(other.succeeded, "\(other.stderr)")
    }
}
