import KubeCore

/// The 422 validations of HorizontalPodAutoscalers and PodDisruptionBudgets that users meet
/// (kubernetes/pkg/apis/autoscaling/validation and pkg/apis/policy/validation: same field paths
/// and messages).
enum PolicyValidation {
    static let metricTypes = ["ContainerResource", "External", "Object", "Pods", "Resource"]

    static func horizontalPodAutoscaler(_ object: JSONValue) -> [StatusCause] {
        let spec = object["spec"] ?? .emptyObject
        var causes: [StatusCause] = []
        let ref = spec["scaleTargetRef"] ?? .emptyObject
        if (ref["kind"]?.stringValue ?? "").isEmpty { causes.append(APIErrors.required("spec.scaleTargetRef.kind")) }
        if (ref["name"]?.stringValue ?? "").isEmpty { causes.append(APIErrors.required("spec.scaleTargetRef.name")) }
        let min = spec["minReplicas"]?.intValue
        let max = spec["maxReplicas"]?.intValue ?? 0
        if let min, min < 1 {
            causes.append(APIErrors.invalidValue("spec.minReplicas", .int(min), "must be greater than or equal to 1"))
        }
        if max < 1 {
            causes.append(APIErrors.invalidValue("spec.maxReplicas", .int(max), "must be greater than 0"))
        }
        if let min, max < min {
            causes.append(APIErrors.invalidValue("spec.maxReplicas", .int(max), "must be greater than or equal to `minReplicas`"))
        }
        for (i, metric) in (spec["metrics"]?.arrayValue ?? []).enumerated() {
            let path = "spec.metrics[\(i)]"
            guard let type = metric["type"]?.stringValue, !type.isEmpty else {
                causes.append(APIErrors.required("\(path).type", "must specify a metric source type"))
                continue
            }
            guard metricTypes.contains(type) else {
                causes.append(BuiltinValidation.notSupported("\(path).type", type, metricTypes))
                continue
            }
            if type == "Resource" || type == "ContainerResource" {
                let field = type == "Resource" ? "resource" : "containerResource"
                let target = metric[path: [field, "target"]]
                if let utilization = target?["averageUtilization"]?.intValue, utilization <= 0 {
                    causes.append(APIErrors.invalidValue("\(path).\(field).target.averageUtilization", .int(utilization), "must be greater than 0"))
                }
            }
        }
        return causes
    }

    static func podDisruptionBudget(_ object: JSONValue) -> [StatusCause] {
        let spec = object["spec"] ?? .emptyObject
        var causes: [StatusCause] = []
        if spec["minAvailable"] != nil, spec["maxUnavailable"] != nil {
            causes.append(StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \"object\": minAvailable and maxUnavailable cannot be both set", field: "spec"))
        }
        for field in ["minAvailable", "maxUnavailable"] {
            guard let value = spec[field] else { continue }
            causes += positiveIntOrPercent(value, path: "spec.\(field)")
        }
        return causes
    }

    /// `ValidatePositiveIntOrPercent` and `IsNotMoreThan100Percent`.
    static func positiveIntOrPercent(_ value: JSONValue, path: String) -> [StatusCause] {
        if let n = value.intValue {
            return n < 0 ? [APIErrors.invalidValue(path, value, "must be greater than or equal to 0")] : []
        }
        guard let s = value.stringValue else { return [] }
        guard s.hasSuffix("%"), let p = Int(s.dropLast()), p >= 0 else {
            return [APIErrors.invalidValue(path, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")]
        }
        return p > 100 ? [APIErrors.invalidValue(path, value, "must not be greater than 100%")] : []
    }
}
