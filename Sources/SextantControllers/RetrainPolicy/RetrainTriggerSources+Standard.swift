import CloudAWS
import CloudAzure
import CloudGCP
import Foundation
import Logging

extension RetrainTriggerSources {
    /// The sources `sextant controller` and `sextant dev` run with: data versions for every scheme
    /// this build reads, with credentials and endpoints from `environment`, and the metric evaluator.
    public static func standard(environment: [String: String], logger: Logger) -> RetrainTriggerSources {
        RetrainTriggerSources(
            dataVersions: DataVersionPoller(reader: DataVersionReader(DataVersionStores.standard(environment: environment, logger: logger))),
            metric: MetricTriggerEvaluator(sources: .standard(environment: environment, logger: logger)))
    }
}

/// The data version stores by scheme.
enum DataVersionStores {
    /// Every store, configured from `environment`.
    static func standard(environment: [String: String], logger: Logger) -> [any DataVersionStore] {
        [
            DataVersionFileStore(),
            DataVersionS3Store(client: AWSClient(environment: environment, logger: logger), environment: environment),
            DataVersionGCSStore(client: GCPClient(environment: environment, logger: logger)),
            DataVersionAzureStore(client: AzureClient(environment: environment, logger: logger)),
            DataVersionHTTPStore(),
        ]
    }
}
