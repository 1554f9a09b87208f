import Foundation
import KubeCore
import Testing
import TestSupport

/// Real pipelines written with the kfp SDK (Tests/harness/kfp/*.py), compiled by kfp 2.17
/// (`hack/install-tools.sh kfp`), imported with `sextant import kfp` and run to Succeeded on
/// `sextant dev --executor local` (the containers' commands run as host processes).
@Suite("KFP import end to end", .serialized)
struct KFPImportEndToEndTests {
    static let harness = ProcessRunner.packageRoot.appendingPathComponent("Tests/harness/kfp")

    /// Compiles `Tests/harness/kfp/<script>.py` with the kfp SDK and returns the IR file.
    static func compile(_ script: String) async throws -> URL {
        let python = ProcessRunner.packageRoot.appendingPathComponent(".sextant/kfp-venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "kfp is not installed: run hack/install-tools.sh kfp")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("kfp-\(script)-\(UUID().uuidString.prefix(8)).yaml")
        let result = try await ProcessRunner.run(python, [harness.appendingPathComponent("\(script).py").path, out.path], timeout: 120)
        try #require(result.succeeded, "kfp compile of \(script) failed: \(result.stderr)")
        return out
    }

    /// `sextant import kfp FILE --name NAME`.
    static func importKFP(_ file: URL, name: String) async throws -> CommandResult {
        try await ProcessRunner.run(try DevClusterProcess.binaryPath(), ["import", "kfp", file.path, "--name", name], timeout: 60)
    }

    @Test("the kfp samples (parameters DAG, fan-out/fan-in, resources and retries with an artifact) import and run to Succeeded")
    func importedPipelinesSucceed() async throws {
        let cluster = try await DevClusterProcess.start(extraArguments: ["--executor", "local"], timeout: 120)
        defer { cluster.stop() }
        let kubectl = cluster.kubectl
        let runs = [("params_dag", "kfp-params"), ("fan_out_in", "kfp-fan"), ("resources_retries", "kfp-resources")]
        for (script, name) in runs {
            let ir = try await Self.compile(script)
            defer { try? FileManager.default.removeItem(at: ir) }
            let imported = try await Self.importKFP(ir, name: name)
            try #require(imported.succeeded, "import of \(script) failed: \(imported.stderr)")
            let applied = try await kubectl.run(["apply", "-f", "-"], stdin: imported.stdout)
            try #require(applied.succeeded, "apply of \(script) failed: \(applied.stderr)\n\(imported.stdout)")
        }
        for (script, name) in runs {
            let wait = try await kubectl.run(["wait", "--for=condition=Succeeded", "mlp/\(name)", "--timeout=180s"], timeout: 200)
            let status = try await kubectl("get", "mlp", name, "-o", "yaml")
            #expect(wait.succeeded, "\(script) did not succeed: \(status.stdout)\n\(cluster.log().suffix(3000))")
        }
        // The values passed along are the ones the KFP components wrote to their output files.
        let greeting = try await kubectl("get", "mlp", "kfp-params", "-o", "jsonpath={.status.steps[?(@.name==\"greet\")].outputs.artifacts.greeting}")
        #expect(greeting.stdout == "hello world")
        let total = try await kubectl("get", "mlp", "kfp-fan", "-o", "jsonpath={.status.steps[?(@.name==\"join\")].outputs.artifacts.total}")
        #expect(total.stdout == "42")
        let accuracy = try await kubectl("get", "mlp", "kfp-resources", "-o", "jsonpath={.status.steps[?(@.name==\"train\")].outputs.artifacts.accuracy}")
        #expect(accuracy.stdout == "0.9")
        let job = try await kubectl("get", "job", "kfp-resources-train-0", "-o", "jsonpath={.spec.template.spec.containers[0].resources.limits.memory}")
        #expect(job.stdout == "4G")
        let retry = try await kubectl("get", "mlp", "kfp-resources", "-o", "jsonpath={.spec.steps[?(@.name==\"train\")].retry.limit}")
        #expect(retry.stdout == "2")
    }

    @Test("a pipeline with dsl.If, dsl.ParallelFor and dsl.ExitHandler is refused with one error naming each place")
    func controlFlowRefused() async throws {
        let ir = try await Self.compile("unsupported")
        defer { try? FileManager.default.removeItem(at: ir) }
        let result = try await Self.importKFP(ir, name: "flow")
        #expect(result.exitCode == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("root.dag.tasks.echo: exit handlers"), "\(result.stderr)")
        #expect(result.stderr.contains("condition-2: conditions"), "\(result.stderr)")
        #expect(result.stderr.contains("for-loop-3: loops (dsl.ParallelFor)"), "\(result.stderr)")
    }
}
