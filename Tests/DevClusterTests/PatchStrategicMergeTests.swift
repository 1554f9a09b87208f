import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("Strategic merge patch for built-in kinds")
struct PatchStrategicMergeTests {
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")

    private func apply(_ patch: String, _ object: String, _ gvr: GroupVersionResource = deployments) throws -> JSONValue {
        try StrategicMergePatch.apply(JSONValue.parse(patch), to: JSONValue.parse(object), resource: gvr)
    }

    static let deployment = #"""
    {"metadata":{"name":"d","finalizers":["a"],"labels":{"x":"1"}},
     "spec":{"replicas":1,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},
       "template":{"spec":{"containers":[
         {"name":"app","image":"app:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"ports":[{"containerPort":80}]},
         {"name":"side","image":"side:1","args":["x","y"]}],
         "volumes":[{"name":"v","emptyDir":{}}]}}}}
    """#

    @Test("containers merge by name and env by name; unlisted containers and fields stay")
    func mergeByName() throws {
        let r = try apply(#"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"app:2","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}]}]}}}}"#, Self.deployment)
        let containers = r[path: ["spec", "template", "spec", "containers"]]
        #expect(containers?[0]?["image"] == "app:2")
        #expect(containers?[0]?["env"] == [["name": "A", "value": "1"], ["name": "B", "value": "3"], ["name": "C", "value": "4"]])
        #expect(containers?[0]?["ports"] == [["containerPort": 80]])
        #expect(containers?[1]?["image"] == "side:1")
    }

    @Test("lists without a merge key (args) are replaced; null deletes a field; primitive merge lists union")
    func replaceAndDelete() throws {
        let r = try apply(#"{"metadata":{"labels":{"x":null},"finalizers":["b","a"]},"spec":{"template":{"spec":{"containers":[{"name":"side","args":["z"]}]}}}}"#, Self.deployment)
        #expect(r[path: ["spec", "template", "spec", "containers"]]?[1]?["args"] == ["z"])
        #expect(r[path: ["metadata", "labels"]] == .emptyObject)
        #expect(r[path: ["metadata", "finalizers"]] == ["a", "b"])
    }

    @Test("$patch: delete removes a list element by merge key; $patch: replace replaces a list or map")
    func patchDirectives() throws {
        let deleted = try apply(#"{"spec":{"template":{"spec":{"containers":[{"name":"side","$patch":"delete"}]}}}}"#, Self.deployment)
        #expect(deleted[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.count == 1)
        let replaced = try apply(#"{"spec":{"template":{"spec":{"volumes":[{"name":"w","configMap":{"name":"c"}},{"$patch":"replace"}]}}}}"#, Self.deployment)
        #expect(replaced[path: ["spec", "template", "spec", "volumes"]] == [["name": "w", "configMap": ["name": "c"]]])
        let mapReplaced = try apply(#"{"metadata":{"labels":{"$patch":"replace","y":"2"}}}"#, Self.deployment)
        #expect(mapReplaced[path: ["metadata", "labels"]] == ["y": "2"])
        #expect(throws: Status.self) { try apply(#"{"metadata":{"$patch":"bogus"}}"#, Self.deployment) }
    }

    @Test("$retainKeys drops keys not listed (deployment strategy switch to Recreate)")
    func retainKeys() throws {
        let r = try apply(#"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#, Self.deployment)
        #expect(r[path: ["spec", "strategy"]] == ["type": "Recreate"])
    }

    @Test("$setElementOrder orders merged elements; $deleteFromPrimitiveList removes values")
    func orderAndDeleteFromPrimitiveList() throws {
        let r = try apply(#"""
        {"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]},
         "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"side"},{"name":"app"}],"containers":[{"name":"app","image":"app:3"}]}}}}
        """#, Self.deployment)
        #expect(r[path: ["metadata", "finalizers"]] == [])
        #expect(r[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["side", "app"])
        #expect(r[path: ["spec", "template", "spec", "containers"]]?[1]?["image"] == "app:3")
    }

    @Test("pod containers merge at spec.containers; conditions merge by type")
    func podPaths() throws {
        let pod = #"{"spec":{"containers":[{"name":"a","image":"1"}]},"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Scheduled","status":"True"}]}}"#
        let r = try apply(#"{"spec":{"containers":[{"name":"b","image":"2"}]},"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#, pod, Self.pods)
        #expect(r[path: ["spec", "containers"]]?.arrayValue?.count == 2)
        #expect(r[path: ["status", "conditions"]] == [["type": "Ready", "status": "True"], ["type": "Scheduled", "status": "True"]])
    }
}
