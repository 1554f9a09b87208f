import Foundation
import KubeCore
import SextantAPI
import Testing

@Suite("awsBatch step kind: validation, templates and CRD schema")
struct AWSBatchStepTests {
    func batchStep(spot: Bool? = nil, nodes: Int? = nil, command: [String]? = nil) -> PipelineStep {
        PipelineStep(name: "train", spot: spot, awsBatch: AWSBatchStep(region: "eu-west-1", jobQueue: "ml-gpu", jobDefinition: "churn-train:3", command: command, nodes: nodes, outputS3Uri: "s3://acme-models/churn/"))
    }

    @Test("an awsBatch step is one step kind and resolves its templates into the cloud block")
    func resolves() throws {
        let step = batchStep(command: ["python", "train.py", "--lr", "{{params.lr}}"])
        #expect(step.kinds == ["awsBatch"])
        _ = try PipelineGraph(validating: MLPipelineSpec(params: ["lr": "0.05"], steps: [step]))
        let resolved = try ResolvedStep(step, context: TemplateContext(pipelineName: "p", pipelineNamespace: "ml", pipelineUID: "u", params: ["lr": "0.05"], datasets: [:], outputs: [:]))
        #expect(resolved.cloudBackend == "awsBatch")
        #expect(resolved.cloudBlock?["command"] == ["python", "train.py", "--lr", "0.05"])
        #expect(resolved.cloudBlock?["jobQueue"] == "ml-gpu")
    }

    @Test("an undeclared param in an awsBatch command is InvalidReference")
    func undeclaredParam() {
        #expect(reason { _ = try PipelineGraph(validating: MLPipelineSpec(steps: [batchStep(command: ["{{params.nope}}"])])) } == "InvalidReference")
    }

    @Test("spot: true on an awsBatch step is rejected with a message that says spot belongs to the compute environment")
    func spotRejected() {
        do {
            _ = try PipelineGraph(validating: MLPipelineSpec(steps: [batchStep(spot: true)]))
            Issue.record("spot: true on awsBatch was accepted")
        } catch let e as SextantAPIError {
            #expect(e.reason == "InvalidCloudStep")
            #expect(e.message.contains("step train") && e.message.contains("compute environment"), "\(e.message)")
        } catch { Issue.record("unexpected \(error)") }
        #expect(reason { _ = try PipelineGraph(validating: MLPipelineSpec(steps: [batchStep(spot: false)])) } == nil)
    }

    @Test("nodes must be at least 2 for a multi-node parallel job; unset means one container")
    func nodes() {
        #expect(reason { _ = try PipelineGraph(validating: MLPipelineSpec(steps: [batchStep(nodes: 1)])) } == "InvalidCloudStep")
        #expect(reason { _ = try PipelineGraph(validating: MLPipelineSpec(steps: [batchStep(nodes: 4)])) } == nil)
        #expect(reason { _ = try PipelineGraph(validating: MLPipelineSpec(steps: [batchStep()])) } == nil)
    }

    @Test("two kinds on one step (awsBatch and container) are InvalidStepKind")
    func twoKinds() {
        var s = batchStep()
        s.container = ContainerStep(image: "i")
        #expect(reason { _ = try PipelineGraph(validating: MLPipelineSpec(steps: [s])) } == "InvalidStepKind")
    }

    @Test("the CRD schema has the awsBatch block with its required fields and nodes minimum 2")
    func schema() throws {
        let items = try #require(SextantCRDs.all()[0][path: ["spec", "versions"]]?[0]?[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "steps", "items"]])
        let batch = try #require(items[path: ["properties", "awsBatch"]])
        #expect(batch["required"] == ["region", "jobQueue", "jobDefinition"])
        #expect(batch[path: ["properties", "nodes", "minimum"]] == 2)
        let messages = (items["x-kubernetes-validations"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue }
        #expect(messages.contains(PipelineGraph.awsBatchSpotMessage))
    }

    @Test("patterned cloud fields accept a template (every string of a cloud block may be templated) and reject other values")
    func templatedPatterns() throws {
        let items = try #require(SextantCRDs.all()[0][path: ["spec", "versions"]]?[0]?[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "steps", "items"]])
        let patterns = [
            items[path: ["properties", "sagemaker", "properties", "inputs", "items", "properties", "s3Uri", "pattern"]],
            items[path: ["properties", "sagemaker", "properties", "outputS3Uri", "pattern"]],
            items[path: ["properties", "awsBatch", "properties", "outputS3Uri", "pattern"]],
        ].compactMap { $0?.stringValue }
        #expect(patterns.count == 3)
        for p in patterns {
            let re = try NSRegularExpression(pattern: p)
            func matches(_ s: String) -> Bool { re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }
            #expect(matches("s3://acme/x") && matches("{{steps.prepare.outputs.artifacts.features}}") && matches("s3://{{params.bucket}}/x"))
            #expect(!matches("http://acme/x") && !matches("acme/x"))
        }
        let role = try #require(items[path: ["properties", "sagemaker", "properties", "roleArn", "pattern"]]?.stringValue)
        let re = try NSRegularExpression(pattern: role)
        #expect(re.firstMatch(in: "{{params.role}}", range: NSRange(location: 0, length: 15)) != nil)
        #expect(re.firstMatch(in: "not-an-arn", range: NSRange(location: 0, length: 10)) == nil)
    }
}
