import KubeCore

/// Schemas of admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and its binding (for
/// `kubectl explain` and apply); lists are atomic, as in the real types.
enum AdmissionSchemas {
    static let policy = "io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicy"
    static let binding = "io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding"

    static let definitions: [String: JSONValue] = [
        policy: S.kind("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy",
                       "ValidatingAdmissionPolicy describes the definition of an admission validation policy that accepts or rejects an object without changing it.", [
            "spec": S.object("ValidatingAdmissionPolicySpec is the specification of the desired behavior of the AdmissionPolicy.", [
                "paramKind": S.object("ParamKind specifies the kind of resources used to parameterize this policy.", [
                    "apiVersion": S.string("APIVersion is the API group version the resources belong to."),
                    "kind": S.string("Kind is the API kind the resources belong to. Required."),
                ]),
                "matchConstraints": matchResources("MatchConstraints specifies what resources this policy is designed to validate. Required."),
                "validations": S.list(S.object("Validation specifies the CEL expression which is used to apply the validation.", required: ["expression"], [
                    "expression": S.string("Expression represents the expression which will be evaluated by CEL. CEL variables: object, oldObject, request, params, namespaceObject, variables."),
                    "message": S.string("Message represents the message displayed when validation fails."),
                    "reason": S.string("Reason represents a machine-readable description of why this validation failed: Unauthorized, Forbidden, Invalid (the default), RequestEntityTooLarge."),
                    "messageExpression": S.string("messageExpression declares a CEL expression that evaluates to the validation failure message."),
                ]), "Validations contain CEL expressions which is used to apply the validation."),
                "failurePolicy": S.string("failurePolicy defines how to handle failures for the admission policy: Ignore or Fail (the default)."),
                "auditAnnotations": S.list(S.object("AuditAnnotation describes how to produce an audit annotation for an API request.", required: ["key", "valueExpression"], [
                    "key": S.string("key specifies the audit annotation key."),
                    "valueExpression": S.string("valueExpression represents the expression which is evaluated by CEL to produce an audit annotation value."),
                ]), "auditAnnotations contains CEL expressions which are used to produce audit annotations for the audit event of the API request."),
                "matchConditions": S.list(named("MatchCondition represents a condition which must by fulfilled for a request to be sent to a policy."),
                                          "MatchConditions is a list of conditions that must be met for a request to be validated."),
                "variables": S.list(named("Variable is the definition of a variable that is used for composition."),
                                    "Variables contain definitions of variables that can be used in composition of other expressions."),
            ]),
            "status": S.free("The status of the ValidatingAdmissionPolicy, including warnings that are useful to determine if the policy behaves in the expected way."),
        ]),
        binding: S.kind("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding",
                        "ValidatingAdmissionPolicyBinding binds the ValidatingAdmissionPolicy with paramerized resources.", [
            "spec": S.object("ValidatingAdmissionPolicyBindingSpec is the specification of the ValidatingAdmissionPolicyBinding.", [
                "policyName": S.string("PolicyName references a ValidatingAdmissionPolicy name which the ValidatingAdmissionPolicyBinding binds to. Required."),
                "paramRef": S.object("paramRef specifies the parameter resource used to configure the admission control policy.", [
                    "name": S.string("name is the name of the resource being referenced."),
                    "namespace": S.string("namespace is the namespace of the referenced resource."),
                    "selector": S.ref(S.labelSelector, "selector can be used to match multiple param objects based on their labels."),
                    "parameterNotFoundAction": S.string("parameterNotFoundAction controls the behavior of the binding when the resource exists but no params are found: Allow or Deny."),
                ]),
                "matchResources": matchResources("MatchResources declares what resources match this binding and will be validated by it."),
                "validationActions": S.list(S.string("ValidationAction: Deny, Warn or Audit."),
                                            "validationActions declares how Validations of the referenced ValidatingAdmissionPolicy are enforced."),
            ]),
        ]),
    ]

    private static func named(_ description: String) -> JSONValue {
        S.object(description, required: ["name", "expression"], [
            "name": S.string("Name is an identifier for this entry."),
            "expression": S.string("Expression is the CEL expression."),
        ])
    }

    private static func matchResources(_ description: String) -> JSONValue {
        let rule = S.object("NamedRuleWithOperations is a tuple of Operations and Resources with ResourceNames.", [
            "operations": S.list(S.string("Operation: CREATE, UPDATE, DELETE, CONNECT or *."), "Operations is the operations the admission hook cares about."),
            "apiGroups": S.list(S.string(""), "APIGroups is the API groups the resources belong to. '*' is all groups."),
            "apiVersions": S.list(S.string(""), "APIVersions is the API versions the resources belong to. '*' is all versions."),
            "resources": S.list(S.string(""), "Resources is a list of resources this rule applies to ('pods', 'pods/status', '*', '*/*', '*/status')."),
            "resourceNames": S.list(S.string(""), "ResourceNames is an optional white list of names that the rule applies to."),
            "scope": S.string("scope specifies the scope of this rule: Cluster, Namespaced or * (the default)."),
        ])
        return S.object(description, [
            "namespaceSelector": S.ref(S.labelSelector, "NamespaceSelector decides whether to run the admission control policy on an object based on whether the namespace for that object matches the selector."),
            "objectSelector": S.ref(S.labelSelector, "ObjectSelector decides whether to run the validation based on if the object has matching labels."),
            "resourceRules": S.list(rule, "ResourceRules describes what operations on what resources/subresources the ValidatingAdmissionPolicy matches."),
            "excludeResourceRules": S.list(rule, "ExcludeResourceRules describes what operations on what resources/subresources the ValidatingAdmissionPolicy should not care about."),
            "matchPolicy": S.string("matchPolicy defines how the \"MatchResources\" list is used to match incoming requests: Exact or Equivalent (the default)."),
        ])
    }
}
