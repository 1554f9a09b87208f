import Foundation
import KubeCore
import Testing

/// The serializer `JSONValue` had before it wrote bytes (String appends scalar by scalar),
/// kept here as the reference the byte writer must match exactly.
private enum ReferenceWriter {
    static func data(_ value: JSONValue, pretty: Bool) -> Data {
        var out = ""
        write(value, to: &out, pretty: pretty, indent: 0)
        return Data(out.utf8)
    }

    static func write(_ value: JSONValue, to out: inout String, pretty: Bool, indent: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isFinite, d.rounded() == d, abs(d) < 1e15 {
                out += String(Int64(d))
            } else if d.isFinite {
                out += String(d)
            } else {
                out += "null"
            }
        case .string(let s): writeString(s, to: &out)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                write(v, to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{"
            for (i, key) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                writeString(key, to: &out)
                out += pretty ? ": " : ":"
                if let v = o[key] { write(v, to: &out, pretty: pretty, indent: indent + 1) }
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += "\\u" + String(format: "%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

@Suite("JSONValue serialization")
struct JSONValueWritingTests {
    static let trickyStrings: [String] = [
        "", "plain", "quote\"inside", "back\\slash", "\\\"", "line\nbreak\r\n\ttab",
        "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1b}\u{1f}", "\u{7f} del and \u{80} C1", "slash / stays",
        "héllo wörld", "日本語のテキスト", "emoji 🚀 and 👩‍👩‍👧", "e\u{301} combining", "\u{2028}\u{2029}",
        "mixed \"é\"\n\u{1F600}\u{0}end", String(repeating: "long run without escapes ", count: 40) + "\"",
        "k:{\"name\":\"step\"}", "\u{FEFF}bom", "\u{10FFFF}",
    ]

    static func tricky() -> JSONValue {
        var object: [String: JSONValue] = [:]
        for (i, s) in trickyStrings.enumerated() {
            object[s] = .string(s)
            object["n\(i)"] = .array([.string(s), .object([s: .int(Int64(i))])])
        }
        object["numbers"] = .array([
            .int(0), .int(7), .int(-7), .int(10), .int(-10), .int(1234567890), .int(Int64.max), .int(Int64.min),
            .double(0), .double(-0.0), .double(1.0), .double(-3.0), .double(0.25), .double(-1.5e-7), .double(1e15),
            .double(999_999_999_999_999), .double(1e300), .double(.infinity), .double(.nan), .double(.pi),
        ])
        object["nested"] = .object([
            "a": .array([.array([]), .object([:]), .null, .bool(true), .bool(false), .array([.object(["z": .null, "Z": .int(1), "ä": .int(2), "a": .int(3), "10": .int(4), "9": .int(5)])])]),
            "empty": .object([:]), "one": .object(["only": .string("x")]),
        ])
        return .object(object)
    }

    @Test("compact and pretty output are byte for byte what the String-based writer produced, escapes and non-ASCII included")
    func matchesReference() {
        let value = Self.tricky()
        for pretty in [false, true] {
            #expect(value.data(pretty: pretty) == ReferenceWriter.data(value, pretty: pretty))
        }
        for s in Self.trickyStrings {
            #expect(JSONValue.string(s).jsonString == String(decoding: ReferenceWriter.data(.string(s), pretty: false), as: UTF8.self))
        }
        #expect(value.jsonString == String(decoding: ReferenceWriter.data(value, pretty: false), as: UTF8.self))
        #expect(value.bytes() == Array(ReferenceWriter.data(value, pretty: false)))
    }

    @Test("control characters are escaped as lower-case \\u00XX and the output parses back to the same value")
    func roundTrips() throws {
        #expect(JSONValue.string("\u{1}\u{1f}\"\\").jsonString == #""\u0001\u001f\"\\""#)
        let value = Self.tricky()
        var parsed = try JSONValue.parse(value.data())
        // NaN and infinity are written as null.
        parsed["numbers"] = nil
        var expected = value
        expected["numbers"] = nil
        #expect(parsed == expected)
    }

    @Test("write(into:) appends to what the buffer already holds")
    func appends() {
        var out = Array("x=".utf8)
        JSONValue.object(["b": .int(2), "a": .string("é")]).write(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"x={"a":"é","b":2}"#)
    }
}
