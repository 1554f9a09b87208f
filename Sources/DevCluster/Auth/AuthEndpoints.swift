import Foundation
import Hummingbird
import KubeCore
import NIOCore

/// The create-only endpoints of authentication.k8s.io/v1 and authorization.k8s.io/v1 (TokenRequest
/// on `serviceaccounts/NAME/token`, TokenReview, SelfSubjectReview, SelfSubjectAccessReview,
/// SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview), answered as
/// kube-apiserver answers them: the request object with its `status` filled in, 201 Created.
struct AuthEndpoints: Sendable {
    let store: DevStore
    let authenticator: Authenticator

    /// Kinds by `resource.group`.
    static let kinds: [String: String] = [
        "selfsubjectaccessreviews.authorization.k8s.io": "SelfSubjectAccessReview",
        "subjectaccessreviews.authorization.k8s.io": "SubjectAccessReview",
        "localsubjectaccessreviews.authorization.k8s.io": "LocalSubjectAccessReview",
        "selfsubjectrulesreviews.authorization.k8s.io": "SelfSubjectRulesReview",
        "selfsubjectreviews.authentication.k8s.io": "SelfSubjectReview",
        "tokenreviews.authentication.k8s.io": "TokenReview",
    ]

    static func info(group: String, resource: String) -> ResourceInfo? {
        guard let kind = kinds["\(resource).\(group)"] else { return nil }
        return ResourceInfo(group: group, version: "v1", resource: resource, kind: kind, namespaced: resource == "localsubjectaccessreviews", verbs: ["create"])
    }

    /// The body as JSON (protobuf, YAML or JSON) with its type checked.
    func decode(_ body: ByteBuffer, contentType: String?, info: ResourceInfo) throws -> JSONValue {
        try RequestOptions.checkBodyMediaType(contentType, info: info)
        var object = try BodyDecoding.decode(body, contentType: contentType, info: info)
        try BodyDecoding.checkTypeMeta(object, info: info, name: nil)
        object["apiVersion"] = .string(info.apiVersion)
        object["kind"] = .string(info.kind)
        if object["metadata"] == nil { object["metadata"] = .emptyObject }
        object[path: ["metadata", "creationTimestamp"]] = .null
        return object
    }

    func review(group: String, resource: String, namespace: String?, user: UserInfo, body: ByteBuffer, contentType: String?) async throws -> Response {
        guard let info = Self.info(group: group, resource: resource) else { throw APIErrors.pathNotFound }
        var object = try decode(body, contentType: contentType, info: info)
        let spec = object["spec"] ?? .emptyObject
        switch resource {
        case "selfsubjectreviews":
            object["status"] = ["userInfo": user.json]
        case "tokenreviews":
            let token = spec["token"]?.stringValue ?? ""
            if let reviewed = await authenticator.user(bearer: token, store: store) {
                object["status"] = ["authenticated": true, "user": reviewed.json, "audiences": [.string(ServiceAccountTokens.issuer)]]
            } else {
                object["status"] = ["authenticated": false, "error": "invalid bearer token"]
            }
        case "selfsubjectrulesreviews":
            let ns = spec["namespace"]?.stringValue ?? ""
            object["status"] = await rules(user: user, namespace: ns)
        default:
            var subject = user
            if resource != "selfsubjectaccessreviews" {
                subject = UserInfo(name: spec["user"]?.stringValue ?? "", uid: spec["uid"]?.stringValue ?? "",
                                   groups: spec["groups"]?.arrayValue?.compactMap(\.stringValue) ?? [])
                if resource == "localsubjectaccessreviews", let ns = namespace, spec[path: ["resourceAttributes", "namespace"]]?.stringValue != ns {
                    throw APIErrors.invalid(info, "", [APIErrors.invalidValue("spec.resourceAttributes.namespace",
                        spec[path: ["resourceAttributes", "namespace"]] ?? "", "must match metadata.namespace")])
                }
            }
            guard let attributes = Self.attributes(spec) else {
                throw APIErrors.invalid(info, "", [StatusCause(reason: "FieldValueInvalid",
                    message: "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified", field: "spec.resourceAttributes")])
            }
            let objects = await store.rbacObjects(namespace: attributes.namespace)
            if let reason = RBACAuthorizer.allowedBy(user: subject, attributes, objects) {
                object["status"] = reason.isEmpty ? ["allowed": true] : ["allowed": true, "reason": .string(reason)]
            } else {
                object["status"] = ["allowed": false]
            }
        }
        return Responses.json(object, status: .created)
    }

    static func attributes(_ spec: JSONValue) -> AuthorizationAttributes? {
        if let r = spec["resourceAttributes"], spec["nonResourceAttributes"] == nil {
            let s: (String) -> String = { r[$0]?.stringValue ?? "" }
            return AuthorizationAttributes(verb: s("verb"), isResourceRequest: true, apiGroup: s("group"), apiVersion: s("version"),
                                           namespace: s("namespace"), resource: s("resource"), subresource: s("subresource"), name: s("name"))
        }
        if let n = spec["nonResourceAttributes"], spec["resourceAttributes"] == nil {
            return AuthorizationAttributes(verb: n["verb"]?.stringValue ?? "", isResourceRequest: false, path: n["path"]?.stringValue ?? "")
        }
        return nil
    }

    /// SelfSubjectRulesReview: the rules of every binding that applies to the user in `namespace`.
    func rules(user: UserInfo, namespace: String) async -> JSONValue {
        if user.isMaster {
            return ["resourceRules": [["verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]]],
                    "nonResourceRules": [["verbs": ["*"], "nonResourceURLs": ["*"]]], "incomplete": false]
        }
        let objects = await store.rbacObjects(namespace: namespace)
        var resourceRules: [JSONValue] = []
        var nonResourceRules: [JSONValue] = []
        for rule in RBACAuthorizer.rulesFor(user: user, namespace: namespace, objects) {
            if rule["nonResourceURLs"] != nil {
                nonResourceRules.append(["verbs": rule["verbs"] ?? .array([]), "nonResourceURLs": rule["nonResourceURLs"] ?? .array([])])
            } else {
                var r: JSONValue = ["verbs": rule["verbs"] ?? .array([]), "apiGroups": rule["apiGroups"] ?? .array([]), "resources": rule["resources"] ?? .array([])]
                if let names = rule["resourceNames"] { r["resourceNames"] = names }
                resourceRules.append(r)
            }
        }
        return ["resourceRules": .array(resourceRules), "nonResourceRules": .array(nonResourceRules), "incomplete": false]
    }

    /// `POST serviceaccounts/NAME/token`: a TokenRequest answered with a signed token.
    func tokenRequest(namespace: String, name: String, body: ByteBuffer, contentType: String?) async throws -> Response {
        let saInfo = ResourceInfo(group: "", version: "v1", resource: "serviceaccounts", kind: "ServiceAccount", namespaced: true)
        let account = try await store.getObject(saInfo, namespace: namespace, name: name)
        let info = ResourceInfo(group: "authentication.k8s.io", version: "v1", resource: "tokenrequests", kind: "TokenRequest", namespaced: true)
        var object = try decode(body, contentType: contentType, info: info)
        var spec = object["spec"] ?? .emptyObject
        let seconds = spec["expirationSeconds"]?.intValue ?? ServiceAccountTokens.defaultExpirationSeconds
        if seconds < ServiceAccountTokens.minimumExpirationSeconds {
            throw APIErrors.invalid(info, name, [APIErrors.invalidValue("spec.expirationSeconds", .int(seconds), "may not specify a duration less than 10 minutes")])
        }
        var audiences = spec["audiences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if audiences.isEmpty { audiences = [ServiceAccountTokens.issuer] }
        let issued = authenticator.serviceAccounts.issue(namespace: namespace, name: name, uid: account.uid ?? "", audiences: audiences,
                                                         expirationSeconds: seconds, now: Date())
        spec["audiences"] = .array(audiences.map(JSONValue.string))
        spec["expirationSeconds"] = .int(seconds)
        if spec["boundObjectRef"] == nil { spec["boundObjectRef"] = .null }
        object["spec"] = spec
        object[path: ["metadata", "name"]] = .string(name)
        object[path: ["metadata", "namespace"]] = .string(namespace)
        object["status"] = ["token": .string(issued.token), "expirationTimestamp": .string(KubeTime.format(issued.expires))]
        return Responses.json(object, status: .created)
    }
}
