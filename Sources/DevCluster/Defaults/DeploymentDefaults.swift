import Foundation
import KubeCore

/// The API defaults of `apps/v1` Deployments (`SetDefaults_Deployment`; what `kubectl describe
/// deployment` shows).
enum DeploymentDefaults {
    /// The label pods of one template revision carry.
    static let templateHashLabel = "pod-template-hash"

    /// Fills in replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10,
    /// progressDeadlineSeconds 600 and the pod template defaults. Idempotent.
    static func apply(to deployment: inout JSONValue) {
        var spec = deployment["spec"] ?? .emptyObject
        if spec["replicas"] == nil { spec["replicas"] = 1 }
        var strategy = spec["strategy"] ?? .emptyObject
        if strategy["type"] == nil { strategy["type"] = "RollingUpdate" }
        if strategy["type"]?.stringValue == "RollingUpdate" {
            var rolling = strategy["rollingUpdate"] ?? .emptyObject
            if rolling["maxUnavailable"] == nil { rolling["maxUnavailable"] = "25%" }
            if rolling["maxSurge"] == nil { rolling["maxSurge"] = "25%" }
            strategy["rollingUpdate"] = rolling
        }
        spec["strategy"] = strategy
        if spec["revisionHistoryLimit"] == nil { spec["revisionHistoryLimit"] = 10 }
        if spec["progressDeadlineSeconds"] == nil { spec["progressDeadlineSeconds"] = 600 }
        if var template = spec["template"] {
            PodDefaults.applyToTemplate(&template)
            spec["template"] = template
        }
        deployment["spec"] = spec
    }

    /// Resolves an int-or-percent (`2`, `"25%"`) against `total`, rounding up or down.
    static func resolve(_ value: JSONValue?, total: Int, roundUp: Bool, default fallback: Int) -> Int {
        guard let value else { return fallback }
        if let i = value.intValue { return Int(i) }
        if let s = value.stringValue {
            if s.hasSuffix("%"), let p = Double(s.dropLast()) {
                let raw = Double(total) * p / 100
                return Int(roundUp ? raw.rounded(.up) : raw.rounded(.down))
            }
            if let i = Int(s) { return i }
        }
        return fallback
    }
}
