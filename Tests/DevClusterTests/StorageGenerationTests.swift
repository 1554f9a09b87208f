import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("Object store: generation of custom resources")
struct StorageGenerationTests {
    static let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")
    static let widgets = GroupVersionResource(group: "example.com", version: "v1", resource: "widgets")

    @Test("an update that omits a schema-defaulted field keeps generation; a real spec change bumps it")
    func defaultedFieldKeepsGeneration() async throws {
        let store = try await makeStore()
        let crd = try #require(try YAMLDocuments.parse(widgetCRD).first)
        _ = try await store.create(Self.crds, namespace: nil, crd)
        let created = try await store.create(Self.widgets, namespace: "default", try JSONValue.parse(
            #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":2}}"#))
        #expect(created[path: ["spec", "mode"]] == "fast")
        #expect(created[path: ["metadata", "generation"]] == 1)

        // What kubectl apply's patch leaves: the spec as the user wrote it, without the default.
        var omitted = created
        omitted["spec"] = ["size": 2]
        let same = try await store.update(Self.widgets, namespace: "default", omitted)
        #expect(same[path: ["spec", "mode"]] == "fast")
        #expect(same[path: ["metadata", "generation"]] == 1)
        #expect(same[path: ["metadata", "resourceVersion"]] == created[path: ["metadata", "resourceVersion"]])

        var changed = same
        changed["spec"] = ["size": 3]
        let bumped = try await store.update(Self.widgets, namespace: "default", changed)
        #expect(bumped[path: ["metadata", "generation"]] == 2)
    }
}
