import Foundation
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

/// The pure registry-mirror planner and the SageMaker request bodies, without I/O.
@Suite("Registry mirror planner")
struct MirrorPlannerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let both = RegistriesSpec(sagemaker: SageMakerRegistry(region: "eu-west-1", modelPackageGroup: "churn"),
                              mlflow: MLflowRegistry(trackingURI: "http://mlflow:5000", name: "churn"))

    func input(_ registries: RegistriesSpec?, recorded: [RegistryStatus] = [], stage: String = ModelStage.production, generation: Int64 = 3) -> MirrorPlanner.Input {
        MirrorPlanner.Input(registries: registries, recorded: recorded, stage: stage, generation: generation, now: now)
    }

    func synced(_ registry: String, stage: String, generation: Int64 = 3) -> RegistryStatus {
        RegistryStatus(registry: registry, id: "id-\(registry)", synced: true, stage: MirrorStages.registryStage(registry, stage: stage),
                       observedGeneration: generation)
    }

    @Test("a version with registries and no status syncs every configured registry; none configured plans nothing")
    func firstPassSyncsAll() {
        #expect(MirrorPlanner.plan(input(both)).sync == ["sagemaker", "mlflow"])
        #expect(MirrorPlanner.plan(input(nil)) == MirrorPlanner.Plan())
    }

    @Test("a mirror in step with the generation and the registry's form of the stage is left alone")
    func inSyncIsLeftAlone() {
        let recorded = [synced("sagemaker", stage: ModelStage.production), synced("mlflow", stage: ModelStage.production)]
        #expect(MirrorPlanner.plan(input(both, recorded: recorded)).sync.isEmpty)
    }

    @Test("a stage change (supersede, rollback) or a new generation makes the mirror sync again")
    func stageOrGenerationChangeSyncs() {
        let recorded = [synced("sagemaker", stage: ModelStage.production), synced("mlflow", stage: ModelStage.production)]
        #expect(MirrorPlanner.plan(input(both, recorded: recorded, stage: ModelStage.archived)).sync == ["sagemaker", "mlflow"])
        #expect(MirrorPlanner.plan(input(both, recorded: recorded, generation: 4)).sync == ["sagemaker", "mlflow"])
        // Staging and None map to the same SageMaker status but different MLflow aliases.
        let staging = [synced("sagemaker", stage: ModelStage.staging), synced("mlflow", stage: ModelStage.staging)]
        #expect(MirrorPlanner.plan(input(both, recorded: staging, stage: ModelStage.none)).sync == ["mlflow"])
    }

    @Test("a failed mirror waits for its backoff; the plan says when to come back")
    func backoffWaits() {
        var i = input(both)
        i.notBefore = ["sagemaker": now.addingTimeInterval(20), "mlflow": now.addingTimeInterval(-1)]
        let plan = MirrorPlanner.plan(i)
        #expect(plan.sync == ["mlflow"])
        #expect(plan.retryAt == now.addingTimeInterval(20))
        #expect(MirrorPlanner.backoffSeconds(failures: 1) == 5)
        #expect(MirrorPlanner.backoffSeconds(failures: 3) == 20)
        #expect(MirrorPlanner.backoffSeconds(failures: 20) == 300)
    }

    @Test("the finalizer is added only with deletion-policy delete, and removed when the annotation goes")
    func finalizerOnlyWithDeletePolicy() {
        var i = input(both)
        #expect(MirrorPlanner.plan(i).finalizer == .none)
        i.deletionPolicyDelete = true
        #expect(MirrorPlanner.plan(i).finalizer == .add)
        i.hasFinalizer = true
        #expect(MirrorPlanner.plan(i).finalizer == .none)
        i.deletionPolicyDelete = false
        #expect(MirrorPlanner.plan(i).finalizer == .remove)
        // No registries: no finalizer even with the annotation.
        var none = input(nil)
        none.deletionPolicyDelete = true
        #expect(MirrorPlanner.plan(none).finalizer == .none)
    }

    @Test("deleting with policy delete deletes every mirror then removes the finalizer; without the policy nothing is deleted")
    func deletion() {
        var i = input(both, recorded: [synced("sagemaker", stage: ModelStage.production)])
        i.deleting = true
        i.hasFinalizer = true
        i.deletionPolicyDelete = true
        let plan = MirrorPlanner.plan(i)
        #expect(plan.delete == ["mlflow", "sagemaker"])
        #expect(plan.finalizer == .remove)
        i.deletionPolicyDelete = false
        #expect(MirrorPlanner.plan(i).delete.isEmpty)
        i.hasFinalizer = false
        i.deletionPolicyDelete = true
        #expect(MirrorPlanner.plan(i) == MirrorPlanner.Plan(), "no finalizer: the object is gone for us")
        i.hasFinalizer = true
        i.notBefore = ["sagemaker": now.addingTimeInterval(30)]
        let waiting = MirrorPlanner.plan(i)
        #expect(waiting.delete == ["mlflow"] && waiting.finalizer == .none && waiting.retryAt == now.addingTimeInterval(30))
    }

    @Test("a duplicate version is never mirrored")
    func duplicateNotMirrored() {
        var i = input(both)
        i.isDuplicate = true
        #expect(MirrorPlanner.plan(i).sync.isEmpty)
    }

    @Test("the id is kept when the sync after it fails; Mirrored is False with the failure's reason, True/Synced when all are in step")
    func entriesAndCondition() throws {
        let record = MirrorRecord(id: "arn:aws:sagemaker:eu-west-1:1:model-package/churn/1", url: "https://console/1", created: true)
        let failure = CloudBackendError(.unavailable, "ThrottlingException: slow down")
        let results: [String: MirrorPlanner.Result] = ["sagemaker": .ensuredOnly(record, failure), "mlflow": .synced(MirrorRecord(id: "4"), stage: "alias production")]
        let entries = try #require(MirrorPlanner.entries(registries: both, recorded: [], results: results, generation: 3, now: now))
        #expect(entries.map(\.registry) == ["sagemaker", "mlflow"])
        #expect(entries[0].id == record.id && entries[0].url == "https://console/1" && entries[0].synced == false)
        #expect(entries[0].message?.contains("ThrottlingException") == true)
        #expect(entries[1].synced == true && entries[1].stage == "alias production" && entries[1].observedGeneration == 3)
        let failed = try #require(MirrorPlanner.condition(entries: entries, results: results, stage: ModelStage.production, generation: 3))
        #expect(failed.status == "False" && failed.reason == "CloudUnavailable")

        // Next pass while the retry waits: no results, the reason stays.
        let previous = Condition(type: "Mirrored", status: "False", lastTransitionTime: "", reason: "CloudUnavailable", message: "")
        let waiting = try #require(MirrorPlanner.condition(entries: entries, results: [:], stage: ModelStage.production, generation: 3, previous: previous))
        #expect(waiting.status == "False" && waiting.reason == "CloudUnavailable")

        let ok = try #require(MirrorPlanner.entries(registries: both, recorded: entries,
                                                    results: ["sagemaker": .synced(record, stage: "Approved")], generation: 3, now: now))
        #expect(ok[0].message == nil && ok[0].synced == true)
        let good = try #require(MirrorPlanner.condition(entries: ok, results: [:], stage: ModelStage.production, generation: 3))
        #expect(good.status == "True" && good.reason == "Synced" && good.message.contains("https://console/1"))
        // Registries removed from the spec: the entries and the condition go.
        #expect(MirrorPlanner.entries(registries: nil, recorded: ok, results: [:], generation: 4, now: now) == nil)
        #expect(MirrorPlanner.condition(entries: nil, results: [:], stage: ModelStage.production, generation: 4) == nil)
    }

    @Test("stages map to SageMaker approval statuses and MLflow aliases as the contract says")
    func stageMapping() {
        #expect(MirrorStages.sageMakerApproval(ModelStage.production) == "Approved")
        #expect(MirrorStages.sageMakerApproval(ModelStage.archived) == "Rejected")
        #expect(MirrorStages.sageMakerApproval(ModelStage.staging) == "PendingManualApproval")
        #expect(MirrorStages.sageMakerApproval(ModelStage.none) == "PendingManualApproval")
        #expect(MirrorStages.mlflowAlias(ModelStage.production) == "production")
        #expect(MirrorStages.mlflowAlias(ModelStage.staging) == "staging")
        #expect(MirrorStages.mlflowAlias(ModelStage.archived) == nil)
    }
}

@Suite("SageMaker mirror requests")
struct SageMakerMirrorRequestTests {
    let subject = MirrorSubject(
        namespace: "ml", name: "churn-v7", uid: "0b6f6f5e-3d0a-4c55-9e0f-8a1f2b3c4d5e", model: "churn", version: 7,
        artifactURI: "s3://acme-models/churn/7/model.tar.gz", framework: "xgboost", metrics: ["auc": 0.912, "rows": 1000, "f1 score": 0.5],
        stage: ModelStage.production, pipeline: "churn-2026-11-26")

    @Test("CreateModelPackage carries the uid in description, metadata and ClientToken, the approval of the stage, the artifact and the metrics")
    func createBody() {
        let body = SageMakerMirrorRequests.createPackage(subject, group: "churn")
        #expect(body["ModelPackageGroupName"] == "churn")
        #expect(body["ModelApprovalStatus"] == "Approved")
        #expect(body["ClientToken"]?.stringValue == subject.uid)
        #expect(body["SourceUri"] == "s3://acme-models/churn/7/model.tar.gz")
        #expect(body["ModelPackageDescription"]?.stringValue?.contains("sextant.uid=\(subject.uid)") == true)
        #expect(body[path: ["CustomerMetadataProperties", "sextant.uid"]]?.stringValue == subject.uid)
        #expect(body[path: ["CustomerMetadataProperties", "metric.auc"]] == "0.912")
        #expect(body[path: ["CustomerMetadataProperties", "metric.rows"]] == "1000")
        #expect(body[path: ["CustomerMetadataProperties", "metric.f1 score"]] == "0.5")
        #expect(body["Tags"] == nil, "versioned model packages take no tags")
    }

    @Test("UpdateModelPackage only when status or metadata differ, removing metadata keys Sextant no longer wants")
    func updateBody() throws {
        let current = JSONValue.object(["ModelApprovalStatus": "Approved",
                                        "CustomerMetadataProperties": SageMakerMirrorRequests.object(SageMakerMirrorRequests.metadata(subject))])
        #expect(SageMakerMirrorRequests.updatePackage(subject, arn: "arn:x", described: current) == nil)
        var archived = subject
        archived.stage = ModelStage.archived
        archived.metrics = ["auc": 0.912]
        let body = try #require(SageMakerMirrorRequests.updatePackage(archived, arn: "arn:x", described: current))
        #expect(body["ModelApprovalStatus"] == "Rejected")
        #expect(body[path: ["CustomerMetadataProperties", "sextant.stage"]] == "Archived")
        #expect(body["CustomerMetadataPropertiesToRemove"] == ["metric.f1 score", "metric.rows"])
    }

    @Test("metadata stays within SageMaker's 50 entries and legal key characters")
    func metadataLimits() {
        var many = subject
        many.metrics = Dictionary(uniqueKeysWithValues: (0..<80).map { ("m\($0)", Double($0)) })
        many.metrics["bad*key"] = 1
        let m = SageMakerMirrorRequests.metadata(many)
        #expect(m.count == 50)
        #expect(SageMakerMirrorRequests.key("metric.bad*key") == "metric.bad_key")
        #expect(SageMakerMirrorRequests.isInGroup("arn:aws:sagemaker:eu-west-1:1:model-package/churn/3", group: "Churn"))
        #expect(!SageMakerMirrorRequests.isInGroup("arn:aws:sagemaker:eu-west-1:1:model-package/other/3", group: "churn"))
    }
}
