import KubeCore

/// An admissionregistration.k8s.io/v1 `ValidatingAdmissionPolicy`, read from its stored JSON
/// (defaults applied as kube-apiserver applies them: failurePolicy Fail, matchPolicy Equivalent,
/// empty selectors match everything, rule scope `*`).
struct AdmissionPolicy: Sendable {
    var name: String
    var failurePolicy: String
    var paramKind: ParamKind?
    var matchConstraints: MatchResources
    var matchConditions: [NamedExpression]
    var variables: [NamedExpression]
    var validations: [Validation]
    var auditAnnotations: [AuditAnnotation]

    struct ParamKind: Sendable, Equatable {
        var apiVersion: String
        var kind: String
    }

    struct NamedExpression: Sendable, Equatable {
        var name: String
        var expression: String
    }

    struct Validation: Sendable, Equatable {
        var expression: String
        var message: String?
        var messageExpression: String?
        var reason: String?
    }

    struct AuditAnnotation: Sendable, Equatable {
        var key: String
        var valueExpression: String
    }

    init(_ object: JSONValue) {
        let spec = object["spec"] ?? .emptyObject
        name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        failurePolicy = spec["failurePolicy"]?.stringValue ?? "Fail"
        if let kind = spec["paramKind"], let k = kind["kind"]?.stringValue {
            paramKind = ParamKind(apiVersion: kind["apiVersion"]?.stringValue ?? "", kind: k)
        }
        matchConstraints = MatchResources(spec["matchConstraints"] ?? .emptyObject)
        matchConditions = Self.named(spec["matchConditions"], valueKey: "expression")
        variables = Self.named(spec["variables"], valueKey: "expression")
        validations = (spec["validations"]?.arrayValue ?? []).map { v in
            Validation(expression: v["expression"]?.stringValue ?? "", message: v["message"]?.stringValue,
                       messageExpression: v["messageExpression"]?.stringValue, reason: v["reason"]?.stringValue)
        }
        auditAnnotations = (spec["auditAnnotations"]?.arrayValue ?? []).map { a in
            AuditAnnotation(key: a["key"]?.stringValue ?? "", valueExpression: a["valueExpression"]?.stringValue ?? "")
        }
    }

    private static func named(_ list: JSONValue?, valueKey: String) -> [NamedExpression] {
        (list?.arrayValue ?? []).map { NamedExpression(name: $0["name"]?.stringValue ?? "", expression: $0[valueKey]?.stringValue ?? "") }
    }
}

/// An admissionregistration.k8s.io/v1 `ValidatingAdmissionPolicyBinding`.
struct AdmissionPolicyBinding: Sendable {
    var name: String
    var policyName: String
    var validationActions: [String]
    var paramRef: ParamRef?
    /// nil: the binding matches every request its policy matches.
    var matchResources: MatchResources?

    struct ParamRef: Sendable, Equatable {
        var name: String?
        var namespace: String?
        var selector: LabelSelector?
        /// `Allow` or `Deny` (the default).
        var parameterNotFoundAction: String
    }

    init(_ object: JSONValue) {
        let spec = object["spec"] ?? .emptyObject
        name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        policyName = spec["policyName"]?.stringValue ?? ""
        validationActions = spec["validationActions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let ref = spec["paramRef"], ref.objectValue != nil {
            paramRef = ParamRef(name: ref["name"]?.stringValue, namespace: ref["namespace"]?.stringValue,
                                selector: ref["selector"].flatMap { try? $0.decode(as: LabelSelector.self) },
                                parameterNotFoundAction: ref["parameterNotFoundAction"]?.stringValue ?? "Deny")
        }
        if let match = spec["matchResources"], match.objectValue != nil {
            matchResources = MatchResources(match)
        }
    }
}

/// `matchConstraints` of a policy / `matchResources` of a binding.
struct MatchResources: Sendable {
    var namespaceSelector: LabelSelector?
    var objectSelector: LabelSelector?
    var resourceRules: [ResourceRule]
    var excludeResourceRules: [ResourceRule]
    /// `Equivalent` (default) or `Exact`; the dev cluster serves one version per resource, so both match alike.
    var matchPolicy: String

    init(_ json: JSONValue) {
        namespaceSelector = json["namespaceSelector"].flatMap { try? $0.decode(as: LabelSelector.self) }
        objectSelector = json["objectSelector"].flatMap { try? $0.decode(as: LabelSelector.self) }
        resourceRules = (json["resourceRules"]?.arrayValue ?? []).map(ResourceRule.init)
        excludeResourceRules = (json["excludeResourceRules"]?.arrayValue ?? []).map(ResourceRule.init)
        matchPolicy = json["matchPolicy"]?.stringValue ?? "Equivalent"
    }
}

/// A `NamedRuleWithOperations`: operations, apiGroups, apiVersions, resources (with
/// `resource/subresource`, `*`, `*/*`, `*/sub`, `resource/*`), scope and resourceNames.
struct ResourceRule: Sendable, Equatable {
    var operations: [String]
    var apiGroups: [String]
    var apiVersions: [String]
    var resources: [String]
    var resourceNames: [String]
    /// `Cluster`, `Namespaced` or `*` (default).
    var scope: String

    init(operations: [String], apiGroups: [String], apiVersions: [String], resources: [String], resourceNames: [String] = [], scope: String = "*") {
        self.operations = operations
        self.apiGroups = apiGroups
        self.apiVersions = apiVersions
        self.resources = resources
        self.resourceNames = resourceNames
        self.scope = scope
    }

    init(_ json: JSONValue) {
        let strings: (String) -> [String] = { json[$0]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        self.init(operations: strings("operations"), apiGroups: strings("apiGroups"), apiVersions: strings("apiVersions"),
                  resources: strings("resources"), resourceNames: strings("resourceNames"), scope: json["scope"]?.stringValue ?? "*")
    }
}
