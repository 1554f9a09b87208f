import Foundation
import KubeCore

/// kube-apiserver's checks of request options and body media types, worded as it words them
/// (`k8s.io/apimachinery/pkg/apis/meta/internalversion/validation`, `.../meta/v1/validation`,
/// `endpoints/handlers/negotiation`).
enum RequestOptions {
    static let listOptions = ResourceInfo(group: "meta.k8s.io", version: "v1", resource: "listoptions", kind: "ListOptions", namespaced: false)
    static let patchOptions = ResourceInfo(group: "meta.k8s.io", version: "v1", resource: "patchoptions", kind: "PatchOptions", namespaced: false)
    static let notOlderThan = "NotOlderThan"
    static let exact = "Exact"

    /// `ValidateListOptions` (list) and `validateWatchOptions` (watch, WatchList enabled): 422
    /// `ListOptions.meta.k8s.io "" is invalid: ...`.
    static func validateList(_ query: Query, watch: Bool) throws {
        let match = query["resourceVersionMatch"] ?? ""
        let rv = query["resourceVersion"] ?? ""
        let continueToken = query["continue"] ?? ""
        let sendInitial = query["sendInitialEvents"]
        var causes: [StatusCause] = []
        func forbidden(_ field: String, _ detail: String) { causes.append(APIErrors.forbiddenField(field, detail)) }
        func notSupported(_ value: String, _ supported: [String]) {
            let list = supported.map { "\"\($0)\"" }.joined(separator: ", ")
            causes.append(StatusCause(reason: "FieldValueNotSupported", message: "Unsupported value: \"\(value)\": supported values: \(list)", field: "resourceVersionMatch"))
        }
        if watch {
            if sendInitial != nil && match != notOlderThan {
                forbidden("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")
            }
            if !match.isEmpty {
                if sendInitial == nil { forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided") }
                if match != notOlderThan { notSupported(match, [notOlderThan]) }
                if !continueToken.isEmpty { forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided") }
            }
        } else {
            if !match.isEmpty {
                if rv.isEmpty { forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided") }
                if !continueToken.isEmpty { forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided") }
                if match != exact && match != notOlderThan { notSupported(match, [exact, notOlderThan, ""]) }
                if match == exact && rv == "0" { forbidden("resourceVersionMatch", "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"") }
            }
            if sendInitial != nil { forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list") }
        }
        if !causes.isEmpty { throw APIErrors.invalid(listOptions, "", causes) }
    }

    /// A `resourceVersion` query parameter as a number (400 as the storage versioner words it).
    static func resourceVersion(_ query: Query) throws -> UInt64? {
        guard let raw = query["resourceVersion"], !raw.isEmpty else { return nil }
        guard let value = UInt64(raw) else {
            throw APIErrors.badRequest("resourceVersion: Invalid value: \"\(raw)\": strconv.ParseUint: parsing \"\(raw)\": invalid syntax")
        }
        return value
    }

    /// `ValidatePatchOptions`: `force` only with apply patches, `fieldManager` required for them.
    static func validatePatch(_ query: Query, patchType: String) throws {
        var causes: [StatusCause] = []
        if patchType != ResourceHandler.applyPatchType {
            if query["force"] != nil { causes.append(APIErrors.forbiddenField("force", "may not be specified for non-apply patch")) }
        } else if (query["fieldManager"] ?? "").isEmpty {
            causes.append(APIErrors.required("fieldManager", "is required for apply patch"))
        }
        if let manager = query["fieldManager"], manager.count > 128 {
            causes.append(APIErrors.forbiddenField("fieldManager", "must be no more than 128 characters"))
        }
        if !causes.isEmpty { throw APIErrors.invalid(patchOptions, "", causes) }
    }

    /// The media types a create/update body may have; others are `415 UnsupportedMediaType`.
    static func bodyMediaTypes(_ info: ResourceInfo) -> [String] {
        info.isCustom ? ["application/json", "application/yaml"]
            : ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]
    }

    /// `NegotiateInputSerializer`: no Content-Type means JSON; an unknown one is 415.
    static func checkBodyMediaType(_ contentType: String?, info: ResourceInfo) throws {
        let type = BodyDecoding.mediaType(contentType).lowercased()
        let accepted = bodyMediaTypes(info)
        if type.isEmpty || accepted.contains(type) { return }
        throw Status(message: "the body of the request was in an unknown format - accepted media types include: \(accepted.joined(separator: ", "))",
                     reason: "UnsupportedMediaType", code: 415)
    }

    /// 504 for a resourceVersion the server has not reached (`storage.NewTooLargeResourceVersionError`).
    static func tooLargeResourceVersion(_ requested: UInt64, current: UInt64) -> Status {
        var details = StatusDetails(causes: [StatusCause(reason: "ResourceVersionTooLarge", message: "Too large resource version")])
        details.retryAfterSeconds = 1
        return Status(message: "Timeout: Too large resource version: \(requested), current: \(current)", reason: "Timeout", details: details, code: 504)
    }

    /// 410 for an exact list at a compacted resourceVersion (etcd3 store's `interpretListError`).
    static let listTooOld = APIErrors.expired("The resourceVersion for the provided list is too old.")
}
