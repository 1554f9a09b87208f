import KubeCore

/// Small builders for the hand-written OpenAPI v3 schemas of the built-in kinds.
/// References point at `#/components/schemas/<name>`; the v2 document rewrites them.
enum S {
    static func ref(_ name: String, _ description: String = "") -> JSONValue {
        var o: [String: JSONValue] = ["allOf": [["$ref": .string("#/components/schemas/\(name)")]]]
        if !description.isEmpty { o["description"] = .string(description) }
        return .object(o)
    }

    static func string(_ description: String, format: String? = nil) -> JSONValue {
        var o: [String: JSONValue] = ["type": "string", "description": .string(description)]
        if let format { o["format"] = .string(format) }
        return .object(o)
    }

    static func int(_ description: String, format: String = "int32") -> JSONValue {
        ["type": "integer", "format": .string(format), "description": .string(description)]
    }

    static func bool(_ description: String) -> JSONValue {
        ["type": "boolean", "description": .string(description)]
    }

    static func intOrString(_ description: String) -> JSONValue {
        ["x-kubernetes-int-or-string": true, "format": "int-or-string", "description": .string(description)]
    }

    static func stringMap(_ description: String) -> JSONValue {
        ["type": "object", "additionalProperties": ["type": "string", "default": ""], "description": .string(description)]
    }

    static func free(_ description: String) -> JSONValue {
        ["type": "object", "x-kubernetes-preserve-unknown-fields": true, "description": .string(description)]
    }

    /// A list; `meta` adds the strategic-merge and server-side-apply extensions from the one table.
    static func list(_ items: JSONValue, _ description: String, meta: PatchMeta? = nil) -> JSONValue {
        var o: [String: JSONValue] = ["type": "array", "items": items, "description": .string(description)]
        if let meta {
            if let key = meta.mergeKey { o["x-kubernetes-patch-merge-key"] = .string(key) }
            if !meta.strategies.isEmpty { o["x-kubernetes-patch-strategy"] = .string(meta.strategies.joined(separator: ",")) }
            if let type = meta.listType { o["x-kubernetes-list-type"] = .string(type) }
            if !meta.listMapKeys.isEmpty { o["x-kubernetes-list-map-keys"] = .array(meta.listMapKeys.map(JSONValue.string)) }
        } else {
            o["x-kubernetes-list-type"] = "atomic"
        }
        return .object(o)
    }

    static func object(_ description: String, required: [String] = [], _ properties: [String: JSONValue]) -> JSONValue {
        var o: [String: JSONValue] = ["type": "object", "description": .string(description), "properties": .object(properties)]
        if !required.isEmpty { o["required"] = .array(required.map(JSONValue.string)) }
        return .object(o)
    }

    /// A top-level kind: apiVersion, kind, metadata plus its own properties and its GVK extension.
    static func kind(_ group: String, _ version: String, _ kind: String, _ description: String, required: [String] = [], _ properties: [String: JSONValue]) -> JSONValue {
        var props = properties
        props["apiVersion"] = string("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.")
        props["kind"] = string("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.")
        props["metadata"] = ref(objectMeta, "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")
        var o = object(description, required: required, props).objectValue ?? [:]
        o["x-kubernetes-group-version-kind"] = [["group": .string(group), "version": .string(version), "kind": .string(kind)]]
        return .object(o)
    }

    static let objectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    static let labelSelector = "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"
    static let time = "io.k8s.apimachinery.pkg.apis.meta.v1.Time"
    static let condition = "io.k8s.apimachinery.pkg.apis.meta.v1.Condition"
    static let podTemplateSpec = "io.k8s.api.core.v1.PodTemplateSpec"
    static let podSpec = "io.k8s.api.core.v1.PodSpec"
    static let container = "io.k8s.api.core.v1.Container"
}
