import Foundation
import KubeCore
import SextantAPI
import SextantInterop
import Testing

/// A PipelineSpec as kfp 2.17 writes it: greet -> shout, a parameter output, caching, retries,
/// resources, and the platform-spec document beside it.
let kfpTwoStepIR = """
# PIPELINE DEFINITION
components:
  comp-greet:
    executorLabel: exec-greet
    inputDefinitions:
      parameters:
        name: {parameterType: STRING}
    outputDefinitions:
      parameters:
        greeting: {parameterType: STRING}
  comp-shout:
    executorLabel: exec-shout
    inputDefinitions:
      parameters:
        text: {parameterType: STRING}
        times: {parameterType: NUMBER_INTEGER}
        suffix: {parameterType: STRING, defaultValue: "!", isOptional: true}
deploymentSpec:
  executors:
    exec-greet:
      container:
        image: alpine:3.20
        command: [sh, -c, 'printf "hello %s" "$0" > "$1"']
        args: ["{{$.inputs.parameters['name']}}", "{{$.outputs.parameters['greeting'].output_file}}"]
        env: [{name: MODE, value: fast}]
        resources: {cpuLimit: 2.0, resourceCpuLimit: '2', resourceCpuRequest: 500m, memoryLimit: 4.0, resourceMemoryLimit: 4G, accelerator: {resourceType: nvidia.com/gpu, resourceCount: '1'}}
    exec-shout:
      container:
        image: alpine:3.20
        command: [echo]
        args: ["{{$.inputs.parameters['text']}}", "x{{$.inputs.parameters['times']}}{{$.inputs.parameters['suffix']}}", "{{$.pipeline_job_name}}"]
pipelineInfo: {name: Two_Step}
root:
  dag:
    tasks:
      greet:
        cachingOptions: {enableCache: true}
        componentRef: {name: comp-greet}
        inputs:
          parameters:
            name: {componentInputParameter: name}
        retryPolicy: {maxRetryCount: 2, backoffDuration: 5s, backoffFactor: 2.0, backoffMaxDuration: 60s}
        taskInfo: {name: greet}
      shout:
        cachingOptions: {}
        componentRef: {name: comp-shout}
        dependentTasks: [greet]
        inputs:
          parameters:
            text: {taskOutputParameter: {outputParameterKey: greeting, producerTask: greet}}
            times: {runtimeValue: {constant: 3.0}}
        taskInfo: {name: shout}
  inputDefinitions:
    parameters:
      name: {defaultValue: world, isOptional: true, parameterType: STRING}
      rate: {defaultValue: 0.5, isOptional: true, parameterType: NUMBER_DOUBLE}
      epochs: {defaultValue: 3.0, isOptional: true, parameterType: NUMBER_INTEGER}
      tags: {defaultValue: [a, b], isOptional: true, parameterType: LIST}
schemaVersion: 2.1.0
sdkVersion: kfp-2.17.3
---
platforms:
  kubernetes:
    deploymentSpec:
      executors:
        exec-greet:
          secretAsEnv:
          - secretName: creds
            keyToEnv: [{secretKey: token, envVar: TOKEN}]
          podMetadata: {labels: {team: ml}}
          imagePullPolicy: Always
"""

@Suite("KFP import")
struct KFPImporterTests {
    @Test("tasks become steps with dependencies, parameters with defaults and the given name")
    func tasksParametersAndName() throws {
        let p = try KFPImporter.convert(yaml: kfpTwoStepIR)
        #expect(p.metadata.name == "two-step")
        #expect(p.spec.steps.map(\.name) == ["greet", "shout"])
        #expect(p.spec.steps[1].dependsOn == ["greet"])
        #expect(p.spec.params == ["name": "world", "rate": "0.5", "epochs": "3", "tags": "[\"a\",\"b\"]"])
        #expect(try KFPImporter.convert(yaml: kfpTwoStepIR, name: "run-7").metadata.name == "run-7")
    }

    @Test("input placeholders become params, upstream outputs, constants and defaults")
    func placeholdersMapToTemplates() throws {
        let p = try KFPImporter.convert(yaml: kfpTwoStepIR)
        let shout = try #require(p.spec.steps[1].container)
        #expect(shout.command == ["echo"])
        #expect(shout.args == ["{{steps.greet.outputs.artifacts.greeting}}", "x3!", "{{pipeline.name}}"])
        let greet = try #require(p.spec.steps[0].container)
        #expect(greet.args?.first == "sh")
        #expect(greet.args?.contains("{{params.name}}") == true)
        #expect(greet.args?.last == "@@SEXTANT_KFP_DIR@@/params/greeting")
        #expect(p.spec.steps[0].outputs == StepOutputs(artifacts: ["greeting"]))
        #expect(p.spec.steps[1].outputs == nil)
    }

    @Test("a step with outputs runs the original command under the wrapper that writes the outputs JSON")
    func wrapperWritesOutputsJSON() throws {
        let p = try KFPImporter.convert(yaml: kfpTwoStepIR)
        let greet = try #require(p.spec.steps[0].container)
        let command = try #require(greet.command)
        #expect(command.count == 4 && command[0] == "sh" && command[1] == "-c" && command[3] == "sextant-kfp")
        // Run the wrapper as the kubelet would: the outputs JSON must be what Sextant parses.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kfp-wrap-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outputs = dir.appendingPathComponent("out.json")
        let args = (greet.args ?? []).map { $0.replacingOccurrences(of: "{{params.name}}", with: "wor\"ld") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = Array(command.dropFirst()) + args
        process.environment = ["PATH": "/usr/bin:/bin", "TMPDIR": dir.path, "SEXTANT_OUTPUTS_PATH": outputs.path,
                               "SEXTANT_PIPELINE": "p", "SEXTANT_STEP": "greet", "SEXTANT_ATTEMPT": "0"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let parsed = try OutputsParser.parse(try String(contentsOf: outputs, encoding: .utf8), declared: StepOutputs(artifacts: ["greeting"]))
        #expect(parsed.artifacts?["greeting"] == "hello wor\"ld")
    }

    @Test("caching, retry policy, resources, env and the platform spec map to their Sextant fields")
    func cacheRetryResourcesPlatform() throws {
        let p = try KFPImporter.convert(yaml: kfpTwoStepIR)
        let greet = p.spec.steps[0]
        #expect(greet.cache == CachePolicy(enabled: true))
        #expect(p.spec.steps[1].cache == nil)
        #expect(greet.retry == RetryPolicy(limit: 2, backoff: Backoff(initialSeconds: 5, factor: 2, maxSeconds: 60)))
        let c = try #require(greet.container)
        #expect(c.resources?.requests?["cpu"] == Quantity("500m"))
        #expect(c.resources?.limits?["cpu"] == Quantity("2"))
        #expect(c.resources?.limits?["memory"] == Quantity("4G"))
        #expect(c.resources?.limits?["nvidia.com/gpu"] == Quantity("1"))
        #expect(c.env?.first == EnvVar(name: "MODE", value: "fast"))
        #expect(c.env?.last == EnvVar(name: "TOKEN", valueFrom: ["secretKeyRef": ["name": "creds", "key": "token"]]))
        #expect(c.podMetadata?.labels == ["team": "ml"])
        #expect(c.imagePullPolicy == "Always")
    }

    @Test("the printed YAML is an MLPipeline that decodes back to the same value")
    func yamlRoundTrips() throws {
        let p = try KFPImporter.convert(yaml: kfpTwoStepIR)
        let text = try KFPImporter.yaml(p)
        #expect(text.hasPrefix("apiVersion: ml.sextant.dev/v1alpha1\nkind: MLPipeline\n"))
        let back: MLPipeline = try #require(YAMLReader.documents(text).first).decode()
        #expect(back == p)
    }

    @Test("conditions, loops, exit handlers, importers and unsupported placeholders are all listed in one error with their location")
    func unsupportedFeaturesListed() throws {
        let ir = """
        components:
          comp-echo: {executorLabel: exec-echo, inputDefinitions: {parameters: {msg: {parameterType: STRING}}}}
          comp-py: {executorLabel: exec-py}
          comp-imp: {executorLabel: exec-imp}
          comp-condition-1: {dag: {tasks: {echo-2: {componentRef: {name: comp-echo}, taskInfo: {name: echo-2}}}}}
          comp-for-loop-2: {dag: {tasks: {echo-3: {componentRef: {name: comp-echo}, taskInfo: {name: echo-3}}}}}
        deploymentSpec:
          executors:
            exec-echo: {container: {image: alpine, command: [echo], args: ["{{$.inputs.parameters['msg']}}"]}}
            exec-py: {container: {image: python, command: [python3], args: [--executor_input, "{{$}}"]}}
            exec-imp: {importer: {artifactUri: {constant: "gs://b/x"}}}
        pipelineInfo: {name: flow}
        root:
          dag:
            tasks:
              condition-1: {componentRef: {name: comp-condition-1}, triggerPolicy: {condition: "inputs.parameter_values['x'] == 'y'"}}
              for-loop-2: {componentRef: {name: comp-for-loop-2}, parameterIterator: {itemInput: i, items: {raw: '[1,2]'}}}
              cleanup: {componentRef: {name: comp-echo}, dependentTasks: [for-loop-2], triggerPolicy: {strategy: ALL_UPSTREAM_TASKS_COMPLETED}, inputs: {parameters: {msg: {runtimeValue: {constant: bye}}}}}
              py: {componentRef: {name: comp-py}}
              imp: {componentRef: {name: comp-imp}}
        """
        do {
            _ = try KFPImporter.convert(yaml: ir)
            Issue.record("an IR with control flow converted without an error")
        } catch let error as InteropError {
            guard case .unsupported(let features) = error else { Issue.record("wrong error \(error)"); return }
            let text = error.description
            #expect(text.contains("root.dag.tasks.condition-1: conditions"))
            #expect(text.contains("root.dag.tasks.for-loop-2: loops (dsl.ParallelFor)"))
            #expect(text.contains("root.dag.tasks.cleanup: exit handlers"))
            #expect(text.contains("deploymentSpec.executors.exec-py.container.args[1]: the executor input placeholder {{$}}"))
            #expect(text.contains("deploymentSpec.executors.exec-imp: importers"))
            #expect(text.contains("root.dag.tasks.condition-1: nested DAGs"))
            #expect(features.count == 7, "\(text)")
        }
    }

    @Test("input that is not a PipelineSpec is rejected as invalid input")
    func invalidInputRejected() {
        #expect(throws: InteropError.self) { try KFPImporter.convert(yaml: "apiVersion: v1\nkind: ConfigMap\n") }
        #expect(throws: InteropError.self) { try KFPImporter.convert(yaml: "root: [unclosed") }
    }
}
