import Foundation
import KubeCore

/// Label and field selectors of list/watch/deletecollection requests.
struct ListFilter: Sendable {
    var labels: ParsedLabelSelector?
    var fields: FieldSelector?
    let info: ResourceInfo

    /// Parses `labelSelector` and `fieldSelector`; 400 BadRequest as kube-apiserver words it
    /// for bad syntax and for field labels the kind does not support.
    init(info: ResourceInfo, query: Query) throws {
        self.info = info
        if let raw = query["labelSelector"], !raw.isEmpty {
            do {
                labels = try ParsedLabelSelector.parse(raw)
            } catch let error as KubeCoreError {
                if case .invalidSelector(let message) = error {
                    throw APIErrors.badRequest("unable to parse requirement: \(message)")
                }
                throw APIErrors.badRequest("\(error)")
            }
        }
        if let raw = query["fieldSelector"], !raw.isEmpty {
            let selector: FieldSelector
            do {
                selector = try FieldSelector.parse(raw)
            } catch let error as KubeCoreError {
                if case .invalidSelector(let message) = error { throw APIErrors.badRequest(message) }
                throw APIErrors.badRequest("\(error)")
            }
            let allowed = Set(["metadata.name", "metadata.namespace"] + BuiltinResources.extraFieldLabels(info))
            for term in selector.terms where !allowed.contains(term.field) {
                throw APIErrors.badRequest("field label not supported: \(term.field)")
            }
            fields = selector
        }
    }

    var isEmpty: Bool { (labels?.isEmpty ?? true) && (fields?.isEmpty ?? true) }

    /// True when the (stored-form) object passes both selectors.
    func matches(_ object: JSONValue) -> Bool {
        if let labels, !labels.isEmpty, !labels.matches(DevStore.labels(of: object)) { return false }
        if let fields, !fields.isEmpty, !fields.matches(Self.fieldValues(object, info: info)) { return false }
        return true
    }

    /// The selectable fields of an object (stored form; events.k8s.io names map to core fields).
    static func fieldValues(_ object: JSONValue, info: ResourceInfo) -> [String: String] {
        func s(_ path: [String]) -> String {
            guard let v = object[path: path] else { return "" }
            switch v {
            case .string(let x): return x
            case .bool(let b): return b ? "true" : "false"
            case .int(let i): return String(i)
            default: return ""
            }
        }
        var out = ["metadata.name": s(["metadata", "name"]), "metadata.namespace": s(["metadata", "namespace"])]
        switch (info.group, info.resource) {
        case ("", "pods"):
            for f in ["nodeName", "restartPolicy", "schedulerName", "serviceAccountName"] { out["spec.\(f)"] = s(["spec", f]) }
            out["spec.hostNetwork"] = object[path: ["spec", "hostNetwork"]]?.boolValue == true ? "true" : "false"
            out["status.phase"] = s(["status", "phase"])
            out["status.podIP"] = s(["status", "podIP"])
            out["status.nominatedNodeName"] = s(["status", "nominatedNodeName"])
        case ("", "events"), ("events.k8s.io", "events"):
            let prefix = info.group.isEmpty ? "involvedObject" : "regarding"
            for f in ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"] {
                out["\(prefix).\(f)"] = s(["involvedObject", f])
            }
            out["reason"] = s(["reason"])
            out["type"] = s(["type"])
            out["source"] = s(["source", "component"])
            out["reportingComponent"] = s(["reportingComponent"])
            out["reportingController"] = s(["reportingComponent"])
        case ("", "secrets"):
            out["type"] = s(["type"])
        case ("", "namespaces"):
            out["status.phase"] = s(["status", "phase"])
        case ("", "nodes"):
            out["spec.unschedulable"] = object[path: ["spec", "unschedulable"]]?.boolValue == true ? "true" : "false"
        case ("batch", "jobs"):
            out["status.successful"] = String(object[path: ["status", "succeeded"]]?.intValue ?? 0)
        case ("apps", "replicasets"):
            out["status.replicas"] = String(object[path: ["status", "replicas"]]?.intValue ?? 0)
        default:
            break
        }
        return out
    }
}

/// `continue` tokens: base64 JSON `{"rv": list resourceVersion, "start": last key returned}`.
enum ContinueToken {
    static func encode(rv: UInt64, lastKey: String) -> String {
        let json: JSONValue = ["rv": .int(Int64(rv)), "start": .string(lastKey)]
        return json.data().base64EncodedString()
    }

    static func decode(_ token: String) throws -> (rv: UInt64, lastKey: String) {
        guard let data = Data(base64Encoded: token), let json = try? BodyDecoding.parseJSON(data),
              let rv = json["rv"]?.intValue, let key = json["start"]?.stringValue else {
            throw APIErrors.badRequest("continue key is not valid: illegal base64 data at input byte 0")
        }
        return (UInt64(rv), key)
    }
}
