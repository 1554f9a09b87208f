/// The cloud backends a controller has, by step kind. A step whose kind has no backend here fails
/// with `BackendUnavailable` (nothing is started).
public struct CloudBackends: Sendable {
    /// Backends by `CloudTrainingBackend.kind`.
    public let byKind: [String: any CloudTrainingBackend]

    /// A registry of `backends` (the last one of a kind wins).
    public init(_ backends: [any CloudTrainingBackend] = []) {
        var byKind: [String: any CloudTrainingBackend] = [:]
        for backend in backends { byKind[backend.kind] = backend }
        self.byKind = byKind
    }

    /// The backend for a step kind.
    public subscript(kind: String) -> (any CloudTrainingBackend)? { byKind[kind] }

    /// The step kinds that can run.
    public var kinds: Set<String> { Set(byKind.keys) }
}
