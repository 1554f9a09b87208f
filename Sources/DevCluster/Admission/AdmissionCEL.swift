import Synchronization

/// The CEL environment of admission policies: the variables a policy's expressions may name, and
/// a shared cache of parsed expressions (a policy's expressions are parsed once, not per request).
final class AdmissionCEL: Sendable {
    static let shared = AdmissionCEL()

    /// `authorizer` and `authorizer.requestResource` are not offered: an expression that names
    /// them is rejected when the policy is written (docs/dev-cluster.md).
    static let variableNames = ["object", "oldObject", "request", "params", "namespaceObject", "variables"]

    private let programs = Mutex<[String: Result<CELExpr, CELError>]>([:])

    /// The parsed expression, or why it is outside the supported subset.
    func program(_ source: String) -> Result<CELExpr, CELError> {
        if let hit = programs.withLock({ $0[source] }) { return hit }
        let parsed: Result<CELExpr, CELError>
        do {
            parsed = .success(try CELParser.parse(source, variables: Self.variableNames))
        } catch {
            parsed = .failure(error)
        }
        programs.withLock { $0[source] = parsed }
        return parsed
    }

    /// The names of `failed` variables that `source` mentions (`variables.x`, `variables['x']`):
    /// textual, so it does not depend on the shape of the parsed expression.
    static func mentionedVariables(_ source: String, among failed: [String]) -> [String] {
        failed.filter { name in
            if source.contains("variables['\(name)']") || source.contains("variables[\"\(name)\"]") { return true }
            var rest = Substring(source)
            while let range = rest.range(of: "variables.\(name)") {
                let next = rest[range.upperBound...].first
                if next.map({ !($0.isLetter || $0.isNumber || $0 == "_") }) ?? true { return true }
                rest = rest[range.upperBound...]
            }
            return false
        }
    }
}
