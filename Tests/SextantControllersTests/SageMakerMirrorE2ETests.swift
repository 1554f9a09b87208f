import CloudAWS
import Foundation
import KubeCore
import Logging
import Testing
import TestSupport

private func mirroredVersion(_ name: String, _ number: Int, stage: String, deletePolicy: Bool, metrics: String = "{auc: 0.91}") -> String {
    """
    apiVersion: ml.sextant.dev/v1alpha1
    kind: ModelVersion
    metadata:
      name: \(name)
      namespace: default
    \(deletePolicy ? "  annotations: {ml.sextant.dev/deletion-policy: delete}" : "")
    spec:
      model: churn
      version: \(number)
      artifact: {uri: "s3://acme-models/churn/\(number)/model.tar.gz"}
      metrics: \(metrics)
      stage: \(stage)
      registries:
        sagemaker: {region: \(MotoPeer.region), modelPackageGroup: churn}
    """
}

private let mirrored = RegistryE2E.mirroredStatus

/// The ModelVersion controller (a separate `sextant controller` on `sextant dev`) mirroring versions
/// into moto's SageMaker Model Registry: what `kubectl describe` shows, approval statuses through
/// promotion and supersede, no second package after a kill -9, and the deletion policy.
@Suite("SageMaker registry mirror end to end", .serialized)
struct SageMakerMirrorE2ETests {
    @Test("a promoted version is an Approved package (URL in status and describe), a superseded one Rejected; kill -9 makes no duplicate; deletion-policy delete removes the package, the default keeps it")
    func mirrorLifecycle() async throws {
        let moto = try await MotoPeer.start()
        defer { moto.stop() }
        let e = try await RegistryE2E.start(startController: false)
        defer { e.stop() }
        try e.startController(environment: moto.environment)
        let aws = AWSClient(environment: moto.environment, logger: Logger(label: "e2e"))
        func packages() async throws -> [String: String] {
            let list = try await aws.json(.listModelPackages, region: MotoPeer.region, input: ["ModelPackageGroupName": "churn"])
            var byArn: [String: String] = [:]
            for p in list["ModelPackageSummaryList"]?.arrayValue ?? [] {
                if let arn = p["ModelPackageArn"]?.stringValue { byArn[arn] = p["ModelApprovalStatus"]?.stringValue ?? "" }
            }
            return byArn
        }

        try await e.apply(mirroredVersion("churn-v1", 1, stage: "Production", deletePolicy: true))
        try await e.waitFor("mv", "churn-v1", mirrored, equals: "True")
        let arn1 = try await e.jsonpath("mv", "churn-v1", "{.status.registries[0].id}")
        #expect(arn1 == "arn:aws:sagemaker:\(MotoPeer.region):\(MotoPeer.accountID):model-package/churn/1")
        #expect(try await e.jsonpath("mv", "churn-v1", "{.status.registries[0].stage}") == "Approved")
        #expect(try await e.jsonpath("mv", "churn-v1", "{.metadata.finalizers}").contains("ml.sextant.dev/registry-mirrors"))
        let url = try await e.jsonpath("mv", "churn-v1", "{.status.registries[0].url}")
        #expect(url.hasPrefix("https://\(MotoPeer.region).console.aws.amazon.com/sagemaker/"))
        let described = try await e.k("describe", "mv", "churn-v1")
        #expect(described.contains(url), "describe shows the mirror's URL:\n\(described)")
        #expect(described.contains("MirrorCreated"), "\(described)")
        #expect(try await packages() == [arn1: "Approved"])

        // A second Production version supersedes the first: Approved and Rejected.
        try await e.apply(mirroredVersion("churn-v2", 2, stage: "Production", deletePolicy: false, metrics: "{auc: 0.95}"))
        try await e.waitFor("mv", "churn-v1", "{.status.registries[0].stage}", equals: "Rejected")
        try await e.waitFor("mv", "churn-v2", mirrored, equals: "True")
        let arn2 = try await e.jsonpath("mv", "churn-v2", "{.status.registries[0].id}")
        #expect(try await e.jsonpath("mv", "churn-v2", "{.metadata.finalizers}").isEmpty, "no finalizer without the deletion policy")
        #expect(try await packages() == [arn1: "Rejected", arn2: "Approved"])

        // kill -9 and a restart: the mirrors are in step, nothing is created again.
        e.stopController(crash: true)
        try await e.k("annotate", "mv", "churn-v2", "touched=1")
        try e.startController(environment: moto.environment)
        try await Task.sleep(for: .seconds(3))
        #expect(try await packages() == [arn1: "Rejected", arn2: "Approved"])

        // Deletion policy delete: the package goes with the object; the default keeps it.
        try await e.k("delete", "mv", "churn-v1", "--wait=true", "--timeout=60s")
        #expect(try await packages() == [arn2: "Approved"])
        try await e.k("delete", "mv", "churn-v2", "--wait=true", "--timeout=60s")
        #expect(try await packages() == [arn2: "Approved"])
    }
}
