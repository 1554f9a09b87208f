import KubeCore
import SextantAPI
import Testing

func step(_ name: String, _ deps: [String]? = nil, args: [String] = [], outputs: StepOutputs? = nil) -> PipelineStep {
    PipelineStep(name: name, dependsOn: deps, container: ContainerStep(image: "img", args: args), outputs: outputs)
}

func reason(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch let e as SextantAPIError { return e.reason } catch { return "other" }
}

@Suite("Pipeline DAG validation and scheduling")
struct PipelineGraphTests {
    @Test("a valid three-step DAG validates and knows each step's upstream steps")
    func valid() throws {
        let g = try PipelineGraph(validating: MLPipelineSpec(steps: [step("a"), step("b", ["a"]), step("c", ["b"])]))
        #expect(g.ancestors["c"] == ["a", "b"])
        #expect(g.ancestors["a"] == [])
    }

    @Test("duplicate names, missing kind, unknown dependency and cycles are rejected with their reason")
    func invalid() {
        #expect(reason { _ = try PipelineGraph(validating: MLPipelineSpec(steps: [step("a"), step("a")])) } == "DuplicateStepName")
        #expect(reason { _ = try PipelineGraph(validating: MLPipelineSpec(steps: [PipelineStep(name: "a")])) } == "InvalidStepKind")
        var two = step("a")
        two.azureML = AzureMLStep(subscriptionId: "s", resourceGroup: "r", workspace: "w", compute: "c", environment: "e", command: "x")
        #expect(reason { _ = try PipelineGraph(validating: MLPipelineSpec(steps: [two])) } == "InvalidStepKind")
        #expect(reason { _ = try PipelineGraph(validating: MLPipelineSpec(steps: [step("a", ["zz"])])) } == "UnknownDependency")
        #expect(reason { _ = try PipelineGraph(validating: MLPipelineSpec(steps: [step("a", ["c"]), step("b", ["a"]), step("c", ["b"]), step("d")])) } == "DependencyCycle")
        #expect(reason { _ = try PipelineGraph(validating: MLPipelineSpec(steps: [step("Bad_Name")])) } == "InvalidName")
    }

    @Test("the cycle message names exactly the steps on the cycle")
    func cycleMessage() {
        do {
            _ = try PipelineGraph(validating: MLPipelineSpec(steps: [step("a", ["b"]), step("b", ["a"]), step("c", ["a"])]))
            Issue.record("expected a cycle error")
        } catch let e as SextantAPIError {
            // c depends on the cycle but is not on it; Kahn's algorithm leaves it unprocessed too.
            #expect(e.message.contains("a, b"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test("references to undeclared params, datasets, outputs or non-upstream steps are InvalidReference")
    func references() {
        let out = StepOutputs(artifacts: ["model"], metrics: ["auc"])
        func spec(_ args: [String], deps: [String]? = ["a"]) -> MLPipelineSpec {
            MLPipelineSpec(params: ["lr": "0.1"], datasets: [Dataset(name: "ev", uri: "s3://x")],
                           steps: [step("a", outputs: out), step("side"), step("b", deps, args: args)])
        }
        #expect(reason { _ = try PipelineGraph(validating: spec(["{{params.lr}}", "{{datasets.ev.uri}}", "{{steps.a.outputs.artifacts.model}}", "{{steps.a.outputs.metrics.auc}}", "{{pipeline.uid}}"])) } == nil)
        #expect(reason { _ = try PipelineGraph(validating: spec(["{{params.nope}}"])) } == "InvalidReference")
        #expect(reason { _ = try PipelineGraph(validating: spec(["{{datasets.nope.uri}}"])) } == "InvalidReference")
        #expect(reason { _ = try PipelineGraph(validating: spec(["{{datasets.ev.version}}"])) } == "InvalidReference")
        #expect(reason { _ = try PipelineGraph(validating: spec(["{{steps.a.outputs.artifacts.other}}"])) } == "InvalidReference")
        #expect(reason { _ = try PipelineGraph(validating: spec(["{{steps.a.outputs.artifacts.model}}"], deps: ["side"])) } == "InvalidReference")
        #expect(reason { _ = try PipelineGraph(validating: spec(["{{steps.a.outputs.artifacts.model"])) } == "InvalidReference")
        #expect(reason { _ = try PipelineGraph(validating: spec(["{{foo.bar}}"])) } == "InvalidReference")
    }

    @Test("ready steps honour dependencies and parallelism, in spec order")
    func scheduling() throws {
        let g = try PipelineGraph(validating: MLPipelineSpec(steps: [step("a"), step("b"), step("c"), step("d", ["a", "b"])]))
        #expect(g.readySteps(phases: [:], parallelism: nil) == ["a", "b", "c"])
        #expect(g.readySteps(phases: [:], parallelism: 2) == ["a", "b"])
        #expect(g.readySteps(phases: ["a": "Running", "b": "Retrying"], parallelism: 2) == [])
        #expect(g.readySteps(phases: ["a": "Succeeded", "b": "Running"], parallelism: 2) == ["c"])
        #expect(g.readySteps(phases: ["a": "Succeeded", "b": "Succeeded", "c": "Running"], parallelism: 2) == ["d"])
    }

    @Test("a failed step skips everything downstream of it, transitively, and nothing else")
    func skipping() throws {
        let g = try PipelineGraph(validating: MLPipelineSpec(steps: [step("a"), step("b", ["a"]), step("c", ["b"]), step("d")]))
        #expect(g.stepsToSkip(phases: ["a": "Failed"]) == ["b", "c"])
        #expect(g.stepsToSkip(phases: ["a": "Succeeded"]) == [])
    }
}
