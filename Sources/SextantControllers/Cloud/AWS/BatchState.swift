import Foundation
import KubeCore
import SextantAPI

/// DescribeJobs → `CloudJobObservation`, and the cost of a job. Pure.
enum BatchState {
    /// States of a job that has not finished.
    static let unfinished: Set<String> = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING"]

    /// Maps one `jobs[]` entry of DescribeJobs: SUBMITTED…RUNNING → running (the state in
    /// `providerStatus`), SUCCEEDED → succeeded, FAILED → failed with `statusReason` (reason
    /// `DeadlineExceeded` for Batch's attempt timeout, `Interrupted` for a reclaimed spot host, else
    /// `Failed`), or stopped when Sextant terminated it.
    static func observation(_ job: JSONValue, region: String) -> CloudJobObservation {
        let id = job["jobId"]?.stringValue
        let status = job["status"]?.stringValue ?? "UNKNOWN"
        let statusReason = job["statusReason"]?.stringValue
        var o = CloudJobObservation(
            state: .running, id: job["jobArn"]?.stringValue ?? id,
            url: id.map { BatchRequests.consoleURL(region: region, jobId: $0) },
            providerStatus: status,
            startedAt: AWSJobNaming.date(job["startedAt"], millis: true),
            finishedAt: AWSJobNaming.date(job["stoppedAt"], millis: true))
        switch status {
        case "SUCCEEDED":
            o.state = .succeeded
        case "FAILED":
            if statusReason == BatchRequests.terminateReason {
                o.state = .stopped
                o.message = "job \(job["jobName"]?.stringValue ?? id ?? "") terminated"
            } else {
                o.state = .failed
                o.reason = failureReason(statusReason: statusReason, containerReason: job[path: ["container", "reason"]]?.stringValue)
                let detail = [statusReason, job[path: ["container", "reason"]]?.stringValue].compactMap { $0 }.filter { !$0.isEmpty }
                o.message = AWSJobNaming.clip(detail.isEmpty ? "job failed" : detail.joined(separator: ": "))
            }
        default:
            o.state = .running
            if !unfinished.contains(status) { o.message = "unknown Batch job status \(status)" }
            else if let statusReason, !statusReason.isEmpty { o.message = AWSJobNaming.clip(statusReason) }
        }
        o.usage = usage(job)
        return o
    }

    /// The reason of a failed job.
    static func failureReason(statusReason: String?, containerReason: String?) -> String {
        let text = ((statusReason ?? "") + " " + (containerReason ?? "")).lowercased()
        if text.contains("attempt duration exceeded timeout") { return "DeadlineExceeded" }
        if (text.contains("host ec2") && text.contains("terminated")) || text.contains("spot") { return "Interrupted" }
        return "Failed"
    }

    /// Run time (startedAt → stoppedAt), the host instance type when Batch reports it, and the node count.
    static func usage(_ job: JSONValue) -> CloudUsage {
        let started = job["startedAt"]?.intValue
        let stopped = job["stoppedAt"]?.intValue
        var seconds: Int64?
        if let started, let stopped, stopped >= started { seconds = (stopped - started + 999) / 1000 }
        let nodes = job[path: ["nodeProperties", "numNodes"]]?.intValue ?? job[path: ["nodeDetails", "numNodes"]]?.intValue ?? 1
        let type = job[path: ["container", "instanceType"]]?.stringValue
        return CloudUsage(billableSeconds: seconds, runSeconds: seconds, machineType: type, count: Int(nodes), spot: false)
    }

    /// Run time × price(instance type) × nodes / 3600 when a price for the instance type is known
    /// (`pricing.awsBatch`); otherwise only the seconds and a `message`. Nil before the job has stopped.
    static func cost(_ usage: CloudUsage?, pricing: PricingTable) -> Cost? {
        guard let usage, let seconds = usage.billableSeconds else { return nil }
        var cost = Cost(billableSeconds: seconds)
        if let type = usage.machineType, let price = pricing.awsBatch?[type] {
            cost.estimatedUSD = Double(seconds) * price * Double(max(usage.count, 1)) / 3600
        } else if let type = usage.machineType {
            cost.message = "no price for awsBatch[\(type)] in the pricing table"
        } else {
            cost.message = "AWS Batch did not report the job's instance type, so it cannot be priced"
        }
        return cost
    }
}
