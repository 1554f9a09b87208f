import Foundation
import KubeClient
import KubeCore
import Testing

/// A kind with a spec and a status, for decoding watch events against a cached copy.
private struct Gadget: StatusChangesKeepGeneration, Equatable {
    static let group = "test.sextant.dev"
    static let version = "v1"
    static let kind = "Gadget"
    static let plural = "gadgets"
    static let namespaced = true

    struct Spec: Codable, Sendable, Equatable { var size: Int }
    struct Status: Codable, Sendable, Equatable { var phase: String }

    var metadata: ObjectMeta
    var spec: Spec
    var status: Status?
}

@Suite("WatchReuse: MODIFIED events built from the cached copy")
struct WatchReuseTests {
    private static func meta(uid: String = "u1", rv: String, generation: Int64) -> ObjectMeta {
        var m = ObjectMeta(name: "g", namespace: "ns")
        m.uid = uid
        m.resourceVersion = rv
        m.generation = generation
        return m
    }

    private static let cached = Gadget(metadata: meta(rv: "5", generation: 2), spec: .init(size: 7), status: .init(phase: "Running"))

    /// One watch line; `spec` is raw JSON (an invalid spec fails the event if it is decoded).
    private static func line(_ type: String, uid: String = "u1", rv: String, generation: Int64, spec: String, phase: String) -> Data {
        Data("""
        {"type":"\(type)","object":{"apiVersion":"test.sextant.dev/v1","kind":"Gadget",\
        "metadata":{"name":"g","namespace":"ns","uid":"\(uid)","resourceVersion":"\(rv)","generation":\(generation),"labels":{"l":"\(rv)"}},\
        "spec":\(spec),"status":{"phase":"\(phase)"}}}
        """.utf8)
    }

    private static func decode(_ line: Data, _ reuse: WatchReuse<Gadget>) throws -> Gadget? {
        try reuse.decoder().decode(TypedWatchEvent<Gadget>.self, from: line).object
    }

    private static let keepingSpec = WatchReuse<Gadget>(keepingSpecOf: { key in
        key == ObjectKey(namespace: "ns", name: "g") ? cached : nil
    })

    @Test("a status-only MODIFIED event (same generation) takes the event's metadata and status and keeps the cached spec without decoding it")
    func statusOnlyKeepsSpec() throws {
        // The spec in the line is not a Spec: decoding it would throw.
        let o = try #require(try Self.decode(Self.line("MODIFIED", rv: "6", generation: 2, spec: #""not a spec""#, phase: "Succeeded"), Self.keepingSpec))
        #expect(o.spec == Gadget.Spec(size: 7))
        #expect(o.status == Gadget.Status(phase: "Succeeded"))
        #expect(o.metadata.resourceVersion == "6")
        #expect(o.metadata.labels == ["l": "6"])
    }

    @Test("a MODIFIED event with a new generation decodes the new spec")
    func newGenerationDecodesSpec() throws {
        let o = try #require(try Self.decode(Self.line("MODIFIED", rv: "6", generation: 3, spec: #"{"size":9}"#, phase: "Pending"), Self.keepingSpec))
        #expect(o.spec == Gadget.Spec(size: 9))
        #expect(o.status == Gadget.Status(phase: "Pending"))
        #expect(o.metadata.generation == 3)
    }

    @Test("a MODIFIED event of another object with the same name (new uid) is decoded in full")
    func otherUIDDecodes() throws {
        let o = try #require(try Self.decode(Self.line("MODIFIED", uid: "u2", rv: "6", generation: 2, spec: #"{"size":1}"#, phase: "Pending"), Self.keepingSpec))
        #expect(o.spec == Gadget.Spec(size: 1))
        #expect(o.metadata.uid == "u2")
    }

    @Test("a MODIFIED event at the cached resourceVersion is the cached copy; ADDED and DELETED events are always decoded")
    func sameVersionIsCachedCopy() throws {
        let same = try #require(try Self.decode(Self.line("MODIFIED", rv: "5", generation: 2, spec: #""not a spec""#, phase: "Other"), Self.keepingSpec))
        #expect(same == Self.cached)
        let added = try #require(try Self.decode(Self.line("ADDED", rv: "5", generation: 2, spec: #"{"size":3}"#, phase: "Other"), Self.keepingSpec))
        #expect(added.spec == Gadget.Spec(size: 3))
        let deleted = try #require(try Self.decode(Self.line("DELETED", rv: "5", generation: 2, spec: #"{"size":4}"#, phase: "Other"), Self.keepingSpec))
        #expect(deleted.spec == Gadget.Spec(size: 4))
    }

    @Test("with nothing cached, a MODIFIED event is decoded in full")
    func nothingCachedDecodes() throws {
        let reuse = WatchReuse<Gadget>(keepingSpecOf: { _ in nil })
        let o = try #require(try Self.decode(Self.line("MODIFIED", rv: "6", generation: 2, spec: #"{"size":8}"#, phase: "Done"), reuse))
        #expect(o.spec == Gadget.Spec(size: 8))
    }
}
