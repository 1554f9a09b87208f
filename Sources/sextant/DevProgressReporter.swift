import Foundation
import KubeClient
import KubeCore

/// Prints what happens to the user's pipelines, model versions and served models while
/// `sextant dev --apply` runs: one line per change a user would care about.
struct DevProgressReporter: Sendable {
    let client: KubeClient
    var interval: Duration = .milliseconds(500)

    private static let pipelines = GroupVersionResource(group: "ml.sextant.dev", version: "v1alpha1", resource: "mlpipelines")
    private static let modelVersions = GroupVersionResource(group: "ml.sextant.dev", version: "v1alpha1", resource: "modelversions")
    private static let services = GroupVersionResource(group: "", version: "v1", resource: "services")

    func run() async throws {
        var seen: [String: String] = [:]
        while !Task.isCancelled {
            var lines: [String] = []
            for (key, summary) in try await snapshot() where seen[key] != summary {
                seen[key] = summary
                lines.append(summary)
            }
            if !lines.isEmpty {
                emitLine(lines.joined(separator: "\n"))
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Each line a user may want to see, keyed by what it describes.
    private func snapshot() async throws -> [(String, String)] {
        var out: [(String, String)] = []
        for run in try await list(Self.pipelines) {
            let id = identity(run)
            out.append(("mlp/\(id)", "mlpipeline \(id): \(run[path: ["status", "phase"]]?.stringValue ?? "Pending")"))
            for step in run[path: ["status", "steps"]]?.arrayValue ?? [] {
                let name = step["name"]?.stringValue ?? "?"
                var line = "  step \(name): \(step["phase"]?.stringValue ?? "Pending")"
                if step["cached"]?.boolValue == true { line += " (cached from \(step["cachedFrom"]?.stringValue ?? "?"))" }
                if let metrics = step[path: ["outputs", "metrics"]]?.objectValue, !metrics.isEmpty {
                    line += " metrics " + metrics.keys.sorted().map { "\($0)=\(metrics[$0]?.jsonString ?? "")" }.joined(separator: " ")
                }
                if let attempt = step["attempts"]?.arrayValue?.last, let message = attempt["message"]?.stringValue,
                    step["phase"]?.stringValue == "Failed" || step["phase"]?.stringValue == "Retrying"
                {
                    line += " — \(message)"
                }
                out.append(("mlp/\(id)/\(name)", line))
            }
            if let mv = run[path: ["status", "lineage", "modelVersion"]]?.stringValue {
                out.append(("mlp/\(id)/registered", "  registered ModelVersion \(mv)"))
            }
        }
        for version in try await list(Self.modelVersions) {
            let id = identity(version)
            let conditions = version[path: ["status", "conditions"]]?.arrayValue ?? []
            let promoted = conditions.first { $0["type"]?.stringValue == "Promoted" }
            var line = "modelversion \(id): stage \(version[path: ["status", "stage"]]?.stringValue ?? "None")"
            if let promoted, promoted["status"]?.stringValue != "True", let reason = promoted["reason"]?.stringValue {
                line += " (\(reason): \(promoted["message"]?.stringValue ?? ""))"
            }
            out.append(("mv/\(id)", line))
            for gate in version[path: ["status", "gates"]]?.arrayValue ?? [] {
                let metric = gate["metric"]?.stringValue ?? "?"
                let verdict = gate["passed"]?.boolValue == true ? "passed" : "not passed"
                out.append(("mv/\(id)/gate/\(metric)", "  gate \(metric): \(verdict) — \(gate["message"]?.stringValue ?? "")"))
            }
            if let serving = conditions.first(where: { $0["type"]?.stringValue == "Serving" }) {
                out.append(("mv/\(id)/serving", "  serving: \(serving["status"]?.stringValue ?? "Unknown") (\(serving["reason"]?.stringValue ?? ""))"))
            }
        }
        for service in try await list(Self.services) {
            guard let model = service[path: ["metadata", "labels", "ml.sextant.dev/model"]]?.stringValue,
                let endpoint = service[path: ["metadata", "annotations", "dev.sextant.dev/host-endpoint"]]?.stringValue
            else { continue }
            let name = service[path: ["metadata", "name"]]?.stringValue ?? "?"
            out.append((
                "svc/\(identity(service))/\(endpoint)",
                "service \(identity(service)) of model \(model) answers on the host: curl http://\(endpoint)/"
                    + (name == model ? "   <- stable endpoint (follows Production)" : "")
            ))
        }
        return out
    }

    private func list(_ resource: GroupVersionResource) async throws -> [JSONValue] {
        let api = DynamicApi(client: client, resource: resource, namespaced: true)
        return try await api.list()["items"]?.arrayValue ?? []
    }

    private func identity(_ object: JSONValue) -> String {
        "\(object[path: ["metadata", "namespace"]]?.stringValue ?? "")/\(object[path: ["metadata", "name"]]?.stringValue ?? "")"
    }
}
