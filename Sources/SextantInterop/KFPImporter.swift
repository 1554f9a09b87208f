import KubeCore
import SextantAPI

/// Converts a Kubeflow Pipelines v2 pipeline (the IR YAML the `kfp` compiler writes, also used by
/// Vertex AI Pipelines) into an MLPipeline. Pure: text in, value out. See docs/interop.md.
///
/// Tasks become steps, `dependentTasks` `dependsOn`, container executors `container` steps with
/// KFP placeholders mapped to Sextant templates, pipeline parameters `spec.params` (defaults
/// kept), parameter outputs Sextant outputs (through `KFPOutputsWrapper`), `cachingOptions`
/// `cache`, `retryPolicy` `retry`, resources `resources`, and the Kubernetes platform spec the
/// `kfp-kubernetes` extension writes (secrets and config maps as env, pod metadata, pull policy,
/// deadline) the matching container fields. Everything else is reported, all at once, in
/// `InteropError.unsupported`.
public enum KFPImporter {
    /// The MLPipeline for `yaml` (one or more YAML documents: the PipelineSpec, optionally the
    /// platform spec, or a PipelineJob with a `pipelineSpec`), named `name` or after
    /// `pipelineInfo.name`. Throws `InteropError`.
    public static func convert(yaml: String, name: String? = nil) throws -> MLPipeline {
        let documents: [JSONValue]
        do {
            documents = try YAMLReader.documents(yaml)
        } catch {
            throw InteropError.invalidInput("not YAML: \(error)")
        }
        guard let spec = documents.lazy.compactMap(pipelineSpec(in:)).first else {
            throw InteropError.invalidInput("no KFP PipelineSpec (a document with root, components and deploymentSpec)")
        }
        let platform = documents.first { $0["platforms"] != nil }
        var unsupported: [UnsupportedFeature] = []
        let platformConfigs = KFPPlatformSpec.executorConfigs(platform, unsupported: &unsupported)
        let graph = KFPGraph(spec: spec, platform: platformConfigs)

        let root = spec["root"] ?? .emptyObject
        if let outputs = root["outputDefinitions"]?.objectValue, !outputs.isEmpty {
            unsupported.append(UnsupportedFeature(location: "root.outputDefinitions", message: "pipeline outputs have no equivalent"))
        }
        if let artifacts = root[path: ["inputDefinitions", "artifacts"]]?.objectValue, !artifacts.isEmpty {
            unsupported.append(UnsupportedFeature(location: "root.inputDefinitions.artifacts", message: "pipeline input artifacts have no equivalent"))
        }
        var params: [String: String] = [:]
        for (pname, definition) in root[path: ["inputDefinitions", "parameters"]]?.objectValue ?? [:] {
            let type = definition["parameterType"]?.stringValue
            params[pname] = definition["defaultValue"].map { KFPValues.render($0, type: type) } ?? ""
        }

        let tasks = root[path: ["dag", "tasks"]]?.objectValue ?? [:]
        guard !tasks.isEmpty else { throw InteropError.invalidInput("root.dag.tasks is empty") }
        var steps: [PipelineStep] = []
        for taskName in tasks.keys.sorted() {
            guard let task = tasks[taskName] else { continue }
            if let step = try graph.step(task: task, name: taskName, tasks: tasks, params: params, location: "root.dag.tasks.\(taskName)", unsupported: &unsupported) {
                steps.append(step)
            }
        }
        guard unsupported.isEmpty else { throw InteropError.unsupported(unsupported) }

        let pipelineName = KFPValues.dnsLabel(name ?? spec[path: ["pipelineInfo", "name"]]?.stringValue ?? "kfp-pipeline")
        return MLPipeline(
            metadata: ObjectMeta(name: pipelineName),
            spec: MLPipelineSpec(params: params.isEmpty ? nil : params, steps: topologicallySorted(steps)))
    }

    /// `pipeline` as the YAML document `sextant import kfp` prints.
    public static func yaml(_ pipeline: MLPipeline) throws -> String {
        try YAMLWriter.document(JSONValue(encoding: pipeline))
    }

    private static func pipelineSpec(in document: JSONValue) -> JSONValue? {
        if document["root"] != nil { return document }
        if let wrapped = document["pipelineSpec"], wrapped["root"] != nil { return wrapped }
        return nil
    }

    /// Steps in dependency order (ties by name), so the YAML reads top-down.
    static func topologicallySorted(_ steps: [PipelineStep]) -> [PipelineStep] {
        var remaining = steps.sorted { $0.name < $1.name }
        var placed: Set<String> = []
        var out: [PipelineStep] = []
        while !remaining.isEmpty {
            let index = remaining.firstIndex { ($0.dependsOn ?? []).allSatisfy(placed.contains) } ?? 0
            let step = remaining.remove(at: index)
            placed.insert(step.name)
            out.append(step)
        }
        return out
    }
}
