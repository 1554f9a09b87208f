import Foundation
import KubeCore
import Testing

@Suite("JSON patch (RFC 6902)")
struct PatchJSONPatchTests {
    private func apply(_ patch: String, to doc: String) throws -> JSONValue {
        try JSONPatch.apply(JSONValue.parse(patch), to: JSONValue.parse(doc))
    }

    private func failure(_ patch: String, to doc: String) -> String? {
        do {
            _ = try apply(patch, to: doc)
            return nil
        } catch let KubeCoreError.invalidPatch(message) {
            return message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test("add inserts into objects, at array indexes and appends with -")
    func add() throws {
        let result = try apply(#"[{"op":"add","path":"/a/b","value":1},{"op":"add","path":"/l/1","value":"x"},{"op":"add","path":"/l/-","value":"z"}]"#, to: #"{"a":{},"l":["p","q"]}"#)
        #expect(result == (try JSONValue.parse(#"{"a":{"b":1},"l":["p","x","q","z"]}"#)))
    }

    @Test("remove, replace, move and copy change the document as RFC 6902 says")
    func removeReplaceMoveCopy() throws {
        let result = try apply(#"""
        [{"op":"remove","path":"/l/0"},{"op":"replace","path":"/a","value":{"n":2}},
         {"op":"move","from":"/a/n","path":"/m"},{"op":"copy","from":"/m","path":"/c"}]
        """#, to: #"{"a":{"n":1},"l":[1,2]}"#)
        #expect(result == (try JSONValue.parse(#"{"a":{},"l":[2],"m":2,"c":2}"#)))
    }

    @Test("~0 and ~1 escape tilde and slash in pointer tokens")
    func escaping() throws {
        let result = try apply(#"[{"op":"replace","path":"/metadata/annotations/example.com~1a~0b","value":"new"}]"#,
                               to: #"{"metadata":{"annotations":{"example.com/a~b":"old"}}}"#)
        #expect(result[path: ["metadata", "annotations", "example.com/a~b"]] == "new")
        #expect(JSONPointer(tokens: ["a/b~c"]).description == "/a~1b~0c")
    }

    @Test("test passes on equal values (1 equals 1.0) and fails with a clear message")
    func testOperation() throws {
        _ = try apply(#"[{"op":"test","path":"/n","value":1.0}]"#, to: #"{"n":1}"#)
        #expect(failure(#"[{"op":"test","path":"/n","value":2}]"#, to: #"{"n":1}"#) == "testing value /n failed: test failed")
    }

    @Test("operations on missing paths fail with invalidPatch naming the path")
    func missingPaths() {
        #expect(failure(#"[{"op":"add","path":"/a/b/c","value":1}]"#, to: "{}") == "doc is missing path: \"/a/b/c\": missing value")
        #expect(failure(#"[{"op":"remove","path":"/x"}]"#, to: "{}") == "Unable to remove nonexistent key: x: missing value")
        #expect(failure(#"[{"op":"replace","path":"/x","value":1}]"#, to: "{}") == "replace operation does not apply: doc is missing key: /x: missing value")
        #expect(failure(#"[{"op":"add","path":"/l/5","value":1}]"#, to: #"{"l":[]}"#)?.contains("out of bounds") == true)
        #expect(failure(#"[{"op":"frob","path":"/x"}]"#, to: "{}") == "Unexpected kind: frob")
        #expect(failure(#"{"op":"add"}"#, to: "{}")?.contains("must be an array") == true)
    }

    @Test("a failing operation leaves no partial result: the whole patch fails")
    func atomic() {
        #expect(failure(#"[{"op":"add","path":"/a","value":1},{"op":"test","path":"/a","value":2}]"#, to: "{}") != nil)
    }
}

@Suite("JSON merge patch (RFC 7386)")
struct PatchMergePatchTests {
    @Test("objects merge, null deletes, arrays replace")
    func applyMerge() throws {
        let doc = try JSONValue.parse(#"{"a":{"b":1,"c":2},"l":[1,2],"k":"v"}"#)
        let patch = try JSONValue.parse(#"{"a":{"b":null,"d":{"e":null,"f":1}},"l":[3],"k":null}"#)
        #expect(MergePatch.apply(patch, to: doc) == (try JSONValue.parse(#"{"a":{"c":2,"d":{"f":1}},"l":[3]}"#)))
    }

    @Test("diff produces the minimal patch that round-trips through apply")
    func diffRoundTrip() throws {
        let original = try JSONValue.parse(#"{"spec":{"replicas":1,"template":{"x":1}},"gone":true,"same":[1]}"#)
        let modified = try JSONValue.parse(#"{"spec":{"replicas":3,"template":{"x":1}},"same":[1],"new":{"a":1}}"#)
        let patch = MergePatch.diff(from: original, to: modified)
        #expect(patch == (try JSONValue.parse(#"{"spec":{"replicas":3},"gone":null,"new":{"a":1}}"#)))
        #expect(MergePatch.apply(patch, to: original) == modified)
    }
}
