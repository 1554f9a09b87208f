import Foundation
import KubeCore

/// The `/openapi/v2` document as the gnostic `openapi.v2.Document` protobuf message, which
/// kube-apiserver serves for `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`
/// (what client-go's `DiscoveryClient.OpenAPISchema` and so kubectl ask for).
///
/// Field numbers are those of gnostic's `openapiv2/OpenAPIv2.proto`. Values that gnostic keeps as
/// `Any` (`default`, `enum`, `example`, vendor extensions) carry their YAML text in `Any.yaml`
/// (JSON text, which is YAML). Keys the message has no field for are left out.
enum OpenAPIv2Protobuf {
    /// The media type kube-apiserver labels the protobuf answer with (no `@`, which is not a
    /// valid media-type character).
    static let contentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    /// The subtypes a client may ask for.
    static let acceptedSubtypes = ["com.github.proto-openapi.spec.v2@v1.0+protobuf", "com.github.proto-openapi.spec.v2.v1.0+protobuf"]

    /// Encodes a Swagger 2.0 JSON document.
    static func encode(_ doc: JSONValue) -> [UInt8] {
        var w = ProtoWriter()
        w.string(1, doc["swagger"]?.stringValue)
        if let info = doc["info"] {
            var i = ProtoWriter()
            i.string(1, info["title"]?.stringValue)
            i.string(2, info["version"]?.stringValue)
            i.string(3, info["description"]?.stringValue)
            w.message(2, i)
        }
        if let paths = doc["paths"]?.objectValue {
            var p = ProtoWriter()
            for (name, item) in paths.sorted(by: { $0.key < $1.key }) {
                p.message(2, named(name, pathItem(item)))
            }
            w.message(8, p)
        }
        if let definitions = doc["definitions"]?.objectValue {
            var d = ProtoWriter()
            for (name, s) in definitions.sorted(by: { $0.key < $1.key }) {
                d.message(1, named(name, schema(s)))
            }
            w.message(9, d)
        }
        vendorExtensions(&w, 16, doc)
        return w.bytes
    }

    static func named(_ name: String, _ value: ProtoWriter) -> ProtoWriter {
        var n = ProtoWriter()
        n.string(1, name)
        n.message(2, value)
        return n
    }

    /// `Any{yaml}` with the value's JSON text.
    static func any(_ value: JSONValue) -> ProtoWriter {
        var a = ProtoWriter()
        a.string(2, String(decoding: value.data(), as: UTF8.self) + "\n")
        return a
    }

    static func vendorExtensions(_ w: inout ProtoWriter, _ field: Int, _ object: JSONValue) {
        for (key, value) in (object.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) where key.hasPrefix("x-") {
            w.message(field, named(key, any(value)))
        }
    }

    static func pathItem(_ item: JSONValue) -> ProtoWriter {
        var w = ProtoWriter()
        w.string(1, item["$ref"]?.stringValue)
        for (field, method) in [(2, "get"), (3, "put"), (4, "post"), (5, "delete"), (6, "options"), (7, "head"), (8, "patch")] {
            if let op = item[method] { w.message(field, operation(op)) }
        }
        for p in item["parameters"]?.arrayValue ?? [] { w.message(9, parametersItem(p)) }
        vendorExtensions(&w, 10, item)
        return w
    }

    static func operation(_ op: JSONValue) -> ProtoWriter {
        var w = ProtoWriter()
        for tag in op["tags"]?.arrayValue ?? [] { w.string(1, tag.stringValue, always: true) }
        w.string(2, op["summary"]?.stringValue)
        w.string(3, op["description"]?.stringValue)
        w.string(5, op["operationId"]?.stringValue)
        for t in op["produces"]?.arrayValue ?? [] { w.string(6, t.stringValue, always: true) }
        for t in op["consumes"]?.arrayValue ?? [] { w.string(7, t.stringValue, always: true) }
        for p in op["parameters"]?.arrayValue ?? [] { w.message(8, parametersItem(p)) }
        if let responses = op["responses"]?.objectValue {
            var r = ProtoWriter()
            for (code, response) in responses.sorted(by: { $0.key < $1.key }) {
                var value = ProtoWriter()
                if let ref = response["$ref"]?.stringValue {
                    var j = ProtoWriter()
                    j.string(1, ref)
                    value.message(2, j)
                } else {
                    var resp = ProtoWriter()
                    resp.string(1, response["description"]?.stringValue, always: true)
                    if let s = response["schema"] {
                        var item = ProtoWriter()
                        item.message(1, schema(s))
                        resp.message(2, item)
                    }
                    vendorExtensions(&resp, 5, response)
                    value.message(1, resp)
                }
                r.message(1, named(code, value))
            }
            w.message(9, r)
        }
        for s in op["schemes"]?.arrayValue ?? [] { w.string(10, s.stringValue, always: true) }
        w.bool(11, op["deprecated"]?.boolValue)
        vendorExtensions(&w, 13, op)
        return w
    }

    static func parametersItem(_ p: JSONValue) -> ProtoWriter {
        var w = ProtoWriter()
        if let ref = p["$ref"]?.stringValue {
            var j = ProtoWriter()
            j.string(1, ref)
            w.message(2, j)
            return w
        }
        var parameter = ProtoWriter()
        let location = p["in"]?.stringValue ?? ""
        if location == "body" {
            var b = ProtoWriter()
            b.string(1, p["description"]?.stringValue)
            b.string(2, p["name"]?.stringValue)
            b.string(3, location)
            b.bool(4, p["required"]?.boolValue)
            if let s = p["schema"] { b.message(5, schema(s)) }
            vendorExtensions(&b, 6, p)
            parameter.message(1, b)
        } else {
            // Header and path sub-schemas have no allow_empty_value (5), so their later fields are one lower.
            let (choice, shift): (Int, Int) = switch location {
            case "header": (1, 0)
            case "formData": (2, 1)
            case "path": (4, 0)
            default: (3, 1)
            }
            var s = ProtoWriter()
            s.bool(1, p["required"]?.boolValue)
            s.string(2, location)
            s.string(3, p["description"]?.stringValue)
            s.string(4, p["name"]?.stringValue)
            if shift == 1 { s.bool(5, p["allowEmptyValue"]?.boolValue) }
            s.string(5 + shift, p["type"]?.stringValue)
            s.string(6 + shift, p["format"]?.stringValue)
            s.string(8 + shift, p["collectionFormat"]?.stringValue)
            if let d = p["default"] { s.message(9 + shift, any(d)) }
            s.bool(19 + shift, p["uniqueItems"]?.boolValue)
            for e in p["enum"]?.arrayValue ?? [] { s.message(20 + shift, any(e)) }
            vendorExtensions(&s, 22 + shift, p)
            var nonBody = ProtoWriter()
            nonBody.message(choice, s)
            parameter.message(2, nonBody)
        }
        w.message(1, parameter)
        return w
    }

    static func schema(_ s: JSONValue) -> ProtoWriter {
        var w = ProtoWriter()
        w.string(1, s["$ref"]?.stringValue)
        w.string(2, s["format"]?.stringValue)
        w.string(3, s["title"]?.stringValue)
        w.string(4, s["description"]?.stringValue)
        if let d = s["default"] { w.message(5, any(d)) }
        w.double(6, s["multipleOf"]?.doubleValue)
        w.double(7, s["maximum"]?.doubleValue)
        w.bool(8, s["exclusiveMaximum"]?.boolValue)
        w.double(9, s["minimum"]?.doubleValue)
        w.bool(10, s["exclusiveMinimum"]?.boolValue)
        w.int(11, s["maxLength"]?.intValue)
        w.int(12, s["minLength"]?.intValue)
        w.string(13, s["pattern"]?.stringValue)
        w.int(14, s["maxItems"]?.intValue)
        w.int(15, s["minItems"]?.intValue)
        w.bool(16, s["uniqueItems"]?.boolValue)
        w.int(17, s["maxProperties"]?.intValue)
        w.int(18, s["minProperties"]?.intValue)
        for r in s["required"]?.arrayValue ?? [] { w.string(19, r.stringValue, always: true) }
        for e in s["enum"]?.arrayValue ?? [] { w.message(20, any(e)) }
        switch s["additionalProperties"] {
        case .bool(let b)?:
            var a = ProtoWriter()
            a.bool(2, b, always: true)
            w.message(21, a)
        case let .some(.object(o)):
            var a = ProtoWriter()
            a.message(1, schema(.object(o)))
            w.message(21, a)
        default: break
        }
        switch s["type"] {
        case .string(let t)?:
            var t2 = ProtoWriter()
            t2.string(1, t, always: true)
            w.message(22, t2)
        case .array(let ts)?:
            var t2 = ProtoWriter()
            for t in ts { t2.string(1, t.stringValue, always: true) }
            w.message(22, t2)
        default: break
        }
        if let items = s["items"] {
            var i = ProtoWriter()
            for item in items.arrayValue ?? [items] { i.message(1, schema(item)) }
            w.message(23, i)
        }
        for a in s["allOf"]?.arrayValue ?? [] { w.message(24, schema(a)) }
        if let properties = s["properties"]?.objectValue {
            var p = ProtoWriter()
            for (name, value) in properties.sorted(by: { $0.key < $1.key }) { p.message(1, named(name, schema(value))) }
            w.message(25, p)
        }
        w.string(26, s["discriminator"]?.stringValue)
        w.bool(27, s["readOnly"]?.boolValue)
        if let e = s["example"] { w.message(30, any(e)) }
        vendorExtensions(&w, 31, s)
        return w
    }
}

/// A minimal protobuf wire-format writer (proto3: zero scalars are not written unless `always`).
struct ProtoWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, _ wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    mutating func string(_ field: Int, _ value: String?, always: Bool = false) {
        guard let value, always || !value.isEmpty else { return }
        tag(field, 2)
        let utf8 = Array(value.utf8)
        varint(UInt64(utf8.count))
        bytes += utf8
    }

    mutating func bool(_ field: Int, _ value: Bool?, always: Bool = false) {
        guard let value, value || always else { return }
        tag(field, 0)
        varint(value ? 1 : 0)
    }

    mutating func int(_ field: Int, _ value: Int64?) {
        guard let value, value != 0 else { return }
        tag(field, 0)
        varint(UInt64(bitPattern: value))
    }

    mutating func double(_ field: Int, _ value: Double?) {
        guard let value, value != 0 else { return }
        tag(field, 1)
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(bits & 0xFF))
            bits >>= 8
        }
    }

    mutating func message(_ field: Int, _ value: ProtoWriter) {
        tag(field, 2)
        varint(UInt64(value.bytes.count))
        bytes += value.bytes
    }
}
