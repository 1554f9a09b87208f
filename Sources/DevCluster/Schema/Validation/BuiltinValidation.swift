import KubeCore

/// The 422 validations of built-in kinds that kubectl users meet most (a subset of
/// kubernetes/pkg/apis/{core,apps,batch}/validation, same field paths and messages):
/// containers required, container name (required, DNS-1123 label, unique) and image required,
/// Deployment selector required and matching the template labels, Job restartPolicy
/// OnFailure/Never, Service ports required and port numbers in range.
enum BuiltinValidation {
    static func validate(_ info: ResourceInfo, _ object: JSONValue) -> [StatusCause] {
        switch (info.group, info.resource) {
        case ("", "pods"):
            return podSpec(object["spec"] ?? .emptyObject, path: "spec")
        case ("apps", "deployments"):
            return deployment(object)
        case ("batch", "jobs"):
            return job(object)
        case ("", "services"):
            return service(object["spec"] ?? .emptyObject)
        case ("admissionregistration.k8s.io", "validatingadmissionpolicies"):
            return AdmissionPolicyValidation.policy(object)
        case ("admissionregistration.k8s.io", "validatingadmissionpolicybindings"):
            return AdmissionPolicyValidation.binding(object)
        case ("autoscaling", "horizontalpodautoscalers"):
            return PolicyValidation.horizontalPodAutoscaler(object)
        case ("policy", "poddisruptionbudgets"):
            return PolicyValidation.podDisruptionBudget(object)
        default:
            return []
        }
    }

    static func podSpec(_ spec: JSONValue, path: String) -> [StatusCause] {
        var causes: [StatusCause] = []
        let containers = spec["containers"]?.arrayValue ?? []
        if containers.isEmpty {
            causes.append(APIErrors.required("\(path).containers"))
        }
        var seen = Set<String>()
        let initContainers = spec["initContainers"]?.arrayValue ?? []
        for (list, items) in [("initContainers", initContainers), ("containers", containers)] {
            for (i, container) in items.enumerated() {
                let p = "\(path).\(list)[\(i)]"
                let name = container["name"]?.stringValue ?? ""
                if name.isEmpty {
                    causes.append(APIErrors.required("\(p).name"))
                } else if !ObjectRules.isDNS1123Label(name) {
                    causes.append(APIErrors.invalidValue("\(p).name", .string(name), ObjectRules.dns1123LabelMessage))
                } else if seen.contains(name) {
                    causes.append(StatusCause(reason: "FieldValueDuplicate", message: "Duplicate value: \"\(name)\"", field: "\(p).name"))
                }
                seen.insert(name)
                if (container["image"]?.stringValue ?? "").isEmpty {
                    causes.append(APIErrors.required("\(p).image"))
                }
                for (j, port) in (container["ports"]?.arrayValue ?? []).enumerated() {
                    let number = port["containerPort"]?.intValue ?? 0
                    if !(1...65535).contains(number) {
                        causes.append(APIErrors.invalidValue("\(p).ports[\(j)].containerPort", .int(number), "must be between 1 and 65535, inclusive"))
                    }
                }
            }
        }
        if let policy = spec["restartPolicy"]?.stringValue, !["Always", "OnFailure", "Never"].contains(policy) {
            causes.append(notSupported("\(path).restartPolicy", policy, ["Always", "OnFailure", "Never"]))
        }
        return causes
    }

    static func notSupported(_ field: String, _ value: String, _ supported: [String]) -> StatusCause {
        StatusCause(reason: "FieldValueNotSupported",
                    message: "Unsupported value: \"\(value)\": supported values: \(supported.map { "\"\($0)\"" }.joined(separator: ", "))",
                    field: field)
    }

    /// Go's `%#v` of a `map[string]string`, as field.Invalid prints label maps.
    static func goMap(_ labels: [String: JSONValue]) -> String {
        let entries = labels.keys.sorted().map { "\"\($0)\":\"\(labels[$0]?.stringValue ?? "")\"" }
        return "map[string]string{\(entries.joined(separator: ", "))}"
    }

    /// Selector required, non-empty, and matching the template's labels (apps and batch with manualSelector).
    static func selectorMatchesTemplate(_ spec: JSONValue, kind: String) -> [StatusCause] {
        guard let selector = spec["selector"], selector.objectValue != nil else {
            return [APIErrors.required("spec.selector")]
        }
        let matchLabels = selector["matchLabels"]?.objectValue ?? [:]
        let expressions = selector["matchExpressions"]?.arrayValue ?? []
        if matchLabels.isEmpty && expressions.isEmpty {
            return [StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"null\": empty selector is invalid for \(kind)", field: "spec.selector")]
        }
        let labels = spec[path: ["template", "metadata", "labels"]]?.objectValue ?? [:]
        let matches = (try? selector.decode(as: LabelSelector.self)).map { $0.matches(labels.compactMapValues(\.stringValue)) } ?? false
        if !matches {
            return [StatusCause(reason: "FieldValueInvalid",
                                message: "Invalid value: \(goMap(labels)): `selector` does not match template `labels`",
                                field: "spec.template.metadata.labels")]
        }
        return []
    }

    static func deployment(_ object: JSONValue) -> [StatusCause] {
        let spec = object["spec"] ?? .emptyObject
        var causes = selectorMatchesTemplate(spec, kind: "deployment")
        let template = spec[path: ["template", "spec"]] ?? .emptyObject
        causes += podSpec(template, path: "spec.template.spec")
        if let policy = template["restartPolicy"]?.stringValue, policy != "Always" {
            causes.append(notSupported("spec.template.spec.restartPolicy", policy, ["Always"]))
        }
        if let replicas = spec["replicas"]?.intValue, replicas < 0 {
            causes.append(APIErrors.invalidValue("spec.replicas", .int(replicas), "must be greater than or equal to 0"))
        }
        return causes
    }

    static func job(_ object: JSONValue) -> [StatusCause] {
        let spec = object["spec"] ?? .emptyObject
        var causes: [StatusCause] = []
        if spec["manualSelector"]?.boolValue == true {
            causes += selectorMatchesTemplate(spec, kind: "job")
        }
        let template = spec[path: ["template", "spec"]] ?? .emptyObject
        causes += podSpec(template, path: "spec.template.spec")
        let policy = template["restartPolicy"]?.stringValue ?? ""
        if policy != "OnFailure" && policy != "Never" {
            causes.append(notSupported("spec.template.spec.restartPolicy", policy, ["OnFailure", "Never"]))
        }
        for field in ["parallelism", "completions", "backoffLimit"] {
            if let value = spec[field]?.intValue, value < 0 {
                causes.append(APIErrors.invalidValue("spec.\(field)", .int(value), "must be greater than or equal to 0"))
            }
        }
        return causes
    }

    static func service(_ spec: JSONValue) -> [StatusCause] {
        var causes: [StatusCause] = []
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        let headless = spec["clusterIP"]?.stringValue == "None"
        let ports = spec["ports"]?.arrayValue ?? []
        if ports.isEmpty && !headless && type != "ExternalName" {
            causes.append(APIErrors.required("spec.ports"))
        }
        for (i, port) in ports.enumerated() {
            let number = port["port"]?.intValue ?? 0
            if !(1...65535).contains(number) {
                causes.append(APIErrors.invalidValue("spec.ports[\(i)].port", .int(number), "must be between 1 and 65535, inclusive"))
            }
            if ports.count > 1 && (port["name"]?.stringValue ?? "").isEmpty {
                causes.append(APIErrors.required("spec.ports[\(i)].name"))
            }
        }
        return causes
    }
}
