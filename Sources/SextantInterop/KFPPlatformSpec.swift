import KubeCore
import SextantAPI

/// What the Kubernetes platform spec (`kfp-kubernetes`) says about one executor, in Sextant terms.
struct KFPExecutorConfig: Sendable, Hashable {
    var env: [EnvVar] = []
    var podMetadata: PodMetadata?
    var imagePullPolicy: String?
    var activeDeadlineSeconds: Int64?
}

/// The platform-spec document `kfp` writes beside the PipelineSpec (`platforms.kubernetes`).
enum KFPPlatformSpec {
    /// Per executor label: secrets/config maps/field paths as env, pod metadata, image pull policy
    /// and deadline. Other settings (volumes, node selectors, tolerations, affinity, pull secrets,
    /// ...) have no per-step equivalent and are reported.
    static func executorConfigs(_ document: JSONValue?, unsupported: inout [UnsupportedFeature]) -> [String: KFPExecutorConfig] {
        guard let platforms = document?["platforms"]?.objectValue else { return [:] }
        for name in platforms.keys.sorted() where name != "kubernetes" {
            unsupported.append(UnsupportedFeature(location: "platforms.\(name)", message: "the \(name) platform has no equivalent"))
        }
        guard let kubernetes = platforms["kubernetes"] else { return [:] }
        for key in (kubernetes.objectValue?.keys ?? [:].keys).sorted() where key != "deploymentSpec" {
            unsupported.append(UnsupportedFeature(location: "platforms.kubernetes.\(key)", message: "\(key) has no equivalent"))
        }
        var out: [String: KFPExecutorConfig] = [:]
        for (label, config) in kubernetes[path: ["deploymentSpec", "executors"]]?.objectValue ?? [:] {
            let base = "platforms.kubernetes.deploymentSpec.executors.\(label)"
            var result = KFPExecutorConfig()
            for key in (config.objectValue?.keys ?? [:].keys).sorted() {
                let value = config[key] ?? .null
                let location = "\(base).\(key)"
                switch key {
                case "secretAsEnv":
                    result.env += keyedEnv(value, nameKey: "secretName", keyKey: "secretKey", ref: "secretKeyRef", location: location, unsupported: &unsupported)
                case "configMapAsEnv":
                    result.env += keyedEnv(value, nameKey: "configMapName", keyKey: "configMapKey", ref: "configMapKeyRef", location: location, unsupported: &unsupported)
                case "fieldPathAsEnv":
                    for entry in value.arrayValue ?? [] {
                        if let name = entry["name"]?.stringValue, let path = entry["fieldPath"]?.stringValue {
                            result.env.append(EnvVar(name: name, valueFrom: ["fieldRef": ["fieldPath": .string(path)]]))
                        }
                    }
                case "podMetadata":
                    let labels = value["labels"]?.objectValue?.compactMapValues(\.stringValue)
                    let annotations = value["annotations"]?.objectValue?.compactMapValues(\.stringValue)
                    result.podMetadata = PodMetadata(labels: labels?.isEmpty == false ? labels : nil, annotations: annotations?.isEmpty == false ? annotations : nil)
                case "imagePullPolicy":
                    result.imagePullPolicy = value.stringValue
                case "activeDeadlineSeconds":
                    result.activeDeadlineSeconds = value.intValue ?? value.stringValue.flatMap { Int64($0) }
                default:
                    unsupported.append(UnsupportedFeature(location: location, message: "\(key) has no per-step equivalent"))
                }
            }
            out[label] = result
        }
        return out
    }

    /// `[{secretName, keyToEnv: [{secretKey, envVar}], optional}]` → env with `valueFrom`.
    private static func keyedEnv(_ value: JSONValue, nameKey: String, keyKey: String, ref: String, location: String, unsupported: inout [UnsupportedFeature]) -> [EnvVar] {
        var env: [EnvVar] = []
        for (index, entry) in (value.arrayValue ?? []).enumerated() {
            guard let object = entry[nameKey]?.stringValue else {
                unsupported.append(UnsupportedFeature(location: "\(location)[\(index)]", message: "a \(nameKey) taken from a parameter has no equivalent"))
                continue
            }
            for pair in entry["keyToEnv"]?.arrayValue ?? [] {
                guard let key = pair[keyKey]?.stringValue, let name = pair["envVar"]?.stringValue else { continue }
                var selector: [String: JSONValue] = ["name": .string(object), "key": .string(key)]
                if let optional = entry["optional"]?.boolValue { selector["optional"] = .bool(optional) }
                env.append(EnvVar(name: name, valueFrom: .object([ref: .object(selector)])))
            }
        }
        return env
    }
}
