import Foundation

/// Prices the controller estimates cost with (`--pricing-config FILE`, the chart's `pricing:` values).
///
/// ```yaml
/// kubernetes: {cpuCoreHourUSD: 0.031, memoryGiBHourUSD: 0.004, gpuHourUSD: {nvidia.com/gpu: 2.48}}
/// sagemaker: {ml.m5.xlarge: 0.23}
/// vertexAI: {n1-standard-8: 0.38}
/// azureML: {Standard_NC6s_v3: 3.06}
/// spotDiscountPercent: {vertexAI: 60, azureML: 80}
/// ```
public struct PricingTable: Codable, Sendable, Hashable {
    /// Prices of Kubernetes Job pods by requested resources.
    public struct Kubernetes: Codable, Sendable, Hashable {
        /// USD per requested CPU core and hour.
        public var cpuCoreHourUSD: Double?
        /// USD per requested GiB of memory and hour.
        public var memoryGiBHourUSD: Double?
        /// USD per GPU and hour, by extended resource name (`nvidia.com/gpu`).
        public var gpuHourUSD: [String: Double]?

        /// Kubernetes prices.
        public init(cpuCoreHourUSD: Double? = nil, memoryGiBHourUSD: Double? = nil, gpuHourUSD: [String: Double]? = nil) {
            self.cpuCoreHourUSD = cpuCoreHourUSD
            self.memoryGiBHourUSD = memoryGiBHourUSD
            self.gpuHourUSD = gpuHourUSD
        }
    }

    /// Job pod prices.
    public var kubernetes: Kubernetes?
    /// USD per instance hour by SageMaker training instance type.
    public var sagemaker: [String: Double]?
    /// USD per instance hour by EC2 instance type, for AWS Batch jobs (Batch bills the instances of
    /// its compute environment).
    public var awsBatch: [String: Double]?
    /// USD per machine hour by Vertex AI machine type.
    public var vertexAI: [String: Double]?
    /// USD per node hour by Azure ML VM size.
    public var azureML: [String: Double]?
    /// Spot discount in percent by backend (`vertexAI`, `azureML`).
    public var spotDiscountPercent: [String: Double]?

    /// A pricing table.
    public init(
        kubernetes: Kubernetes? = nil, sagemaker: [String: Double]? = nil, awsBatch: [String: Double]? = nil,
        vertexAI: [String: Double]? = nil, azureML: [String: Double]? = nil, spotDiscountPercent: [String: Double]? = nil
    ) {
        self.kubernetes = kubernetes
        self.sagemaker = sagemaker
        self.awsBatch = awsBatch
        self.vertexAI = vertexAI
        self.azureML = azureML
        self.spotDiscountPercent = spotDiscountPercent
    }

    /// No prices: every estimate is unset.
    public static let empty = PricingTable()
}
