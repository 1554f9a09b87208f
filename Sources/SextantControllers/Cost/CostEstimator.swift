import Foundation
import KubeCore
import SextantAPI

/// What a pod (or a serving replica) asks for: the quantities container steps are priced by.
public struct PodResources: Sendable, Hashable {
    /// Requested CPU cores.
    public var cpuCores: Double
    /// Requested memory in GiB.
    public var memoryGiB: Double
    /// Requested extended resources that are GPUs (`nvidia.com/gpu`, `amd.com/gpu`, ...) by name.
    public var gpus: [String: Double]

    /// Resources.
    public init(cpuCores: Double = 0, memoryGiB: Double = 0, gpus: [String: Double] = [:]) {
        self.cpuCores = cpuCores
        self.memoryGiB = memoryGiB
        self.gpus = gpus
    }

    /// The requests of `containers` summed; a resource with only a limit counts its limit (the API
    /// server defaults the request to the limit).
    public init(containers: [Container]) {
        self.init()
        for c in containers { add(c.resources?.requests, limits: c.resources?.limits) }
    }

    /// The requests of one container step (`requests`, else `limits`).
    public init(requests: [String: Quantity]?, limits: [String: Quantity]?) {
        self.init()
        add(requests, limits: limits)
    }

    private mutating func add(_ requests: [String: Quantity]?, limits: [String: Quantity]?) {
        var merged = limits ?? [:]
        for (k, v) in requests ?? [:] { merged[k] = v }
        for (name, q) in merged {
            switch name {
            case "cpu": cpuCores += q.doubleValue
            case "memory": memoryGiB += q.doubleValue / 1_073_741_824
            default:
                if name.hasSuffix("/gpu") { gpus[name, default: 0] += q.doubleValue }
            }
        }
    }

    /// True when nothing billable is requested.
    public var isEmpty: Bool { cpuCores == 0 && memoryGiB == 0 && gpus.values.allSatisfy { $0 == 0 } }
}

/// Cost arithmetic: container steps priced from requests × run time, and the sums a run reports.
public enum CostEstimator {
    /// USD per hour of `resources` at Kubernetes prices, or the names of the missing prices.
    public static func hourlyUSD(_ resources: PodResources, pricing: PricingTable) -> (usd: Double?, missing: [String]) {
        let k = pricing.kubernetes
        var missing: [String] = []
        var usd = 0.0
        if resources.cpuCores > 0 {
            if let p = k?.cpuCoreHourUSD { usd += p * resources.cpuCores } else { missing.append("kubernetes.cpuCoreHourUSD") }
        }
        if resources.memoryGiB > 0 {
            if let p = k?.memoryGiBHourUSD { usd += p * resources.memoryGiB } else { missing.append("kubernetes.memoryGiBHourUSD") }
        }
        for (name, count) in resources.gpus.sorted(by: { $0.key < $1.key }) where count > 0 {
            if let p = k?.gpuHourUSD?[name] { usd += p * count } else { missing.append("kubernetes.gpuHourUSD[\(name)]") }
        }
        return (missing.isEmpty ? usd : nil, missing)
    }

    /// The cost of one container attempt that ran `seconds` with `resources`.
    public static func container(_ resources: PodResources, seconds: Int64, pricing: PricingTable) -> Cost {
        let seconds = max(0, seconds)
        if resources.isEmpty {
            return Cost(estimatedUSD: 0, billableSeconds: seconds, message: "the pod requests no CPU, memory or GPU")
        }
        let (hourly, missing) = hourlyUSD(resources, pricing: pricing)
        guard let hourly else {
            return Cost(billableSeconds: seconds, message: "no price for \(missing.joined(separator: ", ")) in the pricing table")
        }
        return Cost(estimatedUSD: rounded(hourly * Double(seconds) / 3600), billableSeconds: seconds)
    }

    /// Two costs added (attempts of one step): seconds and dollars summed, savings recomputed.
    public static func add(_ a: Cost?, _ b: Cost?) -> Cost? {
        guard let a else { return b }
        guard let b else { return a }
        return sum([("", a), ("", b)])
    }

    /// The sum of named costs (steps of a run): `billableSeconds` summed; `estimatedUSD` summed
    /// when every cost has one (else unset, and `message` names the steps without one);
    /// `spotSavingsPercent` = 1 − paid / on-demand over the priced costs (the on-demand price of a
    /// cost with savings s is usd / (1 − s/100)), i.e. the savings weighted by cost.
    public static func sum(_ costs: [(name: String, cost: Cost)]) -> Cost? {
        guard !costs.isEmpty else { return nil }
        let seconds = costs.compactMap { $0.cost.billableSeconds }
        let unpriced = costs.filter { $0.cost.estimatedUSD == nil }
        let priced = costs.compactMap { c -> (usd: Double, savings: Double?)? in
            c.cost.estimatedUSD.map { ($0, c.cost.spotSavingsPercent) }
        }
        var result = Cost(billableSeconds: seconds.isEmpty ? nil : seconds.reduce(0, +))
        if unpriced.isEmpty {
            result.estimatedUSD = rounded(priced.map { $0.usd }.reduce(0, +))
        } else {
            let detail = unpriced.map { c in
                let why = c.cost.message ?? "no estimate"
                return c.name.isEmpty ? why : "\(c.name): \(why)"
            }
            result.message = Array(Set(detail)).sorted().joined(separator: "; ").clipped()
        }
        if priced.contains(where: { $0.savings != nil }) {
            let paid = priced.map { $0.usd }.reduce(0, +)
            let onDemand: Double = priced.map { (p: (usd: Double, savings: Double?)) -> Double in
                let s = min(max(p.savings ?? 0, 0), 99.999)
                return p.usd / (1 - s / 100)
            }.reduce(0, +)
            if onDemand > 0 { result.spotSavingsPercent = rounded((1 - paid / onDemand) * 100, places: 2) }
        }
        return result
    }

    /// `value` rounded to `places` decimals (status stays readable and stable).
    static func rounded(_ value: Double, places: Int = 6) -> Double {
        let m = pow(10, Double(places))
        return (value * m).rounded() / m
    }
}
