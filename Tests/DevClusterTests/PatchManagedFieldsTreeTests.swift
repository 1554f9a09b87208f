import Foundation
import KubeCore
import Testing

@testable import DevCluster

/// The pieces recordUpdate edits managedFields with: FieldsV1 trees edited in place and the
/// changed-field walk, each against the path-set forms they replace.
@Suite("managedFields trees and changed fields")
struct PatchManagedFieldsTreeTests {
    static let elements: [PathElement] = ["f:a", "f:b", "f:c", "k:{\"name\":\"x\"}", "v:\"s\""]

    static func randomPath(_ rng: inout FuzzRandom) -> [PathElement] {
        (0..<rng.int(1..<4)).map { _ in rng.pick(elements) }
    }

    @Test("inserting and removing paths in a FieldsV1 tree renders exactly as the edited path set")
    func treeEditsMatchPathSets() {
        var rng = FuzzRandom(seed: FuzzSettings.seed)
        for _ in 0..<FuzzSettings.iterations(200) {
            var set = Set((0..<rng.int(0..<6)).map { _ in Self.randomPath(&rng) })
            var tree = FieldSet(set).fieldsV1.objectValue ?? [:]
            for _ in 0..<8 {
                let path = Self.randomPath(&rng)
                #expect(FieldsV1Tree.owns(tree, path) == set.contains(path))
                if rng.chance(50) {
                    FieldsV1Tree.insert(path[...], into: &tree)
                    set.insert(path)
                } else {
                    FieldsV1Tree.remove(path[...], from: &tree)
                    set.remove(path)
                }
                #expect(JSONValue.object(tree) == FieldSet(set).fieldsV1, "after \(path) on \(set)")
            }
        }
    }

    @Test("pruning a FieldsV1 tree keeps exactly the paths that resolve in the object")
    func pruneKeepsResolvablePaths() {
        let object: JSONValue = ["a": ["b": 1, "c": [["name": "x", "a": true]]], "b": ["s", "t"], "c": [:]]
        var rng = FuzzRandom(seed: FuzzSettings.seed ^ 1)
        let walker = FieldWalker(resource: "")
        for _ in 0..<FuzzSettings.iterations(200) {
            let set = Set((0..<rng.int(1..<7)).map { _ in Self.randomPath(&rng) })
            var tree = FieldSet(set).fieldsV1.objectValue ?? [:]
            let kept = set.filter { walker.value(at: $0, in: object) != nil }
            let removed = FieldsV1Tree.prune(&tree, against: object, cache: PathElementCache())
            #expect(removed == (kept != set))
            #expect(JSONValue.object(tree) == FieldSet(kept).fieldsV1, "pruning \(set)")
        }
    }

    static func randomPod(_ rng: inout FuzzRandom) -> JSONValue {
        let names = ["a", "b"]
        var containers: [JSONValue] = []
        for name in names where rng.chance(70) {
            var c: JSONValue = ["name": .string(name), "image": .string(rng.pick(["i:1", "i:2"]))]
            if rng.chance(50) { c["env"] = .array(rng.chance(50) ? [["name": "E", "value": "1"]] : [["name": "E"], ["name": "F", "value": "2"]]) }
            containers.append(c)
        }
        // Now and then two elements share a key: paths resolve to the first.
        if rng.chance(15) { containers.append(["name": "a", "image": "dup"]) }
        var pod: JSONValue = ["apiVersion": "v1", "kind": "Pod",
                              "metadata": ["name": "p", "labels": rng.chance(50) ? ["app": "x"] : ["app": "y", "v": "1"],
                                           "finalizers": .array(rng.chance(50) ? ["f/a"] : ["f/a", "f/b"])],
                              "spec": ["containers": .array(containers), "restartPolicy": .string(rng.pick(["Never", "Always"]))]]
        if rng.chance(80) {
            pod["status"] = ["phase": .string(rng.pick(["Pending", "Running"])),
                             "conditions": .array(rng.chance(50) ? [["type": "Ready", "status": .string(rng.pick(["True", "False"]))]] : [])]
        }
        return pod
    }

    @Test("the changed fields of random pod updates are the managed paths whose values differ")
    func changedFieldsMatchPathComparison() {
        var rng = FuzzRandom(seed: FuzzSettings.seed ^ 2)
        let walker = FieldWalker(resource: "pods")
        for _ in 0..<FuzzSettings.iterations(300) {
            let old: JSONValue? = rng.chance(10) ? nil : Self.randomPod(&rng)
            let new = Self.randomPod(&rng)
            let onlyStatus = rng.chance(40)
            let expected = walker.paths(of: new, includeStatus: onlyStatus, onlyStatus: onlyStatus).filter { path in
                let before = old.flatMap { walker.value(at: path, in: $0) }
                return before == nil || before != walker.value(at: path, in: new)
            }
            let got = ChangedFields.of(old: old, new: new, resource: "pods", onlyStatus: onlyStatus, cache: PathElementCache())
            #expect(got == expected)
        }
    }
}
