import CloudAWS
import CloudAzure
import Logging

/// The registry mirrors `sextant controller` and `sextant dev` run with.
public enum StandardRegistryMirrors {
    /// Every mirror this build has, configured from `environment` (AWS and Azure credential chains and endpoints, MLflow credentials).
    public static func make(environment: [String: String], logger: Logger) -> RegistryMirrors {
        RegistryMirrors([
            SageMakerMirror(client: AWSClient(environment: environment, logger: logger)),
            MLflowMirror(environment: environment),
            AzureMLMirror(client: AzureClient(environment: environment, logger: logger)),
        ])
    }
}
