import Foundation
@testable import KubeClient
import KubeCore
import SextantAPI
@testable import SextantControllers
import Testing

/// Request bodies: the streaming encoder writes the JSON `JSONEncoder` writes, or declines.
@Suite("Streaming JSON encoder of request bodies")
struct StreamingJSONEncoderTests {
    func same<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let streamed = try JSONValue.parse(StreamingJSONEncoder.encode(value))
        let foundation = try JSONValue.parse(JSONEncoder().encode(value))
        #expect(streamed == foundation, sourceLocation: sourceLocation)
    }

    @Test("MLPipelines with status, the Jobs of their steps and JSON trees encode to the same JSON as JSONEncoder")
    func sameAsJSONEncoder() throws {
        var p = pipeline([cstep("a", outputs: StepOutputs(artifacts: ["m"])), cstep("b", ["a"], args: ["{{steps.a.outputs.artifacts.m}}", "{{params.lr}}"], retry: RetryPolicy(limit: 2))])
        p.metadata.labels = ["team": "ml/ops", "quote": "a\"b\\c"]
        p.metadata.annotations = ["note": "line\nbreak\ttab \u{1} é ✓"]
        let (p1, plan1) = advance(p)
        try same(p)
        try same(p1)
        let job = try #require(plan1.createJobs.first.flatMap { JobBuilder.desiredJob(for: p1, step: $0.resolved, attempt: $0.attempt) })
        try same(job)
        let (p2, _) = advance(p1, ["run-a-0": JobObservation(name: "run-a-0", outcome: .succeeded, terminationMessage: #"{"artifacts":{"m":"s3://m"}}"#)])
        try same(p2)
        let tree: JSONValue = ["a": [1, 2.5, -0.125, 1e-7, 1e21, true, .null, "x/y"], "b": ["c": [:], "d": []], "e": 9_007_199_254_740_993]
        try same(tree)
        try same(Widget(items: ["z", "y"], count: nil, nested: [Widget(items: [], count: 3, nested: nil)]))
    }

    @Test("values it does not take are left to JSONEncoder")
    func declines() {
        #expect(throws: StreamingJSONEncoder.Unsupported.self) { try StreamingJSONEncoder.encode(["at": Date(timeIntervalSince1970: 0)]) }
        #expect(throws: StreamingJSONEncoder.Unsupported.self) { try StreamingJSONEncoder.encode(["x": Double.nan]) }
        #expect(throws: StreamingJSONEncoder.Unsupported.self) { try StreamingJSONEncoder.encode(Interleaved()) }
        #expect(throws: StreamingJSONEncoder.Unsupported.self) { try StreamingJSONEncoder.encode(DuplicateKey()) }
    }

    struct Widget: Encodable {
        var items: [String]
        var count: Int?
        var nested: [Widget]?
    }

    /// Writes to a nested container after its parent moved on.
    struct Interleaved: Encodable {
        enum K: String, CodingKey { case a, b }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: K.self)
            var inner = c.nestedUnkeyedContainer(forKey: .a)
            try c.encode(1, forKey: .b)
            try inner.encode(2)
        }
    }

    struct DuplicateKey: Encodable {
        enum K: String, CodingKey { case a }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: K.self)
            try c.encode(1, forKey: .a)
            try c.encode(2, forKey: .a)
        }
    }
}
