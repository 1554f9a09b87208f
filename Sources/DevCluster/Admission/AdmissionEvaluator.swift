import Foundation
import KubeCore

/// One validation's outcome, as k8s.io/apiserver's validating `PolicyDecision`.
struct PolicyDecision: Sendable, Equatable {
    enum Action: Sendable, Equatable { case admit, deny }
    var action: Action
    /// The denial's message (the CEL error for an evaluation error).
    var message: String = ""
    /// The validation's `reason`; nil for evaluation errors (the dispatcher then uses Invalid).
    var reason: String?
    /// Set when the decision comes from an evaluation error rather than a false validation.
    var isError = false
}

/// The decisions and audit annotations of one policy evaluated for one binding and param.
struct PolicyEvaluation: Sendable, Equatable {
    var decisions: [PolicyDecision] = []
    /// Published audit annotations; their errors become deny decisions under Fail.
    var auditAnnotations: [AuditValue] = []

    struct AuditValue: Sendable, Equatable {
        var key: String
        var value: String
    }
}

/// The result of one expression: its value, or the failure as kube-apiserver words it.
enum Evaluated: Sendable, Equatable {
    case value(CELValue)
    case failed(String)
}

/// Evaluates a policy's matchConditions, variables, validations (message, messageExpression,
/// reason) and auditAnnotations for one request, with failurePolicy deciding what an evaluation
/// error means — k8s.io/apiserver's `validator.Validate`. Pure.
struct AdmissionEvaluator {
    var policy: AdmissionPolicy

    /// kube-apiserver's cap on an evaluated messageExpression (`MaxEvaluatedMessageExpressionSizeBytes`).
    static let maxMessageBytes = 5 * 1024
    /// kube-apiserver's cap on an audit annotation value.
    static let maxAuditAnnotationValueBytes = 10 * 1024

    func evaluate(_ a: AdmissionAttributes, params: JSONValue?, namespace: JSONValue?) -> PolicyEvaluation {
        let failOnError = policy.failurePolicy != "Ignore"
        let errorDecision: (String) -> PolicyDecision = { message in
            PolicyDecision(action: failOnError ? .deny : .admit, message: message, isError: true)
        }
        var bindings: [String: CELValue] = [
            "object": a.object.map(CELValue.init(json:)) ?? .null,
            "oldObject": a.oldObject.map(CELValue.init(json:)) ?? .null,
            "request": CELValue(json: a.requestValue),
            "params": params.map(CELValue.init(json:)) ?? .null,
            "namespaceObject": CELValue(json: AdmissionAttributes.namespaceValue(namespace)),
            "variables": .map([:]),
        ]
        // matchConditions: any false skips the policy; otherwise any error is an error decision.
        var conditionErrors: [String] = []
        for condition in policy.matchConditions {
            switch run(condition.expression, bindings, failedVariables: [:]) {
            case .value(.bool(false)): return PolicyEvaluation()
            case .value(.bool(true)): continue
            case .value(let other): conditionErrors.append(Self.notBool(condition.expression, other))
            case .failed(let message): conditionErrors.append(message)
            }
        }
        if !conditionErrors.isEmpty {
            let message = conditionErrors.count == 1 ? conditionErrors[0] : "[" + conditionErrors.joined(separator: ", ") + "]"
            return PolicyEvaluation(decisions: [errorDecision(message)])
        }
        // Variables, in order; each may use the ones before it. A failed variable fails only the
        // expressions that use it (CEL evaluates variables lazily).
        var values: [String: CELValue] = [:]
        var failed: [String: String] = [:]
        for variable in policy.variables {
            switch run(variable.expression, bindings, failedVariables: failed) {
            case .value(let value): values[variable.name] = value
            case .failed(let message): failed[variable.name] = message
            }
            bindings["variables"] = .map(values)
        }
        var result = PolicyEvaluation()
        for validation in policy.validations {
            switch run(validation.expression, bindings, failedVariables: failed) {
            case .value(.bool(true)):
                result.decisions.append(PolicyDecision(action: .admit))
            case .value(.bool(false)):
                result.decisions.append(PolicyDecision(action: .deny, message: message(for: validation, bindings, failed), reason: validation.reason ?? "Invalid"))
            case .value(let other):
                result.decisions.append(errorDecision(Self.notBool(validation.expression, other)))
            case .failed(let message):
                result.decisions.append(errorDecision(message))
            }
        }
        for annotation in policy.auditAnnotations {
            switch run(annotation.valueExpression, bindings, failedVariables: failed) {
            case .value(.string(let value)):
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { result.auditAnnotations.append(.init(key: annotation.key, value: String(trimmed.utf8.prefix(Self.maxAuditAnnotationValueBytes)) ?? trimmed)) }
            case .value(.null):
                continue
            case .value(let other):
                if failOnError {
                    result.decisions.append(errorDecision("valueExpression '\(annotation.valueExpression)' resulted in unsupported return type: \(other.typeName). Return type must be either string or null."))
                }
            case .failed(let message):
                if failOnError { result.decisions.append(errorDecision(message)) }
            }
        }
        return result
    }

    /// The denial message: messageExpression (a non-empty single-line string), else `message`,
    /// else `failed expression: <expression>`.
    private func message(for v: AdmissionPolicy.Validation, _ bindings: [String: CELValue], _ failed: [String: String]) -> String {
        if let source = v.messageExpression, case .value(.string(let text)) = run(source, bindings, failedVariables: failed) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, !trimmed.contains("\n"), trimmed.utf8.count <= Self.maxMessageBytes { return trimmed }
        }
        if let message = v.message?.trimmingCharacters(in: .whitespaces), !message.isEmpty { return message }
        return "failed expression: \(v.expression.trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    private static func notBool(_ expression: String, _ value: CELValue) -> String {
        "expression '\(expression)' resulted in error: no such overload: expected bool, got \(value.typeName)"
    }

    /// Evaluates one expression; failures are worded as kube-apiserver's CEL filter words them.
    private func run(_ source: String, _ bindings: [String: CELValue], failedVariables: [String: String]) -> Evaluated {
        let expr: CELExpr
        switch AdmissionCEL.shared.program(source) {
        case .success(let e): expr = e
        case .failure(let error): return .failed("compilation failed: \(error.message)")
        }
        do {
            return .value(try CELEvaluator(variables: bindings).eval(expr))
        } catch {
            if let variable = AdmissionCEL.mentionedVariables(source, among: failedVariables.keys.sorted()).first,
               let cause = failedVariables[variable] {
                return .failed("expression '\(source)' resulted in error: composited variable \"\(variable)\" fails: \(cause)")
            }
            return .failed("expression '\(source)' resulted in error: \(error.message)")
        }
    }
}
