import KubeCore

// SCAFFOLD: signatures agreed between the API server and the schema work; bodies pending.
enum CELValidation {
    static func checkRules(in schema: JSONValue, fieldPath: String) -> [StatusCause] { [] }
    static func validate(new: JSONValue, old: JSONValue?, schema: JSONValue) -> [StatusCause] { [] }
}
