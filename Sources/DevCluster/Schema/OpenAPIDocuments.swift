import Crypto
import Foundation
import KubeCore

/// The `/openapi/v2` and `/openapi/v3` documents: hand-written schemas of the built-in kinds
/// (with descriptions for `kubectl explain` and the patch extensions from `BuiltinPatchMeta`)
/// plus the schemas of established CRDs.
enum OpenAPIDocuments {
    /// Definitions shared by every document (meta types, PodSpec and friends).
    static let shared: [String: JSONValue] = MetaSchemas.definitions.merging(
        CoreSchemas.definitions.filter { key, _ in !OpenAPIKind.builtins.contains { $0.definition == key } }) { a, _ in a }

    /// Every built-in definition, kinds included.
    static let all: [String: JSONValue] = MetaSchemas.definitions
        .merging(CoreSchemas.definitions) { a, _ in a }
        .merging(WorkloadSchemas.definitions) { a, _ in a }
        .merging(AdmissionSchemas.definitions) { a, _ in a }
        .merging(AutoscalingSchemas.definitions) { a, _ in a }

    /// /openapi/v2 (Swagger 2.0) for built-ins and established CRDs (`crds` are CRD objects).
    static func v2(crds: [JSONValue]) -> JSONValue {
        var definitions = all
        var paths: [String: JSONValue] = [:]
        for kind in OpenAPIKind.builtins { paths.merge(kind.pathItems(v2: true)) { a, _ in a } }
        for (kind, schema) in OpenAPIKind.custom(crds) {
            definitions[kind.definition] = schema
            paths.merge(kind.pathItems(v2: true)) { a, _ in a }
        }
        let doc: JSONValue = [
            "swagger": "2.0", "info": ["title": "Kubernetes", "version": "v1.32.0"],
            "paths": .object(paths), "definitions": .object(definitions),
        ]
        return rewriteRefs(doc)
    }

    /// /openapi/v3 discovery index: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}, ...}}.
    static func v3Index(crds: [JSONValue]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        let documentPaths = Set(OpenAPIKind.builtins.map(\.documentPath) + OpenAPIKind.custom(crds).map(\.0.documentPath))
        for path in documentPaths {
            guard let doc = v3(path: path, crds: crds) else { continue }
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash(doc))")]
        }
        return ["paths": .object(paths)]
    }

    /// /openapi/v3/<path> document (path like "api/v1" or "apis/ml.sextant.dev/v1alpha1"), nil when unknown.
    static func v3(path: String, crds: [JSONValue]) -> JSONValue? {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        let builtins = OpenAPIKind.builtins.filter { $0.documentPath == trimmed }
        let custom = OpenAPIKind.custom(crds).filter { $0.0.documentPath == trimmed }
        guard !builtins.isEmpty || !custom.isEmpty else { return nil }
        var schemas = shared
        var paths: [String: JSONValue] = [:]
        for kind in builtins {
            schemas[kind.definition] = all[kind.definition]
            paths.merge(kind.pathItems(v2: false)) { a, _ in a }
        }
        for (kind, schema) in custom {
            schemas[kind.definition] = schema
            paths.merge(kind.pathItems(v2: false)) { a, _ in a }
        }
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.32.0"],
            "paths": .object(paths), "components": ["schemas": .object(schemas)],
        ]
    }

    /// The uppercase hex SHA-512 of a document, as kube-apiserver puts in `?hash=`.
    static func hash(_ doc: JSONValue) -> String {
        SHA512.hash(data: doc.data()).map { String(format: "%02X", $0) }.joined()
    }

    /// `#/components/schemas/X` → `#/definitions/X` for Swagger 2.0.
    static func rewriteRefs(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let o):
            var out: [String: JSONValue] = [:]
            for (k, v) in o {
                if k == "$ref", let s = v.stringValue, s.hasPrefix("#/components/schemas/") {
                    out[k] = .string("#/definitions/" + s.dropFirst("#/components/schemas/".count))
                } else {
                    out[k] = rewriteRefs(v)
                }
            }
            return .object(out)
        case .array(let a): return .array(a.map(rewriteRefs))
        default: return value
        }
    }
}
