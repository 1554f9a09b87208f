import KubeCore

// SCAFFOLD: signatures agreed between the API server and the schema work; bodies pending.
enum OpenAPIDocuments {
    static func v2(crds: [JSONValue]) -> JSONValue { ["swagger": "2.0", "info": ["title": "Kubernetes", "version": "v1.32.0"], "paths": [:], "definitions": [:]] }
    static func v3Index(crds: [JSONValue]) -> JSONValue { ["paths": [:]] }
    static func v3(path: String, crds: [JSONValue]) -> JSONValue? { nil }
}
