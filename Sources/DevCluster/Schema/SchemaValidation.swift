import KubeCore

// SCAFFOLD: signatures agreed between the API server and the schema work; bodies pending.
enum SchemaValidation {
    static func validateCRDSchema(_ schema: JSONValue, fieldPath: String) -> [StatusCause] { [] }
    static func validate(_ object: JSONValue, schema: JSONValue) -> [StatusCause] { [] }
    static func prune(_ object: inout JSONValue, schema: JSONValue) -> [String] { [] }
    static func applyDefaults(_ object: inout JSONValue, schema: JSONValue) {}
}
