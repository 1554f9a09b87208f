import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("Owner references read from stored objects")
struct ObjectAccessOwnerReferenceTests {
    @Test("ownerReferences keeps and skips exactly the entries JSONDecoder keeps and skips")
    func matchesJSONDecoder() throws {
        let entries: [JSONValue] = [
            ["apiVersion": "batch/v1", "kind": "Job", "name": "j", "uid": "u1", "controller": true, "blockOwnerDeletion": true],
            ["apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u2"],
            ["apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u3", "controller": .null, "extra": 1],
            ["apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u4", "controller": "true"],
            ["apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u5", "blockOwnerDeletion": 1],
            ["apiVersion": "v1", "kind": "Pod", "name": 7, "uid": "u6"],
            ["apiVersion": "v1", "kind": "Pod", "uid": "u7"],
            ["apiVersion": "v1", "kind": "Pod", "name": .null, "uid": "u8"],
            "not an object", .null, .array([]),
        ]
        let object: JSONValue = ["metadata": ["name": "x", "ownerReferences": .array(entries)]]
        let expected = entries.compactMap { try? $0.decode(as: OwnerReference.self) }
        #expect(object.ownerReferences == expected)
        #expect(object.ownerReferences.map(\.uid) == ["u1", "u2", "u3"])
    }
}
