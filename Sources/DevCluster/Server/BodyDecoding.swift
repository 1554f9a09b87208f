import Foundation
import KubeCore
import NIOCore
import Yams

/// Request bodies: JSON or YAML, checked against the resource the URL names.
enum BodyDecoding {
    /// The media type of a Content-Type header without its parameters (`; charset=utf-8`).
    static func mediaType(_ contentType: String?) -> String {
        (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }

    /// Parses a body as JSON, or as YAML when the content type says so (or JSON fails and it
    /// looks like YAML). Errors are the 400s kube-apiserver's decoder gives.
    static func decode(_ body: ByteBuffer, contentType: String?, info: ResourceInfo? = nil) throws -> JSONValue {
        let data = Data(body.readableBytesView)
        let type = mediaType(contentType ?? "application/json")
        if type.contains("protobuf") {
            if let info { return try ProtobufDecoding.decode(data, info: info) }
            throw Status(message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml", reason: "UnsupportedMediaType", code: 415)
        }
        if data.isEmpty { throw APIErrors.badRequest("couldn't get version/kind; json parse error: unexpected end of JSON input") }
        if type.hasSuffix("yaml") {
            return try yaml(data)
        }
        do {
            return try JSONValue.parse(data)
        } catch let error as KubeCoreError {
            throw APIErrors.badRequest("couldn't get version/kind; json parse error: \(jsonMessage(error))")
        }
    }

    static func jsonMessage(_ error: KubeCoreError) -> String {
        if case .invalidJSON(let m) = error { return m }
        return "\(error)"
    }

    /// YAML (`application/yaml`, `application/apply-patch+yaml`) to JSON.
    static func yaml(_ data: Data) throws -> JSONValue {
        guard let text = String(data: data, encoding: .utf8) else {
            throw APIErrors.badRequest("error converting YAML to JSON: invalid UTF-8")
        }
        do {
            let node = try Yams.compose(yaml: text)
            guard let node else { throw APIErrors.badRequest("couldn't get version/kind; json parse error: unexpected end of JSON input") }
            return try json(from: node)
        } catch let status as Status {
            throw status
        } catch {
            throw APIErrors.badRequest("error converting YAML to JSON: \(error)")
        }
    }

    /// Converts a YAML node with YAML 1.1-ish core schema resolution (as sigs.k8s.io/yaml does).
    static func json(from node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            if let v = Bool.construct(from: scalar) { return .bool(v) }
            if let v = Int.construct(from: scalar) { return .int(Int64(v)) }
            if let v = Double.construct(from: scalar), scalar.string.rangeOfCharacter(from: .decimalDigits) != nil { return .double(v) }
            if NSNull.construct(from: scalar) != nil { return .null }
            return .string(scalar.string)
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard let k = key.string else { throw APIErrors.badRequest("error converting YAML to JSON: non-string map key") }
                object[k] = try json(from: value)
            }
            return .object(object)
        case .sequence(let sequence):
            return .array(try sequence.map { try json(from: $0) })
        case .alias:
            throw APIErrors.badRequest("error converting YAML to JSON: aliases are not supported")
        }
    }

    /// Checks `apiVersion`/`kind` of a body against the resource (empty ones are defaulted).
    static func checkTypeMeta(_ object: JSONValue, info: ResourceInfo, name: String?) throws {
        guard object.objectValue != nil else {
            throw APIErrors.badRequest("the object provided is unrecognized (must be of type \(info.kind))")
        }
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let acceptedVersions = info.storageKey == "events" ? ["v1", "events.k8s.io/v1"] : [info.apiVersion]
        if !apiVersion.isEmpty && !acceptedVersions.contains(apiVersion) {
            throw APIErrors.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(info.apiVersion))")
        }
        let kind = object["kind"]?.stringValue ?? ""
        if !kind.isEmpty && kind != info.kind {
            if info.isCustom {
                let objectName = name ?? object[path: ["metadata", "name"]]?.stringValue ?? ""
                var wrongKind = info
                wrongKind.kind = kind
                throw APIErrors.invalid(wrongKind, objectName, [APIErrors.invalidValue("kind", .string(kind), "must be \(info.kind)")])
            }
            throw APIErrors.badRequest("the kind in the data (\(kind)) does not match the expected kind (\(info.kind))")
        }
    }
}
