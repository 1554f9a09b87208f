import Foundation
import KubeCore

/// How KFP values become the strings Sextant templates carry.
enum KFPValues {
    /// A constant or default as the container sees it: strings as they are, integral numbers
    /// without a fraction (`3`, even when the IR says `3.0`), booleans `true`/`false`, lists and
    /// structs as compact JSON (what the KFP launcher passes).
    static func render(_ value: JSONValue, type: String?) -> String {
        switch value {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            if type == "NUMBER_INTEGER" || (d.rounded() == d && abs(d) < 1e15 && type != "NUMBER_DOUBLE") {
                return String(Int64(d))
            }
            return String(d)
        case .null: return ""
        case .array, .object:
            return String(decoding: value.data(pretty: false), as: UTF8.self)
        }
    }

    /// Seconds of a protobuf JSON Duration (`"5s"`, `"1.5s"`, `"0s"`); nil when malformed.
    static func seconds(_ duration: JSONValue?) -> Int64? {
        guard let text = duration?.stringValue, text.hasSuffix("s"), let value = Double(text.dropLast()), value >= 0 else {
            return nil
        }
        return Int64(value.rounded(.up))
    }

    /// A DNS-1123 label made from a KFP name (`Print_Op` → `print-op`).
    static func dnsLabel(_ name: String) -> String {
        var out = ""
        for ch in name.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) { out.append(ch) } else { out.append("-") }
        }
        while out.contains("--") { out = out.replacingOccurrences(of: "--", with: "-") }
        let trimmed = out.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        let cut = String(trimmed.prefix(63)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return cut.isEmpty ? "step" : cut
    }
}
