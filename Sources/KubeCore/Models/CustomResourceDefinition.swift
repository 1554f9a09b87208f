import Foundation

/// `apiextensions.k8s.io/v1` CustomResourceDefinition.
public struct CustomResourceDefinition: Resource, Hashable {
    public static let group = "apiextensions.k8s.io"
    public static let version = "v1"
    public static let kind = "CustomResourceDefinition"
    public static let plural = "customresourcedefinitions"
    public static let namespaced = false

    public var apiVersion: String? = "apiextensions.k8s.io/v1"
    public var kind: String? = "CustomResourceDefinition"
    public var metadata: ObjectMeta
    public var spec: CRDSpec
    public var status: CRDStatus?

    public init(metadata: ObjectMeta, spec: CRDSpec) {
        self.metadata = metadata
        self.spec = spec
    }

    /// True once the `Established` condition is True (the resource is served).
    public var isEstablished: Bool {
        status?.conditions?.contains { $0.type == "Established" && $0.status == ConditionStatus.true } ?? false
    }
}

/// `CustomResourceDefinitionSpec`.
public struct CRDSpec: Codable, Sendable, Hashable {
    public var group: String
    public var names: CRDNames
    /// `Namespaced` or `Cluster`.
    public var scope: String
    public var versions: [CRDVersion]
    public var conversion: JSONValue?
    public var preserveUnknownFields: Bool?

    public init(group: String, names: CRDNames, scope: String, versions: [CRDVersion]) {
        self.group = group
        self.names = names
        self.scope = scope
        self.versions = versions
    }
}

/// `CustomResourceDefinitionNames`.
public struct CRDNames: Codable, Sendable, Hashable {
    public var plural: String
    public var singular: String?
    public var kind: String
    public var listKind: String?
    public var shortNames: [String]?
    public var categories: [String]?

    public init(plural: String, singular: String? = nil, kind: String, listKind: String? = nil, shortNames: [String]? = nil, categories: [String]? = nil) {
        self.plural = plural
        self.singular = singular
        self.kind = kind
        self.listKind = listKind
        self.shortNames = shortNames
        self.categories = categories
    }
}

/// `CustomResourceDefinitionVersion`; the schema is kept as JSON.
public struct CRDVersion: Codable, Sendable, Hashable {
    public var name: String
    public var served: Bool
    public var storage: Bool
    public var deprecated: Bool?
    /// `{"openAPIV3Schema": {...}}`.
    public var schema: JSONValue?
    /// `{"status": {}, "scale": {...}}`.
    public var subresources: JSONValue?
    public var additionalPrinterColumns: [JSONValue]?
    public var selectableFields: [JSONValue]?

    public init(name: String, served: Bool = true, storage: Bool = true, schema: JSONValue? = nil, subresources: JSONValue? = nil, additionalPrinterColumns: [JSONValue]? = nil) {
        self.name = name
        self.served = served
        self.storage = storage
        self.schema = schema
        self.subresources = subresources
        self.additionalPrinterColumns = additionalPrinterColumns
    }
}

/// `CustomResourceDefinitionStatus`.
public struct CRDStatus: Codable, Sendable, Hashable {
    public var conditions: [CRDCondition]?
    public var acceptedNames: CRDNames?
    public var storedVersions: [String]?

    public init() {}
}
