import KubeCore

/// How a field of a built-in kind merges: the Go struct tags `patchStrategy`/`patchMergeKey`
/// and the server-side-apply list keys (`+listType=map`, `+listMapKey`). This one table drives
/// strategic merge patch, managedFields (`k:{...}` keys) and the OpenAPI
/// `x-kubernetes-patch-*` / `x-kubernetes-list-*` extensions.
struct PatchMeta: Sendable, Equatable {
    /// `patchMergeKey` (nil for primitive sets such as finalizers).
    var mergeKey: String?
    /// `patchStrategy`, e.g. ["merge"], ["merge", "retainKeys"], ["retainKeys"].
    var strategies: [String]
    /// The keys of an associative list for server-side apply (`x-kubernetes-list-map-keys`).
    var listMapKeys: [String]

    var merges: Bool { strategies.contains("merge") }
    var retainsKeys: Bool { strategies.contains("retainKeys") }

    /// `x-kubernetes-list-type` for server-side apply: `map`, `set` or nil (atomic).
    var listType: String? {
        if !listMapKeys.isEmpty { return "map" }
        return merges && mergeKey == nil ? "set" : nil
    }

    static func mergeList(_ key: String, keys: [String]? = nil, retainKeys: Bool = false) -> PatchMeta {
        PatchMeta(mergeKey: key, strategies: retainKeys ? ["merge", "retainKeys"] : ["merge"], listMapKeys: keys ?? [key])
    }

    static let set = PatchMeta(mergeKey: nil, strategies: ["merge"], listMapKeys: [])
    static let retainKeys = PatchMeta(mergeKey: nil, strategies: ["retainKeys"], listMapKeys: [])
}

/// The patch metadata of the built-in kinds, by resource and dotted field path (list elements
/// are transparent: `spec.containers.env` is the `env` list of every container).
enum BuiltinPatchMeta {
    /// Fields of a PodSpec, relative to the PodSpec.
    static let podSpec: [String: PatchMeta] = {
        var m: [String: PatchMeta] = [
            "volumes": .mergeList("name", retainKeys: true),
            "imagePullSecrets": .mergeList("name"),
            "hostAliases": .mergeList("ip"),
            "topologySpreadConstraints": .mergeList("topologyKey", keys: ["topologyKey", "whenUnsatisfiable"]),
            "resourceClaims": .mergeList("name", retainKeys: true),
            "schedulingGates": .mergeList("name"),
        ]
        for containers in ["containers", "initContainers", "ephemeralContainers"] {
            m[containers] = .mergeList("name")
            m["\(containers).ports"] = .mergeList("containerPort", keys: ["containerPort", "protocol"])
            m["\(containers).env"] = .mergeList("name")
            m["\(containers).volumeMounts"] = .mergeList("mountPath")
            m["\(containers).volumeDevices"] = .mergeList("devicePath")
        }
        return m
    }()

    /// Fields every object has.
    static let common: [String: PatchMeta] = [
        "metadata.ownerReferences": .mergeList("uid"),
        "metadata.finalizers": .set,
        "status.conditions": .mergeList("type"),
    ]

    /// Where each workload kind keeps its PodSpec.
    static let podSpecPrefix: [String: String] = [
        "pods": "spec",
        "jobs": "spec.template.spec",
        "deployments": "spec.template.spec",
        "replicasets": "spec.template.spec",
        "statefulsets": "spec.template.spec",
        "daemonsets": "spec.template.spec",
        "podtemplates": "template.spec",
    ]

    /// Resource-specific fields besides the PodSpec.
    static let specific: [String: [String: PatchMeta]] = [
        "services": ["spec.ports": .mergeList("port", keys: ["port", "protocol"])],
        "deployments": ["spec.strategy": .retainKeys],
        "endpoints": ["subsets.ports": .mergeList("name")],
    ]

    private static let tables: [String: [String: PatchMeta]] = {
        var out: [String: [String: PatchMeta]] = [:]
        let resources = Set(podSpecPrefix.keys).union(specific.keys)
        for resource in resources {
            var table = common
            if let prefix = podSpecPrefix[resource] {
                for (path, meta) in podSpec { table["\(prefix).\(path)"] = meta }
            }
            for (path, meta) in specific[resource] ?? [:] { table[path] = meta }
            out[resource] = table.filter { !$0.value.strategies.isEmpty || !$0.value.listMapKeys.isEmpty }
        }
        return out
    }()

    /// Whether the resource is a built-in kind (so strategic merge patch applies to it).
    static func isBuiltin(_ resource: GroupVersionResource) -> Bool {
        let builtinGroups: Set<String> = ["", "apps", "batch", "coordination.k8s.io", "events.k8s.io", "apiextensions.k8s.io",
                                          "rbac.authorization.k8s.io", "policy", "networking.k8s.io", "storage.k8s.io", "autoscaling"]
        return builtinGroups.contains(resource.group)
    }

    /// The metadata of the field at `path` (object keys only) of a resource, if it is not atomic.
    static func lookup(resource: String, path: [String]) -> PatchMeta? {
        let key = path.joined(separator: ".")
        if let table = tables[resource] { return table[key] }
        return common[key]
    }

    /// Every path of a resource's table (for the OpenAPI extensions).
    static func table(for resource: String) -> [String: PatchMeta] {
        tables[resource] ?? common
    }
}
