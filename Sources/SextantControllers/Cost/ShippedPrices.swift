/// The prices the controller uses when no `--pricing-config` is given.
///
/// Public on-demand list prices in USD per hour from each provider's pricing page (docs/cost.md
/// has the table with the page of each price). Not verified against the live pages when written
/// (2026-12-07: the pages' price tables could not be read from the build machine); they are the
/// published 2025 list prices as the authors knew them. They are
/// estimates for status, not bills: regions, discounts and price changes differ; a cluster that
/// needs exact figures ships its own file (chart `pricing:` values).
extension PricingTable {
    /// The shipped defaults.
    public static let shippedDefaults = PricingTable(
        // Kubernetes pods: GKE Autopilot general-purpose Pod prices, us-central1
        // (cloud.google.com/kubernetes-engine/pricing): $0.0445 per vCPU hour and $0.0049225 per
        // GB hour; a GPU at the Compute Engine on-demand price of an NVIDIA T4 in us-central1
        // (cloud.google.com/compute/gpus-pricing): $0.35 per GPU hour.
        kubernetes: Kubernetes(cpuCoreHourUSD: 0.0445, memoryGiBHourUSD: 0.0049225, gpuHourUSD: ["nvidia.com/gpu": 0.35]),
        // SageMaker training instances, us-east-1 on-demand (aws.amazon.com/sagemaker/pricing, "Training").
        sagemaker: [
            "ml.m5.xlarge": 0.23,
            "ml.m5.2xlarge": 0.461,
            "ml.c5.xlarge": 0.204,
            "ml.g5.xlarge": 1.408,
            "ml.p3.2xlarge": 3.825,
        ],
        // AWS Batch bills the EC2 instances of its compute environment: EC2 Linux on-demand,
        // us-east-1 (aws.amazon.com/ec2/pricing/on-demand).
        awsBatch: [
            "m5.xlarge": 0.192,
            "m5.2xlarge": 0.384,
            "c5.xlarge": 0.17,
            "g5.xlarge": 1.006,
            "p3.2xlarge": 3.06,
        ],
        // Vertex AI custom training, us-central1 (cloud.google.com/vertex-ai/pricing, "Custom-trained
        // models"); accelerators are priced per accelerator under their API names.
        vertexAI: [
            "n1-standard-4": 0.218499,
            "n1-standard-8": 0.436998,
            "NVIDIA_TESLA_T4": 0.4025,
        ],
        // Azure ML compute bills the VM, Linux pay-as-you-go, East US
        // (azure.microsoft.com/pricing/details/virtual-machines/linux).
        azureML: [
            "Standard_DS3_v2": 0.293,
            "Standard_NC6s_v3": 3.06,
        ],
        // Typical published spot/low-priority discounts (Vertex AI Spot VMs 60–91 %, Azure
        // low-priority up to 80 %); the lower ends, so estimates do not overstate savings.
        spotDiscountPercent: ["vertexAI": 60, "azureML": 60])
}
