import Foundation

/// An AWS service as the layer calls it: the SigV4 signing name, the service id of the
/// `AWS_ENDPOINT_URL_<SERVICE>` variable and the host of its public endpoint.
public struct AWSService: Sendable, Hashable, CustomStringConvertible {
    /// SigV4 signing name (`sagemaker`, `batch`, `s3`, `sts`, `monitoring`), also the IAM prefix.
    public var signingName: String
    /// The SDK service id (`SageMaker`, `Batch`, `S3`, `STS`, `CloudWatch`).
    public var serviceID: String
    /// First labels of the public host: `api.sagemaker` → `https://api.sagemaker.<region>.amazonaws.com`.
    public var hostPrefix: String
    /// IAM action prefix (`sagemaker`, `batch`, `s3`, `sts`, `cloudwatch`).
    public var iamPrefix: String

    /// A service.
    public init(signingName: String, serviceID: String, hostPrefix: String, iamPrefix: String? = nil) {
        self.signingName = signingName
        self.serviceID = serviceID
        self.hostPrefix = hostPrefix
        self.iamPrefix = iamPrefix ?? signingName
    }

    /// `SAGEMAKER`, `CLOUDWATCH`: the service id upper-cased, spaces turned into underscores.
    public var endpointVariableSuffix: String {
        serviceID.uppercased().replacingOccurrences(of: " ", with: "_")
    }

    public var description: String { serviceID }

    /// Amazon SageMaker.
    public static let sagemaker = AWSService(signingName: "sagemaker", serviceID: "SageMaker", hostPrefix: "api.sagemaker")
    /// AWS Batch.
    public static let batch = AWSService(signingName: "batch", serviceID: "Batch", hostPrefix: "batch")
    /// Amazon S3 (path-style requests).
    public static let s3 = AWSService(signingName: "s3", serviceID: "S3", hostPrefix: "s3")
    /// AWS STS (regional endpoint).
    public static let sts = AWSService(signingName: "sts", serviceID: "STS", hostPrefix: "sts")
    /// Amazon CloudWatch (metrics).
    public static let cloudWatch = AWSService(signingName: "monitoring", serviceID: "CloudWatch", hostPrefix: "monitoring",
                                              iamPrefix: "cloudwatch")
}

/// Where each service is called: `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then the
/// public regional endpoint. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns the variables off, as in
/// the AWS SDKs.
public struct AWSEndpoints: Sendable, Hashable {
    /// Per-service overrides by `AWSService.endpointVariableSuffix`.
    public var serviceOverrides: [String: String]
    /// `AWS_ENDPOINT_URL`.
    public var globalOverride: String?

    /// Endpoints from the process environment (or the given one).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        var overrides: [String: String] = [:]
        var global: String?
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            let prefix = "AWS_ENDPOINT_URL_"
            for (key, value) in environment where key.hasPrefix(prefix) && !value.isEmpty {
                overrides[String(key.dropFirst(prefix.count))] = value
            }
            if let value = environment["AWS_ENDPOINT_URL"], !value.isEmpty { global = value }
        }
        self.serviceOverrides = overrides
        self.globalOverride = global
    }

    /// The base URL of `service` in `region`, without a trailing slash.
    public func baseURL(for service: AWSService, region: String) -> String {
        if let url = serviceOverrides[service.endpointVariableSuffix] ?? globalOverride {
            return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        return "https://\(service.hostPrefix).\(region).amazonaws.com"
    }

    /// Whether `service` is called at an overridden endpoint.
    public func isOverridden(_ service: AWSService) -> Bool {
        serviceOverrides[service.endpointVariableSuffix] != nil || globalOverride != nil
    }
}
