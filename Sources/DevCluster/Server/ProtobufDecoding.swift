import Foundation
import KubeCore

/// Decodes the Kubernetes protobuf envelope (`k8s\0` + runtime.Unknown) into the JSON form of
/// the object, driven by the message descriptors in `ProtobufSchemas` (field number → JSON
/// name and type, from k8s.io/api's generated.proto files). Kinds without a descriptor get
/// 415, as from a server without that codec. Fields the descriptors do not know are skipped
/// (like gogo-protobuf's generated unmarshallers); malformed wire data is a 400.
enum ProtobufDecoding {
    /// One field as read from the wire.
    struct WireField {
        var number: Int
        var varint: UInt64 = 0
        var bytes: ArraySlice<UInt8> = []
        var isLengthDelimited = false
    }

    static func invalid() -> Status { APIErrors.badRequest("proto: cannot parse invalid wire-format data") }

    static func fields(_ data: ArraySlice<UInt8>) throws -> [WireField] {
        var out: [WireField] = []
        var i = data.startIndex
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while i < data.endIndex {
                let b = data[i]
                i += 1
                result |= UInt64(b & 0x7f) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
                if shift > 63 { break }
            }
            throw invalid()
        }
        while i < data.endIndex {
            let key = try varint()
            let number = Int(key >> 3)
            guard number > 0 else { throw invalid() }
            switch key & 7 {
            case 0:
                out.append(WireField(number: number, varint: try varint()))
            case 2:
                let length = try varint()
                guard length <= UInt64(data.endIndex - i) else { throw invalid() }
                let end = i + Int(length)
                out.append(WireField(number: number, bytes: data[i..<end], isLengthDelimited: true))
                i = end
            case 1:
                guard data.endIndex - i >= 8 else { throw invalid() }
                i += 8
            case 5:
                guard data.endIndex - i >= 4 else { throw invalid() }
                i += 4
            default:
                throw invalid()
            }
        }
        return out
    }

    static let unsupported = Status(
        message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml",
        reason: "UnsupportedMediaType", code: 415)

    /// The JSON form of a protobuf body for `info`; 415 for kinds this server cannot decode.
    static func decode(_ data: Data, info: ResourceInfo) throws -> JSONValue {
        let bytes = [UInt8](data)
        guard bytes.count >= 4, bytes[0..<4] == [0x6b, 0x38, 0x73, 0x00] else { throw invalid() }
        guard let messageName = ProtobufSchemas.topLevel[info.storageKey] else {
            throw unsupported
        }
        let envelope = try fields(bytes[4...])
        var apiVersion = "", kind = ""
        if let typeMeta = envelope.first(where: { $0.number == 1 && $0.isLengthDelimited }) {
            for f in try fields(typeMeta.bytes) where f.isLengthDelimited {
                if f.number == 1 { apiVersion = string(f) }
                if f.number == 2 { kind = string(f) }
            }
        }
        let raw = envelope.first { $0.number == 2 && $0.isLengthDelimited }?.bytes ?? []
        var object = try message(raw, messageName)
        object["apiVersion"] = .string(apiVersion.isEmpty ? info.apiVersion : apiVersion)
        object["kind"] = .string(kind.isEmpty ? info.kind : kind)
        return object
    }

    static func string(_ f: WireField) -> String { String(decoding: f.bytes, as: UTF8.self) }

    /// Decodes one message into a JSON object (inline members merged into it).
    static func message(_ bytes: ArraySlice<UInt8>, _ name: String) throws -> JSONValue {
        guard let descriptor = ProtobufSchemas.messages[name] else { return .emptyObject }
        var object: [String: JSONValue] = [:]
        var repeated: [String: [JSONValue]] = [:]
        var maps: [String: [String: JSONValue]] = [:]
        for f in try fields(bytes) {
            guard let spec = descriptor[f.number] else { continue }
            switch spec.type {
            case .inline(let inner):
                guard f.isLengthDelimited else { throw invalid() }
                if case .object(let members) = try message(f.bytes, inner) {
                    object.merge(members) { _, new in new }
                }
            case .map(let valueType):
                guard f.isLengthDelimited else { throw invalid() }
                var key = ""
                var value: JSONValue = .string("")
                for entry in try fields(f.bytes) {
                    if entry.number == 1 { key = string(entry) }
                    if entry.number == 2, let v = try scalar(entry, valueType) { value = v }
                }
                maps[spec.name, default: [:]][key] = value
            default:
                if spec.repeated {
                    if !f.isLengthDelimited || spec.type.isLengthDelimited {
                        if let v = try scalar(f, spec.type) { repeated[spec.name, default: []].append(v) }
                    } else {
                        // A packed repeated numeric field.
                        var packed = WireField(number: 0)
                        var data = [UInt8](f.bytes)[...]
                        while !data.isEmpty {
                            packed.varint = try leadingVarint(&data)
                            if let v = try scalar(packed, spec.type) { repeated[spec.name, default: []].append(v) }
                        }
                    }
                } else if let v = try scalar(f, spec.type), spec.keepsZero || !isZero(v) {
                    object[spec.name] = v
                }
            }
        }
        for (name, values) in repeated where !values.isEmpty { object[name] = .array(values) }
        for (name, entries) in maps where !entries.isEmpty { object[name] = .object(entries) }
        return .object(object)
    }

    static func leadingVarint(_ data: inout ArraySlice<UInt8>) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while let b = data.first {
            data = data.dropFirst()
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { break }
        }
        throw invalid()
    }

    /// Go's `omitempty`: empty strings, zero numbers and false are not serialized.
    static func isZero(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let s): return s.isEmpty
        case .int(let i): return i == 0
        case .bool(let b): return !b
        default: return false
        }
    }

    /// One non-map, non-inline value (nil: a zero timestamp, which Go serializes as null).
    static func scalar(_ f: WireField, _ type: ProtobufSchemas.FieldType) throws -> JSONValue? {
        switch type {
        case .string:
            guard f.isLengthDelimited else { throw invalid() }
            return .string(string(f))
        case .bytes:
            guard f.isLengthDelimited else { throw invalid() }
            return .string(Data(f.bytes).base64EncodedString())
        case .bool:
            guard !f.isLengthDelimited else { throw invalid() }
            return .bool(f.varint != 0)
        case .int32:
            guard !f.isLengthDelimited else { throw invalid() }
            return .int(Int64(Int32(truncatingIfNeeded: f.varint)))
        case .int64:
            guard !f.isLengthDelimited else { throw invalid() }
            return .int(Int64(bitPattern: f.varint))
        case .message(let name):
            guard f.isLengthDelimited else { throw invalid() }
            return try message(f.bytes, name)
        case .quantity:
            guard f.isLengthDelimited else { throw invalid() }
            return .string(try fields(f.bytes).first { $0.number == 1 && $0.isLengthDelimited }.map(string) ?? "0")
        case .intOrString:
            guard f.isLengthDelimited else { throw invalid() }
            var kind: UInt64 = 0, intValue: Int64 = 0, stringValue = ""
            for g in try fields(f.bytes) {
                switch g.number {
                case 1: kind = g.varint
                case 2: intValue = Int64(Int32(truncatingIfNeeded: g.varint))
                case 3: stringValue = string(g)
                default: break
                }
            }
            return kind == 1 ? .string(stringValue) : .int(intValue)
        case .time:
            guard f.isLengthDelimited else { throw invalid() }
            var seconds: Int64 = 0
            for g in try fields(f.bytes) where g.number == 1 { seconds = Int64(bitPattern: g.varint) }
            if seconds == 0 { return nil }
            return .string(KubeTime.format(Date(timeIntervalSince1970: TimeInterval(seconds))))
        case .inline, .map:
            return nil
        }
    }
}
