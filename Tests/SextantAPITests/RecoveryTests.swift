import Foundation
import KubeCore
import SextantAPI
import Testing

private func live(_ kind: String, _ name: String, uid: String, generation: Int64 = 1, owner: (kind: String, name: String, uid: String)? = nil,
                  annotations: JSONValue? = nil, status: JSONValue? = nil) throws -> JSONValue {
    var meta: JSONValue = [
        "name": .string(name), "namespace": "ml", "uid": .string(uid), "resourceVersion": "42", "generation": .int(generation),
        "creationTimestamp": "2026-12-01T00:00:00Z", "managedFields": [["manager": "kubectl"]], "labels": ["team": "growth"],
        "finalizers": ["ml.sextant.dev/cleanup"],
    ]
    if let owner {
        meta["ownerReferences"] = [["apiVersion": "ml.sextant.dev/v1alpha1", "kind": .string(owner.kind), "name": .string(owner.name),
                                    "uid": .string(owner.uid), "controller": true]]
    }
    if let annotations { meta["annotations"] = annotations }
    var o: JSONValue = ["apiVersion": "ml.sextant.dev/v1alpha1", "kind": .string(kind), "metadata": meta, "spec": ["x": 1]]
    if let status { o["status"] = status }
    return o
}

@Suite("Backup and restore decisions")
struct RecoveryTests {
    @Test("a backup keeps spec, status, labels, finalizers and ownerReferences and drops server-owned metadata")
    func stripsServerFields() throws {
        let object = try live("MLPipeline", "run-1", uid: "u-run", generation: 3, annotations: ["a": "b", RestoreMarker.annotation: "x"],
                              status: ["phase": "Succeeded"])
        let item = try #require(BackupBuilder.item(kind: .mlPipeline, live: object))
        let meta = try #require(item.object["metadata"]?.objectValue)
        #expect(Set(meta.keys) == ["name", "namespace", "labels", "annotations", "finalizers"])
        #expect(meta["annotations"] == ["a": "b"])
        #expect(item.object[path: ["status", "phase"]] == "Succeeded")
        #expect(item.object["spec"] == ["x": 1])
        #expect(item.sourceUID == "u-run" && item.sourceGeneration == 3 && item.sourceCreationTimestamp == "2026-12-01T00:00:00Z")
    }

    @Test("a backup lists policies, then runs, then versions, and reads back to the same document")
    func orderAndRoundTrip() throws {
        let objects: [(BackupKind, JSONValue)] = [
            (.modelVersion, try live("ModelVersion", "churn-v1", uid: "u-mv")),
            (.mlPipeline, try live("MLPipeline", "b", uid: "u-b")),
            (.retrainPolicy, try live("RetrainPolicy", "nightly", uid: "u-rp")),
            (.mlPipeline, try live("MLPipeline", "a", uid: "u-a")),
        ]
        let doc = BackupBuilder.document(objects, namespaces: ["ml"], createdAt: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(doc.items.map(\.name) == ["nightly", "a", "b", "churn-v1"])
        let reread = try BackupDocument(json: JSONValue.parse(doc.json.data(pretty: true)))
        #expect(reread == doc)
        let all = BackupBuilder.document(objects, namespaces: nil, createdAt: Date())
        #expect(try BackupDocument(json: all.json).namespaces == nil)
    }

    @Test("a document of another kind or with a mismatched item is refused with the reason")
    func refusesMalformed() throws {
        #expect(throws: SextantAPIError.self) { try BackupDocument(json: ["kind": "List", "apiVersion": "v1"]) }
        let bad: JSONValue = ["kind": "SextantBackup", "apiVersion": "ml.sextant.dev/v1alpha1",
                              "items": [["kind": "MLPipeline", "namespace": "ml", "name": "a", "object": try live("MLPipeline", "other", uid: "u")]]]
        do {
            _ = try BackupDocument(json: bad)
            Issue.record("a mismatched item was accepted")
        } catch let e as SextantAPIError {
            #expect(e.reason == "InvalidBackup")
            #expect(e.message.contains("items[0]"))
        }
    }

    @Test("missing objects are created, marked ones resumed, unmarked ones left as they are")
    func idempotencyDecisions() throws {
        #expect(RestorePlanner.decide(live: nil) == .create)
        #expect(RestorePlanner.decide(live: try live("MLPipeline", "a", uid: "n", annotations: [RestoreMarker.annotation: "t"])) == .resume)
        #expect(RestorePlanner.decide(live: try live("MLPipeline", "a", uid: "n", annotations: ["other": "x"])) == .leave)
        #expect(RestorePlanner.decide(live: try live("MLPipeline", "a", uid: "n")) == .leave)
    }

    @Test("ownerReferences among restored objects point at the new uids; references to owners outside the backup are dropped")
    func rewritesOwnerReferences() throws {
        let run = try #require(BackupBuilder.item(kind: .mlPipeline, live: try live(
            "MLPipeline", "nightly-1", uid: "old-run", owner: ("RetrainPolicy", "nightly", "old-policy"), status: ["phase": "Running"])))
        let (created, notes) = RestorePlanner.objectToCreate(run, uids: ["old-policy": "new-policy"], marker: "2026-12-07T10:00:00Z")
        #expect(created[path: ["metadata", "ownerReferences"]]?[0]?["uid"] == "new-policy")
        #expect(created[path: ["metadata", "ownerReferences"]]?[0]?["controller"] == true)
        #expect(created["status"] == nil)
        #expect(created[path: ["metadata", "annotations", RestoreMarker.annotation]] == "2026-12-07T10:00:00Z")
        #expect(notes.isEmpty)
        let (orphan, orphanNotes) = RestorePlanner.objectToCreate(run, uids: [:], marker: "m")
        #expect(orphan[path: ["metadata", "ownerReferences"]] == nil)
        #expect(orphanNotes.count == 1 && orphanNotes[0].contains("RetrainPolicy nightly"))
    }

    @Test("a registered version's pipeline-uid annotation follows the run to its new uid, so the run never registers again")
    func rewritesRegisteringRunUID() throws {
        let mv = try #require(BackupBuilder.item(kind: .modelVersion, live: try live(
            "ModelVersion", "churn-v1", uid: "old-mv", annotations: [SextantLabels.pipelineUID: "old-run"])))
        let (created, _) = RestorePlanner.objectToCreate(mv, uids: ["old-run": "new-run"], marker: "m")
        #expect(created[path: ["metadata", "annotations", SextantLabels.pipelineUID]] == "new-run")
    }

    @Test("restored status carries observedGeneration over only where it was current, and rewrites active run uids")
    func restoredStatus() throws {
        let status: JSONValue = [
            "phase": "Succeeded", "observedGeneration": 3,
            "conditions": [["type": "Ready", "status": "True", "observedGeneration": 3], ["type": "Old", "status": "True", "observedGeneration": 2]],
            "active": [["name": "nightly-1", "uid": "old-run"]],
        ]
        let item = try #require(BackupBuilder.item(kind: .retrainPolicy, live: try live("RetrainPolicy", "nightly", uid: "old", generation: 3, status: status)))
        let newLive = try live("RetrainPolicy", "nightly", uid: "new", generation: 1)
        let out = try #require(RestorePlanner.restoredStatus(item, live: newLive, uids: ["old-run": "new-run"]))
        #expect(out[path: ["metadata", "uid"]] == "new")
        #expect(out[path: ["metadata", "resourceVersion"]] == "42")
        #expect(out[path: ["status", "observedGeneration"]] == 1)
        #expect(out[path: ["status", "conditions"]]?[0]?["observedGeneration"] == 1)
        #expect(out[path: ["status", "conditions"]]?[1]?["observedGeneration"] == nil)
        #expect(out[path: ["status", "active"]]?[0]?["uid"] == "new-run")
        #expect(out[path: ["status", "phase"]] == "Succeeded")
        let noStatus = try #require(BackupBuilder.item(kind: .retrainPolicy, live: try live("RetrainPolicy", "p", uid: "u")))
        #expect(RestorePlanner.restoredStatus(noStatus, live: newLive, uids: [:]) == nil)
    }

    @Test("the unmark patch removes only the marker")
    func unmarkPatch() throws {
        let marked = try live("MLPipeline", "a", uid: "n", annotations: ["keep": "1", RestoreMarker.annotation: "t"])
        let patched = MergePatch.apply(RestorePlanner.unmarkPatch, to: marked)
        #expect(patched[path: ["metadata", "annotations"]] == ["keep": "1"])
        #expect(RestorePlanner.decide(live: patched) == .leave)
    }
}
