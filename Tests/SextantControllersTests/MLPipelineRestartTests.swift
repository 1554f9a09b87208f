import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// kill -9 of a separate `sextant controller` process in the middle of runs.
@Suite("MLPipeline controller restarts")
struct MLPipelineRestartTests {
    final class ControllerProcess {
        let process = Process()
        init(kubeconfig: String) throws {
            process.executableURL = URL(fileURLWithPath: try DevClusterProcess.binaryPath())
            process.arguments = ["controller", "--kubeconfig", kubeconfig, "--namespace", "default",
                                 "--metrics-bind-address", "0", "--health-probe-bind-address", "0"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }
        func kill9() {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    @Test("killing the controller with SIGKILL repeatedly mid-run creates no second Job per attempt and registers once")
    func killNine() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--no-controller"])
        defer { cluster.stop() }
        let k = cluster.kubectl
        let sim = #"'{"exitCode":0,"seconds":2,"message":"{\"artifacts\":{\"m\":\"s3://m\"},\"metrics\":{\"auc\":0.9}}"}'"#
        let yaml = """
        apiVersion: ml.sextant.dev/v1alpha1
        kind: MLPipeline
        metadata: {name: crashy, namespace: default}
        spec:
          steps:
          - {name: a, outputs: {artifacts: [m]}, container: {image: i, podMetadata: {annotations: {dev.sextant.dev/simulate: \(sim)}}}}
          - {name: b, dependsOn: [a], outputs: {artifacts: [m], metrics: [auc]}, container: {image: i, args: ["{{steps.a.outputs.artifacts.m}}"], podMetadata: {annotations: {dev.sextant.dev/simulate: \(sim)}}}}
          - {name: c, dependsOn: [b], outputs: {metrics: [auc]}, container: {image: i, podMetadata: {annotations: {dev.sextant.dev/simulate: \(sim)}}}}
          register: {model: crashy, artifact: "{{steps.b.outputs.artifacts.m}}", metricsFrom: c}
        """
        let applied = try await k.run(["apply", "-f", "-"], stdin: yaml)
        #expect(applied.succeeded, "\(applied.stderr)")
        // Kill the controller at varying points of the run, eight times.
        for i in 0..<8 {
            let controller = try ControllerProcess(kubeconfig: cluster.kubeconfigPath)
            try await Task.sleep(for: .milliseconds(700 + 250 * i))
            controller.kill9()
        }
        let last = try ControllerProcess(kubeconfig: cluster.kubeconfigPath)
        defer { last.kill9() }
        let waited = try await k.run(["-n", "default", "wait", "--for=condition=Succeeded", "mlp/crashy", "--timeout=120s"], timeout: 130)
        #expect(waited.succeeded, "\(waited.stderr)")
        let jobs = try await k.run(["-n", "default", "get", "jobs", "-o", "name"]).stdout
        #expect(jobs.split(separator: "\n").sorted() == ["job.batch/crashy-a-0", "job.batch/crashy-b-0", "job.batch/crashy-c-0"])
        let mvs = try await k.run(["-n", "default", "get", "mv", "-o", "jsonpath={.items[*].metadata.name}"]).stdout
        #expect(mvs == "crashy-v1")
        let attempts = try await k.run(["-n", "default", "get", "mlp", "crashy", "-o", "jsonpath={.status.steps[*].attempts[*].job} {.status.lineage.modelVersion}"]).stdout
        #expect(attempts == "crashy-a-0 crashy-b-0 crashy-c-0 crashy-v1")
    }
}
