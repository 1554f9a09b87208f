import Logging

/// The cloud backends `sextant controller` and `sextant dev` run with.
public enum StandardCloudBackends {
    /// Every backend this build has, configured from `environment` (credential chains, endpoint overrides).
    public static func make(environment: [String: String], logger: Logger) -> CloudBackends {
        CloudBackends(AWSBackends.make(environment: environment, logger: logger)
            + GCPBackends.make(environment: environment, logger: logger)
            + AzureBackends.make(environment: environment, logger: logger)
            + [AirflowBackend(environment: environment)])
    }
}
