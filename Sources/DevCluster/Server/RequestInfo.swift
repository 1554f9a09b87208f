import Foundation

/// What a request is about, derived from its method, path and query the way kube-apiserver's
/// `RequestInfoFactory` does (used for the audit log): the RBAC verb, and for resource requests
/// the API group/version, namespace, resource, subresource and name.
struct RequestInfo: Sendable, Equatable {
    var isResourceRequest = false
    /// The RBAC verb for resource requests (get list watch create update patch delete
    /// deletecollection); the lower-cased HTTP method otherwise.
    var verb: String
    var apiGroup = ""
    var apiVersion = ""
    var namespace = ""
    var resource = ""
    var subresource = ""
    var name = ""

    /// Parses `method path?query`. Paths under `/api/v1/...` and `/apis/GROUP/VERSION/...` with at
    /// least one more segment are resource requests; everything else is a non-resource request.
    static func parse(method: String, path: String, query: Query) -> RequestInfo {
        var info = RequestInfo(verb: method.lowercased())
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 3, parts[0] == "api" || parts[0] == "apis" else { return info }
        let grouped = parts[0] == "apis"
        parts.removeFirst()
        if grouped {
            guard parts.count >= 3 else { return info }
            info.apiGroup = parts.removeFirst()
        }
        info.isResourceRequest = true
        info.apiVersion = parts.removeFirst()
        if parts.first == "watch" || parts.first == "proxy" {
            // The legacy /watch/ and /proxy/ prefixes name the verb.
            guard parts.count >= 2 else { return info }
            info.verb = parts.removeFirst()
        } else {
            switch method.uppercased() {
            case "POST": info.verb = "create"
            case "GET", "HEAD": info.verb = "get"
            case "PUT": info.verb = "update"
            case "PATCH": info.verb = "patch"
            case "DELETE": info.verb = "delete"
            default: info.verb = ""
            }
        }
        if parts.first == "namespaces" {
            if parts.count > 1 {
                info.namespace = parts[1]
                // namespaces/NS/status and namespaces/NS/finalize are subresources of the namespace.
                if parts.count > 2 && !["status", "finalize"].contains(parts[2]) {
                    parts.removeFirst(2)
                }
            }
        }
        if parts.count >= 3 && info.verb != "proxy" { info.subresource = parts[2] }
        if parts.count >= 2 { info.name = parts[1] }
        if parts.count >= 1 { info.resource = parts[0] }
        if info.name.isEmpty && info.verb == "get" {
            info.verb = query.bool("watch") ? "watch" : "list"
        }
        if info.name.isEmpty && (info.verb == "list" || info.verb == "watch"),
           let name = Self.exactName(fieldSelector: query["fieldSelector"]), !name.contains("/"), name != ".", name != ".." {
            info.name = name
        }
        if info.name.isEmpty && info.verb == "delete" { info.verb = "deletecollection" }
        return info
    }

    /// The name a field selector requires exactly (`metadata.name=x` or `metadata.name==x`).
    static func exactName(fieldSelector: String?) -> String? {
        guard let selector = fieldSelector, !selector.isEmpty else { return nil }
        for term in selector.split(separator: ",") {
            let text = String(term)
            for op in ["==", "="] {
                if let range = text.range(of: op), text[..<range.lowerBound].trimmingCharacters(in: .whitespaces) == "metadata.name" {
                    let lhs = text[..<range.lowerBound]
                    if lhs.hasSuffix("!") { break }
                    let value = String(text[range.upperBound...]).trimmingCharacters(in: .whitespaces)
                    return value.isEmpty ? nil : value
                }
            }
        }
        return nil
    }
}
