import KubeCore
import SextantAPI

/// The components, executors and platform configs of one PipelineSpec, and the conversion of a
/// root task into a step.
struct KFPGraph {
    var components: [String: JSONValue]
    var executors: [String: JSONValue]
    var platform: [String: KFPExecutorConfig]

    init(spec: JSONValue, platform: [String: KFPExecutorConfig]) {
        components = spec["components"]?.objectValue ?? [:]
        executors = spec[path: ["deploymentSpec", "executors"]]?.objectValue ?? [:]
        self.platform = platform
    }

    /// The step for root task `name`, or nil when it is not a container task (then why is in
    /// `unsupported`).
    func step(task: JSONValue, name: String, tasks: [String: JSONValue], params: [String: String], location: String, unsupported: inout [UnsupportedFeature]) throws -> PipelineStep? {
        checkControlFlow(task, location: location, unsupported: &unsupported)
        let component = try self.component(of: task, location: location)
        if let nested = component.value["dag"] {
            unsupported.append(UnsupportedFeature(location: location, message: "nested DAGs (\(component.name): a pipeline used as a component, or the body of dsl.ExitHandler/dsl.If/dsl.ParallelFor) have no equivalent"))
            try checkNested(nested, location: "components.\(component.name).dag", unsupported: &unsupported, seen: [component.name])
            return nil
        }
        guard let label = component.value["executorLabel"]?.stringValue, let executor = executors[label] else {
            throw InteropError.invalidInput("\(location): component \(component.name) has no executor in deploymentSpec.executors")
        }
        let executorLocation = "deploymentSpec.executors.\(label)"
        if executor["importer"] != nil {
            unsupported.append(UnsupportedFeature(location: executorLocation, message: "importers (dsl.importer) have no equivalent; pass the URI as a parameter"))
            return nil
        }
        if executor["resolver"] != nil {
            unsupported.append(UnsupportedFeature(location: executorLocation, message: "resolvers have no equivalent"))
            return nil
        }
        guard let container = executor["container"] else {
            unsupported.append(UnsupportedFeature(location: executorLocation, message: "only container executors have an equivalent"))
            return nil
        }

        let stepName = KFPValues.dnsLabel(name)
        var dependsOn = Set((task["dependentTasks"]?.arrayValue ?? []).compactMap(\.stringValue).map(KFPValues.dnsLabel))
        var context = KFPPlaceholderContext(
            parameters: [:], artifacts: [:],
            outputParameters: Set(component.value[path: ["outputDefinitions", "parameters"]]?.objectValue?.keys ?? [:].keys),
            outputArtifacts: Set(component.value[path: ["outputDefinitions", "artifacts"]]?.objectValue?.keys ?? [:].keys),
            stepName: stepName)
        for (input, definition) in component.value[path: ["inputDefinitions", "parameters"]]?.objectValue ?? [:] {
            let source = task[path: ["inputs", "parameters", input]]
            context.parameters[input] = try parameterValue(
                source, definition: definition, tasks: tasks, params: params,
                location: "\(location).inputs.parameters.\(input)", dependsOn: &dependsOn, unsupported: &unsupported)
        }
        for input in component.value[path: ["inputDefinitions", "artifacts"]]?.objectValue?.keys ?? [:].keys {
            let where_ = "\(location).inputs.artifacts.\(input)"
            guard let source = task[path: ["inputs", "artifacts", input]] else { continue }
            if let producer = source[path: ["taskOutputArtifact", "producerTask"]]?.stringValue,
               let key = source[path: ["taskOutputArtifact", "outputArtifactKey"]]?.stringValue {
                if try producesFromDAG(producer, tasks: tasks, location: where_, unsupported: &unsupported) { continue }
                context.artifacts[input] = "{{steps.\(KFPValues.dnsLabel(producer)).outputs.artifacts.\(key)}}"
                dependsOn.insert(KFPValues.dnsLabel(producer))
            } else if source["componentInputArtifact"] != nil {
                unsupported.append(UnsupportedFeature(location: where_, message: "pipeline input artifacts have no equivalent"))
            } else {
                unsupported.append(UnsupportedFeature(location: where_, message: "this artifact source has no equivalent"))
            }
        }

        var converted = try KFPContainer.convert(container, context: context, location: "\(executorLocation).container", unsupported: &unsupported)
        var timeout: Int64?
        if let config = platform[label] {
            converted.env = (converted.env ?? []) + config.env
            if converted.env?.isEmpty == true { converted.env = nil }
            converted.podMetadata = config.podMetadata
            if let policy = config.imagePullPolicy { converted.imagePullPolicy = policy }
            timeout = config.activeDeadlineSeconds
        }
        let outputs = context.outputParameters.union(context.outputArtifacts).sorted()
        return PipelineStep(
            name: stepName,
            dependsOn: dependsOn.isEmpty ? nil : dependsOn.sorted(),
            container: converted,
            retry: retryPolicy(task["retryPolicy"]),
            timeoutSeconds: timeout,
            outputs: outputs.isEmpty ? nil : StepOutputs(artifacts: outputs),
            cache: task[path: ["cachingOptions", "enableCache"]]?.boolValue == true ? CachePolicy(enabled: true) : nil)
    }

    private func component(of task: JSONValue, location: String) throws -> (name: String, value: JSONValue) {
        guard let ref = task[path: ["componentRef", "name"]]?.stringValue else {
            throw InteropError.invalidInput("\(location) has no componentRef.name")
        }
        guard let value = components[ref] else {
            throw InteropError.invalidInput("\(location): component \(ref) is not in components")
        }
        return (ref, value)
    }

    /// Conditions, loops and exit-handler triggers of one task.
    private func checkControlFlow(_ task: JSONValue, location: String, unsupported: inout [UnsupportedFeature]) {
        if task[path: ["triggerPolicy", "condition"]]?.stringValue?.isEmpty == false {
            unsupported.append(UnsupportedFeature(location: location, message: "conditions (dsl.If/Elif/Else, triggerPolicy.condition) have no equivalent"))
        }
        if let strategy = task[path: ["triggerPolicy", "strategy"]]?.stringValue, strategy != "ALL_UPSTREAM_TASKS_SUCCEEDED" {
            unsupported.append(UnsupportedFeature(location: location, message: "exit handlers and ignore_upstream_failure (triggerPolicy.strategy \(strategy)) have no equivalent"))
        }
        if task["parameterIterator"] != nil || task["artifactIterator"] != nil {
            unsupported.append(UnsupportedFeature(location: location, message: "loops (dsl.ParallelFor) have no equivalent"))
        }
        if task["iteratorPolicy"] != nil {
            unsupported.append(UnsupportedFeature(location: location, message: "loop parallelism (iteratorPolicy) has no equivalent"))
        }
    }

    /// Reports what the tasks of a nested DAG use, recursively.
    private func checkNested(_ dag: JSONValue, location: String, unsupported: inout [UnsupportedFeature], seen: Set<String>) throws {
        let tasks = dag["tasks"]?.objectValue ?? [:]
        for name in tasks.keys.sorted() {
            guard let task = tasks[name] else { continue }
            let where_ = "\(location).tasks.\(name)"
            checkControlFlow(task, location: where_, unsupported: &unsupported)
            let component = try self.component(of: task, location: where_)
            if let nested = component.value["dag"], !seen.contains(component.name) {
                try checkNested(nested, location: "components.\(component.name).dag", unsupported: &unsupported, seen: seen.union([component.name]))
            } else if let label = component.value["executorLabel"]?.stringValue, executors[label]?["importer"] != nil {
                unsupported.append(UnsupportedFeature(location: where_, message: "importers (dsl.importer) have no equivalent"))
            }
            for (input, source) in task[path: ["inputs", "parameters"]]?.objectValue ?? [:] where source["taskFinalStatus"] != nil {
                unsupported.append(UnsupportedFeature(location: "\(where_).inputs.parameters.\(input)", message: "the task final status (dsl.PipelineTaskFinalStatus) has no equivalent"))
            }
        }
    }

    /// True (and reported) when `producer` is a nested DAG (its outputs are dsl.Collected or DAG outputs).
    private func producesFromDAG(_ producer: String, tasks: [String: JSONValue], location: String, unsupported: inout [UnsupportedFeature]) throws -> Bool {
        guard let task = tasks[producer] else {
            throw InteropError.invalidInput("\(location): producer task \(producer) is not in the same DAG")
        }
        guard try component(of: task, location: location).value["dag"] != nil else { return false }
        unsupported.append(UnsupportedFeature(location: location, message: "outputs of a nested DAG (dsl.Collected, sub-pipeline outputs) have no equivalent"))
        return true
    }

    /// The Sextant text of one input parameter of a task.
    private func parameterValue(
        _ source: JSONValue?, definition: JSONValue, tasks: [String: JSONValue], params: [String: String],
        location: String, dependsOn: inout Set<String>, unsupported: inout [UnsupportedFeature]
    ) throws -> String {
        let type = definition["parameterType"]?.stringValue
        guard let source else {
            return definition["defaultValue"].map { KFPValues.render($0, type: type) } ?? ""
        }
        if let param = source["componentInputParameter"]?.stringValue {
            guard params[param] != nil else {
                throw InteropError.invalidInput("\(location): pipeline parameter \(param) is not in root.inputDefinitions")
            }
            return "{{params.\(param)}}"
        }
        if let producer = source[path: ["taskOutputParameter", "producerTask"]]?.stringValue,
           let key = source[path: ["taskOutputParameter", "outputParameterKey"]]?.stringValue {
            if try producesFromDAG(producer, tasks: tasks, location: location, unsupported: &unsupported) { return "" }
            dependsOn.insert(KFPValues.dnsLabel(producer))
            return "{{steps.\(KFPValues.dnsLabel(producer)).outputs.artifacts.\(key)}}"
        }
        if let constant = source[path: ["runtimeValue", "constant"]] {
            return KFPValues.render(constant, type: type)
        }
        if source["taskFinalStatus"] != nil {
            unsupported.append(UnsupportedFeature(location: location, message: "the task final status (dsl.PipelineTaskFinalStatus) has no equivalent"))
            return ""
        }
        let keys = (source.objectValue?.keys.sorted() ?? []).joined(separator: ", ")
        unsupported.append(UnsupportedFeature(location: location, message: "this parameter source (\(keys)) has no equivalent"))
        return ""
    }

    /// `retryPolicy` → `retry` (`backoffDuration` → initialSeconds, `backoffFactor` → factor,
    /// `backoffMaxDuration` → maxSeconds).
    private func retryPolicy(_ policy: JSONValue?) -> RetryPolicy? {
        guard let policy, let limit = policy["maxRetryCount"]?.intValue, limit > 0 else { return nil }
        let initial = KFPValues.seconds(policy["backoffDuration"])
        let factor = policy["backoffFactor"]?.doubleValue
        let max = KFPValues.seconds(policy["backoffMaxDuration"])
        let backoff = (initial == nil && factor == nil && max == nil) ? nil : Backoff(initialSeconds: initial, factor: factor, maxSeconds: max)
        return RetryPolicy(limit: Int(limit), backoff: backoff)
    }
}
