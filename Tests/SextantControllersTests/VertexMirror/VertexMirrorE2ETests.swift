import Foundation
import KubeCore
import Testing
import TestSupport

private func vertexVersion(_ name: String, _ number: Int, stage: String, deletePolicy: Bool = false) -> String {
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
      artifact: {uri: "gs://acme-models/churn/\(number)/model.joblib"}
      metrics: {auc: 0.9\(number)}
      stage: \(stage)
      registries:
        vertexAI: {project: acme-ml, location: europe-west4, displayName: churn, servingImage: "europe-docker.pkg.dev/acme-ml/serve/churn:1"}
    """
}

private let mirrored = RegistryE2E.mirroredStatus
private let modelName = "projects/acme-ml/locations/europe-west4/models/churn"

/// The ModelVersion controller (a separate `sextant controller` on `sextant dev`) mirroring versions
/// into the scripted fake GCP's Vertex AI Model Registry (uploads whose operations need two polls):
/// what `kubectl describe` shows, the `production` alias through promotion, supersede and rollback,
/// one version per ModelVersion after repeated kill -9, and the deletion policy.
@Suite("Vertex AI registry mirror end to end", .serialized)
struct VertexMirrorE2ETests {
    @Test("the production alias follows promotion, supersede and rollback; kill -9 of the controller while uploading leaves one version per ModelVersion; deletion-policy delete removes the version, the default keeps it")
    func aliasesCrashesAndDeletion() async throws {
        let gcp = try await FakeGCPPeer.start()
        defer { gcp.stop() }
        let env = try await gcp.serviceAccountEnvironment()
        try await gcp.control("/fake/upload-polls", ["polls": 2])
        let e = try await RegistryE2E.start(startController: false)
        defer { e.stop() }
        try e.startController(environment: env)

        func versions() async throws -> [(id: String, name: String, aliases: [String])] {
            let models = try await gcp.get("/fake/models")["models"]?.arrayValue ?? []
            let churn = models.first { $0["name"]?.stringValue == modelName }?["versions"]?.arrayValue ?? []
            return churn.map { v in
                (v["versionId"]?.stringValue ?? "", v[path: ["labels", "sextant-name"]]?.stringValue ?? "",
                 (v["versionAliases"]?.arrayValue ?? []).compactMap(\.stringValue).sorted())
            }
        }
        func production() async throws -> String? { try await versions().first { $0.aliases.contains("production") }?.name }

        try await e.apply(vertexVersion("churn-v1", 1, stage: "Production", deletePolicy: true))
        try await e.waitFor("mv", "churn-v1", mirrored, equals: "True", timeout: 60)
        #expect(try await e.jsonpath("mv", "churn-v1", "{.status.registries[0].id}") == "\(modelName)@1")
        #expect(try await e.jsonpath("mv", "churn-v1", "{.status.registries[0].stage}") == "alias production")
        let url = try await e.jsonpath("mv", "churn-v1", "{.status.registries[0].url}")
        #expect(url == "https://console.cloud.google.com/vertex-ai/models/locations/europe-west4/models/churn/versions/1?project=acme-ml")
        let described = try await e.k("describe", "mv", "churn-v1")
        #expect(described.contains(url) && described.contains("MirrorCreated"), "\(described)")
        #expect(try await production() == "churn-v1")

        // Supersede: v2 Production takes the alias; v1 (Archived) keeps only Vertex's default.
        try await e.apply(vertexVersion("churn-v2", 2, stage: "Production"))
        try await e.waitFor("mv", "churn-v2", mirrored, equals: "True", timeout: 60)
        try await e.waitFor("mv", "churn-v1", "{.status.registries[0].stage}", equals: "no alias (Archived)")
        #expect(try await versions().map { $0.aliases } == [["default"], ["production"]])

        // A third version applied while the controller is killed again and again mid-upload.
        e.stopController(crash: true)
        try await e.apply(vertexVersion("churn-v3", 3, stage: "Production"))
        for i in 0..<5 {
            try e.startController(environment: env)
            try await Task.sleep(for: .milliseconds(600 + 250 * i))
            e.stopController(crash: true)
        }
        try e.startController(environment: env)
        try await e.waitFor("mv", "churn-v3", mirrored, equals: "True", timeout: 60)
        let all = try await versions()
        let perObject = Dictionary(grouping: all.map { $0.name }, by: { $0 }).mapValues(\.count)
        #expect(perObject == ["churn-v1": 1, "churn-v2": 1, "churn-v3": 1], "versions: \(all)")
        try await e.waitFor("the production alias is on churn-v3") { try await production() == "churn-v3" }

        // Rollback: archiving v3 restores v2, and the alias follows.
        try await e.k("patch", "mv", "churn-v3", "--type=merge", "-p", "{\"spec\":{\"stage\":\"Archived\"}}")
        try await e.waitFor("mv", "churn-v2", "{.status.registries[0].stage}", equals: "alias production")
        try await e.waitFor("the production alias is back on churn-v2") { try await production() == "churn-v2" }
        try await e.waitFor("mv", "churn-v3", "{.status.registries[0].stage}", equals: "no alias (Archived)")

        // Deletion policy delete: v1's version goes (its default alias handed over first); the default keeps v2's.
        try await e.k("delete", "mv", "churn-v1", "--wait=true", "--timeout=60s")
        #expect(try await versions().map { $0.name }.sorted() == ["churn-v2", "churn-v3"])
        try await e.k("delete", "mv", "churn-v2", "--wait=true", "--timeout=60s")
        #expect(try await versions().map { $0.name }.sorted() == ["churn-v2", "churn-v3"])
        #expect(try await versions().contains { $0.aliases.contains("default") })
    }
}
