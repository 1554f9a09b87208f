import KubeCore

/// `spec.serving.autoscaling`: a HorizontalPodAutoscaler (autoscaling/v2) on the version's
/// Deployment. While it is set the controller never writes the Deployment's `replicas`.
public struct ServingAutoscaling: Codable, Sendable, Hashable {
    /// Lower bound of the replica count (default 1).
    public var minReplicas: Int?
    /// Upper bound of the replica count.
    public var maxReplicas: Int
    /// Average CPU utilization of the pods (percent of their CPU request) the HPA aims for (default 80).
    public var targetCPUUtilizationPercent: Int?

    /// Autoscaling bounds and target.
    public init(minReplicas: Int? = nil, maxReplicas: Int, targetCPUUtilizationPercent: Int? = nil) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.targetCPUUtilizationPercent = targetCPUUtilizationPercent
    }

    /// `minReplicas` or its default.
    public var effectiveMinReplicas: Int { minReplicas ?? 1 }
    /// `targetCPUUtilizationPercent` or its default (the HPA's own default).
    public var effectiveTargetCPUUtilizationPercent: Int { targetCPUUtilizationPercent ?? ServingAutoscaling.defaultTargetCPUUtilizationPercent }
    /// 80, as `autoscaling/v1` defaults it.
    public static let defaultTargetCPUUtilizationPercent = 80
}

/// An int-or-string of policy/v1: a pod count (`1`) or a percentage of the pods (`"50%"`).
public enum IntOrPercent: Codable, Sendable, Hashable, CustomStringConvertible {
    /// A number of pods.
    case count(Int)
    /// A percentage (0...100) of the selected pods.
    case percent(Int)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) {
            self = .count(n)
            return
        }
        let s = try c.decode(String.self)
        if s.hasSuffix("%"), let p = Int(s.dropLast()) {
            self = .percent(p)
        } else if let n = Int(s) {
            self = .count(n)
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "\"\(s)\" is neither a pod count nor a percentage like \"50%\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .count(let n): try c.encode(n)
        case .percent(let p): try c.encode("\(p)%")
        }
    }

    /// `1` or `50%`.
    public var description: String {
        switch self {
        case .count(let n): return "\(n)"
        case .percent(let p): return "\(p)%"
        }
    }

    /// The JSON form (an integer or a `"N%"` string), as policy/v1 takes it.
    public var json: JSONValue {
        switch self {
        case .count(let n): return .int(Int64(n))
        case .percent(let p): return .string("\(p)%")
        }
    }
}

/// `spec.serving.disruptionBudget`: a PodDisruptionBudget (policy/v1) over the version's serving
/// pods. Exactly one of the two fields is set.
public struct ServingDisruptionBudget: Codable, Sendable, Hashable {
    /// Pods that must stay available during a voluntary disruption (drain, node upgrade).
    public var minAvailable: IntOrPercent?
    /// Pods that may be unavailable at once during a voluntary disruption.
    public var maxUnavailable: IntOrPercent?

    /// A disruption budget.
    public init(minAvailable: IntOrPercent? = nil, maxUnavailable: IntOrPercent? = nil) {
        self.minAvailable = minAvailable
        self.maxUnavailable = maxUnavailable
    }
}

/// Values of `spec.serving.topologySpread`.
public enum ServingTopologySpread {
    /// Spread the serving pods evenly over `topology.kubernetes.io/zone`.
    public static let zone = "zone"
    /// Every value.
    public static let all = [zone]
    /// The node label a value spreads over.
    public static func topologyKey(_ value: String) -> String? {
        value == zone ? "topology.kubernetes.io/zone" : nil
    }
}

extension ServingSpec {
    /// What is wrong with `autoscaling`, `disruptionBudget` and `topologySpread` (the same rules
    /// the CRD's schema and CEL rules enforce, checked again for objects that bypassed them); empty
    /// when they are fine. Each message names the field.
    public var scalingProblems: [String] {
        var problems: [String] = []
        if let a = autoscaling {
            if let min = a.minReplicas, min < 1 {
                problems.append("autoscaling.minReplicas must be at least 1 (got \(min))")
            }
            if a.maxReplicas < 1 {
                problems.append("autoscaling.maxReplicas must be at least 1 (got \(a.maxReplicas))")
            }
            if a.effectiveMinReplicas > a.maxReplicas {
                problems.append("autoscaling.minReplicas (\(a.effectiveMinReplicas)) must not exceed autoscaling.maxReplicas (\(a.maxReplicas))")
            }
            if let t = a.targetCPUUtilizationPercent, t < 1 || t > 100 {
                problems.append("autoscaling.targetCPUUtilizationPercent must be between 1 and 100 (got \(t))")
            }
        }
        if let b = disruptionBudget {
            switch (b.minAvailable, b.maxUnavailable) {
            case (nil, nil), (.some, .some):
                problems.append("disruptionBudget: set exactly one of minAvailable or maxUnavailable")
            default:
                break
            }
            for (field, value) in [("minAvailable", b.minAvailable), ("maxUnavailable", b.maxUnavailable)] {
                switch value {
                case .count(let n)? where n < 0:
                    problems.append("disruptionBudget.\(field) must not be negative (got \(n))")
                case .percent(let p)? where p < 0 || p > 100:
                    problems.append("disruptionBudget.\(field) must be a percentage between 0% and 100% (got \(p)%)")
                default:
                    break
                }
            }
        }
        if let t = topologySpread, ServingTopologySpread.topologyKey(t) == nil {
            problems.append("topologySpread must be one of \(ServingTopologySpread.all.joined(separator: ", ")) (got \"\(t)\")")
        }
        return problems
    }
}

extension SchemaNode {
    /// A policy/v1 int-or-string that is a pod count (`1`) or a percentage (`"50%"`).
    static func intOrPercent(_ description: String) -> SchemaNode {
        var n = SchemaNode(type: nil, description: description)
        n.keywords["x-kubernetes-int-or-string"] = true
        n.keywords["anyOf"] = [["type": "integer"], ["type": "string"]]
        n.keywords["pattern"] = "^(100|[1-9]?[0-9])%$"
        return n
    }
}

extension ModelVersion {
    /// The schema of `serving.autoscaling`.
    static let autoscalingSchema: SchemaNode = .object(
        "Scale the version's Deployment with a HorizontalPodAutoscaler (autoscaling/v2) on CPU utilization. While set, the controller never writes the Deployment's replicas (the HPA owns them; `replicas` is ignored) and the Deployment is created with `minReplicas` pods. Needs a CPU request in `resources`.",
        required: ["maxReplicas"],
        [
            ("minReplicas", .int32("Lower bound of the replica count.").minimum(1).defaulted(1)),
            ("maxReplicas", .int32("Upper bound of the replica count.").minimum(1)),
            ("targetCPUUtilizationPercent", .int32("Average CPU utilization of the pods, in percent of their CPU request, that the HPA aims for.").minimum(1).maximum(100).defaulted(80)),
        ]
    ).validations([
        ValidationRule("!has(self.minReplicas) || self.minReplicas <= self.maxReplicas", message: "minReplicas must not exceed maxReplicas"),
    ])

    /// The schema of `serving.disruptionBudget`.
    static let disruptionBudgetSchema: SchemaNode = .object(
        "Limit voluntary disruptions (node drains, upgrades) of the serving pods with a PodDisruptionBudget (policy/v1). Set exactly one field; each is a pod count or a percentage such as \"50%\".",
        [
            ("minAvailable", .intOrPercent("Pods that must stay available during a voluntary disruption.")),
            ("maxUnavailable", .intOrPercent("Pods that may be unavailable at once during a voluntary disruption.")),
        ]
    ).validations([
        ValidationRule("has(self.minAvailable) != has(self.maxUnavailable)", message: "set exactly one of minAvailable or maxUnavailable"),
    ])

    /// The schema of `serving.topologySpread`.
    static let topologySpreadSchema: SchemaNode = .string(
        "Spread the serving pods evenly over a topology: `zone` = `topology.kubernetes.io/zone` (maxSkew 1, ScheduleAnyway, so a cluster without zone labels or with one zone still schedules them)."
    ).oneOf(ServingTopologySpread.all)
}
