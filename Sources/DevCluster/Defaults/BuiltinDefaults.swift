import Foundation
import KubeCore

/// The API defaults of the built-in kinds the dev cluster runs (Pods, Services, `batch/v1`
/// Jobs, `apps/v1` Deployments), applied by the store on every create and update, as
/// kube-apiserver applies them when it decodes a request (not by controllers afterwards).
///
/// Also drops `null` object fields: a real server decodes into typed objects, so an explicit
/// `null` (or a field a client sent empty) is never stored or served for these kinds.
public enum BuiltinDefaults {
    static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")
    static let services = GroupVersionResource(group: "", version: "v1", resource: "services")
    static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    static let horizontalPodAutoscalers = GroupVersionResource(group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers")

    /// Whether `resource` is one of the kinds defaulted here.
    public static func handles(_ resource: GroupVersionResource) -> Bool {
        [pods, services, jobs, deployments, horizontalPodAutoscalers].contains(resource)
    }

    /// Applies the defaults of `resource` to `object` (a no-op for other resources). Pure and
    /// idempotent; Job selectors/labels need `metadata.uid` to be set already.
    public static func apply(to object: inout JSONValue, resource: GroupVersionResource) {
        if resource.group == "admissionregistration.k8s.io" { AdmissionPolicyValidation.applyDefaults(&object, resource: resource.resource) }
        guard handles(resource) else { return }
        object = withoutNulls(object)
        switch resource {
        case pods: PodDefaults.applyToPod(&object)
        case services: ServiceDefaults.apply(to: &object)
        case jobs: JobDefaults.apply(to: &object)
        case deployments: DeploymentDefaults.apply(to: &object)
        case horizontalPodAutoscalers: AutoscalingDefaults.apply(to: &object)
        default: break
        }
    }

    /// The create path: defaults, then a Service's ClusterIP allocated among `existing`
    /// (called only for Services). Throws a 422 Status for an invalid requested ClusterIP.
    public static func prepareCreate(_ object: inout JSONValue, resource: GroupVersionResource, existing: () -> [JSONValue]) throws {
        apply(to: &object, resource: resource)
        if resource == services {
            try ServiceDefaults.allocateClusterIP(for: &object, existing: existing())
        }
    }

    /// The update path: defaults, and a Service keeps its allocated ClusterIP when the update omits it.
    public static func prepareUpdate(_ object: inout JSONValue, old: JSONValue, resource: GroupVersionResource) {
        if resource == services { ServiceDefaults.keepAllocated(&object, old: old) }
        apply(to: &object, resource: resource)
    }

    /// `value` with every object field whose value is `null` removed, at any depth (`value`
    /// itself, not a rebuilt copy, when it has none).
    static func withoutNulls(_ value: JSONValue) -> JSONValue {
        nullsRemoved(value) ?? value
    }

    /// `value` without its null object fields; nil when it has none (nothing to rebuild).
    private static func nullsRemoved(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .object(let fields):
            var out: [String: JSONValue]?
            for (key, field) in fields {
                if field.isNull {
                    if out == nil { out = fields }
                    out?[key] = nil
                } else if let changed = nullsRemoved(field) {
                    if out == nil { out = fields }
                    out?[key] = changed
                }
            }
            return out.map(JSONValue.object)
        case .array(let items):
            var out: [JSONValue]?
            for (index, item) in items.enumerated() {
                guard let changed = nullsRemoved(item) else { continue }
                if out == nil { out = items }
                out?[index] = changed
            }
            return out.map(JSONValue.array)
        default:
            return nil
        }
    }
}
