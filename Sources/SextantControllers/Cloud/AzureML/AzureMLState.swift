import Foundation
import KubeCore
import SextantAPI

/// Azure ML `Jobs - Get` → `CloudJobObservation`, and the cost of a job. Pure.
enum AzureMLState {
    /// `JobStatus` values that are not finished (mapped to running).
    static let running: Set<String> = ["NotStarted", "Starting", "Provisioning", "Preparing", "Queued", "Running", "Finalizing"]

    /// Maps a job: NotStarted…Running and Finalizing → running (`providerStatus` says which);
    /// CancelRequested → stopping; Completed → succeeded (with the native outputs); Failed → failed
    /// (message from the job's services or properties); Canceled → stopped, except a cancel by
    /// `limits.timeout` → failed `Timeout`; NotResponding, Paused and Unknown → running, with a
    /// message (never guessed into an end state: Azure can move them back).
    static func observation(_ job: JSONValue, step: AzureMLStep, vmSize: String?) -> CloudJobObservation {
        let name = job["name"]?.stringValue ?? ""
        let p = job["properties"] ?? .object([:])
        let status = p["status"]?.stringValue ?? "Unknown"
        let studio = studioEndpoint(p) ?? (name.isEmpty ? nil : AzureMLRequests.studioURL(step, jobName: name))
        var o = CloudJobObservation(state: .running, id: job["id"]?.stringValue, url: studio, providerStatus: status,
                                    startedAt: startTime(job), finishedAt: nil)
        switch status {
        case _ where running.contains(status):
            o.state = .running
        case "CancelRequested":
            o.state = .stopping
        case "Completed":
            o.state = .succeeded
            o.nativeOutputs = nativeOutputs(p)
        case "Failed":
            o.state = .failed
            o.reason = "Failed"
            o.message = AWSJobNaming.clip(failureMessage(p) ?? "Azure ML job \(name) failed (see its studio page)")
        case "Canceled":
            if let m = failureMessage(p), m.lowercased().contains("timeout") || m.lowercased().contains("timed out") {
                o.state = .failed
                o.reason = "Timeout"
                o.message = AWSJobNaming.clip(m)
            } else {
                o.state = .stopped
                o.message = "Azure ML job \(name) canceled"
            }
        case "NotResponding":
            o.message = "Azure ML reports the job NotResponding (no heartbeat); it can recover"
        case "Paused":
            o.message = "Azure ML job paused"
        default:
            o.message = "Azure ML job status \(status)"
        }
        if o.state != .running && o.state != .stopping { o.finishedAt = endTime(job) }
        o.usage = usage(job, step: step, vmSize: vmSize, finished: o.finishedAt)
        return o
    }

    /// The job's own Studio link (`services.Studio.endpoint`).
    static func studioEndpoint(_ p: JSONValue) -> String? {
        guard let endpoint = p[path: ["services", "Studio", "endpoint"]]?.stringValue, endpoint.hasPrefix("https://") else { return nil }
        return endpoint
    }

    /// The first `errorMessage` of the job's services, else `properties["azureml.error"]`-like entries.
    static func failureMessage(_ p: JSONValue) -> String? {
        for (_, service) in (p["services"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let m = service["errorMessage"]?.stringValue, !m.isEmpty { return m }
        }
        for (k, v) in (p["properties"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) where k.lowercased().contains("error") {
            if let m = v.stringValue, !m.isEmpty { return m }
        }
        return nil
    }

    /// Artifacts from the job's outputs: each output's `uri` by its name, and `model` = the default
    /// output's (`outputs.default`, the job's artifact folder) unless an output is named `model`.
    static func nativeOutputs(_ p: JSONValue) -> OutputValues? {
        var artifacts: [String: String] = [:]
        for (k, v) in p["outputs"]?.objectValue ?? [:] {
            if let uri = v["uri"]?.stringValue, !uri.isEmpty { artifacts[k] = uri }
        }
        if artifacts["model"] == nil, let d = artifacts["default"] { artifacts["model"] = d }
        return artifacts.isEmpty ? nil : OutputValues(artifacts: artifacts)
    }

    /// `properties.properties.StartTimeUtc` when Azure reports it, else `systemData.createdAt`.
    static func startTime(_ job: JSONValue) -> Date? {
        AWSJobNaming.date(job[path: ["properties", "properties", "StartTimeUtc"]]) ?? AWSJobNaming.date(job[path: ["systemData", "createdAt"]])
    }

    /// `properties.properties.EndTimeUtc` when Azure reports it, else `systemData.lastModifiedAt`.
    static func endTime(_ job: JSONValue) -> Date? {
        AWSJobNaming.date(job[path: ["properties", "properties", "EndTimeUtc"]]) ?? AWSJobNaming.date(job[path: ["systemData", "lastModifiedAt"]])
    }

    /// Run time (start to end, once finished), VM size, instance count, spot.
    static func usage(_ job: JSONValue, step: AzureMLStep, vmSize: String?, finished: Date?) -> CloudUsage {
        var seconds: Int64?
        if let start = startTime(job), let end = finished { seconds = max(0, Int64(end.timeIntervalSince(start).rounded())) }
        let p = job["properties"] ?? .object([:])
        return CloudUsage(billableSeconds: seconds, runSeconds: seconds,
                          machineType: step.vmSize ?? vmSize ?? p[path: ["resources", "instanceType"]]?.stringValue,
                          count: Int(p[path: ["resources", "instanceCount"]]?.intValue ?? Int64(step.instanceCount ?? 1)),
                          spot: p[path: ["queueSettings", "jobTier"]]?.stringValue == "Spot")
    }

    /// Run seconds × price(VM size) × instances / 3600, less `spotDiscountPercent.azureML` for spot
    /// jobs (whose saving it reports). Nil before the job finished; no price → `estimatedUSD` unset, said in `message`.
    static func cost(_ usage: CloudUsage?, pricing: PricingTable) -> Cost? {
        guard let usage, let seconds = usage.runSeconds else { return nil }
        var cost = Cost(billableSeconds: seconds)
        let discount = usage.spot ? (pricing.spotDiscountPercent?["azureML"] ?? 0) : 0
        if let type = usage.machineType, let price = price(type, in: pricing.azureML ?? [:]) {
            cost.estimatedUSD = Double(seconds) * price * Double(max(usage.count, 1)) / 3600 * (1 - discount / 100)
        } else {
            cost.message = "no price for azureML[\(usage.machineType ?? "unknown VM size")] in the pricing table"
        }
        if usage.spot { cost.spotSavingsPercent = discount }
        return cost
    }

    /// The price of a VM size, its case ignored (Azure answers `STANDARD_DS3_V2` for `Standard_DS3_v2`).
    static func price(_ vmSize: String, in prices: [String: Double]) -> Double? {
        if let exact = prices[vmSize] { return exact }
        return prices.first { $0.key.caseInsensitiveCompare(vmSize) == .orderedSame }?.value
    }
}
