import Foundation
import KubeCore
import SextantAPI

/// DescribeTrainingJob → `CloudJobObservation`, and the cost of a job. Pure.
enum SageMakerState {
    /// Secondary statuses that name why a job ended; used as the step reason.
    static let namedEndings: Set<String> = ["MaxRuntimeExceeded", "MaxWaitTimeExceeded", "Interrupted"]

    /// Maps a DescribeTrainingJob response:
    /// `InProgress` → running (`InProgress/<SecondaryStatus>` in `providerStatus`), `Stopping` → stopping,
    /// `Completed` → succeeded, `Failed` → failed (reason from the secondary status or `FailureReason`:
    /// `MaxRuntimeExceeded`, `MaxWaitTimeExceeded`, `Interrupted`, else `Failed`), `Stopped` → stopped,
    /// except a stop by SageMaker's own limits (secondary `MaxRuntimeExceeded` / `MaxWaitTimeExceeded`) → failed.
    static func observation(_ d: JSONValue, region: String) -> CloudJobObservation {
        let name = d["TrainingJobName"]?.stringValue ?? ""
        let status = d["TrainingJobStatus"]?.stringValue ?? "Unknown"
        let secondary = d["SecondaryStatus"]?.stringValue
        let failure = d["FailureReason"]?.stringValue
        var o = CloudJobObservation(
            state: .running, id: d["TrainingJobArn"]?.stringValue,
            url: name.isEmpty ? nil : SageMakerRequests.consoleURL(region: region, jobName: name),
            providerStatus: secondary.map { "\(status)/\($0)" } ?? status,
            startedAt: AWSJobNaming.date(d["TrainingStartTime"]),
            finishedAt: AWSJobNaming.date(d["TrainingEndTime"]))
        switch status {
        case "InProgress":
            o.state = .running
            o.message = secondaryMessage(d)
        case "Stopping":
            o.state = .stopping
        case "Completed":
            o.state = .succeeded
            o.nativeOutputs = nativeOutputs(d)
        case "Failed":
            o.state = .failed
            o.reason = failureReason(secondary: secondary, failureReason: failure)
            o.message = AWSJobNaming.clip(failure ?? "training job \(name) failed")
        case "Stopped":
            if let s = secondary, s == "MaxRuntimeExceeded" || s == "MaxWaitTimeExceeded" {
                o.state = .failed
                o.reason = s
                o.message = AWSJobNaming.clip(failure ?? (s == "MaxRuntimeExceeded"
                    ? "the job ran past StoppingCondition.MaxRuntimeInSeconds and SageMaker stopped it"
                    : "the spot job waited past StoppingCondition.MaxWaitTimeInSeconds and SageMaker stopped it"))
            } else {
                o.state = .stopped
                o.message = "training job \(name) stopped"
            }
        default:
            // An unknown status is reported, never guessed into an end state.
            o.state = .running
            o.message = "unknown TrainingJobStatus \(status)"
        }
        o.usage = usage(d)
        if o.finishedAt == nil, o.state == .succeeded || o.state == .failed || o.state == .stopped {
            o.finishedAt = AWSJobNaming.date(d["LastModifiedTime"])
        }
        return o
    }

    /// The reason of a failed job.
    static func failureReason(secondary: String?, failureReason: String?) -> String {
        if let s = secondary, namedEndings.contains(s) { return s }
        let text = failureReason ?? ""
        for named in ["MaxWaitTimeExceeded", "MaxRuntimeExceeded"] where text.contains(named) { return named }
        let lower = text.lowercased()
        if lower.contains("interrupt") || lower.contains("spot capacity") || lower.contains("insufficient spot") { return "Interrupted" }
        return "Failed"
    }

    /// The latest secondary status message (`SecondaryStatusTransitions[-1].StatusMessage`), clipped.
    static func secondaryMessage(_ d: JSONValue) -> String? {
        guard let last = d["SecondaryStatusTransitions"]?.arrayValue?.last, let m = last["StatusMessage"]?.stringValue, !m.isEmpty else { return nil }
        return AWSJobNaming.clip(m)
    }

    /// `model` = `ModelArtifacts.S3ModelArtifacts`; metrics = `FinalMetricDataList` (name → value).
    static func nativeOutputs(_ d: JSONValue) -> OutputValues {
        var artifacts: [String: String] = [:]
        if let model = d[path: ["ModelArtifacts", "S3ModelArtifacts"]]?.stringValue { artifacts["model"] = model }
        var metrics: [String: Double] = [:]
        for m in d["FinalMetricDataList"]?.arrayValue ?? [] {
            if let n = m["MetricName"]?.stringValue, let v = m["Value"]?.doubleValue { metrics[n] = v }
        }
        return OutputValues(artifacts: artifacts.isEmpty ? nil : artifacts, metrics: metrics.isEmpty ? nil : metrics)
    }

    /// Billing facts: `BillableTimeInSeconds`, `TrainingTimeInSeconds`, instance type and count, spot.
    static func usage(_ d: JSONValue) -> CloudUsage {
        CloudUsage(
            billableSeconds: d["BillableTimeInSeconds"]?.intValue,
            runSeconds: d["TrainingTimeInSeconds"]?.intValue,
            machineType: d[path: ["ResourceConfig", "InstanceType"]]?.stringValue,
            count: Int(d[path: ["ResourceConfig", "InstanceCount"]]?.intValue ?? 1),
            spot: d["EnableManagedSpotTraining"]?.boolValue ?? false)
    }

    /// `BillableTimeInSeconds` × price(instance type) × count / 3600; spot savings
    /// `(1 − Billable / TrainingTime) × 100` for spot jobs. Nil before SageMaker reports billable time.
    /// An instance type with no price leaves `estimatedUSD` unset and says so in `message`.
    static func cost(_ usage: CloudUsage?, pricing: PricingTable) -> Cost? {
        guard let usage, let billable = usage.billableSeconds else { return nil }
        var cost = Cost(billableSeconds: billable)
        if let type = usage.machineType, let price = pricing.sagemaker?[type] {
            cost.estimatedUSD = Double(billable) * price * Double(max(usage.count, 1)) / 3600
        } else {
            cost.message = "no price for sagemaker[\(usage.machineType ?? "unknown instance type")] in the pricing table"
        }
        if usage.spot, let run = usage.runSeconds, run > 0 {
            cost.spotSavingsPercent = max(0, (1 - Double(billable) / Double(run)) * 100)
        }
        return cost
    }
}
