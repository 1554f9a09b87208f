import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import SextantAPI
import SextantControllers
import Testing

/// The MLPipeline controller's primary watch builds status-only MODIFIED events from the cached
/// pipeline: the spec (its steps) is kept, not decoded again.
@Suite("MLPipeline watch events against the cache")
struct MLPipelineWatchReuseTests {
    static func object(rv: String, generation: Int64, image: String, phase: String) -> String {
        """
        {"apiVersion":"ml.sextant.dev/v1alpha1","kind":"MLPipeline",\
        "metadata":{"name":"p","namespace":"ns","uid":"u1","resourceVersion":"\(rv)","generation":\(generation)},\
        "spec":{"steps":[{"name":"a","container":{"image":"\(image)","command":["true"]}},\
        {"name":"b","dependsOn":["a"],"container":{"image":"\(image)","command":["true"]}}]},\
        "status":{"phase":"\(phase)","observedGeneration":\(generation),"steps":[{"name":"a","phase":"\(phase)"}]}}
        """
    }

    static func event(_ object: String) -> Data { Data(#"{"type":"MODIFIED","object":\#(object)}"#.utf8) }

    @Test("the controller's primary watch: a status-only MODIFIED event updates the cached status and keeps the spec; a new generation decodes the new spec")
    func statusOnlyEventKeepsCachedSpec() async throws {
        let client = try KubeClient(configuration: ClientConfiguration(server: "https://127.0.0.1:1"))
        let controller = MLPipelineController.make(client: client, options: ControllerOptions(namespaces: ["ns"]))
        let store = Store<MLPipeline>()
        let cached = try JSONDecoder().decode(MLPipeline.self, from: Data(Self.object(rv: "5", generation: 1, image: "cached:1", phase: "Running").utf8))
        store.apply(cached)
        let reuse = try #require(controller.primaryReuse)
        let decoder = reuse(store).decoder()

        // Same generation: the event's spec (another image here, which a real server never sends) is not read.
        let statusOnly = try #require(try decoder.decode(TypedWatchEvent<MLPipeline>.self,
            from: Self.event(Self.object(rv: "6", generation: 1, image: "event:1", phase: "Succeeded"))).object)
        #expect(statusOnly.spec == cached.spec)
        #expect(statusOnly.spec.steps.map { $0.container?.image } == ["cached:1", "cached:1"])
        #expect(statusOnly.status?.phase == "Succeeded")
        #expect(statusOnly.status?.steps?.first?.phase == "Succeeded")
        #expect(statusOnly.metadata.resourceVersion == "6")

        // A new generation: the new spec is decoded.
        let respecced = try #require(try decoder.decode(TypedWatchEvent<MLPipeline>.self,
            from: Self.event(Self.object(rv: "7", generation: 2, image: "event:2", phase: "Running"))).object)
        #expect(respecced.spec.steps.map { $0.container?.image } == ["event:2", "event:2"])
        #expect(respecced.metadata.generation == 2)
        try await client.shutdown()
    }
}
