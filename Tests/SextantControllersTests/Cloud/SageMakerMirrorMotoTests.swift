import CloudAWS
import Foundation
import KubeCore
import Logging
import SextantAPI
@testable import SextantControllers
import Testing
import TestSupport

/// `SageMakerMirror` against moto (one peer for the suite's one test, to keep it fast). moto serves
/// the model package calls; Tests/harness/moto/sagemaker_registry_ext.py adds DeleteModelPackage and
/// monotonic version numbers after a delete.
@Suite("SageMaker registry mirror against moto", .serialized)
struct SageMakerMirrorMotoTests {
    static let region = "eu-west-1"
    let logger = Logger(label: "sagemaker-mirror-test")

    func subject(_ name: String, uid: String, stage: String, metrics: [String: Double] = ["auc": 0.91]) -> MirrorSubject {
        MirrorSubject(namespace: "ml", name: name, uid: uid, model: "churn", version: 1, artifactURI: "s3://acme/churn/\(name)/model.tar.gz",
                      metrics: metrics, stage: stage, registries: RegistriesSpec(sagemaker: SageMakerRegistry(region: Self.region, modelPackageGroup: "churn")))
    }

    @Test("ensure creates the group and one package, finds it again without a recorded ARN, syncs approval and metrics with the stage, deletes it; AWS errors keep their kind")
    func lifecycle() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        let client = AWSClient(environment: moto.environment, logger: logger,
                               retry: AWSRetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)))
        let mirror = SageMakerMirror(client: client)
        let context = CloudCallContext(namespace: "ml", objectName: "churn-v1", logger: logger)
        let calls = AWSJobCalls(client: client)
        func describe(_ arn: String) async throws -> JSONValue {
            try await calls.call(.describeModelPackage, region: Self.region, input: ["ModelPackageName": .string(arn)], context: context)
        }
        func packages() async throws -> [JSONValue] {
            try await calls.call(.listModelPackages, region: Self.region, input: ["ModelPackageGroupName": "churn"], context: context)["ModelPackageSummaryList"]?.arrayValue ?? []
        }

        var v1 = subject("churn-v1", uid: "11111111-aaaa-4bbb-8ccc-000000000001", stage: ModelStage.staging)
        let first = try await mirror.ensure(v1, context: context)
        #expect(first.created)
        #expect(first.id == "arn:aws:sagemaker:eu-west-1:\(MotoPeer.accountID):model-package/churn/1")
        #expect(first.url?.contains("model-package-groups/churn/versions/1") == true)
        #expect(try await mirror.sync(v1, record: first, context: context) == "PendingManualApproval")

        // A restart: nothing recorded, found again by the uid; never a second package.
        let again = try await mirror.ensure(v1, context: context)
        #expect(!again.created && again.id == first.id)
        v1.recordedID = first.id
        #expect(try await mirror.ensure(v1, context: context) == again)
        #expect(try await packages().count == 1)

        // Promotion: Approved with the metrics; a second version in the group.
        v1.stage = ModelStage.production
        v1.metrics = ["auc": 0.93, "loss": 0.2]
        #expect(try await mirror.sync(v1, record: first, context: context) == "Approved")
        var d = try await describe(first.id)
        #expect(d["ModelApprovalStatus"] == "Approved")
        #expect(d[path: ["CustomerMetadataProperties", "metric.auc"]] == "0.93")
        #expect(d[path: ["CustomerMetadataProperties", "metric.loss"]] == "0.2")
        #expect(d[path: ["CustomerMetadataProperties", "sextant.uid"]]?.stringValue == v1.uid)
        #expect(d["SourceUri"] == nil || d["SourceUri"] == "s3://acme/churn/churn-v1/model.tar.gz")

        let v2 = subject("churn-v2", uid: "22222222-aaaa-4bbb-8ccc-000000000002", stage: ModelStage.production)
        let second = try await mirror.ensure(v2, context: context)
        #expect(second.created && second.id.hasSuffix("/churn/2"))
        _ = try await mirror.sync(v2, record: second, context: context)

        // Superseded: Rejected.
        v1.stage = ModelStage.archived
        #expect(try await mirror.sync(v1, record: first, context: context) == "Rejected")
        d = try await describe(first.id)
        #expect(d["ModelApprovalStatus"] == "Rejected")
        #expect(try await describe(second.id)["ModelApprovalStatus"] == "Approved")

        // An injected throttling answer surfaces as CloudUnavailable (retried later by the controller).
        let harness = MotoHarnessClient(url: moto.url)
        try await harness.injectFault("SageMaker.UpdateModelPackage", code: "ThrottlingException", count: 4)
        v1.stage = ModelStage.production
        await #expect(throws: CloudBackendError.self) { try await mirror.sync(v1, record: first, context: context) }
        do {
            _ = try await mirror.sync(v1, record: first, context: context)
        } catch let e as CloudBackendError {
            #expect(e.kind == .unavailable, "\(e)")
        }
        try await harness.post("/sextant-harness/faults", ["clear": true])

        // Delete: gone, and a later delete finds nothing to do; the next version gets number 3.
        try await mirror.delete(v1, context: context)
        try await mirror.delete(v1, context: context)
        #expect(try await packages().map { $0["ModelPackageArn"]?.stringValue } == [second.id])
        let v3 = subject("churn-v3", uid: "33333333-aaaa-4bbb-8ccc-000000000003", stage: ModelStage.none)
        let third = try await mirror.ensure(v3, context: context)
        #expect(third.id.hasSuffix("/churn/3"))
    }
}
