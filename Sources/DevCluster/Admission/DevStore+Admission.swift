import Foundation
import KubeCore

extension DevStore {
    static let policiesKey = "validatingadmissionpolicies.admissionregistration.k8s.io"
    static let policyBindingsKey = "validatingadmissionpolicybindings.admissionregistration.k8s.io"

    /// Runs the ValidatingAdmissionPolicies on a write sent through the API (`context` is nil for
    /// the in-process controllers: nothing to do). Throws the denial; returns the warnings and
    /// records the audit annotations on the request's audit notes.
    func admit(_ info: ResourceInfo, operation: String, name: String, new: JSONValue?, old: JSONValue?,
               subresource: String?, dryRun: Bool, context: AdmissionContext?) throws -> [String] {
        guard let context else { return [] }
        let policies = Array((objects[Self.policiesKey] ?? [:]).values)
        guard !policies.isEmpty else { return [] }
        let namespace = info.namespaced ? ((new ?? old)?[path: ["metadata", "namespace"]]?.stringValue ?? "") : ""
        let attributes = AdmissionAttributes(
            operation: operation, info: info, subresource: subresource ?? "", namespace: namespace, name: name,
            object: new.map { present($0, info) }, oldObject: old.map { present($0, info) }, user: context.user, dryRun: dryRun)
        let catalog = self.catalog
        let stored = objects
        let presentAll: @Sendable (ResourceInfo, [JSONValue]) -> [JSONValue] = { info, list in
            list.map { o in
                var out = o
                out["apiVersion"] = .string(info.apiVersion)
                out["kind"] = .string(info.kind)
                return out
            }
        }
        let environment = AdmissionEnvironment(
            policies: policies,
            bindings: Array((objects[Self.policyBindingsKey] ?? [:]).values),
            namespace: namespace.isEmpty ? nil : objects[ResourceCatalog.namespacesKey]?[namespace],
            paramObjects: { kind, ns in
                guard let paramInfo = catalog.infos.first(where: { $0.apiVersion == kind.apiVersion && $0.kind == kind.kind }) else { return nil }
                let all = Array((stored[paramInfo.storageKey] ?? [:]).values)
                let inScope = ns.isEmpty ? all : all.filter { $0[path: ["metadata", "namespace"]]?.stringValue == ns }
                return AdmissionEnvironment.ParamLookup(namespaced: paramInfo.namespaced, objects: presentAll(paramInfo, inScope))
            })
        let outcome = AdmissionDispatcher.dispatch(attributes, environment)
        AuditNotes.current?.recordAnnotations(outcome.auditAnnotations)
        if let denial = outcome.denial { throw denial }
        return outcome.warnings
    }
}
