import Foundation
import Hummingbird
import KubeCore
import NIOCore

extension ResourceHandler {
    static let jsonPatchType = "application/json-patch+json"
    static let mergePatchType = "application/merge-patch+json"
    static let strategicPatchType = "application/strategic-merge-patch+json"
    static let applyPatchType = "application/apply-patch+yaml"

    /// PATCH with JSON patch, merge patch, strategic merge patch (built-ins only) or
    /// server-side apply (creating the object when missing).
    func patch(_ target: ResourceRequest, name: String, query: Query, headers: HTTPFields, body: ByteBuffer, accept: AcceptedFormat) async throws -> Response {
        try validateFieldValidation(query)
        let info = target.info
        guard target.subresource == nil || target.subresource == "status" else { throw APIErrors.methodNotAllowed }
        let contentType = BodyDecoding.mediaType(headers[.contentType])
        var accepted = [Self.jsonPatchType, Self.mergePatchType]
        if !info.isCustom { accepted.append(Self.strategicPatchType) }
        accepted.append(Self.applyPatchType)
        guard accepted.contains(contentType) else { throw APIErrors.unsupportedPatch(accepted) }
        try RequestOptions.validatePatch(query, patchType: contentType)

        var opts = writeOptions(query, headers: headers, subresource: target.subresource)
        let patch: JSONValue = contentType == Self.applyPatchType
            ? try BodyDecoding.yaml(Data(body.readableBytesView))
            : try BodyDecoding.decode(body, contentType: "application/json")
        try await faults.checkConflict(info: info, namespace: target.namespace, name: name)
        let gvr = info.gvr
        let transform: @Sendable (JSONValue?) throws -> JSONValue
        var allowCreate = false
        switch contentType {
        case Self.jsonPatchType:
            guard patch.arrayValue != nil else {
                throw APIErrors.badRequest("json: cannot unmarshal \(patch.typeName) into Go value of type jsonpatch.Patch")
            }
            transform = { current in
                do {
                    return try JSONPatch.apply(patch, to: current ?? .emptyObject)
                } catch let error as KubeCoreError {
                    if case .invalidPatch(let message) = error {
                        throw Status(message: message, reason: "Invalid", code: 422)
                    }
                    throw error
                }
            }
        case Self.mergePatchType:
            try Self.requireObjectPatch(patch)
            transform = { current in MergePatch.apply(patch, to: current ?? .emptyObject) }
        case Self.strategicPatchType:
            try Self.requireObjectPatch(patch)
            transform = { current in
                do {
                    return try StrategicMergePatch.apply(patch, to: current ?? .emptyObject, resource: gvr)
                } catch let status as Status {
                    throw status
                } catch {
                    throw Status(message: "\(error)", reason: "Invalid", code: 422)
                }
            }
        default:
            try Self.requireObjectPatch(patch)
            try BodyDecoding.checkTypeMeta(patch, info: info, name: name)
            let manager = query["fieldManager"] ?? ""  // required: checked by validatePatch
            let force = query.bool("force")
            let now = opts.now
            opts.managedFieldsHandled = true
            allowCreate = target.subresource == nil
            transform = { current in
                var config = patch
                if current == nil {
                    config[path: ["metadata", "name"]] = .string(name)
                }
                return try ServerSideApply.apply(config, to: current, manager: manager, force: force, resource: gvr, now: now)
            }
        }
        let result = try await store.mutateObject(info, namespace: target.namespace, name: name, opts, allowCreate: allowCreate, transform)
        return render(result.object, info: info, accept: accept, status: result.created ? .created : .ok, warnings: result.warnings)
    }

    static func requireObjectPatch(_ patch: JSONValue) throws {
        guard patch.objectValue != nil else {
            throw APIErrors.badRequest("json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}")
        }
    }
}
