import Foundation
import KubeCore
import Testing
import TestSupport

/// Drives the Sextant additions to the moto peer (Tests/harness/moto/sagemaker_ext.py and
/// batch_ext.py) over HTTP: holding, completing, failing and interrupting jobs, call counts,
/// recorded requests and injected AWS errors. Plain moto has none of these.
struct MotoHarnessClient: Sendable {
    /// `http://127.0.0.1:PORT` of the moto peer.
    let url: String

    @discardableResult
    func post(_ path: String, _ body: JSONValue = .emptyObject) async throws -> JSONValue {
        try await send("POST", path, body: body.jsonString)
    }

    func get(_ path: String) async throws -> JSONValue {
        try await send("GET", path, body: nil)
    }

    private func send(_ method: String, _ path: String, body: String?) async throws -> JSONValue {
        var args = ["-sS", "-X", method, "--max-time", "20", "-w", "\n%{http_code}"]
        if let body { args += ["-H", "Content-Type: application/json", "--data-binary", "@-"] }
        args.append(url + path)
        let r = try await ProcessRunner.run("/usr/bin/curl", args, stdin: body, timeout: 25)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        let text = lines.dropLast().joined(separator: "\n")
        guard status == 200 else { throw TestSupportError.startFailed("moto harness \(method) \(path) → \(status): \(text) \(r.stderr)") }
        return (try? JSONValue.parse(text)) ?? .null
    }

    /// Jobs created with names starting with `prefix` stay InProgress/Training until completed, failed or stopped.
    func holdSageMaker(prefix: String) async throws { try await post("/sextant-harness/sagemaker/hold", ["prefix": .string(prefix)]) }

    /// Completes matching held jobs with a model artifact, final metrics and billable/training seconds.
    func completeSageMaker(prefix: String, metrics: [String: Double] = [:], billableSeconds: Int64? = nil, trainingSeconds: Int64? = nil) async throws {
        var body: [String: JSONValue] = ["prefix": .string(prefix), "metrics": .object(metrics.mapValues { .double($0) })]
        if let billableSeconds { body["billableSeconds"] = .int(billableSeconds) }
        if let trainingSeconds { body["trainingSeconds"] = .int(trainingSeconds) }
        try await post("/sextant-harness/sagemaker/complete", .object(body))
    }

    /// SageMaker call counts: `total` by operation, `byJob` by job name then operation.
    func sageMakerCalls() async throws -> JSONValue { try await get("/sextant-harness/sagemaker/calls") }

    /// The count of `operation` summed over jobs whose name starts with `prefix`.
    func sageMakerCount(_ operation: String, prefix: String) async throws -> Int {
        let byJob = try await sageMakerCalls()["byJob"]?.objectValue ?? [:]
        return byJob.filter { $0.key.hasPrefix(prefix) }.reduce(0) { $0 + Int($1.value[operation]?.intValue ?? 0) }
    }

    /// The CreateTrainingJob bodies recorded for job `name`.
    func sageMakerRequests(name: String) async throws -> [JSONValue] {
        try await get("/sextant-harness/sagemaker/requests?name=\(name)")["requests"]?.arrayValue ?? []
    }

    /// The next `count` calls of `operation` (`SageMaker.CreateTrainingJob`, `Batch.SubmitJob`, ...) answer this AWS error.
    func injectFault(_ operation: String, code: String, status: Int = 400, message: String = "injected by the Sextant test harness", count: Int = 1) async throws {
        try await post("/sextant-harness/faults", ["operation": .string(operation), "code": .string(code), "status": .int(Int64(status)), "message": .string(message), "count": .int(Int64(count))])
    }

    /// An object PUT into moto's S3 (path-style, bucket created first when missing).
    func putObject(bucket: String, key: String, body: String) async throws {
        _ = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "-X", "PUT", "--max-time", "10", "\(url)/\(bucket)"], timeout: 15)
        let r = try await ProcessRunner.run("/usr/bin/curl", ["-sS", "-X", "PUT", "--max-time", "10", "-H", "Content-Type: application/octet-stream", "--data-binary", "@-", "-o", "/dev/null", "-w", "%{http_code}", "\(url)/\(bucket)/\(key)"], stdin: body, timeout: 15)
        guard r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "200" else { throw TestSupportError.startFailed("S3 PUT \(bucket)/\(key) → \(r.stdout) \(r.stderr)") }
    }
}
