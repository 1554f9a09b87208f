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
            return try parseJSON(data)
        } catch let error as KubeCoreError {
            throw APIErrors.badRequest("couldn't get version/kind; json parse error: \(jsonMessage(error))")
        }
    }

    /// The deepest nesting of arrays and objects a JSON text may have: libyaml's limit for YAML
    /// bodies. Deeper documents overflowed the stack of the thread parsing them (a crash of the
    /// server on a 9000-deep body, found by the body fuzzer).
    static let maxJSONDepth = 1000

    /// `JSONValue.parse` of client-supplied JSON (bodies, continue tokens, managedFields keys,
    /// annotations) after checking its nesting depth: a 400 beyond `maxJSONDepth`.
    static func parseJSON(_ data: Data) throws -> JSONValue {
        try checkDepth(data)
        return try JSONValue.parse(data)
    }

    static func parseJSON(_ text: String) throws -> JSONValue {
        try parseJSON(Data(text.utf8))
    }

    /// Throws when arrays/objects outside strings nest deeper than `maxJSONDepth`. The parser reads
    /// the same bytes in order and stops at the first error, so this depth bounds its recursion.
    static func checkDepth(_ data: Data) throws {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxJSONDepth {
                    throw APIErrors.badRequest("couldn't get version/kind; json parse error: exceeded max depth \(maxJSONDepth)")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
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
