import Foundation
import TestSupport
import Testing

/// Runs the examples on a real `sextant dev` (simulate executor, operator in-process) and checks
/// them the way a user would, with stock kubectl.
@Suite("MLPipeline end to end on sextant dev", .serialized)
struct MLPipelineEndToEndTests {
    static let examples = ProcessRunner.packageRoot.appendingPathComponent("examples").path

    func kubectl(_ cluster: DevClusterProcess, _ args: [String], timeout: Double = 120) async throws -> CommandResult {
        let r = try await cluster.kubectl.run(["-n", "default"] + args, timeout: timeout)
        if !r.succeeded { Issue.record("kubectl \(args.joined(separator: " ")) failed: \(r.stderr)\n\(cluster.log().suffix(3000))") }
        return r
    }

    @Test("the 3-step example runs to Succeeded, registers churn-v1, and kubectl shows columns and events")
    func threeStep() async throws {
        let cluster = try await DevClusterProcess.start()
        defer { cluster.stop() }
        _ = try await kubectl(cluster, ["apply", "-f", "\(Self.examples)/pipelines/three-step.yaml"])
        _ = try await kubectl(cluster, ["wait", "--for=condition=Succeeded", "mlp/three-step", "--timeout=120s"], timeout: 130)
        let table = try await kubectl(cluster, ["get", "mlp", "three-step"]).stdout
        #expect(table.contains("PHASE") && table.contains("STEPS") && table.contains("MODEL VERSION") && table.contains("AGE"))
        #expect(table.contains("Succeeded") && table.contains("3/3") && table.contains("churn-v1"))
        let uri = try await kubectl(cluster, ["get", "mv", "churn-v1", "-o", "jsonpath={.spec.artifact.uri} {.spec.metrics.auc} {.spec.source.pipeline}"]).stdout
        #expect(uri == "s3://acme-models/churn/model.tar.gz 0.93 three-step")
        let jobs = try await kubectl(cluster, ["get", "jobs", "-l", "ml.sextant.dev/pipeline=three-step", "-o", "name"]).stdout
        #expect(jobs.split(separator: "\n").sorted() == ["job.batch/three-step-evaluate-0", "job.batch/three-step-prepare-0", "job.batch/three-step-train-0"])
        let args = try await kubectl(cluster, ["get", "job", "three-step-train-0", "-o", "jsonpath={.spec.template.spec.containers[0].args}"]).stdout
        #expect(args.contains("s3://acme-data/features/1"))
        let job = try await kubectl(cluster, ["get", "job", "three-step-train-0", "-o", "jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].controller} {.metadata.labels.app\\.kubernetes\\.io/managed-by} {.metadata.labels.ml\\.sextant\\.dev/step} {.metadata.labels.ml\\.sextant\\.dev/attempt} {.metadata.labels.ml\\.sextant\\.dev/model} {.spec.backoffLimit} {.spec.template.spec.restartPolicy} {.spec.template.spec.containers[0].terminationMessagePolicy} {.spec.template.metadata.annotations.dev\\.sextant\\.dev/simulate}"]).stdout
        #expect(job.hasPrefix("MLPipeline/three-step/true sextant train 0 churn 0 Never FallbackToLogsOnError {\"exitCode\":0"), "\(job)")
        let env = try await kubectl(cluster, ["get", "job", "three-step-train-0", "-o", "jsonpath={range .spec.template.spec.containers[0].env[*]}{.name}={.value};{end}"]).stdout
        #expect(env == "LR=0.05;SEXTANT_PIPELINE=three-step;SEXTANT_STEP=train;SEXTANT_ATTEMPT=0;SEXTANT_OUTPUTS_PATH=/dev/termination-log;", "\(env)")
        let lineage = try await kubectl(cluster, ["get", "mlp", "three-step", "-o", "jsonpath={.status.lineage.datasets[0].uri}@{.status.lineage.datasets[0].version} {.status.lineage.images} {.status.observedGeneration} {.status.progress}"]).stdout
        #expect(lineage == #"s3://acme-data/churn/events.parquet@3HL4kqtJlcpXroDTDmJ ["ghcr.io/acme/churn:1.4"] 1 3/3"#, "\(lineage)")
        let describe = try await kubectl(cluster, ["describe", "mlp", "three-step"]).stdout
        #expect(describe.contains("StepStarted") && describe.contains("StepSucceeded") && describe.contains("ModelRegistered"))
    }

    @Test("cache hit across runs, retries with one Job per attempt, and an invalid reference, as kubectl shows them")
    func cacheRetriesInvalid() async throws {
        let cluster = try await DevClusterProcess.start()
        defer { cluster.stop() }
        _ = try await kubectl(cluster, ["apply", "-f", "\(Self.examples)/pipelines/cached-a.yaml", "-f", "\(Self.examples)/pipelines/retries.yaml", "-f", "\(Self.examples)/invalid/undeclared-param.yaml"])
        _ = try await kubectl(cluster, ["wait", "--for=condition=Succeeded", "mlp/cached-a", "--timeout=120s"], timeout: 130)
        _ = try await kubectl(cluster, ["apply", "-f", "\(Self.examples)/pipelines/cached-b.yaml"])
        _ = try await kubectl(cluster, ["wait", "--for=condition=Succeeded", "mlp/cached-b", "--timeout=120s"], timeout: 130)
        let cached = try await kubectl(cluster, ["get", "mlp", "cached-b", "-o", "jsonpath={.status.steps[0].cached} {.status.steps[0].cachedFrom} {.status.steps[0].outputs.artifacts.table}"]).stdout
        #expect(cached == "true cached-a/features s3://acme/features/2026-11-26")
        let cachedJobs = try await kubectl(cluster, ["get", "jobs", "-l", "ml.sextant.dev/pipeline=cached-b", "-o", "name"]).stdout
        #expect(cachedJobs.isEmpty)
        let cachedEvents = try await kubectl(cluster, ["describe", "mlp", "cached-b"]).stdout
        #expect(cachedEvents.contains("CacheHit") && cachedEvents.contains("reused the result of cached-a/features"), "\(cachedEvents)")

        _ = try await kubectl(cluster, ["wait", "--for=jsonpath={.status.phase}=Failed", "mlp/retries", "--timeout=120s"], timeout: 130)
        let steps = try await kubectl(cluster, ["get", "mlp", "retries", "-o", "jsonpath={.status.steps[*].phase} {.status.steps[0].attempts[*].job}"]).stdout
        #expect(steps == "Failed Skipped retries-flaky-0 retries-flaky-1 retries-flaky-2")
        let retryJobs = try await kubectl(cluster, ["get", "jobs", "-l", "ml.sextant.dev/pipeline=retries", "-o", "name"]).stdout
        #expect(retryJobs.split(separator: "\n").count == 3)
        let describe = try await kubectl(cluster, ["describe", "mlp", "retries"]).stdout
        #expect(describe.contains("StepRetrying") && describe.contains("attempt 1 started as Job retries-flaky-1") && describe.contains("StepFailed") && describe.contains("StepSkipped"), "\(describe)")

        _ = try await kubectl(cluster, ["wait", "--for=jsonpath={.status.phase}=Failed", "mlp/invalid-undeclared-param", "--timeout=60s"], timeout: 70)
        let reason = try await kubectl(cluster, ["get", "mlp", "invalid-undeclared-param", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}"]).stdout
        #expect(reason == "InvalidReference")
        let invalidJobs = try await kubectl(cluster, ["get", "jobs", "-l", "ml.sextant.dev/pipeline=invalid-undeclared-param", "-o", "name"]).stdout
        #expect(invalidJobs.isEmpty)
    }
}
