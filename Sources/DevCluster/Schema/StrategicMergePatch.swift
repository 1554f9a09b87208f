import KubeCore

// SCAFFOLD: signatures agreed between the API server and the schema work; bodies pending.
enum StrategicMergePatch {
    static func apply(_ patch: JSONValue, to object: JSONValue, resource: GroupVersionResource) throws -> JSONValue {
        MergePatch.apply(patch, to: object)
    }
}
