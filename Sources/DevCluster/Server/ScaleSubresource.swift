import Foundation
import Hummingbird
import KubeCore
import NIOCore

/// Where a resource keeps the fields its `scale` subresource shows: fixed for Deployments,
/// the CRD's `subresources.scale` paths for custom resources.
struct ScalePaths: Sendable {
    var specReplicas: [String]
    var statusReplicas: [String]
    /// A path to a label selector string (custom resources) or nil for a Deployment's `spec.selector`.
    var labelSelector: [String]?

    static let deployment = ScalePaths(specReplicas: ["spec", "replicas"], statusReplicas: ["status", "replicas"], labelSelector: nil)

    /// The paths for `info`, nil when it has no scale subresource.
    static func of(_ info: ResourceInfo, catalog: ResourceCatalog) -> ScalePaths? {
        guard info.subresources.contains("scale") else { return nil }
        guard info.isCustom else { return .deployment }
        let crd = catalog.crds.first { $0[path: ["metadata", "name"]]?.stringValue == info.crdName }
        let version = crd?[path: ["spec", "versions"]]?.arrayValue?.first { $0["name"]?.stringValue == info.version }
        guard let scale = version?[path: ["subresources", "scale"]],
              let spec = scale["specReplicasPath"]?.stringValue, let status = scale["statusReplicasPath"]?.stringValue else { return nil }
        let path: (String) -> [String] = { $0.split(separator: ".").map(String.init) }
        return ScalePaths(specReplicas: path(spec), statusReplicas: path(status), labelSelector: scale["labelSelectorPath"]?.stringValue.map(path))
    }

    /// The autoscaling/v1 Scale that `object` shows.
    func view(of object: JSONValue) -> JSONValue {
        var meta: JSONValue = .emptyObject
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            meta[field] = object[path: ["metadata", field]]
        }
        var status: JSONValue = ["replicas": object[path: statusReplicas] ?? 0]
        if let labelSelector {
            status["selector"] = object[path: labelSelector]
        } else if let selector = try? object[path: ["spec", "selector"]]?.decode(as: LabelSelector.self) {
            status["selector"] = .string(selector.selectorString)
        }
        return ["apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": meta,
                "spec": ["replicas": object[path: specReplicas] ?? 0], "status": status]
    }
}

extension ResourceHandler {
    /// GET, PUT and PATCH of `<name>/scale`: the object's replicas as an autoscaling/v1 Scale;
    /// writes change only the replicas and go through the object's own update rules.
    func scale(_ target: ResourceRequest, name: String, method: HTTPRequest.Method, query: Query, headers: HTTPFields, body: ByteBuffer) async throws -> Response {
        let info = target.info
        guard let paths = ScalePaths.of(info, catalog: catalog) else { throw APIErrors.pathNotFound }
        if method == .get {
            let object = try await store.getObject(info, namespace: target.namespace, name: name)
            return Responses.json(paths.view(of: object))
        }
        let input: JSONValue = try BodyDecoding.decode(body, contentType: "application/json")
        let contentType = BodyDecoding.mediaType(headers[.contentType])
        let isPut = method == .put
        if !isPut {
            let accepted = [Self.jsonPatchType, Self.mergePatchType, Self.strategicPatchType]
            guard accepted.contains(contentType) else { throw APIErrors.unsupportedPatch(accepted) }
        }
        let opts = writeOptions(query, headers: headers, subresource: nil)
        let result = try await store.mutateObject(info, namespace: target.namespace, name: name, opts) { current in
            guard var object = current else { throw APIErrors.notFound(info, name) }
            let before = paths.view(of: object)
            let scale: JSONValue
            if isPut {
                if let rv = input[path: ["metadata", "resourceVersion"]]?.stringValue, !rv.isEmpty,
                   rv != object[path: ["metadata", "resourceVersion"]]?.stringValue {
                    throw APIErrors.conflict(info, name)
                }
                scale = input
            } else if contentType == Self.jsonPatchType {
                scale = try JSONPatch.apply(input, to: before)
            } else {
                scale = MergePatch.apply(input, to: before)
            }
            guard let replicas = scale[path: ["spec", "replicas"]]?.intValue else {
                throw APIErrors.badRequest("spec.replicas: Required value")
            }
            guard replicas >= 0 else {
                let scaleInfo = ResourceInfo(group: "autoscaling", version: "v1", resource: "scales", kind: "Scale", namespaced: true)
                throw APIErrors.invalid(scaleInfo, name, [StatusCause(reason: "FieldValueInvalid", message: "Invalid value: \(replicas): must be greater than or equal to 0", field: "spec.replicas")])
            }
            object[path: paths.specReplicas] = .int(replicas)
            return object
        }
        return Responses.json(paths.view(of: result.object))
    }
}
