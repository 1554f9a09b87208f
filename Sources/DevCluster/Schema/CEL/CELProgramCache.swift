import Synchronization

/// Parsed rules, shared across requests: a CRD's rules are parsed once, not per object.
final class CELProgramCache: Sendable {
    static let shared = CELProgramCache()
    private let programs = Mutex<[String: Result<CELExpr, CELError>]>([:])

    /// The parsed expression for `source`, or the reason it is outside the supported subset.
    func program(_ source: String) -> Result<CELExpr, CELError> {
        if let hit = programs.withLock({ $0[source] }) { return hit }
        let parsed: Result<CELExpr, CELError>
        do {
            parsed = .success(try CELParser.parse(source))
        } catch {
            parsed = .failure(error)
        }
        programs.withLock { $0[source] = parsed }
        return parsed
    }
}
