import Foundation

/// `v1` Service (named `KubeService` so it does not clash with swift-service-lifecycle's `Service`).
public struct KubeService: Resource, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Service"
    public static let plural = "services"
    public static let namespaced = true

    public var apiVersion: String? = "v1"
    public var kind: String? = "Service"
    public var metadata: ObjectMeta
    public var spec: ServiceSpec?
    public var status: JSONValue?

    public init(metadata: ObjectMeta, spec: ServiceSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `v1.ServiceSpec` subset.
public struct ServiceSpec: Codable, Sendable, Hashable {
    public var selector: [String: String]?
    public var ports: [ServicePort]?
    /// `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`.
    public var type: String?
    public var clusterIP: String?
    public var clusterIPs: [String]?

    public init(selector: [String: String]? = nil, ports: [ServicePort]? = nil, type: String? = nil) {
        self.selector = selector
        self.ports = ports
        self.type = type
    }
}

/// `v1.ServicePort`; `targetPort` is an int-or-string, kept as JSON.
public struct ServicePort: Codable, Sendable, Hashable {
    public var name: String?
    public var port: Int32
    public var targetPort: JSONValue?
    public var `protocol`: String?
    public var nodePort: Int32?

    public init(name: String? = nil, port: Int32, targetPort: JSONValue? = nil, protocol: String? = nil) {
        self.name = name
        self.port = port
        self.targetPort = targetPort
        self.protocol = `protocol`
    }
}

/// `v1` Namespace.
public struct Namespace: Resource, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Namespace"
    public static let plural = "namespaces"
    public static let namespaced = false

    public var apiVersion: String? = "v1"
    public var kind: String? = "Namespace"
    public var metadata: ObjectMeta
    public var spec: JSONValue?
    /// `{"phase": "Active"|"Terminating"}`.
    public var status: JSONValue?

    public init(metadata: ObjectMeta) { self.metadata = metadata }
}

/// `v1` ConfigMap.
public struct ConfigMap: Resource, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "ConfigMap"
    public static let plural = "configmaps"
    public static let namespaced = true

    public var apiVersion: String? = "v1"
    public var kind: String? = "ConfigMap"
    public var metadata: ObjectMeta
    public var data: [String: String]?
    public var binaryData: [String: String]?

    public init(metadata: ObjectMeta, data: [String: String]? = nil) {
        self.metadata = metadata
        self.data = data
    }
}

/// `v1` Secret (values base64 in `data`, plain in `stringData` on write).
public struct Secret: Resource, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Secret"
    public static let plural = "secrets"
    public static let namespaced = true

    public var apiVersion: String? = "v1"
    public var kind: String? = "Secret"
    public var metadata: ObjectMeta
    public var type: String?
    public var data: [String: String]?
    public var stringData: [String: String]?

    public init(metadata: ObjectMeta, data: [String: String]? = nil, stringData: [String: String]? = nil) {
        self.metadata = metadata
        self.data = data
        self.stringData = stringData
    }

    /// The decoded value of a `data` key.
    public func value(_ key: String) -> Data? {
        data?[key].flatMap { Data(base64Encoded: $0) }
    }
}
