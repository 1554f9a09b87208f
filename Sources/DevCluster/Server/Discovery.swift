import KubeCore

/// Discovery documents: `/version`, legacy `/api`, `/apis`, `/apis/<g>`, `/api(s)/<g>/<v>`, and
/// aggregated discovery (`apidiscovery.k8s.io` v2 and v2beta1) when the client's Accept asks for it.
enum Discovery {
    static let gitVersion = "v1.32.0-sextant"

    static func version() -> JSONValue {
        [
            "major": "1", "minor": "32", "gitVersion": .string(gitVersion), "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.4", "compiler": "gc",
            "platform": "linux/amd64",
        ]
    }

    static func apiVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    static func apiGroup(_ group: String, versions: [String]) -> JSONValue {
        let entries: [JSONValue] = versions.map { ["groupVersion": .string("\(group)/\($0)"), "version": .string($0)] }
        return ["name": .string(group), "versions": .array(entries), "preferredVersion": entries.first ?? .null]
    }

    static func apiGroupList(_ catalog: ResourceCatalog) -> JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(catalog.groups().map { apiGroup($0.group, versions: $0.versions) })]
    }

    static func group(_ name: String, _ catalog: ResourceCatalog) -> JSONValue? {
        guard let entry = catalog.groups().first(where: { $0.group == name }) else { return nil }
        var g = apiGroup(entry.group, versions: entry.versions)
        g["kind"] = "APIGroup"
        g["apiVersion"] = "v1"
        return g
    }

    static func subresourceVerbs(_ sub: String) -> [String] {
        switch sub {
        case "log": return ["get"]
        case "finalize": return ["update"]
        default: return ["get", "patch", "update"]
        }
    }

    static func strings(_ a: [String]) -> JSONValue { .array(a.map(JSONValue.string)) }

    /// `APIResourceList` for one group/version; nil when nothing is served there.
    static func resourceList(group: String, version: String, _ catalog: ResourceCatalog) -> JSONValue? {
        let infos = catalog.resources(group: group, version: version)
        guard !infos.isEmpty else { return nil }
        var resources: [JSONValue] = []
        for info in infos {
            var r: JSONValue = [
                "name": .string(info.resource), "singularName": .string(info.singular), "namespaced": .bool(info.namespaced),
                "kind": .string(info.kind), "verbs": strings(info.verbs),
            ]
            if !info.shortNames.isEmpty { r["shortNames"] = strings(info.shortNames) }
            if !info.categories.isEmpty { r["categories"] = strings(info.categories) }
            resources.append(r)
            for sub in info.subresources {
                var s: JSONValue = [
                    "name": .string("\(info.resource)/\(sub)"), "singularName": "", "namespaced": .bool(info.namespaced),
                    "kind": .string(sub == "scale" ? "Scale" : info.kind), "verbs": strings(subresourceVerbs(sub)),
                ]
                if sub == "scale" { s["group"] = "autoscaling"; s["version"] = "v1" }
                resources.append(s)
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "resources": .array(resources)]
    }

    /// Aggregated discovery for `/api` (core) or `/apis` (all groups).
    static func aggregated(core: Bool, version: String, _ catalog: ResourceCatalog) -> JSONValue {
        var items: [JSONValue] = []
        let groups: [(group: String, versions: [String])] = core ? [("", ["v1"])] : catalog.groups()
        for entry in groups {
            var versions: [JSONValue] = []
            for v in entry.versions {
                let resources = catalog.resources(group: entry.group, version: v).map { aggregatedResource($0) }
                versions.append(["version": .string(v), "resources": .array(resources), "freshness": "Current"])
            }
            items.append(["metadata": entry.group.isEmpty ? .emptyObject : ["name": .string(entry.group)], "versions": .array(versions)])
        }
        return [
            "kind": "APIGroupDiscoveryList", "apiVersion": .string("apidiscovery.k8s.io/\(version)"),
            "metadata": .emptyObject, "items": .array(items),
        ]
    }

    static func aggregatedResource(_ info: ResourceInfo) -> JSONValue {
        let kind: JSONValue = ["group": .string(info.group), "version": .string(info.version), "kind": .string(info.kind)]
        var r: JSONValue = [
            "resource": .string(info.resource), "responseKind": kind, "scope": info.namespaced ? "Namespaced" : "Cluster",
            "singularResource": .string(info.singular), "verbs": strings(info.verbs),
        ]
        if !info.shortNames.isEmpty { r["shortNames"] = strings(info.shortNames) }
        if !info.categories.isEmpty { r["categories"] = strings(info.categories) }
        if !info.subresources.isEmpty {
            r["subresources"] = .array(info.subresources.map { sub in
                let responseKind: JSONValue = sub == "scale" ? ["group": "autoscaling", "version": "v1", "kind": "Scale"] : kind
                return ["subresource": .string(sub), "responseKind": responseKind, "verbs": strings(subresourceVerbs(sub))]
            })
        }
        return r
    }

    static func contentType(aggregated version: String) -> String {
        "application/json;g=apidiscovery.k8s.io;v=\(version);as=APIGroupDiscoveryList"
    }
}
