import KubeCore

/// The strict decoding of built-in kinds, as kube-apiserver's JSON decoder does it against the Go
/// types, here against the built-in OpenAPI schemas (`OpenAPIDocuments.all`, `$ref`s inlined):
/// unknown fields are reported (and dropped), and a value of the wrong JSON type is the
/// decoder's 400 (`json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`).
/// Parts described as free-form (`x-kubernetes-preserve-unknown-fields`, e.g. probes, affinity,
/// volumes) and `status` are not checked.
enum BuiltinFieldCheck {
    /// Resources whose schemas list every field of the real type (others are not checked).
    static let checkedKinds: [String: String] = [
        "pods": "io.k8s.api.core.v1.Pod", "services": "io.k8s.api.core.v1.Service", "configmaps": "io.k8s.api.core.v1.ConfigMap",
        "secrets": "io.k8s.api.core.v1.Secret", "serviceaccounts": "io.k8s.api.core.v1.ServiceAccount", "namespaces": "io.k8s.api.core.v1.Namespace",
        "deployments.apps": "io.k8s.api.apps.v1.Deployment", "jobs.batch": "io.k8s.api.batch.v1.Job",
        "leases.coordination.k8s.io": "io.k8s.api.coordination.v1.Lease",
        "roles.rbac.authorization.k8s.io": "io.k8s.api.rbac.v1.Role", "clusterroles.rbac.authorization.k8s.io": "io.k8s.api.rbac.v1.ClusterRole",
        "rolebindings.rbac.authorization.k8s.io": "io.k8s.api.rbac.v1.RoleBinding",
        "clusterrolebindings.rbac.authorization.k8s.io": "io.k8s.api.rbac.v1.ClusterRoleBinding",
        "poddisruptionbudgets.policy": "io.k8s.api.policy.v1.PodDisruptionBudget",
        "horizontalpodautoscalers.autoscaling": AutoscalingSchemas.hpaDefinition,
    ]

    /// The resolved schema of each checked kind (computed once).
    static let schemas: [String: JSONValue] = checkedKinds.compactMapValues { definition in
        OpenAPIDocuments.all[definition].map { resolve($0, depth: 0) }
    }

    /// Inlines `allOf: [{$ref}]` references.
    static func resolve(_ schema: JSONValue, depth: Int) -> JSONValue {
        guard depth < 24 else { return ["type": "object", "x-kubernetes-preserve-unknown-fields": true] }
        switch schema {
        case .object(var o):
            if let ref = o["allOf"]?[0]?["$ref"]?.stringValue ?? o["$ref"]?.stringValue {
                let name = String(ref.split(separator: "/").last ?? "")
                guard let target = OpenAPIDocuments.all[name] else { return ["type": "object", "x-kubernetes-preserve-unknown-fields": true] }
                return resolve(target, depth: depth + 1)
            }
            for (key, value) in o where key == "properties" || key == "items" || key == "additionalProperties" {
                if key == "properties", case .object(let props) = value {
                    o[key] = .object(props.mapValues { resolve($0, depth: depth + 1) })
                } else if value.objectValue != nil {
                    o[key] = resolve(value, depth: depth + 1)
                }
            }
            return .object(o)
        default:
            return schema
        }
    }

    /// Checks `object` (a main-resource write of `info`): returns the unknown fields (paths with
    /// indices, as kube-apiserver reports them) after dropping them; throws the decoder's 400
    /// for a value of the wrong type.
    static func check(_ object: inout JSONValue, info: ResourceInfo) throws -> [String] {
        guard let schema = schemas[info.storageKey] else { return [] }
        var walker = Walker(kind: info.kind, version: info.version)
        walker.walk(&object, schema: schema, path: "", goPath: "", parentStruct: info.kind, isRoot: true)
        if let error = walker.typeError { throw APIErrors.badRequest(error) }
        return walker.unknown
    }

    struct Walker {
        let kind: String
        let version: String
        var unknown: [String] = []
        var typeError: String?

        /// The Go type name a schema stands for in decoder messages (`v1.PodSpec`, `int32`).
        static func goType(_ schema: JSONValue) -> String {
            if schema["x-kubernetes-int-or-string"]?.boolValue == true { return "intstr.IntOrString" }
            switch schema["type"]?.stringValue {
            case "integer": return schema["format"]?.stringValue == "int64" ? "int64" : "int32"
            case "string": return "string"
            case "boolean": return "bool"
            case "array": return "[]" + goType(schema["items"] ?? .emptyObject)
            case "object":
                if schema["additionalProperties"]?["type"]?.stringValue == "string" { return "map[string]string" }
                return structName(schema).map { "v1.\($0)" } ?? "map[string]interface {}"
            default: return "interface {}"
            }
        }

        /// A struct's Go name, from its description when that starts with it ("PodSpec is ...").
        static func structName(_ schema: JSONValue) -> String? {
            guard let first = schema["description"]?.stringValue?.split(separator: " ").first, let c = first.first,
                  c.isUppercase, first.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
            return String(first)
        }

        static func jsonType(_ value: JSONValue) -> String {
            switch value {
            case .string: return "string"
            case .int, .double: return "number"
            case .bool: return "bool"
            case .array: return "array"
            case .object: return "object"
            case .null: return "null"
            }
        }

        mutating func mismatch(_ value: JSONValue, _ schema: JSONValue, goPath: String, parentStruct: String) {
            guard typeError == nil else { return }
            typeError = "\(kind) in version \"\(version)\" cannot be handled as a \(kind): json: cannot unmarshal \(Self.jsonType(value)) into Go struct field \(parentStruct).\(goPath) of type \(Self.goType(schema))"
        }

        mutating func walk(_ value: inout JSONValue, schema: JSONValue, path: String, goPath: String, parentStruct: String, isRoot: Bool = false) {
            guard typeError == nil, case .object(let s) = schema else { return }
            if case .null = value { return }
            if s["x-kubernetes-preserve-unknown-fields"]?.boolValue == true { return }
            if s["x-kubernetes-int-or-string"]?.boolValue == true {
                switch value {
                case .string, .int: return
                case .double(let d) where d == d.rounded(): return
                default: return mismatch(value, schema, goPath: goPath, parentStruct: parentStruct)
                }
            }
            switch s["type"]?.stringValue {
            case "string":
                if case .string = value { return }
                mismatch(value, schema, goPath: goPath, parentStruct: parentStruct)
            case "integer":
                if case .int = value { return }
                mismatch(value, schema, goPath: goPath, parentStruct: parentStruct)
            case "boolean":
                if case .bool = value { return }
                mismatch(value, schema, goPath: goPath, parentStruct: parentStruct)
            case "array":
                guard case .array(var items) = value else { return mismatch(value, schema, goPath: goPath, parentStruct: parentStruct) }
                let itemSchema = s["items"] ?? .emptyObject
                for i in items.indices {
                    walk(&items[i], schema: itemSchema, path: FieldPath.index(path, i), goPath: goPath, parentStruct: parentStruct)
                }
                value = .array(items)
            case "object":
                guard case .object(var members) = value else { return mismatch(value, schema, goPath: goPath, parentStruct: parentStruct) }
                let properties = s["properties"]?.objectValue
                let additional = s["additionalProperties"]
                let structName = Self.structName(schema) ?? parentStruct
                for key in members.keys.sorted() {
                    guard var child = members[key] else { continue }
                    if isRoot && ["apiVersion", "kind", "status"].contains(key) { continue }
                    let childPath = FieldPath.child(path, key)
                    let childGoPath = goPath.isEmpty ? key : "\(goPath).\(key)"
                    if let propSchema = properties?[key] {
                        walk(&child, schema: propSchema, path: childPath, goPath: childGoPath, parentStruct: structName)
                        members[key] = child
                    } else if let additional, additional.objectValue != nil {
                        walk(&child, schema: additional, path: childPath, goPath: childGoPath, parentStruct: structName)
                        members[key] = child
                    } else if properties != nil {
                        members[key] = nil
                        unknown.append(childPath.hasPrefix(".") ? String(childPath.dropFirst()) : childPath)
                    }
                }
                value = .object(members)
            default:
                return
            }
        }
    }
}
