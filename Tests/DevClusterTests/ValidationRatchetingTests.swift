import Foundation
import KubeCore
import Testing

@testable import DevCluster

/// A CRD with a value rule and a transition rule on spec, and a status subresource.
private func gadgetCRD(maxSize: Int) -> String {
    """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: gadgets.example.com}
    spec:
      group: example.com
      scope: Namespaced
      names: {plural: gadgets, singular: gadget, kind: Gadget}
      versions:
      - name: v1
        served: true
        storage: true
        subresources: {status: {}}
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec:
                type: object
                x-kubernetes-validations:
                - {rule: "self.size <= \(maxSize)", message: "size must be at most \(maxSize)"}
                - {rule: "!has(oldSelf.frozen) || !oldSelf.frozen", message: "a frozen gadget cannot be written"}
                properties:
                  size: {type: integer, minimum: 1}
                  frozen: {type: boolean}
              status:
                type: object
                properties:
                  phase: {type: string}
    """
}

@Suite("Custom resource validation: ratcheting and unchanged fields")
struct ValidationRatchetingTests {
    static let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")
    static let gadgets = GroupVersionResource(group: "example.com", version: "v1", resource: "gadgets")

    private func gadget(size: Int, frozen: Bool? = nil) throws -> JSONValue {
        var object = try JSONValue.parse(#"{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g","namespace":"default"},"spec":{}}"#)
        object[path: ["spec", "size"]] = .int(Int64(size))
        if let frozen { object[path: ["spec", "frozen"]] = .bool(frozen) }
        return object
    }

    private func storeWithCRD(maxSize: Int) async throws -> DevStore {
        let store = try await makeStore()
        _ = try await store.create(Self.crds, namespace: nil, try #require(try YAMLDocuments.parse(gadgetCRD(maxSize: maxSize)).first))
        return store
    }

    private func tighten(_ store: DevStore, maxSize: Int) async throws {
        var crd = try await store.get(Self.crds, namespace: nil, name: "gadgets.example.com")
        let tighter = try #require(try YAMLDocuments.parse(gadgetCRD(maxSize: maxSize)).first)
        crd["spec"] = tighter["spec"]
        _ = try await store.update(Self.crds, namespace: nil, crd)
    }

    private func status(_ store: DevStore, _ object: JSONValue, phase: String) async throws -> WriteResult {
        var next = object
        next["status"] = ["phase": .string(phase)]
        var opts = WriteOptions(fieldManager: "test")
        opts.subresource = "status"
        let info = try await store.catalog.require(Self.gadgets)
        return try await store.updateObject(info, namespace: "default", name: "g", next, opts)
    }

    @Test("a rule that now fails on an unchanged spec does not block a status update (a warning, as kube-apiserver ratchets it), but a changed spec is rejected with the rule's message")
    func unchangedInvalidFieldIsRatcheted() async throws {
        let store = try await storeWithCRD(maxSize: 10)
        let created = try await store.create(Self.gadgets, namespace: "default", try gadget(size: 8))
        try await tighten(store, maxSize: 5)
        let result = try await status(store, created, phase: "Running")
        #expect(result.object[path: ["status", "phase"]] == "Running")
        #expect(result.warnings == [#"spec: Invalid value: "object": size must be at most 5"#])

        var changed = result.object
        changed[path: ["spec", "size"]] = 7
        let error = await #expect(throws: Status.self) { _ = try await store.update(Self.gadgets, namespace: "default", changed) }
        #expect(error?.details?.causes == [StatusCause(reason: "FieldValueInvalid", message: #"Invalid value: "object": size must be at most 5"#, field: "spec")])
    }

    @Test("transition rules of an unchanged spec still run on a status update after its rules were remembered as passing")
    func transitionRulesRunOnUnchangedFields() async throws {
        let store = try await storeWithCRD(maxSize: 10)
        let created = try await store.create(Self.gadgets, namespace: "default", try gadget(size: 3, frozen: true))
        // Not frozen before: the create passed every rule and is remembered.
        let error = await #expect(throws: Status.self) { _ = try await status(store, created, phase: "Running") }
        #expect(error?.details?.causes == [StatusCause(reason: "FieldValueInvalid", message: #"Invalid value: "object": a frozen gadget cannot be written"#, field: "spec")])

        var open = created
        open[path: ["spec", "frozen"]] = false
        _ = await #expect(throws: Status.self) { _ = try await store.update(Self.gadgets, namespace: "default", open) }
        try await store.delete(Self.gadgets, namespace: "default", name: "g", options: DeleteOptions())
        let thawed = try await store.create(Self.gadgets, namespace: "default", try gadget(size: 3, frozen: false))
        let written = try await status(store, thawed, phase: "Running")
        #expect(written.object[path: ["status", "phase"]] == "Running")
        #expect(written.warnings.isEmpty)
    }

    @Test("inside unchanged top-level fields only transition rules run, unless the remembered cost could exceed the runtime budget")
    func unchangedFieldsSkipValueRules() throws {
        let spec: JSONValue = ["type": "object", "x-kubernetes-validations": [["rule": "self.size <= 5", "message": "too big"]],
                               "properties": ["size": ["type": "integer"]]]
        let schema: JSONValue = ["type": "object", "properties": ["spec": spec, "status": ["type": "object"]]]
        let old = try JSONValue.parse(#"{"spec":{"size":9},"status":{}}"#)
        let new = try JSONValue.parse(#"{"spec":{"size":9},"status":{"phase":"x"}}"#)
        let rules = TransitionRules(schema)
        // Skipped: the value rule does not run (nothing reported, not even the ratchet warning).
        let skipped = CELValidation.causes(after: [], new: new, old: old, schema: schema,
            unchanged: .init(keys: ["spec"], priorCost: 10, transitions: rules))
        #expect(skipped.causes.isEmpty && skipped.warnings.isEmpty)
        #expect(skipped.cost >= 10)
        // Near the budget: everything is evaluated again (the unchanged failure is then ratcheted).
        let full = CELValidation.causes(after: [], new: new, old: old, schema: schema,
            unchanged: .init(keys: ["spec"], priorCost: CELValidation.runtimeBudget + 1, transitions: rules))
        #expect(full.warnings == [#"spec: Invalid value: "object": too big"#])
        // A changed spec reports it.
        let changed = try JSONValue.parse(#"{"spec":{"size":8},"status":{}}"#)
        let rejected = CELValidation.causes(after: [], new: changed, old: old, schema: schema, unchanged: .init(transitions: rules))
        #expect(rejected.causes.map(\.message) == [#"Invalid value: "object": too big"#])
    }

    @Test("items of a list that is not a map ratchet only when the whole list is unchanged")
    func listItemsRatchetWithTheirList() throws {
        let schema: JSONValue = ["type": "object", "properties": ["items": ["type": "array", "items": [
            "type": "object", "x-kubernetes-validations": [["rule": "self.n > 0", "message": "n must be positive"]],
            "properties": ["n": ["type": "integer"]],
        ]]]]
        let old = try JSONValue.parse(#"{"items":[{"n":0}]}"#)
        #expect(CELValidation.validate(new: old, old: old, schema: schema).isEmpty)
        let grown = try JSONValue.parse(#"{"items":[{"n":0},{"n":1}]}"#)
        #expect(CELValidation.validate(new: grown, old: old, schema: schema).map(\.field) == ["items[0]"])
        #expect(CELValidation.validate(new: old, old: nil, schema: schema).map(\.field) == ["items[0]"])
    }
}
