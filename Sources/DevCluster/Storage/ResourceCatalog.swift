import KubeCore

/// What a served version of a CRD contributes besides its `ResourceInfo`.
struct CustomResourceVersion: Sendable, Hashable {
    var schema: JSONValue?
    var printerColumns: [JSONValue]?
    var storage: Bool
}

/// The set of served resources: built-ins plus every established CRD's served versions.
struct ResourceCatalog: Sendable {
    static let crdStorageKey = "customresourcedefinitions.apiextensions.k8s.io"
    static let namespacesKey = "namespaces"

    private(set) var infos: [ResourceInfo]
    private var byGVR: [GroupVersionResource: Int] = [:]
    private(set) var custom: [GroupVersionResource: CustomResourceVersion] = [:]
    /// The CRD objects the catalog was built from (for OpenAPI documents).
    private(set) var crds: [JSONValue] = []

    init(crds: [JSONValue] = []) {
        infos = BuiltinResources.all
        self.crds = crds.filter { Self.isEstablished($0) }
        for crd in self.crds {
            for (info, version) in Self.infos(for: crd) {
                infos.append(info)
                custom[info.gvr] = version
            }
        }
        for (index, info) in infos.enumerated() where byGVR[info.gvr] == nil {
            byGVR[info.gvr] = index
        }
    }

    static func isEstablished(_ crd: JSONValue) -> Bool {
        let conditions = crd[path: ["status", "conditions"]]?.arrayValue ?? []
        return conditions.contains { $0["type"]?.stringValue == "Established" && $0["status"]?.stringValue == "True" }
    }

    /// The served versions of a CRD as resources.
    static func infos(for crd: JSONValue) -> [(ResourceInfo, CustomResourceVersion)] {
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
              let plural = spec[path: ["names", "plural"]]?.stringValue,
              let requestedKind = spec[path: ["names", "kind"]]?.stringValue,
              let name = crd[path: ["metadata", "name"]]?.stringValue else { return [] }
        // Served under the accepted names (a conflicting shortName is not served).
        let names = crd[path: ["status", "acceptedNames"]] ?? spec["names"] ?? .emptyObject
        let kind = names["kind"]?.stringValue ?? requestedKind
        let strings: (String) -> [String] = { key in names[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        var result: [(ResourceInfo, CustomResourceVersion)] = []
        for version in spec["versions"]?.arrayValue ?? [] {
            guard let versionName = version["name"]?.stringValue, version["served"]?.boolValue ?? false else { continue }
            var subresources: [String] = []
            if version[path: ["subresources", "status"]] != nil { subresources.append("status") }
            if version[path: ["subresources", "scale"]] != nil { subresources.append("scale") }
            let info = ResourceInfo(
                group: group, version: versionName, resource: plural, kind: kind,
                singular: names["singular"]?.stringValue ?? kind.lowercased(),
                namespaced: spec["scope"]?.stringValue != "Cluster",
                shortNames: strings("shortNames"), categories: strings("categories"),
                subresources: subresources, storageKey: "\(plural).\(group)", crdName: name)
            let extra = CustomResourceVersion(
                schema: version[path: ["schema", "openAPIV3Schema"]],
                printerColumns: version["additionalPrinterColumns"]?.arrayValue ?? [],
                storage: version["storage"]?.boolValue ?? false)
            result.append((info, extra))
        }
        return result
    }

    /// The resource served at group/version/resource.
    func info(_ gvr: GroupVersionResource) -> ResourceInfo? {
        byGVR[gvr].map { infos[$0] }
    }

    /// The resource served at group/version/resource, or a 404 Status.
    func require(_ gvr: GroupVersionResource) throws -> ResourceInfo {
        guard let info = info(gvr) else { throw APIErrors.pathNotFound }
        return info
    }

    /// The primary resource stored under a storage key (the first one registered).
    func primary(storageKey: String) -> ResourceInfo? {
        infos.first { $0.storageKey == storageKey }
    }

    /// Resources of one group/version.
    func resources(group: String, version: String) -> [ResourceInfo] {
        infos.filter { $0.group == group && $0.version == version }
    }

    /// Groups with their versions, in discovery order (built-ins first, CRD groups after).
    func groups() -> [(group: String, versions: [String])] {
        var order: [String] = []
        var versions: [String: [String]] = [:]
        for info in infos where !info.group.isEmpty {
            if versions[info.group] == nil { order.append(info.group) }
            if !(versions[info.group]?.contains(info.version) ?? false) {
                versions[info.group, default: []].append(info.version)
            }
        }
        let builtinRank = Dictionary(uniqueKeysWithValues: BuiltinResources.groupOrder.enumerated().map { ($1, $0) })
        order.sort { a, b in
            let ra = builtinRank[a] ?? Int.max, rb = builtinRank[b] ?? Int.max
            if ra != rb { return ra < rb }
            return a < b
        }
        return order.map { group in
            let vs = (versions[group] ?? []).sorted { Self.versionPriority($0) > Self.versionPriority($1) }
            return (group, vs)
        }
    }

    /// Kubernetes version priority: GA > beta > alpha, higher numbers first.
    static func versionPriority(_ v: String) -> Int {
        let scanner = Array(v)
        guard scanner.first == "v" else { return 0 }
        let digits = scanner.dropFirst().prefix { $0.isNumber }
        let major = Int(String(digits)) ?? 0
        let rest = String(scanner.dropFirst(1 + digits.count))
        if rest.isEmpty { return 3_000_000 + major * 1000 }
        let minorDigits = Int(String(rest.filter(\.isNumber))) ?? 0
        if rest.hasPrefix("beta") { return 2_000_000 + major * 1000 + minorDigits }
        if rest.hasPrefix("alpha") { return 1_000_000 + major * 1000 + minorDigits }
        return 0
    }

    /// Whether objects of this resource carry `metadata.generation`.
    static func tracksGeneration(_ info: ResourceInfo) -> Bool {
        if info.isCustom { return true }
        switch info.resource {
        case "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs",
             "customresourcedefinitions", "poddisruptionbudgets", "networkpolicies", "ingresses",
             "horizontalpodautoscalers", "validatingadmissionpolicies", "validatingadmissionpolicybindings":
            return true
        default:
            return false
        }
    }
}
