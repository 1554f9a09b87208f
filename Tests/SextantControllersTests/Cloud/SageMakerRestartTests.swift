import Foundation
import KubeCore
import Testing
import TestSupport

/// kill -9 of a separate `sextant controller` (against `sextant dev --no-controller`) while a
/// SageMaker job runs in moto. The harness extension holds the job InProgress (moto alone would
/// complete it at once) and counts CreateTrainingJob calls, which is what proves adoption.
@Suite("SageMaker steps survive controller crashes", .serialized)
struct SageMakerRestartTests {
    /// The separate controller process these tests kill (TestSupport).
    typealias Controller = ControllerProcess

    @Test("kill -9 of the controller while the training job runs: after restarts one CreateTrainingJob, one attempt, and the run completes")
    func killNineWhileTraining() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        let harness = MotoHarnessClient(url: moto.url)
        try await harness.holdSageMaker(prefix: "sm-crash-train-")
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
        let applied = try await k.run(["apply", "-f", "-"], stdin: SageMakerEndToEndTests.pipeline("sm-crash"))
        #expect(applied.succeeded, "\(applied.stderr)")

        // Crash the controller at varying points: before, around and after the CreateTrainingJob.
        for i in 0..<6 {
            let c = try Controller(kubeconfig: cluster.kubeconfigPath, environment: moto.environment, log: log)
            try await Task.sleep(for: .milliseconds(900 + 400 * i))
            c.kill9()
        }
        // And once for certain while the job is InProgress with its ARN recorded.
        let c = try Controller(kubeconfig: cluster.kubeconfigPath, environment: moto.environment, log: log)
        let deadline = Date().addingTimeInterval(90)
        var recorded = ""
        while Date() < deadline {
            recorded = (try? await k.run(["-n", "default", "get", "mlp", "sm-crash", "-o", "jsonpath={.status.steps[1].attempts[0].cloudJob.id}"]))?.stdout ?? ""
            if recorded.hasPrefix("arn:") { break }
            try await Task.sleep(for: .milliseconds(300))
        }
        c.kill9()
        try #require(recorded.hasPrefix("arn:aws:sagemaker:"), "no training job recorded\n\(logs())")

        let last = try Controller(kubeconfig: cluster.kubeconfigPath, environment: moto.environment, log: log)
        defer { last.kill9() }
        try await Task.sleep(for: .seconds(2))
        try await harness.completeSageMaker(prefix: "sm-crash-train-", metrics: ["auc": 0.91], billableSeconds: 600, trainingSeconds: 1200)
        let waited = try await k.run(["-n", "default", "wait", "--for=condition=Succeeded", "mlp/sm-crash", "--timeout=120s"], timeout: 130)
        #expect(waited.succeeded, "\(waited.stderr)\n\(logs())")
        #expect(try await harness.sageMakerCount("CreateTrainingJob", prefix: "sm-crash-train-") == 1)
        let attempts = try await k.run(["-n", "default", "get", "mlp", "sm-crash", "-o", "jsonpath={range .status.steps[1].attempts[*]}{.attempt}:{.phase};{end}"]).stdout
        #expect(attempts == "0:Succeeded;", "\(attempts)")
        let byJob = try await harness.sageMakerCalls()["byJob"]?.objectValue ?? [:]
        #expect(byJob.keys.filter { $0.hasPrefix("sm-crash-train-") }.count == 1, "\(byJob.keys.sorted())")
    }
}
