import KubeCore

/// Progressive delivery of a version that becomes Production (`spec.serving.canary`): traffic
/// moves to it in steps, each step waits `stepSeconds` and runs the analysis; after the last step
/// it becomes Production, a failed analysis rolls it back. See docs/serving.md.
public struct CanarySpec: Codable, Sendable, Hashable {
    /// The candidate's share of traffic at each step, in percent (before 100 %).
    public var trafficPercent: [Int]
    /// How long each step lasts before its analysis.
    public var stepSeconds: Int64?
    /// The check run at the end of each step.
    public var analysis: CanaryAnalysis?

    /// A canary.
    public init(trafficPercent: [Int], stepSeconds: Int64? = nil, analysis: CanaryAnalysis? = nil) {
        self.trafficPercent = trafficPercent
        self.stepSeconds = stepSeconds
        self.analysis = analysis
    }
}

/// The analysis of a canary step: a Prometheus query whose value must stay within bounds.
public struct CanaryAnalysis: Codable, Sendable, Hashable {
    /// The query (`{{model}}`, `{{version}}` and `{{namespace}}` are substituted).
    public var prometheus: PrometheusQuery?
    /// A sample passes when its value is at most this.
    public var maxValue: Double?
    /// A sample passes when its value is at least this.
    public var minValue: Double?
    /// How many failed samples are tolerated; one more rolls back.
    public var failureLimit: Int?

    /// An analysis.
    public init(prometheus: PrometheusQuery? = nil, maxValue: Double? = nil, minValue: Double? = nil, failureLimit: Int? = nil) {
        self.prometheus = prometheus
        self.maxValue = maxValue
        self.minValue = minValue
        self.failureLimit = failureLimit
    }
}

/// A Gateway API `HTTPRoute` (gateway.networking.k8s.io/v1) named after the model, whose backend
/// weights carry the canary's traffic split.
public struct ServingGateway: Codable, Sendable, Hashable {
    /// The Gateways the route attaches to.
    public var parentRefs: [GatewayParentRef]
    /// Host names the route matches.
    public var hostnames: [String]?

    /// A gateway attachment.
    public init(parentRefs: [GatewayParentRef], hostnames: [String]? = nil) {
        self.parentRefs = parentRefs
        self.hostnames = hostnames
    }
}

/// A Gateway the route attaches to.
public struct GatewayParentRef: Codable, Sendable, Hashable {
    /// Gateway name.
    public var name: String
    /// Gateway namespace (default: the version's).
    public var namespace: String?
    /// Listener name on the Gateway.
    public var sectionName: String?

    /// A parent reference.
    public init(name: String, namespace: String? = nil, sectionName: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.sectionName = sectionName
    }
}

/// Rollout phases (`status.rollout.phase`).
public enum RolloutPhase {
    public static let progressing = "Progressing"
    public static let succeeded = "Succeeded"
    public static let failed = "Failed"
    /// Every phase.
    public static let all = [progressing, succeeded, failed]
}

/// The state of a canary rollout (`status.rollout`).
public struct RolloutStatus: Codable, Sendable, Hashable {
    /// `Progressing`, `Succeeded` or `Failed`.
    public var phase: String
    /// The candidate's share of traffic now, in percent.
    public var trafficPercent: Int?
    /// Index of the current step in `canary.trafficPercent`.
    public var step: Int?
    /// When the first step began (the candidate's Deployment was available).
    public var startedAt: String?
    /// The analysis samples so far, one per finished step.
    public var analysis: [AnalysisSample]?

    /// A rollout status.
    public init(phase: String, trafficPercent: Int? = nil, step: Int? = nil, startedAt: String? = nil, analysis: [AnalysisSample]? = nil) {
        self.phase = phase
        self.trafficPercent = trafficPercent
        self.step = step
        self.startedAt = startedAt
        self.analysis = analysis
    }
}

/// One analysis sample of a rollout.
public struct AnalysisSample: Codable, Sendable, Hashable {
    /// When it was taken.
    public var at: String
    /// The query's value (absent when the query failed or matched nothing).
    public var value: Double?
    /// Whether it was within the bounds.
    public var passed: Bool

    /// A sample.
    public init(at: String, value: Double? = nil, passed: Bool) {
        self.at = at
        self.value = value
        self.passed = passed
    }
}

extension ModelVersion {
    /// The OpenAPI schema of `serving.canary`.
    public static let canarySchema: SchemaNode = .object(
        "Progressive delivery: when this version's Production request passes its checks it does not take over at once; it receives each step's share of traffic for `stepSeconds`, the analysis runs at the end of each step, and after the last step it becomes Production. A failed analysis rolls back (`Promoted=False`, reason `CanaryFailed`).",
        required: ["trafficPercent"],
        [
            ("trafficPercent", .array("The candidate's share of traffic at each step, in percent, before 100 %.",
                                      of: .int32("").minimum(1).maximum(99)).minItems(1).maxItems(20)),
            ("stepSeconds", .integer("How long each step lasts before its analysis.").minimum(1).defaulted(300)),
            ("analysis", .object("Checked at the end of each step.", [
                ("prometheus", .object("A Prometheus server's HTTP API; `{{model}}`, `{{version}}` and `{{namespace}}` in the query are substituted.", required: ["url", "query"], [
                    ("url", .string("Prometheus base URL.").pattern("^https?://.+$")),
                    ("query", .string("PromQL returning one series.").minLength(1)),
                ])),
                ("maxValue", .number("A sample passes when its value is at most this.")),
                ("minValue", .number("A sample passes when its value is at least this.")),
                ("failureLimit", .int32("Failed samples tolerated; one more rolls back.").minimum(0).defaulted(0)),
            ]).validations([
                ValidationRule("!has(self.prometheus) || has(self.maxValue) || has(self.minValue)",
                               message: "an analysis query needs maxValue or minValue"),
            ])),
        ])

    /// The OpenAPI schema of `serving.gateway`.
    public static let gatewaySchema: SchemaNode = .object(
        "Route the model through a Gateway API `HTTPRoute` (gateway.networking.k8s.io/v1) named after the model; a canary then moves traffic by its backend weights instead of replica counts.",
        required: ["parentRefs"],
        [
            ("parentRefs", .array("The Gateways the route attaches to.", of: .object("A Gateway.", required: ["name"], [
                ("name", .string("Gateway name.").minLength(1)),
                ("namespace", .string("Gateway namespace (default: the version's).")),
                ("sectionName", .string("Listener name on the Gateway.")),
            ])).minItems(1)),
            ("hostnames", .array("Host names the route matches.", of: .string(""))),
        ])

    /// The OpenAPI schema of `status.rollout`.
    public static let rolloutSchema: SchemaNode = .object(
        "The canary rollout of this version (`spec.serving.canary`).", required: ["phase"],
        [
            ("phase", .string("`Progressing`, `Succeeded` or `Failed`.").oneOf(RolloutPhase.all)),
            ("trafficPercent", .int32("The candidate's share of traffic now, in percent.")),
            ("step", .int32("Index of the current step in `canary.trafficPercent`.")),
            ("startedAt", .time("When the first step began (the candidate's Deployment was available).")),
            ("analysis", .array("Analysis samples, one per finished step.", of: .object("A sample.", required: ["at", "passed"], [
                ("at", .time("When it was taken.")),
                ("value", .number("The query's value (absent when the query failed or matched nothing).")),
                ("passed", .boolean("Whether it was within the bounds.")),
            ])).maxItems(50)),
        ])
}
