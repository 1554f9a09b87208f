import Foundation
import KubeCore
import SextantAPI
import Testing

@Suite("airflow step kind: validation, templates and CRD schema")
struct AirflowStepTests {
    func airflowStep(conf: JSONValue? = ["day": "{{params.day}}", "n": 3, "paths": ["{{datasets.raw.uri}}"]]) -> PipelineStep {
        PipelineStep(name: "prep", airflow: AirflowStep(url: "https://airflow.example.com", dagId: "prepare_features", conf: conf))
    }

    @Test("an airflow step is one step kind and resolves the templates inside conf, keeping other JSON values")
    func resolves() throws {
        let step = airflowStep()
        #expect(step.kinds == ["airflow"])
        let spec = MLPipelineSpec(params: ["day": "2026-12-01"], datasets: [Dataset(name: "raw", uri: "s3://raw/x")], steps: [step])
        _ = try PipelineGraph(validating: spec)
        let resolved = try ResolvedStep(step, context: TemplateContext(pipelineName: "p", pipelineNamespace: "ml", pipelineUID: "u",
                                                                       params: ["day": "2026-12-01"], datasets: ["raw": Dataset(name: "raw", uri: "s3://raw/x")], outputs: [:]))
        #expect(resolved.cloudBackend == "airflow")
        #expect(resolved.cloudBlock?["conf"] == ["day": "2026-12-01", "n": 3, "paths": ["s3://raw/x"]])
        #expect(resolved.cloudBlock?["dagId"] == "prepare_features")
    }

    @Test("an undeclared param in conf is InvalidReference; airflow with container is InvalidStepKind naming airflow")
    func invalid() {
        #expect(reason { _ = try PipelineGraph(validating: MLPipelineSpec(steps: [airflowStep(conf: ["x": "{{params.nope}}"])])) } == "InvalidReference")
        var s = airflowStep(conf: nil)
        s.container = ContainerStep(image: "i")
        do {
            _ = try PipelineGraph(validating: MLPipelineSpec(steps: [s]))
            Issue.record("two kinds accepted")
        } catch let e as SextantAPIError {
            #expect(e.reason == "InvalidStepKind")
            #expect(e.message.contains("azureML, airflow (has container, airflow)"), "\(e.message)")
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test("the CRD schema has the airflow block (url, dagId required; conf kept as any object) and the exactly-one rule counts it")
    func schema() throws {
        let items = try #require(SextantCRDs.all()[0][path: ["spec", "versions"]]?[0]?[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "steps", "items"]])
        let airflow = try #require(items[path: ["properties", "airflow"]])
        #expect(airflow["required"] == ["url", "dagId"])
        #expect(airflow[path: ["properties", "conf", "x-kubernetes-preserve-unknown-fields"]] == true)
        let rules = (items["x-kubernetes-validations"]?.arrayValue ?? []).compactMap { $0["rule"]?.stringValue }
        #expect(rules.contains { $0.contains("has(self.airflow)") })
        let messages = (items["x-kubernetes-validations"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue }
        #expect(messages.contains("exactly one of container, sagemaker, awsBatch, vertexAI, azureML, airflow must be set"))
    }
}
