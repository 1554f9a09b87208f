import CloudAWS
import CloudAzure
import CloudGCP
import Logging

/// The registry mirrors `sextant controller` and `sextant dev` run with.
public enum StandardRegistryMirrors {
    /// Every mirror this build has, configured from `environment` (AWS, Azure and GCP credential chains and endpoints, MLflow credentials).
    public static func make(environment: [String: String], logger: Logger) -> RegistryMirrors {
        RegistryMirrors([
            SageMakerMirror(client: AWSClient(environment: environment, logger: logger)),
            MLflowMirror(environment: environment),
            AzureMLMirror(client: AzureClient(environment: environment, logger: logger)),
            VertexMirror(client: GCPClient(environment: environment, logger: logger)),
        ])
    }
}
