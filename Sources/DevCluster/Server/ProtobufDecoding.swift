import Foundation
import KubeCore

/// Decodes the Kubernetes protobuf envelope (`k8s\0` + runtime.Unknown) for the few kinds
/// stock kubectl's generators send as protobuf (`kubectl create namespace|configmap|secret|
/// serviceaccount`). Other kinds in protobuf get 415, as from a server without that codec.
enum ProtobufDecoding {
    private struct Field {
        var number: Int
        var varint: UInt64 = 0
        var bytes: [UInt8] = []
        var isBytes: Bool
    }

    private static func fields(_ data: ArraySlice<UInt8>) throws -> [Field] {
        var out: [Field] = []
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
            throw APIErrors.badRequest("proto: cannot parse invalid wire-format data")
        }
        while i < data.endIndex {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0:
                out.append(Field(number: number, varint: try varint(), isBytes: false))
            case 2:
                let length = Int(try varint())
                guard length >= 0, i + length <= data.endIndex else { throw APIErrors.badRequest("proto: cannot parse invalid wire-format data") }
                out.append(Field(number: number, bytes: Array(data[i..<i + length]), isBytes: true))
                i += length
            case 1: i += 8
            case 5: i += 4
            default: throw APIErrors.badRequest("proto: cannot parse invalid wire-format data")
            }
        }
        return out
    }

    private static func string(_ f: Field) -> JSONValue { .string(String(decoding: f.bytes, as: UTF8.self)) }

    private static func map(_ entries: [Field], base64Values: Bool) throws -> JSONValue {
        var out: [String: JSONValue] = [:]
        for entry in entries {
            let kv = try fields(entry.bytes[...])
            let key = kv.first { $0.number == 1 }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? ""
            let value = kv.first { $0.number == 2 }?.bytes ?? []
            out[key] = base64Values ? .string(Data(value).base64EncodedString()) : .string(String(decoding: value, as: UTF8.self))
        }
        return .object(out)
    }

    private static func objectMeta(_ bytes: [UInt8]) throws -> JSONValue {
        var meta: [String: JSONValue] = [:]
        let all = try fields(bytes[...])
        let names = [1: "name", 2: "generateName", 3: "namespace", 5: "uid", 6: "resourceVersion"]
        for f in all {
            if let name = names[f.number] { meta[name] = string(f) }
        }
        let labels = all.filter { $0.number == 11 }, annotations = all.filter { $0.number == 12 }
        if !labels.isEmpty { meta["labels"] = try map(labels, base64Values: false) }
        if !annotations.isEmpty { meta["annotations"] = try map(annotations, base64Values: false) }
        let finalizers = all.filter { $0.number == 14 }.map(string)
        if !finalizers.isEmpty { meta["finalizers"] = .array(finalizers) }
        var owners: [JSONValue] = []
        for f in all where f.number == 13 {
            var o: [String: JSONValue] = [:]
            for g in try fields(f.bytes[...]) {
                switch g.number {
                case 1: o["kind"] = string(g)
                case 3: o["name"] = string(g)
                case 4: o["uid"] = string(g)
                case 5: o["apiVersion"] = string(g)
                case 6: o["controller"] = .bool(g.varint != 0)
                case 7: o["blockOwnerDeletion"] = .bool(g.varint != 0)
                default: break
                }
            }
            owners.append(.object(o))
        }
        if !owners.isEmpty { meta["ownerReferences"] = .array(owners) }
        return .object(meta)
    }

    /// The JSON form of a protobuf body for `info`; 415 for kinds this server cannot decode.
    static func decode(_ data: Data, info: ResourceInfo) throws -> JSONValue {
        let bytes = [UInt8](data)
        guard bytes.count >= 4, bytes[0..<4] == [0x6b, 0x38, 0x73, 0x00] else {
            throw APIErrors.badRequest("proto: cannot parse invalid wire-format data")
        }
        let envelope = try fields(bytes[4...])
        var apiVersion = "", kind = ""
        if let typeMeta = envelope.first(where: { $0.number == 1 }) {
            for f in try fields(typeMeta.bytes[...]) {
                if f.number == 1 { apiVersion = String(decoding: f.bytes, as: UTF8.self) }
                if f.number == 2 { kind = String(decoding: f.bytes, as: UTF8.self) }
            }
        }
        let raw = try fields((envelope.first { $0.number == 2 }?.bytes ?? [])[...])
        var object: JSONValue = ["apiVersion": .string(apiVersion.isEmpty ? info.apiVersion : apiVersion), "kind": .string(kind.isEmpty ? info.kind : kind)]
        if let meta = raw.first(where: { $0.number == 1 }) { object["metadata"] = try objectMeta(meta.bytes) }
        switch (info.group, info.resource) {
        case ("", "configmaps"):
            let data = raw.filter { $0.number == 2 }, binary = raw.filter { $0.number == 3 }
            if !data.isEmpty { object["data"] = try map(data, base64Values: false) }
            if !binary.isEmpty { object["binaryData"] = try map(binary, base64Values: true) }
            if let f = raw.first(where: { $0.number == 4 }) { object["immutable"] = .bool(f.varint != 0) }
        case ("", "secrets"):
            let data = raw.filter { $0.number == 2 }, stringData = raw.filter { $0.number == 4 }
            if !data.isEmpty { object["data"] = try map(data, base64Values: true) }
            if !stringData.isEmpty { object["stringData"] = try map(stringData, base64Values: false) }
            if let f = raw.first(where: { $0.number == 3 }) { object["type"] = string(f) }
            if let f = raw.first(where: { $0.number == 5 }) { object["immutable"] = .bool(f.varint != 0) }
        case ("", "namespaces"):
            if let spec = raw.first(where: { $0.number == 2 }) {
                let finalizers = try fields(spec.bytes[...]).filter { $0.number == 1 }.map(string)
                object["spec"] = finalizers.isEmpty ? .emptyObject : ["finalizers": .array(finalizers)]
            }
        case ("", "serviceaccounts"):
            let pullSecrets = try raw.filter { $0.number == 3 }.map { f -> JSONValue in
                let name = try fields(f.bytes[...]).first { $0.number == 1 }.map(string) ?? ""
                return ["name": name]
            }
            if !pullSecrets.isEmpty { object["imagePullSecrets"] = .array(pullSecrets) }
            if let f = raw.first(where: { $0.number == 4 }) { object["automountServiceAccountToken"] = .bool(f.varint != 0) }
        default:
            throw Status(message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml",
                         reason: "UnsupportedMediaType", code: 415)
        }
        return object
    }
}
