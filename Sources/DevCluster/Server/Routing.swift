import KubeCore

/// A request for a resource collection, one object, or a subresource of it.
struct ResourceRequest: Sendable {
    var info: ResourceInfo
    /// The namespace in the URL (nil for cluster-scoped resources or all-namespace lists).
    var namespace: String?
    var name: String?
    var subresource: String?
    /// Legacy `/watch/` path prefix.
    var watchPrefix = false
}

/// Where a path leads.
enum Route: Sendable {
    case version, healthz(String), api, apis, group(String)
    case groupVersion(group: String, version: String)
    case resource(ResourceRequest)
    case openAPIv2, openAPIv3Index, openAPIv3(String)
    /// A create-only review of authentication.k8s.io/v1 or authorization.k8s.io/v1.
    case review(group: String, resource: String, namespace: String?)
    case adminFaults
    case notFound
}

enum Router {
    /// Maps a URL path to a route using the current catalog.
    static func route(_ path: String, catalog: ResourceCatalog) -> Route {
        var segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch segments.first {
        case nil: return .notFound
        case "version": return segments.count == 1 ? .version : .notFound
        case "healthz", "livez", "readyz": return .healthz(segments[0])
        case "openapi":
            if segments == ["openapi", "v2"] { return .openAPIv2 }
            if segments == ["openapi", "v3"] { return .openAPIv3Index }
            if segments.count > 2 && segments[1] == "v3" { return .openAPIv3(segments.dropFirst(2).joined(separator: "/")) }
            return .notFound
        case "admin":
            return segments == ["admin", "faults"] ? .adminFaults : .notFound
        case "api":
            if segments.count == 1 { return .api }
            guard segments[1] == "v1" else { return .notFound }
            if segments.count == 2 { return .groupVersion(group: "", version: "v1") }
            segments.removeFirst(2)
            return resourceRoute(group: "", version: "v1", segments, catalog)
        case "apis":
            if segments.count == 1 { return .apis }
            if segments.count == 2 { return .group(segments[1]) }
            if segments.count == 3 { return .groupVersion(group: segments[1], version: segments[2]) }
            let (group, version) = (segments[1], segments[2])
            segments.removeFirst(3)
            if ["authentication.k8s.io", "authorization.k8s.io"].contains(group), version == "v1" {
                if segments.count == 1 { return .review(group: group, resource: segments[0], namespace: nil) }
                if segments.count == 3, segments[0] == "namespaces" { return .review(group: group, resource: segments[2], namespace: segments[1]) }
                return .notFound
            }
            return resourceRoute(group: group, version: version, segments, catalog)
        default:
            return .notFound
        }
    }

    private static func resourceRoute(group: String, version: String, _ input: [String], _ catalog: ResourceCatalog) -> Route {
        var segments = input
        var watch = false
        if segments.first == "watch" {
            watch = true
            segments.removeFirst()
        }
        let lookup: (String) -> ResourceInfo? = { catalog.info(GroupVersionResource(group: group, version: version, resource: $0)) }
        // namespaces/NS/... (except the namespace object itself and its subresources)
        if segments.first == "namespaces", segments.count >= 3 {
            let isNamespaceSub = group.isEmpty && segments.count == 3 && ["status", "finalize"].contains(segments[2])
            if !isNamespaceSub {
                guard let info = lookup(segments[2]), info.namespaced else { return .notFound }
                var request = ResourceRequest(info: info, namespace: segments[1], watchPrefix: watch)
                if segments.count >= 4 { request.name = segments[3] }
                if segments.count >= 5 { request.subresource = segments[4] }
                if segments.count > 5 { return .notFound }
                if let sub = request.subresource, !info.subresources.contains(sub) { return .notFound }
                return .resource(request)
            }
        }
        guard let first = segments.first, let info = lookup(first) else { return .notFound }
        var request = ResourceRequest(info: info, watchPrefix: watch)
        if segments.count >= 2 { request.name = segments[1] }
        if segments.count >= 3 { request.subresource = segments[2] }
        if segments.count > 3 { return .notFound }
        if let sub = request.subresource, !info.subresources.contains(sub) { return .notFound }
        // A single namespaced object needs its namespace in the URL.
        if info.namespaced && request.name != nil { return .notFound }
        return .resource(request)
    }
}
