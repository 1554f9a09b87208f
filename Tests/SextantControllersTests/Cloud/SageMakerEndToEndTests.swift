import Foundation
import KubeCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// SageMaker steps on a real `sextant dev` whose controller calls moto as AWS (`AWS_ENDPOINT_URL`),
/// checked with stock kubectl. moto alone completes a training job the moment it is created and has
/// no StopTrainingJob; the harness extension (Tests/harness/moto/sagemaker_ext.py) holds jobs
/// InProgress, completes them with billable/training seconds and metrics, implements
/// StopTrainingJob and counts calls — these tests rely on exactly that.
@Suite("SageMaker steps end to end on sextant dev against moto", .serialized)
struct SageMakerEndToEndTests {
    static let simulateFeatures = #"'{"exitCode":0,"seconds":1,"message":"{\"artifacts\":{\"features\":\"s3://acme-data/features/1\"}}"}'"#
    static let simulateOK = #"'{"exitCode":0,"seconds":1,"message":"{}"}'"#

    /// container → sagemaker (spot) → container.
    static func pipeline(_ name: String, spot: Bool = true) -> String {
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
            outputs: {artifacts: [model], metrics: [auc]}
            sagemaker:
              region: eu-west-1
              roleArn: arn:aws:iam::123456789012:role/sagemaker-training
              image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-train:1.4
              instanceType: ml.m5.xlarge
              instanceCount: 1
              hyperParameters: {lr: "0.05"}
              inputs: [{channel: train, s3Uri: "{{steps.prepare.outputs.artifacts.features}}"}]
              outputS3Uri: s3://acme-models/churn/
              maxRuntimeSeconds: 3600
          - name: evaluate
            dependsOn: [train]
            container: {image: ghcr.io/acme/churn:1.4, args: ["{{steps.train.outputs.artifacts.model}}"], podMetadata: {annotations: {dev.sextant.dev/simulate: \(simulateOK)}}}
        """
    }

    func kubectl(_ cluster: DevClusterProcess, _ args: [String], timeout: Double = 120) async throws -> String {
        let r = try await cluster.kubectl.run(["-n", "default"] + args, timeout: timeout)
        if !r.succeeded { Issue.record("kubectl \(args.joined(separator: " ")) failed: \(r.stderr)\n\(cluster.log().suffix(3000))") }
        return r.stdout
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

    @Test("container → SageMaker (spot) → container runs to Succeeded: model passed downstream, cost and spot savings in status, ARN and URL in kubectl describe")
    func runsToSucceeded() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        let harness = MotoHarnessClient(url: moto.url)
        try await harness.holdSageMaker(prefix: "sm-ok-train-")
        let cluster = try await DevClusterProcess.start(environment: moto.environment)
        defer { cluster.stop() }
        let applied = try await cluster.kubectl.run(["apply", "-f", "-"], stdin: Self.pipeline("sm-ok"))
        #expect(applied.succeeded, "\(applied.stderr)")
        // The job is created and held InProgress: the attempt records its ARN and console URL.
        try await waitFor("the training job's ARN in the attempt", log: cluster.log) {
            (try? await cluster.kubectl.run(["-n", "default", "get", "mlp", "sm-ok", "-o", "jsonpath={.status.steps[1].attempts[0].cloudJob.id}"]))?.stdout.hasPrefix("arn:aws:sagemaker:eu-west-1:") == true
        }
        let running = try await kubectl(cluster, ["get", "mlp", "sm-ok", "-o", "jsonpath={.status.phase} {.status.steps[1].phase}"])
        #expect(running == "Running Running")
        let jobName = try await kubectl(cluster, ["get", "mlp", "sm-ok", "-o", "jsonpath={.status.steps[1].attempts[0].cloudJob.id}"]).split(separator: "/").last.map(String.init) ?? ""
        #expect(jobName.hasPrefix("sm-ok-train-0-") && jobName.count <= 63)
        // What SageMaker was asked: spot fields, input from the upstream step, the outputs URI.
        let create = try #require(try await harness.sageMakerRequests(name: jobName).first)
        #expect(create["EnableManagedSpotTraining"] == true)
        #expect(create["StoppingCondition"] == ["MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200])
        #expect(create["InputDataConfig"]?[0]?[path: ["DataSource", "S3DataSource", "S3Uri"]] == "s3://acme-data/features/1")
        #expect(create[path: ["Environment", "SEXTANT_OUTPUTS_URI"]]?.stringValue == "s3://acme-models/churn/\(jobName)/sextant-outputs.json")

        try await harness.completeSageMaker(prefix: "sm-ok-train-", metrics: ["auc": 0.93], billableSeconds: 900, trainingSeconds: 3600)
        let waited = try await cluster.kubectl.run(["-n", "default", "wait", "--for=condition=Succeeded", "mlp/sm-ok", "--timeout=120s"], timeout: 130)
        if !waited.succeeded {
            let status = try await kubectl(cluster, ["get", "mlp", "sm-ok", "-o", "jsonpath={.status.steps}"])
            Issue.record("sm-ok did not succeed: \(status)")
        }
        let args = try await kubectl(cluster, ["get", "job", "sm-ok-evaluate-0", "-o", "jsonpath={.spec.template.spec.containers[0].args}"])
        #expect(args == #"["s3://acme-models/churn/\#(jobName)/output/model.tar.gz"]"#, "\(args)")
        let outputs = try await kubectl(cluster, ["get", "mlp", "sm-ok", "-o", "jsonpath={.status.steps[1].outputs.metrics.auc} {.status.steps[1].attempts[0].phase} {.status.steps[1].attempts[0].cloudJob.backend}"])
        #expect(outputs == "0.93 Succeeded sagemaker")
        // Cost: 900 billable s × $0.23/h (shipped default for ml.m5.xlarge, if priced) and 75 % spot savings.
        let cost = try await kubectl(cluster, ["get", "mlp", "sm-ok", "-o", "jsonpath={.status.steps[1].cost.billableSeconds} {.status.steps[1].cost.spotSavingsPercent} {.status.cost.spotSavingsPercent}"])
        #expect(cost.hasPrefix("900 75"), "\(cost)")
        let usd = try await kubectl(cluster, ["get", "mlp", "sm-ok", "-o", "jsonpath={.status.steps[1].cost.estimatedUSD}"])
        #expect((Double(usd) ?? 0) > 0, "estimatedUSD \(usd)")
        let describe = try await kubectl(cluster, ["describe", "mlp", "sm-ok"])
        #expect(describe.contains("arn:aws:sagemaker:eu-west-1:123456789012:training-job/\(jobName)"), "\(describe)")
        #expect(describe.contains("https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/\(jobName)"), "\(describe)")
        #expect(try await harness.sageMakerCount("CreateTrainingJob", prefix: "sm-ok-train-") == 1)
    }

    @Test("cancel stops the training job once (StopTrainingJob count 1) and the attempt ends Cancelled")
    func cancelStops() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        let harness = MotoHarnessClient(url: moto.url)
        try await harness.holdSageMaker(prefix: "sm-cancel-train-")
        let cluster = try await DevClusterProcess.start(environment: moto.environment)
        defer { cluster.stop() }
        let applied = try await cluster.kubectl.run(["apply", "-f", "-"], stdin: Self.pipeline("sm-cancel", spot: false))
        #expect(applied.succeeded, "\(applied.stderr)")
        try await waitFor("the training job to be created", log: cluster.log) {
            try await harness.sageMakerCount("CreateTrainingJob", prefix: "sm-cancel-train-") == 1
        }
        let finalizers = try await kubectl(cluster, ["get", "mlp", "sm-cancel", "-o", "jsonpath={.metadata.finalizers}"])
        #expect(finalizers.contains("ml.sextant.dev/cleanup"), "\(finalizers)")
        _ = try await kubectl(cluster, ["patch", "mlp", "sm-cancel", "--type=merge", "-p", #"{"spec":{"cancel":true}}"#])
        _ = try await kubectl(cluster, ["wait", "--for=jsonpath={.status.phase}=Cancelled", "mlp/sm-cancel", "--timeout=120s"], timeout: 130)
        let attempt = try await kubectl(cluster, ["get", "mlp", "sm-cancel", "-o", "jsonpath={.status.steps[1].phase} {.status.steps[1].attempts[0].phase} {.status.steps[2].phase}"])
        #expect(attempt.hasPrefix("Cancelled Cancelled"), "\(attempt)")
        #expect(try await harness.sageMakerCount("StopTrainingJob", prefix: "sm-cancel-train-") == 1)
        #expect(try await harness.sageMakerCount("CreateTrainingJob", prefix: "sm-cancel-train-") == 1)
        try await waitFor("the cleanup finalizer to be removed", log: cluster.log) {
            (try? await cluster.kubectl.run(["-n", "default", "get", "mlp", "sm-cancel", "-o", "jsonpath={.metadata.finalizers}"]))?.stdout.contains("ml.sextant.dev/cleanup") == false
        }
    }
}
