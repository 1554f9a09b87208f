import Logging

/// The cloud backends `sextant controller` and `sextant dev` run with.
public enum StandardCloudBackends {
    /// Every backend this build has, configured from `environment` (h3 fills it with the AWS backends).
    public static func make(environment: [String: String], logger: Logger) -> CloudBackends {
        CloudBackends()
    }
}
