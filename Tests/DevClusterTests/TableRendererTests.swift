import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("Table rendering and printer-column JSONPath")
struct TableRendererTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let created = KubeTime.format(now.addingTimeInterval(-330))

    @Test("JSONPath subset: fields, indexes, wildcards and == filters")
    func jsonPath() throws {
        let o = try JSONValue.parse(#"{"spec":{"steps":[{"name":"a"},{"name":"b"}]},"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"X","status":"False"}]}}"#)
        #expect(JSONPath(".spec.steps[*].name")?.evaluate(o) == ["a", "b"])
        #expect(JSONPath(".spec.steps[1].name")?.evaluate(o) == ["b"])
        #expect(JSONPath(#"{.status.conditions[?(@.type=="Ready")].status}"#)?.evaluate(o) == ["True"])
        #expect(JSONPath(".spec['steps'][0].name")?.evaluate(o) == ["a"])
        #expect(JSONPath(".status.missing")?.evaluate(o) == [])
        #expect(JSONPath("spec") == nil)
    }

    @Test("CRD printer columns: Name first, string columns joined, typed columns raw, dates as ages, missing values null")
    func customColumns() throws {
        let columns: [JSONValue] = [
            ["name": "Phase", "type": "string", "jsonPath": ".status.phase"],
            ["name": "Steps", "type": "string", "jsonPath": ".spec.steps[*].name", "priority": 1],
            ["name": "Retries", "type": "integer", "jsonPath": ".spec.retries"],
            ["name": "Ready", "type": "string", "jsonPath": #".status.conditions[?(@.type=="Ready")].status"#],
            ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
        ]
        let item = try JSONValue.parse(#"{"metadata":{"name":"p1","creationTimestamp":"\#(Self.created)"},"spec":{"retries":3,"steps":[{"name":"a"},{"name":"b"}]},"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#)
        let gvr = GroupVersionResource(group: "ml.sextant.dev", version: "v1alpha1", resource: "mlpipelines")
        let table = TableRenderer.table(items: [item], resource: gvr, printerColumns: columns, includeObject: nil, listMeta: ["resourceVersion": "7"], now: Self.now)
        #expect(table["kind"] == "Table")
        #expect(table["apiVersion"] == "meta.k8s.io/v1")
        #expect(table[path: ["metadata", "resourceVersion"]] == "7")
        #expect(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Phase", "Steps", "Retries", "Ready", "Age"])
        #expect(table["columnDefinitions"]?[2]?["priority"] == 1)
        #expect(table["rows"]?[0]?["cells"] == ["p1", .null, "a b", 3, "True", "5m30s"])
        #expect(table["rows"]?[0]?["object"]?["kind"] == "PartialObjectMetadata")
        #expect(table["rows"]?[0]?[path: ["object", "metadata", "name"]] == "p1")
    }

    @Test("a CRD without printer columns gets Name and a date-typed Age column")
    func defaultCustomColumns() {
        let item: JSONValue = ["metadata": ["name": "x", "creationTimestamp": .string(Self.created)]]
        let gvr = GroupVersionResource(group: "g.io", version: "v1", resource: "things")
        let table = TableRenderer.table(items: [item], resource: gvr, printerColumns: [], includeObject: "None", listMeta: .emptyObject, now: Self.now)
        #expect(table["columnDefinitions"]?[1]?["type"] == "date")
        #expect(table["rows"]?[0]?["cells"] == ["x", "5m30s"])
        #expect(table["rows"]?[0]?["object"] == nil)
    }

    @Test("built-in pods show Ready/Status/Restarts/Age, wide columns have priority 1, includeObject=Object embeds the object")
    func pods() throws {
        let pod = try JSONValue.parse(#"""
        {"metadata":{"name":"p","creationTimestamp":"\#(Self.created)"},"spec":{"containers":[{"name":"a"},{"name":"b"}]},
         "status":{"phase":"Running","podIP":"10.0.0.5","containerStatuses":[{"ready":true,"restartCount":2,"state":{"running":{}}},{"ready":false,"restartCount":1,"state":{"running":{}}}]}}
        """#)
        let table = TableRenderer.table(items: [pod], resource: GroupVersionResource(group: "", version: "v1", resource: "pods"),
                                        printerColumns: nil, includeObject: "Object", listMeta: .emptyObject, now: Self.now)
        let defs = table["columnDefinitions"]?.arrayValue ?? []
        #expect(defs.prefix(5).compactMap { $0["name"]?.stringValue } == ["Name", "Ready", "Status", "Restarts", "Age"])
        #expect(defs.dropFirst(5).allSatisfy { $0["priority"] == 1 })
        #expect(table["rows"]?[0]?["cells"]?.arrayValue?.prefix(6).map { $0 } == ["p", "1/2", "Running", 3, "5m30s", "10.0.0.5"])
        #expect(table["rows"]?[0]?["object"] == pod)
    }

    @Test("jobs, deployments and services have the kubectl columns")
    func workloads() throws {
        let job = try JSONValue.parse(#"{"metadata":{"name":"j","creationTimestamp":"\#(Self.created)"},"spec":{"completions":1},"status":{"succeeded":1,"startTime":"2027-01-15T08:00:00Z","completionTime":"2027-01-15T08:00:42Z","conditions":[{"type":"Complete","status":"True"}]}}"#)
        let jt = TableRenderer.table(items: [job], resource: GroupVersionResource(group: "batch", version: "v1", resource: "jobs"), printerColumns: nil, includeObject: nil, listMeta: .emptyObject, now: Self.now)
        #expect(jt["rows"]?[0]?["cells"]?.arrayValue?.prefix(5).map { $0 } == ["j", "Complete", "1/1", "42s", "5m30s"])
        let dep = try JSONValue.parse(#"{"metadata":{"name":"d","creationTimestamp":"\#(Self.created)"},"spec":{"replicas":3},"status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}}"#)
        let dt = TableRenderer.table(items: [dep], resource: GroupVersionResource(group: "apps", version: "v1", resource: "deployments"), printerColumns: nil, includeObject: nil, listMeta: .emptyObject, now: Self.now)
        #expect(dt["columnDefinitions"]?.arrayValue?.prefix(5).compactMap { $0["name"]?.stringValue } == ["Name", "Ready", "Up-to-date", "Available", "Age"])
        #expect(dt["rows"]?[0]?["cells"]?.arrayValue?.prefix(5).map { $0 } == ["d", "2/3", 3, 2, "5m30s"])
        let svc = try JSONValue.parse(#"{"metadata":{"name":"s","creationTimestamp":"\#(Self.created)"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.10","ports":[{"port":80,"protocol":"TCP"}]}}"#)
        let st = TableRenderer.table(items: [svc], resource: GroupVersionResource(group: "", version: "v1", resource: "services"), printerColumns: nil, includeObject: nil, listMeta: .emptyObject, now: Self.now)
        #expect(st["rows"]?[0]?["cells"]?.arrayValue?.prefix(6).map { $0 } == ["s", "ClusterIP", "10.96.0.10", "<none>", "80/TCP", "5m30s"])
    }

    @Test("ages print like kubectl's HumanDuration")
    func humanDuration() {
        #expect(BuiltinColumns.humanDuration(45) == "45s")
        #expect(BuiltinColumns.humanDuration(119) == "119s")
        #expect(BuiltinColumns.humanDuration(600) == "10m")
        #expect(BuiltinColumns.humanDuration(3 * 3600 + 20 * 60) == "3h20m")
        #expect(BuiltinColumns.humanDuration(30 * 3600) == "30h")
        #expect(BuiltinColumns.humanDuration(3 * 86400 + 3600) == "3d1h")
        #expect(BuiltinColumns.humanDuration(20 * 86400) == "20d")
    }
}
