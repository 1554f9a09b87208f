/// `metav1.DeleteOptions`: how a delete proceeds.
public struct DeleteOptions: Codable, Sendable, Hashable {
    public var kind: String? = "DeleteOptions"
    public var apiVersion: String? = "v1"
    /// `Foreground`, `Background` or `Orphan`.
    public var propagationPolicy: String?
    public var preconditions: Preconditions?
    public var gracePeriodSeconds: Int64?
    public var dryRun: [String]?

    public init(propagationPolicy: String? = nil, preconditions: Preconditions? = nil, gracePeriodSeconds: Int64? = nil) {
        self.propagationPolicy = propagationPolicy
        self.preconditions = preconditions
        self.gracePeriodSeconds = gracePeriodSeconds
    }

    /// `metav1.Preconditions`: the delete only happens if these still hold.
    public struct Preconditions: Codable, Sendable, Hashable {
        public var uid: String?
        public var resourceVersion: String?

        public init(uid: String? = nil, resourceVersion: String? = nil) {
            self.uid = uid
            self.resourceVersion = resourceVersion
        }
    }
}

/// Propagation policies for deletes.
public enum PropagationPolicy {
    public static let foreground = "Foreground"
    public static let background = "Background"
    public static let orphan = "Orphan"
}
