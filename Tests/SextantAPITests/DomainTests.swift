import Foundation
import KubeCore
import SextantAPI
import Testing

@Suite("Templates, cache keys, backoff, outputs and names")
struct DomainTests {
    let context = TemplateContext(
        pipelineName: "run1", pipelineNamespace: "ml", pipelineUID: "u-1", params: ["lr": "0.05"],
        datasets: ["ev": Dataset(name: "ev", uri: "s3://d/ev", version: "v3")],
        outputs: ["train": OutputValues(artifacts: ["model": "s3://m"], metrics: ["auc": 0.93, "n": 5])])

    @Test("every template kind resolves to its value")
    func resolve() throws {
        #expect(try context.resolve("--lr={{params.lr}} {{ datasets.ev.uri }}@{{datasets.ev.version}}") == "--lr=0.05 s3://d/ev@v3")
        #expect(try context.resolve("{{steps.train.outputs.artifacts.model}} {{steps.train.outputs.metrics.auc}} {{steps.train.outputs.metrics.n}}") == "s3://m 0.93 5")
        #expect(try context.resolve("{{pipeline.name}}/{{pipeline.namespace}}/{{pipeline.uid}}") == "run1/ml/u-1")
        #expect(try context.resolve("no templates") == "no templates")
    }

    @Test("an unavailable value is an InvalidReference error")
    func unresolved() {
        #expect(reason { _ = try context.resolve("{{params.x}}") } == "InvalidReference")
        #expect(reason { _ = try context.resolve("{{steps.eval.outputs.metrics.auc}}") } == "InvalidReference")
    }

    @Test("cloud step strings are all resolved")
    func cloudResolution() throws {
        let s = PipelineStep(name: "t", azureML: AzureMLStep(subscriptionId: "s", resourceGroup: "r", workspace: "w", compute: "c", environment: "e", command: "train --lr {{params.lr}}"))
        let r = try ResolvedStep(s, context: context)
        #expect(r.cloudBackend == "azureML")
        #expect(r.cloudBlock?["command"] == "train --lr 0.05")
    }

    @Test("the cache key changes with the resolved definition and inputs, and only with them")
    func cacheKey() throws {
        let base = PipelineStep(name: "p", container: ContainerStep(image: "img:1", command: ["python"], args: ["{{params.lr}}"],
                                podMetadata: PodMetadata(annotations: ["x": "1"])), outputs: StepOutputs(artifacts: ["f"]))
        let k1 = try ResolvedStep(base, context: context).cacheKey
        #expect(k1.count == 64)
        var otherPod = base
        otherPod.container?.podMetadata = PodMetadata(annotations: ["x": "2"])
        #expect(try ResolvedStep(otherPod, context: context).cacheKey == k1)
        var otherName = base
        otherName.name = "q"
        #expect(try ResolvedStep(otherName, context: context).cacheKey == k1)
        var otherImage = base
        otherImage.container?.image = "img:2"
        #expect(try ResolvedStep(otherImage, context: context).cacheKey != k1)
        var otherParams = context
        otherParams.params["lr"] = "0.1"
        #expect(try ResolvedStep(base, context: otherParams).cacheKey != k1)
        var otherRun = context
        otherRun.pipelineName = "run2"
        #expect(try ResolvedStep(base, context: otherRun).cacheKey == k1)
    }

    @Test("backoff is min(initial * factor^n, max) with defaults 10s, x2, 600s")
    func backoff() {
        let p = RetryPolicy(limit: 5, backoff: Backoff(initialSeconds: 10, factor: 2, maxSeconds: 60))
        #expect((0..<5).map { p.delaySeconds(beforeRetry: $0) } == [10, 20, 40, 60, 60])
        #expect(RetryPolicy().delaySeconds(beforeRetry: 0) == 10)
        #expect(RetryPolicy().delaySeconds(beforeRetry: 10) == 600)
        #expect(RetryPolicy(backoff: Backoff(initialSeconds: 1, factor: 1.5)).delaySeconds(beforeRetry: 1) == 2)
        #expect(RetryPolicy(backoff: Backoff(initialSeconds: 0)).delaySeconds(beforeRetry: 3) == 0)
        #expect(RetryPolicy(limit: -1).retryLimit == 0)
    }

    @Test("outputs parse into declared artifacts and metrics; bad JSON is InvalidOutputs, gaps are MissingOutputs")
    func outputs() throws {
        let declared = StepOutputs(artifacts: ["model"], metrics: ["auc"])
        let ok = try OutputsParser.parse(#"{"artifacts": {"model": "s3://m", "extra": "x"}, "metrics": {"auc": 0.93}}"#, declared: declared)
        #expect(ok == OutputValues(artifacts: ["model": "s3://m"], metrics: ["auc": 0.93]))
        #expect(reason { _ = try OutputsParser.parse("not json", declared: declared) } == "InvalidOutputs")
        #expect(reason { _ = try OutputsParser.parse(#"{"metrics": {"auc": "high"}}"#, declared: declared) } == "InvalidOutputs")
        #expect(reason { _ = try OutputsParser.parse(#"{"artifacts": {"model": "s3://m"}}"#, declared: declared) } == "MissingOutputs")
        #expect(reason { _ = try OutputsParser.parse(nil, declared: declared) } == "MissingOutputs")
        #expect(try OutputsParser.parse(nil, declared: nil) == OutputValues())
        #expect(try OutputsParser.parse("log line that is not json", declared: StepOutputs()) == OutputValues())
    }

    @Test("derived names are deterministic, at most 63 characters, and distinct for distinct long inputs")
    func names() {
        #expect(DerivedName.job(pipeline: "churn", step: "train", attempt: 2) == "churn-train-2")
        let long = String(repeating: "p", count: 60)
        let a = DerivedName.job(pipeline: long, step: "train", attempt: 0)
        let b = DerivedName.job(pipeline: long, step: "train", attempt: 1)
        #expect(a.count <= 63 && b.count <= 63)
        #expect(a != b)
        #expect(a == DerivedName.job(pipeline: long, step: "train", attempt: 0))
        #expect(DerivedName.isDNSLabel(a))
        #expect(DerivedName.isDNSLabel(DerivedName.make([String(repeating: "a", count: 50), "-", String(repeating: "b", count: 20)])))
    }
}
