import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

@Suite("Cost: pricing file, estimates, sums")
struct CostTests {
    @Test("a YAML pricing file is read field by field")
    func yaml() throws {
        let table = try PricingFile.parse("""
            kubernetes: {cpuCoreHourUSD: 0.031, memoryGiBHourUSD: 0.004, gpuHourUSD: {nvidia.com/gpu: 2.48}}
            sagemaker: {ml.m5.xlarge: 0.23, ml.p3.2xlarge: 4}
            vertexAI: {n1-standard-8: 0.38}
            azureML: {Standard_NC6s_v3: 3.06}
            spotDiscountPercent: {vertexAI: 60, azureML: 80}
            """, file: "prices.yaml")
        #expect(table.kubernetes == PricingTable.Kubernetes(cpuCoreHourUSD: 0.031, memoryGiBHourUSD: 0.004, gpuHourUSD: ["nvidia.com/gpu": 2.48]))
        #expect(table.sagemaker == ["ml.m5.xlarge": 0.23, "ml.p3.2xlarge": 4])
        #expect(table.vertexAI == ["n1-standard-8": 0.38] && table.azureML == ["Standard_NC6s_v3": 3.06])
        #expect(table.spotDiscountPercent == ["vertexAI": 60, "azureML": 80])
        #expect(table.awsBatch == nil)
    }

    @Test("a JSON pricing file is read too, and an empty file is an empty table")
    func json() throws {
        let table = try PricingFile.parse(#"{"sagemaker": {"ml.g5.xlarge": 1.408}}"#, file: "p.json")
        #expect(table.sagemaker == ["ml.g5.xlarge": 1.408])
        #expect(try PricingFile.parse("", file: "empty.yaml") == .empty)
    }

    @Test("bad input names the file and the field")
    func errors() {
        func message(_ text: String) -> String {
            do {
                _ = try PricingFile.parse(text, file: "/etc/sextant/pricing.yaml")
                return "no error"
            } catch {
                return String(describing: error)
            }
        }
        #expect(message("sagemaker: {ml.m5.xlarge: cheap}") == "pricing file /etc/sextant/pricing.yaml: field sagemaker.ml.m5.xlarge: expected a number, got cheap")
        #expect(message("kubernetes: {cpuCoreHourUSD: -1}") == "pricing file /etc/sextant/pricing.yaml: field kubernetes.cpuCoreHourUSD: must not be negative, got -1.0")
        #expect(message("kubernetes: {cpu: 1}").hasPrefix("pricing file /etc/sextant/pricing.yaml: field kubernetes.cpu: unknown field"))
        #expect(message("sagemakr: {}").hasPrefix("pricing file /etc/sextant/pricing.yaml: field sagemakr: unknown field"))
        #expect(message("spotDiscountPercent: {vertexAI: 100}") == "pricing file /etc/sextant/pricing.yaml: field spotDiscountPercent.vertexAI: must be below 100, got 100.0")
        #expect(message("- a\n- b") == "pricing file /etc/sextant/pricing.yaml: expected a mapping at the top level")
        #expect(message("a: [").hasPrefix("pricing file /etc/sextant/pricing.yaml: not YAML or JSON"))
        #expect(throws: ControllerError.self) { try PricingFile.load(path: "/nonexistent/pricing.yaml") }
    }

    @Test("the shipped defaults price the documented machine types")
    func shipped() {
        let p = PricingTable.shippedDefaults
        for type in ["ml.m5.xlarge", "ml.m5.2xlarge", "ml.p3.2xlarge", "ml.g5.xlarge", "ml.c5.xlarge"] { #expect(p.sagemaker?[type] != nil, "\(type)") }
        for type in ["n1-standard-4", "n1-standard-8", "NVIDIA_TESLA_T4"] { #expect(p.vertexAI?[type] != nil, "\(type)") }
        for type in ["Standard_DS3_v2", "Standard_NC6s_v3"] { #expect(p.azureML?[type] != nil, "\(type)") }
        #expect(p.kubernetes?.cpuCoreHourUSD != nil && p.kubernetes?.memoryGiBHourUSD != nil && p.kubernetes?.gpuHourUSD?["nvidia.com/gpu"] != nil)
    }

    @Test("pod resources sum the containers' requests, fall back to limits, and count */gpu resources as GPUs")
    func podResources() {
        let c1 = Container(name: "a", image: "i", resources: ResourceRequirements(requests: ["cpu": "500m", "memory": "1Gi"], limits: ["nvidia.com/gpu": "1", "cpu": "2"]))
        let c2 = Container(name: "b", image: "i", resources: ResourceRequirements(limits: ["cpu": "1", "memory": "512Mi"]))
        let r = PodResources(containers: [c1, c2])
        #expect(r == PodResources(cpuCores: 1.5, memoryGiB: 1.5, gpus: ["nvidia.com/gpu": 1]))
        #expect(PodResources(containers: []).isEmpty)
    }

    @Test("a container attempt with no requests costs 0 and says so")
    func noRequests() {
        let c = CostEstimator.container(PodResources(), seconds: 60, pricing: .shippedDefaults)
        #expect(c == Cost(estimatedUSD: 0, billableSeconds: 60, message: "the pod requests no CPU, memory or GPU"))
    }

    @Test("ModelVersion cost: the producing run's estimatedUSD and the serving replicas priced per hour")
    func modelVersionCost() {
        var run = MLPipeline(metadata: ObjectMeta(name: "run", namespace: "ml"), spec: MLPipelineSpec(steps: []))
        run.status = MLPipelineStatus(cost: Cost(estimatedUSD: 1.25, billableSeconds: 100))
        let serving = ServingSpec(image: "srv", replicas: 3, resources: ResourceRequirements(requests: ["cpu": "2", "memory": "4Gi"]))
        var mv = ModelVersion(metadata: ObjectMeta(name: "m-v1", namespace: "ml"), spec: ModelVersionSpec(
            model: "m", version: 1, artifact: ArtifactRef(uri: "s3://m"), source: ModelSource(pipeline: "run", step: "train"), serving: serving))
        let pricing = PricingTable(kubernetes: .init(cpuCoreHourUSD: 0.04, memoryGiBHourUSD: 0.005))
        let cost = ModelVersionStatusBuilder.cost(for: mv, pipeline: run, pricing: pricing)
        // 3 × (2 × 0.04 + 4 × 0.005) = 0.3 per hour
        #expect(cost == ModelVersionCost(estimatedUSD: 1.25, servingUSDPerHour: 0.3))
        // The run is gone later: the recorded training cost stays.
        mv.status = ModelVersionStatus(cost: cost)
        #expect(ModelVersionStatusBuilder.cost(for: mv, pipeline: nil, pricing: pricing)?.estimatedUSD == 1.25)
        // No price for memory: serving unset, with the reason.
        let partial = ModelVersionStatusBuilder.cost(for: mv, pipeline: run, pricing: PricingTable(kubernetes: .init(cpuCoreHourUSD: 0.04)))
        #expect(partial?.servingUSDPerHour == nil)
        #expect(partial?.message == "serving: no price for kubernetes.memoryGiBHourUSD in the pricing table")
        let unpriced = MLPipeline(metadata: ObjectMeta(name: "run"), spec: MLPipelineSpec(steps: []), status: MLPipelineStatus(cost: Cost(message: "train: no sagemaker price for ml.x")))
        #expect(ModelVersionStatusBuilder.cost(for: mv, pipeline: unpriced, pricing: pricing)?.message == "training: train: no sagemaker price for ml.x")
    }
}
