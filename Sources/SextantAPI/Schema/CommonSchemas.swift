import KubeCore

/// Schemas shared by the three kinds.
public enum CommonSchemas {
    /// `metav1.Condition`.
    public static let condition: SchemaNode = .object(
        "One observation of the object's state (metav1.Condition).",
        required: ["type", "status", "lastTransitionTime", "reason", "message"],
        [
            ("type", .string("Condition type (`Ready`, ...).")),
            ("status", .string("`True`, `False` or `Unknown`.").oneOf(["True", "False", "Unknown"])),
            ("observedGeneration", .integer("The generation the condition was set for.")),
            ("lastTransitionTime", .time("When `status` last changed.")),
            ("reason", .string("CamelCase machine-readable reason.")),
            ("message", .string("Human-readable details.")),
        ])

    /// `status.conditions`.
    public static func conditions(_ description: String) -> SchemaNode {
        .array(description, of: condition)
    }

    /// `status.observedGeneration`.
    public static let observedGeneration: SchemaNode = .integer("The `metadata.generation` this status describes.")
}
