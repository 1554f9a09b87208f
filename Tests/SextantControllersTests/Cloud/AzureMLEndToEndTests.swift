import Foundation
import KubeCore
import Testing
import TestSupport

/// Azure ML steps on a real `sextant dev` (API server only) with a separate `sextant controller`
/// process calling the scripted Azure fake (Tests/harness/azure/fake_azure.py) through
/// AZURE_AUTHORITY_HOST / AZURE_RESOURCE_MANAGER_ENDPOINT / AZURE_STORAGE_BLOB_ENDPOINT with workload
/// identity. One fake and one cluster for the suite; the controller runs apart so it can be killed with -9.
@Suite("Azure ML steps end to end on sextant dev against the Azure fake", .serialized)
struct AzureMLEndToEndTests {
    static let simulateFeatures = #"'{"exitCode":0,"seconds":1,"message":"{\"artifacts\":{\"features\":\"az://acmeml/data/features/1\"}}"}'"#
    static let simulateOK = #"'{"exitCode":0,"seconds":1,"message":"{}"}'"#

    /// container → azureML (2 instances) → container.
    static func pipeline(_ name: String, spot: Bool) -> String {
        """
        apiVersion: ml.sextant.dev/v1alpha1
        kind: MLPipeline
        metadata: {name: \(name), namespace: default}
        spec:
          steps:
          - name: prepare
            outputs: {artifacts: [features]}
            container: {image: ghcr.io/acme/churn:1.4, podMetadata: {annotations: {dev.sextant.dev/simulate: \(simulateFeatures)}}}
          - name: train
            dependsOn: [prepare]
            spot: \(spot)
            timeoutSeconds: 3600
            outputs: {artifacts: [model], metrics: [auc]}
            azureML:
              subscriptionId: 00000000-0000-0000-0000-000000000001
              resourceGroup: ml-rg
              workspace: ml-ws
              compute: cpu-cluster
              environment: acme.azurecr.io/churn-train:1.4
              command: "python train.py --features {{steps.prepare.outputs.artifacts.features}}"
              instanceCount: 2
              outputUri: az://acmeml/models/churn
          - name: evaluate
            dependsOn: [train]
            container: {image: ghcr.io/acme/churn:1.4, args: ["{{steps.train.outputs.artifacts.model}}"], podMetadata: {annotations: {dev.sextant.dev/simulate: \(simulateOK)}}}
        """
    }

    /// The separate controller process these tests kill (TestSupport).
    typealias Controller = ControllerProcess

    func jsonpath(_ k: Kubectl, _ name: String, _ path: String) async -> String {
        (try? await k.run(["-n", "default", "get", "mlp", name, "-o", "jsonpath=\(path)"]))?.stdout ?? ""
    }

    func waitFor(_ what: String, timeout: Double = 90, log: () -> String, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("timed out waiting for \(what)\n\(log().suffix(4000))")
        throw TestSupportError.timeout(what)
    }

    func jobs(_ azure: FakeAzurePeer, prefix: String) async throws -> [String: JSONValue] {
        try await azure.jobs().filter { $0.key.hasPrefix(prefix) }
    }

    @Test("container → Azure ML (spot) → container succeeds with outputs passed downstream and cost; cancel cancels the job; kill -9 of the controller mid-job leaves one job per attempt")
    func azureMLOnDev() async throws {
        let azure = try await FakeAzurePeer.start()
        defer { azure.stop() }
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let log = cluster.dataDirectory.appendingPathComponent("controller.log")
        let logs = { "controller log:\n\(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(4000))" }
        let k = cluster.kubectl
        if !(try await k.run(["get", "crd", "mlpipelines.ml.sextant.dev"])).succeeded {
            let crds = try await k.run(["apply", "-f", ProcessRunner.packageRoot.appendingPathComponent("crds").path])
            try #require(crds.succeeded, "\(crds.stderr)")
        }
        var served = false
        for _ in 0..<100 where !served {
            served = (try await k.run(["get", "mlp"])).succeeded
            if !served { try await Task.sleep(for: .milliseconds(200)) }
        }
        var controller = try Controller(kubeconfig: cluster.kubeconfigPath, environment: azure.environment, log: log)
        defer { controller.kill9() }

        // 1. Succeeded: the job is PUT once with spot and the outputs URI; outputs flow downstream; cost in status.
        try await azure.script(prefix: "az-ok-train-", states: ["NotStarted", "Queued", "Running"])
        #expect(try await k.run(["apply", "-f", "-"], stdin: Self.pipeline("az-ok", spot: true)).succeeded)
        try await waitFor("the Azure ML job's id in the attempt", log: logs) {
            await jsonpath(k, "az-ok", "{.status.steps[1].attempts[0].cloudJob.id}").contains("/jobs/az-ok-train-0-")
        }
        let okJobs = try await jobs(azure, prefix: "az-ok-train-")
        let (jobName, job) = try #require(okJobs.first)
        #expect(okJobs.count == 1)
        #expect(job[path: ["props", "queueSettings", "jobTier"]] == "Spot")
        #expect(job[path: ["props", "resources", "instanceCount"]] == 2)
        #expect(job[path: ["props", "distribution", "distributionType"]] == "PyTorch")
        #expect(job[path: ["props", "command"]] == "python train.py --features az://acmeml/data/features/1")
        #expect(job[path: ["props", "environmentVariables", "SEXTANT_OUTPUTS_URI"]] == .string("az://acmeml/models/churn/\(jobName)/sextant-outputs.json"))
        let url = await jsonpath(k, "az-ok", "{.status.steps[1].attempts[0].cloudJob.url} {.status.steps[1].attempts[0].cloudJob.backend}")
        #expect(url == "https://ml.azure.com/runs/\(jobName)?wsid=/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/ml-rg/workspaces/ml-ws azureML")
        try await azure.putBlob("acmeml/models/churn/\(jobName)/sextant-outputs.json", #"{"metrics":{"auc":0.94}}"#)
        try await azure.finish(prefix: "az-ok-train-", status: "Completed", seconds: 1800)
        let waited = try await k.run(["-n", "default", "wait", "--for=condition=Succeeded", "mlp/az-ok", "--timeout=120s"], timeout: 130)
        let okSteps = await jsonpath(k, "az-ok", "{.status.steps}")
        #expect(waited.succeeded, "\(okSteps)\n\(logs())")
        let args = (try await k.run(["-n", "default", "get", "job", "az-ok-evaluate-0", "-o", "jsonpath={.spec.template.spec.containers[0].args}"])).stdout
        #expect(args == #"["azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.\#(jobName)"]"#, "\(args)")
        #expect(await jsonpath(k, "az-ok", "{.status.steps[1].outputs.metrics.auc} {.status.steps[1].attempts[0].phase}") == "0.94 Succeeded")
        let cost = await jsonpath(k, "az-ok", "{.status.steps[1].cost.billableSeconds} {.status.steps[1].cost.spotSavingsPercent} {.status.steps[1].cost.estimatedUSD}")
        let parts = cost.split(separator: " ")
        #expect(parts.count == 3 && parts[0] == "1800" && parts[1] == "60" && (Double(parts[2]) ?? 0) > 0, "\(cost)")
        #expect(!(await jsonpath(k, "az-ok", "{.status.cost.estimatedUSD}")).isEmpty)

        // 2. Cancel: one cancel POST, the attempt ends Cancelled, the finalizer goes.
        #expect(try await k.run(["apply", "-f", "-"], stdin: Self.pipeline("az-cancel", spot: false)).succeeded)
        try await waitFor("the job to be created", log: logs) { try await jobs(azure, prefix: "az-cancel-train-").count == 1 }
        #expect(try await jobs(azure, prefix: "az-cancel-train-").first?.value[path: ["props", "queueSettings"]] == nil)
        _ = try await k.run(["-n", "default", "patch", "mlp", "az-cancel", "--type=merge", "-p", #"{"spec":{"cancel":true}}"#])
        _ = try await k.run(["-n", "default", "wait", "--for=jsonpath={.status.phase}=Cancelled", "mlp/az-cancel", "--timeout=120s"], timeout: 130)
        #expect(await jsonpath(k, "az-cancel", "{.status.phase} {.status.steps[1].attempts[0].phase}") == "Cancelled Cancelled")
        let cancelled = try #require(try await jobs(azure, prefix: "az-cancel-train-").first?.value)
        #expect(cancelled["cancels"] == 1 && cancelled["puts"] == 1, "\(cancelled)")
        try await waitFor("the cleanup finalizer to be removed", log: logs) {
            !(await jsonpath(k, "az-cancel", "{.metadata.finalizers}")).contains("ml.sextant.dev/cleanup")
        }

        // 3. kill -9 of the controller at varying points around the PUT, then once with the id recorded.
        try await azure.script(prefix: "az-crash-train-", states: ["NotStarted", "Running"])
        #expect(try await k.run(["apply", "-f", "-"], stdin: Self.pipeline("az-crash", spot: true)).succeeded)
        controller.kill9()
        for i in 0..<4 {
            let c = try Controller(kubeconfig: cluster.kubeconfigPath, environment: azure.environment, log: log)
            try await Task.sleep(for: .milliseconds(900 + 500 * i))
            c.kill9()
        }
        controller = try Controller(kubeconfig: cluster.kubeconfigPath, environment: azure.environment, log: log)
        try await waitFor("the crash run's job id", log: logs) {
            await jsonpath(k, "az-crash", "{.status.steps[1].attempts[0].cloudJob.id}").contains("/jobs/az-crash-train-0-")
        }
        controller.kill9()
        controller = try Controller(kubeconfig: cluster.kubeconfigPath, environment: azure.environment, log: log)
        try await Task.sleep(for: .seconds(2))
        let crashName = try #require(try await jobs(azure, prefix: "az-crash-train-").first?.key)
        try await azure.putBlob("acmeml/models/churn/\(crashName)/sextant-outputs.json", #"{"metrics":{"auc":0.9}}"#)
        try await azure.finish(prefix: "az-crash-train-", status: "Completed", seconds: 600)
        let crashWaited = try await k.run(["-n", "default", "wait", "--for=condition=Succeeded", "mlp/az-crash", "--timeout=120s"], timeout: 130)
        let crashSteps = await jsonpath(k, "az-crash", "{.status.steps}")
        #expect(crashWaited.succeeded, "\(crashWaited.stderr)\n\(crashSteps)\n\(logs())")
        let crashJobs = try await jobs(azure, prefix: "az-crash-train-")
        #expect(crashJobs.count == 1 && crashJobs.first?.value["puts"] == 1, "\(crashJobs.mapValues { $0["puts"] ?? .null })")
        #expect(await jsonpath(k, "az-crash", "{range .status.steps[1].attempts[*]}{.attempt}:{.phase};{end}") == "0:Succeeded;")
        // No token or secret in status or events.
        let dump = (try await k.run(["-n", "default", "get", "mlp,events", "-o", "yaml"])).stdout
        #expect(dump.range(of: #"fake\.[0-9]+\.[0-9a-f]{24}"#, options: .regularExpression) == nil && !dump.contains(azure.federatedToken),
                "a token leaked into status or events")
    }
}
