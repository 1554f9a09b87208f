import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("Server-side apply and managedFields")
struct PatchServerSideApplyTests {
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func config(replicas: Int64, image: String = "nginx:1", extraEnv: Bool = false) -> JSONValue {
        var container: JSONValue = ["name": "web", "image": .string(image)]
        if extraEnv { container["env"] = [["name": "A", "value": "1"]] }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "labels": ["app": "web"]],
            "spec": ["replicas": .int(replicas), "template": ["spec": ["containers": [container]]]],
        ]
    }

    private func entry(_ object: JSONValue, _ manager: String) -> JSONValue? {
        object[path: ["metadata", "managedFields"]]?.arrayValue?.first { $0["manager"]?.stringValue == manager }
    }

    @Test("create-on-apply records an Apply entry in FieldsV1 with k: keys for containers")
    func createOnApply() throws {
        let result = try ServerSideApply.apply(Self.config(replicas: 2), to: nil, manager: "kubectl", force: false, resource: Self.deployments, now: Self.now)
        let e = try #require(entry(result, "kubectl"))
        #expect(e["operation"] == "Apply")
        #expect(e["fieldsType"] == "FieldsV1")
        #expect(e["apiVersion"] == "apps/v1")
        #expect(e["time"] == .string(KubeTime.format(Self.now)))
        let fields = try #require(e["fieldsV1"])
        #expect(fields[path: ["f:spec", "f:replicas"]] == .emptyObject)
        #expect(fields[path: ["f:metadata", "f:labels", "."]] == .emptyObject)
        #expect(fields[path: ["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"web"}"#, "f:image"]] == .emptyObject)
        #expect(fields[path: ["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"web"}"#, "."]] == .emptyObject)
        #expect(result[path: ["spec", "replicas"]] == 2)
    }

    @Test("a changed field owned by another manager is a 409 Conflict naming the manager and path")
    func conflict() throws {
        let created = ServerSideApply.recordUpdate(old: nil, new: Self.config(replicas: 1), manager: "kubectl-client-side-apply", subresource: nil, now: Self.now)
        do {
            _ = try ServerSideApply.apply(Self.config(replicas: 3), to: created, manager: "kubectl", force: false, resource: Self.deployments, now: Self.now)
            Issue.record("expected a conflict")
        } catch let status as Status {
            #expect(status.code == 409)
            #expect(status.reason == "Conflict")
            #expect(status.message == #"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas"#)
            #expect(status.details?.causes == [StatusCause(reason: "FieldManagerConflict", message: #"conflict with "kubectl-client-side-apply" using apps/v1"#, field: ".spec.replicas")])
        }
    }

    @Test("applying the same values as another owner shares ownership without conflict")
    func sharedOwnership() throws {
        let created = ServerSideApply.recordUpdate(old: nil, new: Self.config(replicas: 1), manager: "creator", subresource: nil, now: Self.now)
        let applied = try ServerSideApply.apply(Self.config(replicas: 1), to: created, manager: "kubectl", force: false, resource: Self.deployments, now: Self.now)
        #expect(entry(applied, "creator")?[path: ["fieldsV1", "f:spec", "f:replicas"]] != nil)
        #expect(entry(applied, "kubectl")?[path: ["fieldsV1", "f:spec", "f:replicas"]] != nil)
    }

    @Test("force takes ownership of conflicting fields away from the other manager")
    func force() throws {
        let created = ServerSideApply.recordUpdate(old: nil, new: Self.config(replicas: 1), manager: "other", subresource: nil, now: Self.now)
        let applied = try ServerSideApply.apply(Self.config(replicas: 5), to: created, manager: "kubectl", force: true, resource: Self.deployments, now: Self.now)
        #expect(applied[path: ["spec", "replicas"]] == 5)
        #expect(entry(applied, "other")?[path: ["fieldsV1", "f:spec", "f:replicas"]] == nil)
        #expect(entry(applied, "other")?[path: ["fieldsV1", "f:metadata", "f:labels", "f:app"]] != nil)
        #expect(entry(applied, "kubectl")?[path: ["fieldsV1", "f:spec", "f:replicas"]] != nil)
    }

    @Test("fields a manager stops applying are removed unless another manager owns them")
    func removal() throws {
        let first = try ServerSideApply.apply(Self.config(replicas: 1, extraEnv: true), to: nil, manager: "kubectl", force: false, resource: Self.deployments, now: Self.now)
        let second = try ServerSideApply.apply(Self.config(replicas: 1), to: first, manager: "kubectl", force: false, resource: Self.deployments, now: Self.now)
        #expect(second[path: ["spec", "template", "spec", "containers"]]?[0]?["env"] == nil)
        var edited = first
        edited[path: ["metadata", "annotations"]] = ["note": "x"]
        let withOther = ServerSideApply.recordUpdate(old: first, new: edited, manager: "editor", subresource: nil, now: Self.now)
        var noLabels = Self.config(replicas: 1, extraEnv: true)
        noLabels[path: ["metadata", "labels"]] = nil
        let third = try ServerSideApply.apply(noLabels, to: withOther, manager: "kubectl", force: false, resource: Self.deployments, now: Self.now)
        #expect(third[path: ["metadata", "labels"]] == nil || third[path: ["metadata", "labels"]] == .emptyObject)
        #expect(third[path: ["metadata", "annotations", "note"]] == "x")
    }

    @Test("recordUpdate gives the updater the fields it changed and keeps the rest with their owners")
    func recordUpdate() throws {
        let applied = try ServerSideApply.apply(Self.config(replicas: 1), to: nil, manager: "kubectl", force: false, resource: Self.deployments, now: Self.now)
        var scaled = applied
        scaled[path: ["spec", "replicas"]] = 4
        let updated = ServerSideApply.recordUpdate(old: applied, new: scaled, manager: "kubectl-scale", subresource: nil, now: Self.now)
        #expect(entry(updated, "kubectl-scale")?["operation"] == "Update")
        #expect(entry(updated, "kubectl-scale")?[path: ["fieldsV1", "f:spec", "f:replicas"]] == .emptyObject)
        #expect(entry(updated, "kubectl")?[path: ["fieldsV1", "f:spec", "f:replicas"]] == nil)
        #expect(entry(updated, "kubectl")?[path: ["fieldsV1", "f:spec", "f:template"]] != nil)
        var status = scaled
        status["status"] = ["replicas": 4]
        let statusUpdate = ServerSideApply.recordUpdate(old: scaled, new: status, manager: "controller", subresource: "status", now: Self.now)
        #expect(entry(statusUpdate, "controller")?["subresource"] == "status")
        #expect(entry(statusUpdate, "controller")?[path: ["fieldsV1", "f:status", "f:replicas"]] == .emptyObject)
    }

    @Test("FieldsV1 round-trips through the parsed field set")
    func fieldsV1RoundTrip() throws {
        let json = try JSONValue.parse(#"{"f:metadata":{"f:labels":{".":{},"f:a":{}}},"f:spec":{"f:list":{"k:{\"name\":\"x\"}":{".":{},"f:v":{}}},"f:fin":{"v:\"a\"":{}}}}"#)
        #expect(FieldSet(fieldsV1: json).fieldsV1 == json)
    }
}
