import CloudAWS
import Foundation
import Logging

/// The AWS training backends (`sagemaker`, `awsBatch`) over one shared `AWSClient`.
public enum AWSBackends {
    /// Both AWS backends calling AWS with the credential chain and endpoints of `environment`.
    public static func make(environment: [String: String], logger: Logger) -> [any CloudTrainingBackend] {
        let client = AWSClient(environment: environment, logger: logger)
        return [SageMakerBackend(client: client), BatchBackend(client: client)]
    }
}
