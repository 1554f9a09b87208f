import KubeCore

/// The API defaults of `autoscaling/v2` HorizontalPodAutoscalers (`SetDefaults_HorizontalPodAutoscaler`):
/// minReplicas 1; no metrics = 80 % average CPU utilization; a `behavior` that is set gets its
/// unset scaling rules filled in (scale up: no stabilization, the larger of 4 pods or 100 % per
/// 15 s; scale down: 100 % per 15 s, `selectPolicy: Max`). Idempotent.
enum AutoscalingDefaults {
    static func apply(to hpa: inout JSONValue) {
        var spec = hpa["spec"] ?? .emptyObject
        if spec["minReplicas"] == nil { spec["minReplicas"] = 1 }
        if (spec["metrics"]?.arrayValue ?? []).isEmpty {
            spec["metrics"] = [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]]]
        }
        if var behavior = spec["behavior"], behavior.objectValue != nil {
            behavior["scaleUp"] = rules(behavior["scaleUp"], defaults: scaleUp)
            behavior["scaleDown"] = rules(behavior["scaleDown"], defaults: scaleDown)
            spec["behavior"] = behavior
        }
        hpa["spec"] = spec
    }

    static let scaleUp: JSONValue = [
        "stabilizationWindowSeconds": 0, "selectPolicy": "Max",
        "policies": [["type": "Pods", "value": 4, "periodSeconds": 15], ["type": "Percent", "value": 100, "periodSeconds": 15]],
    ]
    static let scaleDown: JSONValue = [
        "selectPolicy": "Max",
        "policies": [["type": "Percent", "value": 100, "periodSeconds": 15]],
    ]

    /// `GenerateHPAScale{Up,Down}Rules`: the given fields win, the others come from the defaults.
    private static func rules(_ given: JSONValue?, defaults: JSONValue) -> JSONValue {
        guard let given, given.objectValue != nil else { return defaults }
        var out = defaults
        for key in ["stabilizationWindowSeconds", "selectPolicy", "policies", "tolerance"] {
            if let value = given[key] { out[key] = value }
        }
        return out
    }
}
