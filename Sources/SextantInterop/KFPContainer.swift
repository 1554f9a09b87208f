import KubeCore
import SextantAPI

/// A KFP container executor → a Sextant `container` step.
enum KFPContainer {
    /// Image, command, args (placeholders converted; wrapped when the component has outputs), env
    /// and resources of `container` (a `deploymentSpec.executors.X.container`).
    static func convert(_ container: JSONValue, context: KFPPlaceholderContext, location: String, unsupported: inout [UnsupportedFeature]) throws -> ContainerStep {
        guard let image = container["image"]?.stringValue else {
            throw InteropError.invalidInput("\(location) has no image")
        }
        func strings(_ key: String) -> [String] {
            (container[key]?.arrayValue ?? []).enumerated().map { index, value in
                let text = value.stringValue ?? KFPValues.render(value, type: nil)
                return KFPPlaceholders.convert(text, context, location: "\(location).\(key)[\(index)]", unsupported: &unsupported)
            }
        }
        var command = strings("command")
        var args = strings("args")
        let outputs = !context.outputParameters.isEmpty || !context.outputArtifacts.isEmpty
        if outputs {
            if command.isEmpty {
                unsupported.append(UnsupportedFeature(location: "\(location).command", message: "a component with outputs needs a command (the image entrypoint cannot be wrapped)"))
            }
            args = command + args
            command = ["sh", "-c", KFPOutputsWrapper.script(parameters: context.outputParameters.sorted(), artifacts: context.outputArtifacts.sorted()), KFPOutputsWrapper.scriptName]
        }
        for key in (container.objectValue?.keys ?? [:].keys).sorted() where !["image", "command", "args", "env", "resources"].contains(key) {
            unsupported.append(UnsupportedFeature(location: "\(location).\(key)", message: "\(key) has no equivalent"))
        }
        let env = (container["env"]?.arrayValue ?? []).compactMap { entry -> EnvVar? in
            guard let name = entry["name"]?.stringValue else { return nil }
            return EnvVar(name: name, value: entry["value"]?.stringValue ?? "")
        }
        return ContainerStep(
            image: image,
            command: command.isEmpty ? nil : command,
            args: args.isEmpty ? nil : args,
            env: env.isEmpty ? nil : env,
            resources: try resources(container["resources"], location: "\(location).resources"))
    }

    /// KFP `resources` (`resourceCpuRequest`/`Limit`, `resourceMemoryRequest`/`Limit` strings, the
    /// older numeric `cpuLimit`/`memoryLimit` in cores and GB, `accelerator`) → requests/limits.
    static func resources(_ r: JSONValue?, location: String) throws -> ComputeResources? {
        guard let r else { return nil }
        var requests: [String: Quantity] = [:]
        var limits: [String: Quantity] = [:]
        func quantity(_ text: String, _ key: String) throws -> Quantity {
            do { return try Quantity(parsing: text) } catch {
                throw InteropError.invalidInput("\(location).\(key): \(text) is not a quantity")
            }
        }
        func set(_ into: inout [String: Quantity], _ resource: String, text: String?, number: Double?, unit: String, key: String) throws {
            if let text, !text.isEmpty {
                into[resource] = try quantity(text, key)
            } else if let number, number > 0 {
                into[resource] = try quantity(Templates.format(number) + unit, key)
            }
        }
        try set(&requests, "cpu", text: r["resourceCpuRequest"]?.stringValue, number: r["cpuRequest"]?.doubleValue, unit: "", key: "cpuRequest")
        try set(&limits, "cpu", text: r["resourceCpuLimit"]?.stringValue, number: r["cpuLimit"]?.doubleValue, unit: "", key: "cpuLimit")
        try set(&requests, "memory", text: r["resourceMemoryRequest"]?.stringValue, number: r["memoryRequest"]?.doubleValue, unit: "G", key: "memoryRequest")
        try set(&limits, "memory", text: r["resourceMemoryLimit"]?.stringValue, number: r["memoryLimit"]?.doubleValue, unit: "G", key: "memoryLimit")
        if let accelerator = r["accelerator"] {
            let type = accelerator["resourceType"]?.stringValue ?? accelerator["type"]?.stringValue
            let count = accelerator["resourceCount"]?.stringValue ?? accelerator["count"].map { KFPValues.render($0, type: "NUMBER_INTEGER") }
            if let type, !type.isEmpty, let count, !count.isEmpty {
                limits[type] = try quantity(count, "accelerator")
            }
        }
        if requests.isEmpty && limits.isEmpty { return nil }
        return ComputeResources(requests: requests.isEmpty ? nil : requests, limits: limits.isEmpty ? nil : limits)
    }
}
