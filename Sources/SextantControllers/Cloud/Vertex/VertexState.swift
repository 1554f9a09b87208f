import CloudGCP
import Foundation
import KubeCore
import SextantAPI

/// `CustomJob` → `CloudJobObservation`, and the cost of a job. Pure.
enum VertexState {
    /// Maps a CustomJob (`customJobs.get` / `.create` / `.list` entry), `JobState` by `JobState`:
    /// `QUEUED`, `PENDING`, `RUNNING`, `UPDATING`, `PAUSED`, `UNSPECIFIED` → running; `CANCELLING` → stopping;
    /// `SUCCEEDED` → succeeded (artifact `model` = `<baseOutputDirectory>/model/`); `FAILED` → failed with
    /// `error.message` (reason `Interrupted` for a preempted spot job, `DeadlineExceeded` for
    /// `scheduling.timeout`, else `Failed`); `CANCELLED` → stopped; `EXPIRED` and `PARTIALLY_SUCCEEDED` → failed.
    static func observation(_ job: JSONValue, step: VertexAIStep, spot: Bool) -> CloudJobObservation {
        let name = job["name"]?.stringValue
        let state = job["state"]?.stringValue ?? "JOB_STATE_UNSPECIFIED"
        var o = CloudJobObservation(
            state: .running, id: name, url: name.flatMap(VertexRequests.consoleURL(name:)),
            providerStatus: state.replacingOccurrences(of: "JOB_STATE_", with: ""),
            startedAt: job["startTime"]?.stringValue.flatMap(GCPTime.parse),
            finishedAt: job["endTime"]?.stringValue.flatMap(GCPTime.parse))
        let errorMessage = job[path: ["error", "message"]]?.stringValue
        switch state {
        case "JOB_STATE_QUEUED", "JOB_STATE_PENDING", "JOB_STATE_RUNNING", "JOB_STATE_UPDATING", "JOB_STATE_UNSPECIFIED":
            o.state = .running
        case "JOB_STATE_PAUSED":
            o.state = .running
            o.message = "the CustomJob is paused"
        case "JOB_STATE_CANCELLING":
            o.state = .stopping
        case "JOB_STATE_SUCCEEDED":
            o.state = .succeeded
            if let model = VertexRequests.modelURI(step) { o.nativeOutputs = OutputValues(artifacts: ["model": model]) }
        case "JOB_STATE_FAILED":
            o.state = .failed
            o.reason = failureReason(code: job[path: ["error", "code"]]?.intValue, message: errorMessage)
            o.message = AWSJobNaming.clip(errorMessage ?? "CustomJob \(name ?? "") failed")
        case "JOB_STATE_CANCELLED":
            o.state = .stopped
            o.message = "CustomJob \(name ?? "") cancelled"
        case "JOB_STATE_EXPIRED":
            o.state = .failed
            o.reason = "Expired"
            o.message = AWSJobNaming.clip(errorMessage ?? "the CustomJob expired before it could run")
        case "JOB_STATE_PARTIALLY_SUCCEEDED":
            o.state = .failed
            o.reason = "PartiallySucceeded"
            o.message = AWSJobNaming.clip(errorMessage ?? "the CustomJob partially succeeded: some results may be missing")
        default:
            // An unknown state is reported, never guessed into an end state.
            o.state = .running
            o.message = "unknown JobState \(state)"
        }
        o.usage = usage(job, step: step, spot: spot, start: o.startedAt, end: o.finishedAt)
        return o
    }

    /// The reason of a failed job: `Interrupted` (spot preemption), `DeadlineExceeded` (`scheduling.timeout`,
    /// canonical code 4), else `Failed`.
    static func failureReason(code: Int64?, message: String?) -> String {
        let lower = (message ?? "").lowercased()
        if lower.contains("preempt") || lower.contains("spot capacity") { return "Interrupted" }
        if code == 4 || lower.contains("timeout") || lower.contains("deadline") { return "DeadlineExceeded" }
        return "Failed"
    }

    /// Run time (`endTime − startTime`), machine type and replicas of the job, spot from
    /// `scheduling.strategy` (else the step's flag).
    static func usage(_ job: JSONValue, step: VertexAIStep, spot: Bool, start: Date?, end: Date?) -> CloudUsage {
        var run: Int64?
        if let start, let end { run = max(0, Int64(end.timeIntervalSince(start).rounded())) }
        let pools = job[path: ["jobSpec", "workerPoolSpecs"]]?.arrayValue ?? []
        let replicas = pools.reduce(0) { $0 + Int($1["replicaCount"]?.intValue ?? $1["replicaCount"]?.stringValue.flatMap { Int64($0) } ?? 0) }
        let strategy = job[path: ["jobSpec", "scheduling", "strategy"]]?.stringValue
        return CloudUsage(
            billableSeconds: run, runSeconds: run,
            machineType: pools.first?[path: ["machineSpec", "machineType"]]?.stringValue ?? step.machineType,
            count: replicas > 0 ? replicas : VertexRequests.replicas(step),
            spot: strategy.map { $0 == "SPOT" } ?? spot)
    }

    /// Run time × (machine price + accelerator price × accelerators) × replicas / 3600, less the
    /// `spotDiscountPercent.vertexAI` of the table for spot jobs (which is then the savings). Nil
    /// before the job has run; a machine (or accelerator) with no price leaves `estimatedUSD` unset
    /// and says so in `message`.
    static func cost(_ usage: CloudUsage?, step: VertexAIStep, pricing: PricingTable) -> Cost? {
        guard let usage, let seconds = usage.billableSeconds else { return nil }
        var cost = Cost(billableSeconds: seconds)
        let machine = usage.machineType ?? step.machineType
        var missing: [String] = []
        var hourly = 0.0
        if let price = pricing.vertexAI?[machine] { hourly += price } else { missing.append(machine) }
        if let accelerator = step.acceleratorType, !accelerator.isEmpty {
            if let price = pricing.vertexAI?[accelerator] {
                hourly += price * Double(max(step.acceleratorCount ?? 1, 1))
            } else {
                missing.append(accelerator)
            }
        }
        let discount = usage.spot ? (pricing.spotDiscountPercent?["vertexAI"] ?? 0) : 0
        if usage.spot && discount > 0 { cost.spotSavingsPercent = discount }
        if missing.isEmpty {
            cost.estimatedUSD = Double(seconds) * hourly * Double(max(usage.count, 1)) / 3600 * (1 - discount / 100)
        } else {
            cost.message = "no price for vertexAI[\(missing.joined(separator: ", "))] in the pricing table"
        }
        if usage.spot && pricing.spotDiscountPercent?["vertexAI"] == nil {
            cost.message = [cost.message, "no spotDiscountPercent.vertexAI in the pricing table: the on-demand price is used"]
                .compactMap { $0 }.joined(separator: "; ")
        }
        return cost
    }
}
