import Foundation
import KubeCore

/// The printer columns of HorizontalPodAutoscalers and PodDisruptionBudgets, as kube-apiserver's
/// printers produce them (`kubectl get hpa`, `kubectl get pdb`).
enum PolicyColumns {
    private static func column(_ name: String, type: String = "string", _ description: String,
                               _ cell: @escaping @Sendable (JSONValue, Date) -> JSONValue) -> BuiltinColumn {
        BuiltinColumn(name: name, type: type, description: description, cell: cell)
    }

    typealias Text = AutoscalingSchemas.ColumnText

    /// NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE.
    static let horizontalPodAutoscaler: [BuiltinColumn] = [
        BuiltinColumns.name,
        column("Reference", Text.scaleTargetRef) { o, _ in
            .string("\(o[path: ["spec", "scaleTargetRef", "kind"]]?.stringValue ?? "")/\(o[path: ["spec", "scaleTargetRef", "name"]]?.stringValue ?? "")")
        },
        column("Targets", Text.metrics) { o, _ in
            .string(targets(o[path: ["spec", "metrics"]]?.arrayValue ?? [], statuses: o[path: ["status", "currentMetrics"]]?.arrayValue ?? []))
        },
        column("MinPods", Text.minReplicas) { o, _ in
            .string(o[path: ["spec", "minReplicas"]]?.intValue.map { String($0) } ?? "<unset>")
        },
        column("MaxPods", Text.maxReplicas) { o, _ in .int(o[path: ["spec", "maxReplicas"]]?.intValue ?? 0) },
        column("Replicas", Text.currentReplicas) { o, _ in .int(o[path: ["status", "currentReplicas"]]?.intValue ?? 0) },
        BuiltinColumns.age,
    ]

    /// NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE.
    static let podDisruptionBudget: [BuiltinColumn] = [
        BuiltinColumns.name,
        column("Min Available", "The minimum number of pods that must be available.") { o, _ in .string(intOrString(o[path: ["spec", "minAvailable"]])) },
        column("Max Unavailable", "The maximum number of pods that may be unavailable.") { o, _ in .string(intOrString(o[path: ["spec", "maxUnavailable"]])) },
        column("Allowed Disruptions", type: "integer", "Calculated number of pods that may be disrupted at this time.") { o, _ in
            .int(o[path: ["status", "disruptionsAllowed"]]?.intValue ?? 0)
        },
        BuiltinColumns.age,
    ]

    private static func intOrString(_ value: JSONValue?) -> String {
        if let i = value?.intValue { return String(i) }
        return value?.stringValue ?? "N/A"
    }

    /// `formatHPAMetrics`: at most two metrics (`cpu: 45%/70%`), then `+ N more...`.
    static func targets(_ specs: [JSONValue], statuses: [JSONValue]) -> String {
        guard !specs.isEmpty else { return "<none>" }
        var list: [String] = []
        for (i, spec) in specs.enumerated() {
            let status: JSONValue? = i < statuses.count ? statuses[i] : nil
            let type = spec["type"]?.stringValue ?? ""
            switch type {
            case "Resource", "ContainerResource":
                let field = type == "Resource" ? "resource" : "containerResource"
                let source = spec[field] ?? .emptyObject
                let name = source["name"]?.stringValue ?? ""
                if let average = source[path: ["target", "averageValue"]] {
                    let current = status?[path: [field, "current", "averageValue"]].map(quantity) ?? "<unknown>"
                    list.append("\(name): \(current)/\(quantity(average))")
                } else {
                    let current = status?[path: [field, "current", "averageUtilization"]]?.intValue.map { "\($0)%" } ?? "<unknown>"
                    let target = source[path: ["target", "averageUtilization"]]?.intValue.map { "\($0)%" } ?? "<auto>"
                    list.append("\(name): \(current)/\(target)")
                }
            case "Pods":
                let current = status?[path: ["pods", "current", "averageValue"]].map(quantity) ?? "<unknown>"
                list.append("\(current)/\(spec[path: ["pods", "target", "averageValue"]].map(quantity) ?? "")")
            case "Object", "External":
                let field = type == "Object" ? "object" : "external"
                if let average = spec[path: [field, "target", "averageValue"]] {
                    let current = status?[path: [field, "current", "averageValue"]].map(quantity) ?? "<unknown>"
                    list.append("\(current)/\(quantity(average)) (avg)")
                } else {
                    let current = status?[path: [field, "current", "value"]].map(quantity) ?? "<unknown>"
                    list.append("\(current)/\(spec[path: [field, "target", "value"]].map(quantity) ?? "")")
                }
            default:
                list.append("<unknown type>")
            }
        }
        let shown = list.prefix(2).joined(separator: ", ")
        return list.count > 2 ? "\(shown) + \(list.count - 2) more..." : shown
    }

    private static func quantity(_ value: JSONValue) -> String {
        if let i = value.intValue { return String(i) }
        return value.stringValue ?? value.jsonString
    }
}
