import Foundation
import KubeCore
import Testing

@testable import DevCluster

/// `recordUpdate` as it was before it memoized path lookups and wrote unchanged entries back
/// as stored: the reference the current one must match on every write.
private enum ReferenceRecordUpdate {
    static func run(old: JSONValue?, new: JSONValue, manager: String, subresource: String?, now: Date) -> JSONValue {
        let walker = FieldWalker(resource: ServerSideApply.resourceName(for: new))
        var entries = (old?[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap(ManagedFieldsEntry.init(json:))
        if let requested = new[path: ["metadata", "managedFields"]], requested != old?[path: ["metadata", "managedFields"]] {
            entries = (requested.arrayValue ?? []).compactMap(ManagedFieldsEntry.init(json:))
        }
        let onlyStatus = subresource == "status"
        var changed = Set<[PathElement]>()
        for path in walker.paths(of: new, includeStatus: onlyStatus, onlyStatus: onlyStatus) {
            let before = old.flatMap { walker.value(at: path, in: $0) }
            if before == nil || before != walker.value(at: path, in: new) { changed.insert(path) }
        }
        for i in entries.indices { entries[i].fields.paths.subtract(changed) }
        if !changed.isEmpty {
            let apiVersion = new["apiVersion"]?.stringValue ?? ""
            if let index = entries.firstIndex(where: { $0.sameIdentity(manager: manager, operation: "Update", subresource: subresource) }) {
                entries[index].fields.paths.formUnion(changed)
                entries[index].time = KubeTime.format(now)
                entries[index].apiVersion = apiVersion
            } else {
                entries.append(ManagedFieldsEntry(manager: manager, operation: "Update", apiVersion: apiVersion,
                                                  time: KubeTime.format(now), subresource: subresource, fields: FieldSet(changed)))
            }
        }
        var result = new
        for i in entries.indices { entries[i].fields.paths = entries[i].fields.paths.filter { walker.value(at: $0, in: new) != nil } }
        let kept = entries.filter { !$0.fields.isEmpty }
        result[path: ["metadata", "managedFields"]] = kept.isEmpty ? nil : .array(kept.map(\.json))
        return result
    }
}

@Suite("managedFields bookkeeping matches the reference")
struct PatchManagedFieldsEquivalenceTests {
    static func pod(image: String, env: [JSONValue], labels: JSONValue, phase: String?, conditions: [JSONValue]) -> JSONValue {
        var pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": "p", "namespace": "ml", "labels": labels, "finalizers": ["a/b"],
                         "ownerReferences": [["apiVersion": "batch/v1", "kind": "Job", "name": "j", "uid": "u1", "controller": true]]],
            "spec": ["containers": [["name": "step", "image": .string(image), "env": .array(env),
                                     "ports": [["containerPort": 80, "protocol": "TCP"]]],
                                    ["name": "side", "image": "busybox"]],
                     "tolerations": [["key": "k", "operator": "Exists"]], "restartPolicy": "Never"],
        ]
        if let phase { pod["status"] = ["phase": .string(phase), "conditions": .array(conditions)] }
        return pod
    }

    @Test("a sequence of creates, spec updates, status updates and removals gives byte-identical managedFields")
    func sequenceMatches() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let steps: [(JSONValue, String, String?)] = [
            (Self.pod(image: "a:1", env: [["name": "A", "value": "1"]], labels: ["app": "x"], phase: nil, conditions: []), "creator", nil),
            (Self.pod(image: "a:1", env: [["name": "A", "value": "1"]], labels: ["app": "x"], phase: "Pending", conditions: []), "kubelet", "status"),
            (Self.pod(image: "a:1", env: [["name": "A", "value": "1"]], labels: ["app": "x"], phase: "Running",
                      conditions: [["type": "Ready", "status": "True"]]), "kubelet", "status"),
            (Self.pod(image: "a:2", env: [["name": "A", "value": "2"], ["name": "B", "value": "é\n\"q\""]], labels: ["app": "x", "v": "2"],
                      phase: "Running", conditions: [["type": "Ready", "status": "True"]]), "editor", nil),
            (Self.pod(image: "a:2", env: [["name": "A", "value": "2"], ["name": "B", "value": "é\n\"q\""]], labels: ["app": "x", "v": "2"],
                      phase: "Running", conditions: [["type": "Ready", "status": "True"]]), "editor", nil),
            (Self.pod(image: "a:2", env: [], labels: ["v": "2"], phase: "Succeeded",
                      conditions: [["type": "Ready", "status": "False"], ["type": "Done", "status": "True"]]), "kubelet", "status"),
            (Self.pod(image: "a:3", env: [], labels: [:], phase: "Succeeded", conditions: []), "creator", nil),
            (Self.pod(image: "a:3", env: [["name": "C"]], labels: [:], phase: "Failed", conditions: []), "kubelet", "status"),
        ]
        var reference: JSONValue?
        var current: JSONValue?
        for (i, (body, manager, subresource)) in steps.enumerated() {
            let at = now.addingTimeInterval(Double(i))
            var refInput = body
            refInput[path: ["metadata", "managedFields"]] = reference?[path: ["metadata", "managedFields"]]
            var input = body
            input[path: ["metadata", "managedFields"]] = current?[path: ["metadata", "managedFields"]]
            let expected = ReferenceRecordUpdate.run(old: reference, new: refInput, manager: manager, subresource: subresource, now: at)
            let got = ServerSideApply.recordUpdate(old: current, new: input, manager: manager, subresource: subresource, now: at)
            #expect(got.data() == expected.data(), "step \(i)")
            reference = expected
            current = got
        }
        let managers = (current?[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue }
        #expect(managers.contains("kubelet") && managers.contains("creator"))
    }

    @Test("random pod writes by several managers give byte-identical managedFields")
    func randomWritesMatch() {
        var rng = FuzzRandom(seed: FuzzSettings.seed ^ 3)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for _ in 0..<FuzzSettings.iterations(30) {
            var reference: JSONValue?
            var current: JSONValue?
            for i in 0..<10 {
                let body = PatchManagedFieldsTreeTests.randomPod(&rng)
                let manager = rng.pick(["creator", "kubelet", "editor"])
                let subresource: String? = rng.chance(40) ? "status" : nil
                var refInput = body
                refInput[path: ["metadata", "managedFields"]] = reference?[path: ["metadata", "managedFields"]]
                var input = body
                input[path: ["metadata", "managedFields"]] = current?[path: ["metadata", "managedFields"]]
                let at = now.addingTimeInterval(Double(i))
                let expected = ReferenceRecordUpdate.run(old: reference, new: refInput, manager: manager, subresource: subresource, now: at)
                let got = ServerSideApply.recordUpdate(old: current, new: input, manager: manager, subresource: subresource, now: at)
                #expect(got.data() == expected.data(), "write \(i) by \(manager)")
                reference = expected
                current = got
            }
        }
    }

    @Test("a stored entry not in the rendered form (lone \".\", scalar leaf, extra key) is rendered again as before")
    func nonCanonicalEntriesAreRenderedAgain() throws {
        let base = Self.pod(image: "a:1", env: [], labels: ["app": "x"], phase: "Running", conditions: [])
        let odd: [JSONValue] = [
            ["manager": "m1", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
             "fieldsV1": ["f:spec": ["f:restartPolicy": [".": [:]]]]],
            ["manager": "m2", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1",
             "fieldsV1": ["f:metadata": ["f:labels": ["f:app": 1]]]],
            ["manager": "m3", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "extra": true,
             "fieldsV1": ["f:spec": ["f:tolerations": [:]]]],
            ["manager": "m4", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": ["f:spec": ["f:containers": [:]]]],
        ]
        var old = base
        old[path: ["metadata", "managedFields"]] = .array(odd)
        var new = Self.pod(image: "a:1", env: [], labels: ["app": "x"], phase: "Succeeded", conditions: [])
        new[path: ["metadata", "managedFields"]] = .array(odd)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let expected = ReferenceRecordUpdate.run(old: old, new: new, manager: "kubelet", subresource: "status", now: now)
        let got = ServerSideApply.recordUpdate(old: old, new: new, manager: "kubelet", subresource: "status", now: now)
        #expect(got.data() == expected.data())
        #expect(got[path: ["metadata", "managedFields"]] != .array(odd + []))
        #expect(FieldSet.isCanonical(fieldsV1: ["f:a": [".": [:], "f:b": [:]]]))
        #expect(!FieldSet.isCanonical(fieldsV1: ["f:a": [".": [:]]]))
        #expect(!FieldSet.isCanonical(fieldsV1: [".": [:], "f:b": [:]]))
    }
}
