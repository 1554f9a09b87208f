import Foundation
import KubeCore
import Testing
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The README's main command, run as a user would: `sextant dev --executor local --apply
/// examples/quickstart`, then checked with stock kubectl and an HTTP prediction.
@Suite("Quickstart end to end")
struct QuickstartTests {
    @Test("the quickstart trains, evaluates, registers, promotes and serves a model that answers predictions")
    func quickstartServesPredictions() async throws {
        let root = ProcessRunner.packageRoot
        setenv("SEXTANT_DEV_WORKDIR", root.path, 1)
        let cluster = try await DevClusterProcess.start(
            extraArguments: ["--executor", "local", "--apply", root.appendingPathComponent("examples/quickstart").path],
            timeout: 120)
        defer { cluster.stop() }
        let kubectl = cluster.kubectl

        let wait = try await kubectl.run(["wait", "--for=condition=Succeeded", "mlp/quickstart-churn", "--timeout=240s"], timeout: 260)
        let runYAML = try await kubectl("get", "mlp", "quickstart-churn", "-o", "yaml")
        #expect(wait.succeeded, "run did not succeed: \(wait.stderr)\n\(runYAML.stdout)\n\(cluster.log().suffix(3000))")
        try #require(wait.succeeded)

        let phase = try await kubectl("get", "mlp", "quickstart-churn", "-o", "jsonpath={.status.phase}")
        #expect(phase.stdout == "Succeeded")
        let registered = try await kubectl("get", "mlp", "quickstart-churn", "-o", "jsonpath={.status.lineage.modelVersion}")
        #expect(registered.stdout == "churn-v1")

        let production = try await kubectl.run(
            ["wait", "--for=jsonpath={.status.stage}=Production", "mv/churn-v1", "--timeout=120s"], timeout: 140)
        let mvYAML = try await kubectl("get", "mv", "churn-v1", "-o", "yaml")
        #expect(production.succeeded, "churn-v1 not Production: \(mvYAML.stdout)")
        let gate = try await kubectl("get", "mv", "churn-v1", "-o", "jsonpath={.status.gates[?(@.metric==\"auc\")].passed}")
        #expect(gate.stdout == "true", "auc gate: \(mvYAML.stdout)")

        let available = try await kubectl.run(
            ["wait", "--for=condition=Available", "deployment/churn-v1", "--timeout=120s"], timeout: 140)
        #expect(available.succeeded, "deployment not available: \(available.stderr)")
        try #require(available.succeeded)

        // The stable Service named after the model selects the Production version's pods; the
        // dev cluster tells where its backing host process listens.
        var endpoint = ""
        for _ in 0..<120 {
            let result = try await kubectl("get", "svc", "churn", "-o", "jsonpath={.metadata.annotations.dev\\.sextant\\.dev/host-endpoint}")
            endpoint = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if !endpoint.isEmpty { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        try #require(!endpoint.isEmpty, "stable service churn has no host endpoint")

        let query = "tenure_months=3&monthly_charges=99&support_calls=4&contract_monthly=1"
        let url = try #require(URL(string: "http://\(endpoint)/predict?\(query)"))
        let (data, response) = try await URLSession.shared.data(from: url)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let prediction = try JSONValue.parse(data)
        #expect(prediction["model"]?.stringValue == "churn")
        #expect(prediction["version"]?.stringValue == "1")
        let probability = try #require(prediction["churnProbability"]?.doubleValue)
        #expect(probability > 0.5 && probability <= 1, "a short-tenure, high-charge, many-calls customer should be likely to churn")
    }
}
