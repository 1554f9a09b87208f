import Foundation
import KubeCore
import Testing
import TestSupport

private func mlflowVersion(_ name: String, _ number: Int, auc: Double, trackingURI: String, model: String, stage: String = "Production") -> String {
    """
    apiVersion: ml.sextant.dev/v1alpha1
    kind: ModelVersion
    metadata: {name: \(name), namespace: default}
    spec:
      model: churn
      version: \(number)
      artifact: {uri: "s3://acme-models/churn/\(number)/model.tar.gz"}
      metrics: {auc: \(auc)}
      stage: \(stage)
      registries:
        mlflow: {trackingURI: "\(trackingURI)", name: \(model)}
    """
}

private let mirrored = RegistryE2E.mirroredStatus

/// The ModelVersion controller mirroring into a real MLflow server, read back through MLflow's REST
/// API: versions and the `production` alias after promotion, supersede and rollback, and exactly one
/// MLflow version per ModelVersion after repeated kill -9 of the controller.
@Suite("MLflow registry mirror end to end", .serialized)
struct MLflowMirrorE2ETests {
    @Test("the production alias follows promotion, supersede and rollback; kill -9 of the controller while a version is mirrored leaves no duplicate version")
    func aliasesAndCrashes() async throws {
        let mlflow = try await SharedMLflowPeer.peer()
        let model = SharedMLflowPeer.uniqueName("churn-e2e")
        let view = MLflowRegistryView(mlflow: mlflow)
        let e = try await RegistryE2E.start(startController: false)
        defer { e.stop() }
        try e.startController()

        try await e.apply(mlflowVersion("churn-v1", 1, auc: 0.91, trackingURI: mlflow.url, model: model))
        try await e.waitFor("mv", "churn-v1", mirrored, equals: "True", timeout: 60)
        #expect(try await e.jsonpath("mv", "churn-v1", "{.status.registries[0].id}") == "1")
        let url = try await e.jsonpath("mv", "churn-v1", "{.status.registries[0].url}")
        #expect(url == "\(mlflow.url)/#/models/\(model)/versions/1")
        let described = try await e.k("describe", "mv", "churn-v1")
        #expect(described.contains(url) && described.contains("MirrorCreated"), "\(described)")
        #expect(try await view.aliases(model) == ["production": "1"])

        try await e.apply(mlflowVersion("churn-v2", 2, auc: 0.93, trackingURI: mlflow.url, model: model))
        try await e.waitFor("mv", "churn-v2", mirrored, equals: "True", timeout: 60)
        try await e.waitFor("mv", "churn-v1", "{.status.registries[0].stage}", equals: "no alias (Archived)")
        #expect(try await view.aliases(model) == ["production": "2"])

        // A third version applied while the controller is killed again and again.
        e.stopController(crash: true)
        try await e.apply(mlflowVersion("churn-v3", 3, auc: 0.95, trackingURI: mlflow.url, model: model))
        for i in 0..<6 {
            try e.startController()
            try await Task.sleep(for: .milliseconds(700 + 250 * i))
            e.stopController(crash: true)
        }
        try e.startController()
        try await e.waitFor("mv", "churn-v3", mirrored, equals: "True", timeout: 60)
        let id3 = try await e.jsonpath("mv", "churn-v3", "{.status.registries[0].id}")
        let versions = try await view.versions(model)
        let perObject = Dictionary(grouping: versions.values.compactMap { $0["sextant.name"] }, by: { $0 }).mapValues(\.count)
        #expect(perObject == ["churn-v1": 1, "churn-v2": 1, "churn-v3": 1], "versions: \(versions)")
        #expect(try await view.aliases(model) == ["production": id3])

        // Rollback: archiving v3 restores v2, and the alias follows.
        try await e.k("patch", "mv", "churn-v3", "--type=merge", "-p", "{\"spec\":{\"stage\":\"Archived\"}}")
        try await e.waitFor("mv", "churn-v2", "{.status.registries[0].stage}", equals: "alias production")
        try await e.waitFor("the production alias is back on version 2") { try await view.aliases(model) == ["production": "2"] }
        // v3's own registry call (off the reconcile path, after v2's in the model's lane) records its stage on a later pass.
        try await e.waitFor("mv", "churn-v3", "{.status.registries[0].stage}", equals: "no alias (Archived)")
    }
}
