import KubeCore

/// One kind served by the dev cluster, as the OpenAPI documents describe it.
struct OpenAPIKind: Sendable {
    var group: String
    var version: String
    var kind: String
    var plural: String
    var namespaced: Bool
    var definition: String

    /// `api/v1` or `apis/<group>/<version>` (the v3 document path).
    var documentPath: String { group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)" }

    static let builtins: [OpenAPIKind] = [
        .init(group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false, definition: "io.k8s.api.core.v1.Namespace"),
        .init(group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true, definition: "io.k8s.api.core.v1.Pod"),
        .init(group: "", version: "v1", kind: "Service", plural: "services", namespaced: true, definition: "io.k8s.api.core.v1.Service"),
        .init(group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true, definition: "io.k8s.api.core.v1.ConfigMap"),
        .init(group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true, definition: "io.k8s.api.core.v1.Secret"),
        .init(group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true, definition: "io.k8s.api.core.v1.ServiceAccount"),
        .init(group: "", version: "v1", kind: "Event", plural: "events", namespaced: true, definition: "io.k8s.api.core.v1.Event"),
        .init(group: "events.k8s.io", version: "v1", kind: "Event", plural: "events", namespaced: true, definition: "io.k8s.api.events.v1.Event"),
        .init(group: "batch", version: "v1", kind: "Job", plural: "jobs", namespaced: true, definition: "io.k8s.api.batch.v1.Job"),
        .init(group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true, definition: "io.k8s.api.apps.v1.Deployment"),
        .init(group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true, definition: "io.k8s.api.coordination.v1.Lease"),
        .init(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions", namespaced: false,
              definition: "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"),
        .init(group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", plural: "roles", namespaced: true, definition: "io.k8s.api.rbac.v1.Role"),
        .init(group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding", plural: "rolebindings", namespaced: true, definition: "io.k8s.api.rbac.v1.RoleBinding"),
        .init(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole", plural: "clusterroles", namespaced: false, definition: "io.k8s.api.rbac.v1.ClusterRole"),
        .init(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding", plural: "clusterrolebindings", namespaced: false, definition: "io.k8s.api.rbac.v1.ClusterRoleBinding"),
        .init(group: "policy", version: "v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", namespaced: true, definition: "io.k8s.api.policy.v1.PodDisruptionBudget"),
        .init(group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers", namespaced: true, definition: AutoscalingSchemas.hpaDefinition),
        .init(group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy", plural: "networkpolicies", namespaced: true, definition: "io.k8s.api.networking.v1.NetworkPolicy"),
        .init(group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingAdmissionPolicy", plural: "validatingadmissionpolicies", namespaced: false,
              definition: AdmissionSchemas.policy),
        .init(group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingAdmissionPolicyBinding", plural: "validatingadmissionpolicybindings", namespaced: false,
              definition: AdmissionSchemas.binding),
    ]

    /// The OpenAPI path items for this kind (collection and single object), with the
    /// `fieldValidation` query parameter on POST/PUT/PATCH so kubectl validates server-side.
    func pathItems(v2: Bool) -> [String: JSONValue] {
        let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        let base = namespaced ? "\(prefix)/namespaces/{namespace}/\(plural)" : "\(prefix)/\(plural)"
        let gvk: JSONValue = ["group": .string(group), "version": .string(version), "kind": .string(kind)]
        let ref = v2 ? "#/definitions/\(definition)" : "#/components/schemas/\(definition)"
        func param(_ name: String, _ location: String, _ description: String, required: Bool = false) -> JSONValue {
            var p: [String: JSONValue] = ["name": .string(name), "in": .string(location), "description": .string(description)]
            if v2 { p["type"] = "string" } else { p["schema"] = ["type": "string", "uniqueItems": true] }
            if required { p["required"] = true }
            return .object(p)
        }
        let fieldValidation = param("fieldValidation", "query", "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn (default) - Strict")
        let fieldManager = param("fieldManager", "query", "fieldManager is a name associated with the actor or entity that is making these changes.")
        let dryRun = param("dryRun", "query", "When present, indicates that modifications should not be persisted.")
        func response() -> JSONValue {
            v2 ? ["200": ["description": "OK", "schema": ["$ref": .string(ref)]]]
               : ["200": ["description": "OK", "content": ["application/json": ["schema": ["$ref": .string(ref)]]]]]
        }
        func operation(_ action: String, _ id: String, _ params: [JSONValue], body: [String]? = nil) -> JSONValue {
            var op: [String: JSONValue] = [
                "operationId": .string(id), "x-kubernetes-action": .string(action), "x-kubernetes-group-version-kind": gvk,
                "responses": response(), "parameters": .array(params), "description": .string("\(action) \(kind)"),
            ]
            if let body {
                if v2 {
                    op["parameters"] = .array(params + [["name": "body", "in": "body", "required": true, "schema": ["$ref": .string(ref)]]])
                    op["consumes"] = .array(body.map(JSONValue.string))
                } else {
                    op["requestBody"] = ["required": true, "content": .object(Dictionary(uniqueKeysWithValues: body.map { ($0, ["schema": ["$ref": .string(ref)]] as JSONValue) }))]
                }
            }
            return .object(op)
        }
        let id = kind + (group.isEmpty ? "" : group.split(separator: ".").first.map { String($0).capitalized } ?? "")
        var pathParams: [JSONValue] = []
        if namespaced { pathParams.append(param("namespace", "path", "object name and auth scope, such as for teams and projects", required: true)) }
        // Custom resources do not take strategic merge patches (as in Kubernetes): kubectl apply
        // uses one only when the PATCH operation lists it, else a JSON merge patch.
        let builtin = OpenAPIKind.builtins.contains { $0.group == group && $0.kind == kind }
        let patchTypes = ["application/json-patch+json", "application/merge-patch+json"]
            + (builtin ? ["application/strategic-merge-patch+json"] : []) + ["application/apply-patch+yaml"]
        let collection: JSONValue = [
            "parameters": .array(pathParams),
            "get": operation("list", "list\(id)", [param("labelSelector", "query", "A selector to restrict the list of returned objects by their labels."), param("fieldSelector", "query", "A selector to restrict the list of returned objects by their fields.")]),
            "post": operation("post", "create\(id)", [dryRun, fieldManager, fieldValidation], body: ["application/json"]),
            "delete": operation("deletecollection", "deletecollection\(id)", []),
        ]
        let item: JSONValue = [
            "parameters": .array(pathParams + [param("name", "path", "name of the \(kind)", required: true)]),
            "get": operation("get", "read\(id)", []),
            "put": operation("put", "replace\(id)", [dryRun, fieldManager, fieldValidation], body: ["application/json"]),
            "patch": operation("patch", "patch\(id)", [dryRun, fieldManager, fieldValidation, param("force", "query", "Force is going to \"force\" Apply requests.")], body: patchTypes),
            "delete": operation("delete", "delete\(id)", [dryRun]),
        ]
        return [base: collection, "\(base)/{name}": item]
    }

    /// The kinds of the served versions of established CRDs, with their converted schemas.
    static func custom(_ crds: [JSONValue]) -> [(OpenAPIKind, JSONValue)] {
        var out: [(OpenAPIKind, JSONValue)] = []
        for crd in crds {
            guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
                  let kind = spec[path: ["names", "kind"]]?.stringValue, let plural = spec[path: ["names", "plural"]]?.stringValue else { continue }
            let namespaced = spec["scope"]?.stringValue != "Cluster"
            for version in spec["versions"]?.arrayValue ?? [] where version["served"]?.boolValue != false {
                guard let v = version["name"]?.stringValue else { continue }
                let reversed = group.split(separator: ".").reversed().joined(separator: ".")
                let def = OpenAPIKind(group: group, version: v, kind: kind, plural: plural, namespaced: namespaced, definition: "\(reversed).\(v).\(kind)")
                var schema = version[path: ["schema", "openAPIV3Schema"]] ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
                schema["x-kubernetes-group-version-kind"] = [["group": .string(group), "version": .string(v), "kind": .string(kind)]]
                schema[path: ["properties", "metadata"]] = S.ref(S.objectMeta, "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")
                schema[path: ["properties", "apiVersion"]] = S.string("APIVersion defines the versioned schema of this representation of an object.")
                schema[path: ["properties", "kind"]] = S.string("Kind is a string value representing the REST resource this object represents.")
                out.append((def, schema))
            }
        }
        return out
    }
}
