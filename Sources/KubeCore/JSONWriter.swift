import Foundation

extension JSONValue {
    /// Serializes to compact JSON bytes with sorted keys (`pretty`: two-space indentation).
    public func data(pretty: Bool = false) -> Data {
        Data(bytes(pretty: pretty))
    }

    /// Serializes to a compact JSON string with sorted keys.
    public var jsonString: String {
        String(decoding: bytes(pretty: false), as: UTF8.self)
    }

    /// Serializes to UTF-8 bytes with sorted keys, the same bytes as `data(pretty:)`.
    public func bytes(pretty: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out, pretty: pretty)
        return out
    }

    /// Appends the JSON serialization (sorted keys) to `out`.
    ///
    /// Escaping: `"` and `\` are backslash-escaped, newline, carriage return and tab as `\n`,
    /// `\r`, `\t`, other control characters below U+0020 as `\u00XX` (lower-case hex); every
    /// other character, non-ASCII included, is written as its UTF-8 bytes. Integral doubles
    /// below 1e15 are written as integers, other finite doubles as Swift prints them,
    /// non-finite ones as `null`.
    public func write(into out: inout [UInt8], pretty: Bool = false) {
        JSONWriter.write(self, into: &out, pretty: pretty, indent: 0)
    }
}

/// The byte-level JSON serializer behind `JSONValue.data(pretty:)` and `jsonString`.
enum JSONWriter {
    static func write(_ value: JSONValue, into out: inout [UInt8], pretty: Bool, indent: Int) {
        switch value {
        case .null: append("null", to: &out)
        case .bool(let b): append(b ? "true" : "false", to: &out)
        case .int(let i): writeInteger(i, into: &out)
        case .double(let d):
            if d.isFinite, d.rounded() == d, abs(d) < 1e15 {
                writeInteger(Int64(d), into: &out)
            } else if d.isFinite {
                out.append(contentsOf: String(d).utf8)
            } else {
                append("null", to: &out)
            }
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty {
                append("[]", to: &out)
                return
            }
            out.append(UInt8(ascii: "["))
            var first = true
            for v in a {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                if pretty { newline(indent: indent + 1, into: &out) }
                write(v, into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(indent: indent, into: &out) }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            if o.isEmpty {
                append("{}", to: &out)
                return
            }
            out.append(UInt8(ascii: "{"))
            if o.count == 1, let only = o.first {
                writeMember(only.key, only.value, first: true, into: &out, pretty: pretty, indent: indent)
            } else {
                var first = true
                for (key, v) in o.sorted(by: { $0.key < $1.key }) {
                    writeMember(key, v, first: first, into: &out, pretty: pretty, indent: indent)
                    first = false
                }
            }
            if pretty { newline(indent: indent, into: &out) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeMember(
        _ key: String, _ value: JSONValue, first: Bool, into out: inout [UInt8], pretty: Bool, indent: Int
    ) {
        if !first { out.append(UInt8(ascii: ",")) }
        if pretty { newline(indent: indent + 1, into: &out) }
        writeString(key, into: &out)
        if pretty { append(": ", to: &out) } else { out.append(UInt8(ascii: ":")) }
        write(value, into: &out, pretty: pretty, indent: indent + 1)
    }

    @inline(__always)
    private static func append(_ literal: StaticString, to out: inout [UInt8]) {
        literal.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private static func newline(indent: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    /// Decimal digits of `i` (as `String(i)` prints it), without an intermediate String.
    static func writeInteger(_ i: Int64, into out: inout [UInt8]) {
        if i >= 0, i < 10 {
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: i))
            return
        }
        var magnitude = i.magnitude
        if i < 0 { out.append(UInt8(ascii: "-")) }
        let start = out.count
        while magnitude > 0 {
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        }
        out[start...].reverse()
    }

    /// True for the bytes a JSON string cannot hold as they are: `"`, `\` and controls.
    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { writeEscaped($0, into: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// Copies runs of bytes that need no escaping at once; escapes the others.
    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var runStart = 0
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if !needsEscape(byte) {
                index += 1
                continue
            }
            if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            switch byte {
            case UInt8(ascii: "\""): append("\\\"", to: &out)
            case UInt8(ascii: "\\"): append("\\\\", to: &out)
            case UInt8(ascii: "\n"): append("\\n", to: &out)
            case UInt8(ascii: "\r"): append("\\r", to: &out)
            case UInt8(ascii: "\t"): append("\\t", to: &out)
            default:
                let hex: StaticString = "0123456789abcdef"
                append("\\u00", to: &out)
                hex.withUTF8Buffer { digits in
                    out.append(digits[Int(byte >> 4)])
                    out.append(digits[Int(byte & 0x0f)])
                }
            }
            index += 1
            runStart = index
        }
        if runStart < count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<count])) }
    }
}
