import Foundation

/// `metav1.Condition`: one observation of an object's state, as `kubectl wait` reads it.
public struct Condition: Codable, Sendable, Hashable {
    public var type: String
    /// `True`, `False` or `Unknown`.
    public var status: String
    public var observedGeneration: Int64?
    public var lastTransitionTime: String
    /// CamelCase machine-readable reason.
    public var reason: String
    public var message: String

    public init(type: String, status: String, observedGeneration: Int64? = nil, lastTransitionTime: String, reason: String, message: String) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// Condition status values.
public enum ConditionStatus {
    public static let `true` = "True"
    public static let `false` = "False"
    public static let unknown = "Unknown"
}

extension Array where Element == Condition {
    /// The condition of the given type.
    public func condition(_ type: String) -> Condition? {
        first { $0.type == type }
    }

    /// True when the condition of that type has status `True`.
    public func isTrue(_ type: String) -> Bool {
        condition(type)?.status == ConditionStatus.true
    }

    /// Sets a condition, keeping `lastTransitionTime` unless `status` changes (metav1 semantics).
    /// Returns true if anything changed.
    @discardableResult
    public mutating func set(
        type: String, status: String, reason: String, message: String,
        observedGeneration: Int64?, now: Date
    ) -> Bool {
        if let index = firstIndex(where: { $0.type == type }) {
            var c = self[index]
            let before = c
            if c.status != status {
                c.status = status
                c.lastTransitionTime = KubeTime.format(now)
            }
            c.reason = reason
            c.message = message
            c.observedGeneration = observedGeneration
            self[index] = c
            return c != before
        }
        append(Condition(
            type: type, status: status, observedGeneration: observedGeneration,
            lastTransitionTime: KubeTime.format(now), reason: reason, message: message))
        return true
    }
}
