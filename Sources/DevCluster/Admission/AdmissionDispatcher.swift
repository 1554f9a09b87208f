import KubeCore

/// What admission decided for one request.
struct AdmissionOutcome: Sendable {
    /// The error to answer with (the first denial), nil when admitted.
    var denial: Status?
    /// `Warning` headers (bindings with the Warn action).
    var warnings: [String] = []
    /// Audit annotations for the request's audit event (Audit action, auditAnnotations).
    var auditAnnotations: [String: String] = [:]
}

/// The state admission reads besides the request: the stored policies and bindings, the
/// request's Namespace, and a way to find the param objects of a binding.
struct AdmissionEnvironment: Sendable {
    var policies: [JSONValue]
    var bindings: [JSONValue]
    /// The Namespace of a namespaced request (nil for cluster-scoped requests or an unknown namespace).
    var namespace: JSONValue?
    /// The objects of `paramKind` in `namespace` ("" = cluster-scoped kind or all); nil when the kind is not served.
    var paramObjects: @Sendable (_ kind: AdmissionPolicy.ParamKind, _ namespace: String) -> ParamLookup?

    struct ParamLookup: Sendable {
        var namespaced: Bool
        var objects: [JSONValue]
    }
}

/// k8s.io/apiserver's validating-policy dispatcher: every policy whose constraints match, every
/// binding of it that matches, every param of the binding; Deny → the first denial is the
/// answer, Warn → a warning, Audit → the `validation.policy.admission.k8s.io/validation_failure`
/// annotation. Pure.
enum AdmissionDispatcher {
    static let validationFailureKey = "validation.policy.admission.k8s.io/validation_failure"

    private struct Denied {
        var policy: String
        var binding: String?
        var decision: PolicyDecision
    }

    static func dispatch(_ a: AdmissionAttributes, _ env: AdmissionEnvironment) -> AdmissionOutcome {
        var outcome = AdmissionOutcome()
        var denied: [Denied] = []
        var failures: [JSONValue] = []
        let namespaceLabels: [String: String]? = a.namespace.isEmpty ? [:] : AdmissionMatching.labelsOf(env.namespace)
        let bindings = env.bindings.map(AdmissionPolicyBinding.init).sorted { $0.name < $1.name }
        for policy in env.policies.map(AdmissionPolicy.init).sorted(by: { $0.name < $1.name }) {
            guard AdmissionMatching.matches(policy.matchConstraints, a, namespaceLabels: namespaceLabels, isBinding: false) else { continue }
            let configError: (String, String?) -> Void = { message, binding in
                guard policy.failurePolicy != "Ignore" else { return }
                let text = binding == nil ? "failed to configure policy: \(message)" : "failed to configure binding: \(message)"
                denied.append(Denied(policy: policy.name, binding: binding, decision: PolicyDecision(action: .deny, message: text, isError: true)))
            }
            var annotations: [String: [String]] = [:]
            for binding in bindings where binding.policyName == policy.name {
                if let match = binding.matchResources,
                   !AdmissionMatching.matches(match, a, namespaceLabels: namespaceLabels, isBinding: true) { continue }
                let params: [JSONValue?]
                switch collectParams(policy, binding, a, env) {
                case .found(let found): params = found
                case .failed(let message):
                    configError(message, binding.name)
                    continue
                }
                let evaluator = AdmissionEvaluator(policy: policy)
                for param in params {
                    let result = evaluator.evaluate(a, params: param, namespace: env.namespace)
                    for (index, decision) in result.decisions.enumerated() where decision.action == .deny {
                        for action in binding.validationActions {
                            switch action {
                            case "Deny":
                                denied.append(Denied(policy: policy.name, binding: binding.name, decision: decision))
                            case "Warn":
                                outcome.warnings.append("Validation failed for ValidatingAdmissionPolicy '\(policy.name)' with binding '\(binding.name)': \(decision.message)")
                            case "Audit":
                                failures.append(["message": .string(decision.message), "policy": .string(policy.name), "binding": .string(binding.name),
                                                 "expressionIndex": .int(Int64(index)),
                                                 "validationActions": .array(binding.validationActions.map(JSONValue.string))])
                            default:
                                break
                            }
                        }
                    }
                    for value in result.auditAnnotations where !(annotations[value.key] ?? []).contains(value.value) {
                        annotations[value.key, default: []].append(value.value)
                    }
                }
            }
            for (key, values) in annotations {
                outcome.auditAnnotations["\(policy.name)/\(key)"] = values.joined(separator: ", ")
            }
        }
        if !failures.isEmpty {
            outcome.auditAnnotations[validationFailureKey] = JSONValue.array(failures).jsonString
        }
        if let first = denied.first {
            outcome.denial = denial(a, first)
        }
        return outcome
    }

    /// `admission.NewForbidden` with the decision's reason and its code (Invalid → 422 when the
    /// validation names no reason), and the message repeated as a cause.
    private static func denial(_ a: AdmissionAttributes, _ d: Denied) -> Status {
        let message = d.binding.map { "ValidatingAdmissionPolicy '\(d.policy)' with binding '\($0)' denied request: \(d.decision.message)" }
            ?? "ValidatingAdmissionPolicy '\(d.policy)' denied request: \(d.decision.message)"
        var status = APIErrors.forbidden(a.info, resourceName(a), message)
        let reason = d.decision.reason ?? "Invalid"
        status.reason = reason
        status.code = code(reason)
        var details = status.details ?? StatusDetails()
        details.causes = (details.causes ?? []) + [StatusCause(message: message)]
        status.details = details
        return status
    }

    /// kube-apiserver's `reasonToCode`.
    static func code(_ reason: String) -> Int {
        switch reason {
        case "Forbidden": return 403
        case "Unauthorized": return 401
        case "RequestEntityTooLarge": return 413
        default: return 422
        }
    }

    /// The name in the error: the request's, else the object's name or generateName, else `Unknown`.
    static func resourceName(_ a: AdmissionAttributes) -> String {
        if !a.name.isEmpty { return a.name }
        let object = a.object ?? a.oldObject
        if let name = object?[path: ["metadata", "name"]]?.stringValue, !name.isEmpty { return name }
        if let prefix = object?[path: ["metadata", "generateName"]]?.stringValue, !prefix.isEmpty { return prefix }
        return "Unknown"
    }

    /// The params of a binding, or why they cannot be found (a configuration error).
    enum Params: Sendable {
        case found([JSONValue?])
        case failed(String)
    }

    /// `generic.CollectParams`: `[nil]` without paramKind; else the referenced objects (by name or
    /// selector, in paramRef.namespace or the request's namespace), and with none found the
    /// binding's parameterNotFoundAction (Deny: a configuration error; Allow: nothing to evaluate).
    static func collectParams(_ policy: AdmissionPolicy, _ binding: AdmissionPolicyBinding, _ a: AdmissionAttributes,
                              _ env: AdmissionEnvironment) -> Params {
        guard let kind = policy.paramKind else { return .found([nil]) }
        let kindName = "\(kind.apiVersion), Kind=\(kind.kind)"
        guard let ref = binding.paramRef else {
            return .failed("paramKind kind `\(kindName)` is defined but paramRef is missing in binding")
        }
        var namespace = ""
        if let probe = env.paramObjects(kind, ""), probe.namespaced {
            namespace = ref.namespace ?? ""
            if namespace.isEmpty { namespace = a.namespace }
            if namespace.isEmpty { return .failed("cannot use namespaced paramRef in policy binding that matches cluster-scoped resources") }
        }
        guard let lookup = env.paramObjects(kind, namespace) else { return .failed("paramKind kind `\(kindName)` not known") }
        var params: [JSONValue] = []
        if let name = ref.name, !name.isEmpty {
            params = lookup.objects.filter { $0[path: ["metadata", "name"]]?.stringValue == name }
        } else if let selector = ref.selector {
            params = lookup.objects.filter { AdmissionMatching.selectorMatches(selector, AdmissionMatching.labelsOf($0) ?? [:]) }
        }
        if params.isEmpty && ref.parameterNotFoundAction == "Deny" {
            return .failed("no params found for policy binding with `Deny` parameterNotFoundAction")
        }
        return .found(params)
    }
}
