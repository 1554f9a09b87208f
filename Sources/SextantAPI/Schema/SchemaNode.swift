import KubeCore

/// One node of an OpenAPI v3 structural schema, declared next to the Swift type it describes.
///
/// This DSL is the single source of truth for field documentation: the `description` strings
/// become the CRD's `description`s (what `kubectl explain` prints). A unit test proves that every
/// schema agrees key-for-key with the `Codable` encoding of a fully populated sample.
public struct SchemaNode: Sendable, Hashable {
    /// OpenAPI keywords other than `properties`, `items` and `additionalProperties`.
    public var keywords: [String: JSONValue]
    /// Object properties in declaration order.
    public var properties: [Property]
    /// Element schema of an array (zero or one entry).
    public var items: [SchemaNode]
    /// Value schema of a map (zero or one entry).
    public var additionalProperties: [SchemaNode]

    /// A named property of an object schema.
    public struct Property: Sendable, Hashable {
        /// The JSON key.
        public var name: String
        /// Its schema.
        public var schema: SchemaNode
    }

    init(type: String?, description: String) {
        keywords = [:]
        if let type { keywords["type"] = .string(type) }
        if !description.isEmpty { keywords["description"] = .string(description) }
        properties = []
        items = []
        additionalProperties = []
    }

    /// The schema's `type`, if any.
    public var type: String? { keywords["type"]?.stringValue }

    /// True when unknown fields are kept (the schema does not describe the content).
    public var preservesUnknownFields: Bool { keywords["x-kubernetes-preserve-unknown-fields"]?.boolValue == true }

    /// The property with that name.
    public func property(_ name: String) -> SchemaNode? {
        properties.first { $0.name == name }?.schema
    }
}

/// A CEL validation rule (`x-kubernetes-validations`).
public struct ValidationRule: Sendable, Hashable {
    /// The CEL expression.
    public var rule: String
    /// The message shown when it fails.
    public var message: String
    /// Optional CamelCase-free API reason (`FieldValueInvalid`, `FieldValueForbidden`).
    public var reason: String?

    /// A rule with its message.
    public init(_ rule: String, message: String, reason: String? = nil) {
        self.rule = rule
        self.message = message
        self.reason = reason
    }

    var json: JSONValue {
        var o: [String: JSONValue] = ["rule": .string(rule), "message": .string(message)]
        if let reason { o["reason"] = .string(reason) }
        return .object(o)
    }
}

// MARK: - Constructors

extension SchemaNode {
    /// A string.
    public static func string(_ description: String) -> SchemaNode { SchemaNode(type: "string", description: description) }
    /// A 64-bit integer.
    public static func integer(_ description: String) -> SchemaNode {
        var n = SchemaNode(type: "integer", description: description)
        n.keywords["format"] = "int64"
        return n
    }
    /// A 32-bit integer.
    public static func int32(_ description: String) -> SchemaNode {
        var n = SchemaNode(type: "integer", description: description)
        n.keywords["format"] = "int32"
        return n
    }
    /// A floating-point number.
    public static func number(_ description: String) -> SchemaNode {
        var n = SchemaNode(type: "number", description: description)
        n.keywords["format"] = "double"
        return n
    }
    /// A boolean.
    public static func boolean(_ description: String) -> SchemaNode { SchemaNode(type: "boolean", description: description) }
    /// An RFC 3339 timestamp.
    public static func time(_ description: String) -> SchemaNode {
        var n = SchemaNode(type: "string", description: description)
        n.keywords["format"] = "date-time"
        return n
    }
    /// An object with the given properties; `required` lists the keys that must be present.
    public static func object(_ description: String, required: [String] = [], _ properties: [(String, SchemaNode)]) -> SchemaNode {
        var n = SchemaNode(type: "object", description: description)
        n.properties = properties.map { Property(name: $0.0, schema: $0.1) }
        if !required.isEmpty { n.keywords["required"] = .array(required.map { .string($0) }) }
        return n
    }
    /// An array of `item`.
    public static func array(_ description: String, of item: SchemaNode) -> SchemaNode {
        var n = SchemaNode(type: "array", description: description)
        n.items = [item]
        return n
    }
    /// A map from string keys to `value`.
    public static func map(_ description: String, of value: SchemaNode) -> SchemaNode {
        var n = SchemaNode(type: "object", description: description)
        n.additionalProperties = [value]
        return n
    }
    /// A map from string to string.
    public static func stringMap(_ description: String) -> SchemaNode { map(description, of: SchemaNode(type: "string", description: "")) }
    /// An object whose content is not described here (kept as is: Kubernetes core types).
    public static func opaqueObject(_ description: String) -> SchemaNode {
        var n = SchemaNode(type: "object", description: description)
        n.keywords["x-kubernetes-preserve-unknown-fields"] = true
        return n
    }
    /// A Kubernetes quantity (`2Gi`, `500m`, `1`): integer or string.
    public static func quantity(_ description: String) -> SchemaNode {
        var n = SchemaNode(type: nil, description: description)
        n.keywords["x-kubernetes-int-or-string"] = true
        n.keywords["anyOf"] = [["type": "integer"], ["type": "string"]]
        n.keywords["pattern"] = .string(#"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"#)
        return n
    }
}

// MARK: - Modifiers

extension SchemaNode {
    /// Sets a keyword.
    public func with(_ keyword: String, _ value: JSONValue) -> SchemaNode {
        var n = self
        n.keywords[keyword] = value
        return n
    }
    /// Allowed values.
    public func oneOf(_ values: [String]) -> SchemaNode { with("enum", .array(values.map { .string($0) })) }
    /// A regular expression the string must match.
    public func pattern(_ regex: String) -> SchemaNode { with("pattern", .string(regex)) }
    /// The default applied by the API server.
    public func defaulted(_ value: JSONValue) -> SchemaNode { with("default", value) }
    /// Inclusive minimum.
    public func minimum(_ value: Int64) -> SchemaNode { with("minimum", .int(value)) }
    /// Inclusive maximum.
    public func maximum(_ value: Int64) -> SchemaNode { with("maximum", .int(value)) }
    /// Minimum string length.
    public func minLength(_ value: Int64) -> SchemaNode { with("minLength", .int(value)) }
    /// Maximum string length.
    public func maxLength(_ value: Int64) -> SchemaNode { with("maxLength", .int(value)) }
    /// Minimum number of items.
    public func minItems(_ value: Int64) -> SchemaNode { with("minItems", .int(value)) }
    /// Maximum number of items.
    public func maxItems(_ value: Int64) -> SchemaNode { with("maxItems", .int(value)) }
    /// CEL rules.
    public func validations(_ rules: [ValidationRule]) -> SchemaNode { with("x-kubernetes-validations", .array(rules.map(\.json))) }
    /// A DNS-1123 label (lower-case alphanumerics and '-', at most 63 characters).
    public func dns1123Label() -> SchemaNode {
        pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").maxLength(63)
    }
}

// MARK: - Rendering

extension SchemaNode {
    /// The OpenAPI v3 JSON of this schema.
    public var json: JSONValue {
        var o = keywords
        if !properties.isEmpty {
            var props: [String: JSONValue] = [:]
            for p in properties { props[p.name] = p.schema.json }
            o["properties"] = .object(props)
        }
        if let item = items.first { o["items"] = item.json }
        if let value = additionalProperties.first { o["additionalProperties"] = value.json }
        return .object(o)
    }
}
