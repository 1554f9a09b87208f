import Crypto
import Foundation

extension SigV4Signer {
    /// Percent-encodes every byte outside `A-Z a-z 0-9 - _ . ~` (and `/` unless `encodeSlash`), upper-case hex.
    public static func uriEncode(_ text: String, encodeSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where !encodeSlash:
                out.append("/")
            default:
                out.append("%")
                out.unicodeScalars.append(Unicode.Scalar(upperHex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(upperHex[Int(byte & 0x0f)]))
            }
        }
        return out
    }

    private static let upperHex = Array("0123456789ABCDEF".utf8)

    /// The canonical query: each name and value decoded then encoded, sorted by name then value.
    public static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            pairs.append((uriEncode(name.removingPercentEncoding ?? name, encodeSlash: true),
                          uriEncode(value.removingPercentEncoding ?? value, encodeSlash: true)))
        }
        pairs.sort { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Removes `.` and `..` segments and repeated slashes, keeping a trailing slash.
    public static func normalizePath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        var out = "/" + segments.joined(separator: "/")
        let last = path.split(separator: "/", omittingEmptySubsequences: false).last
        if path.hasSuffix("/") || last == "." || last == ".." { if !out.hasSuffix("/") { out += "/" } }
        return out
    }

    /// A header value trimmed, with runs of spaces collapsed to one.
    static func trimHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func timestamp(_ date: Date) -> String {
        let c = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// `yyyyMMdd` in UTC.
    public static func day(_ date: Date) -> String { String(timestamp(date).prefix(8)) }

    /// Parses `yyyyMMdd'T'HHmmss'Z'`.
    public static func parseTimestamp(_ text: String) -> Date? {
        let digits = text.filter(\.isNumber)
        guard digits.count == 14, text.count == 16 else { return nil }
        let n = digits.map { Int(String($0)) ?? 0 }
        func num(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + n[$1] } }
        var c = DateComponents()
        c.year = num(0..<4); c.month = num(4..<6); c.day = num(6..<8)
        c.hour = num(8..<10); c.minute = num(10..<12); c.second = num(12..<14)
        return utcCalendar.date(from: c)
    }

    /// Lower-case hex SHA-256.
    public static func hexSHA256(_ data: Data) -> String { hex(Data(SHA256.hash(data: data))) }

    static func hmac(_ key: Data, _ text: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: key)))
    }

    static func hex(_ data: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(data.count * 2)
        for byte in data {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()

    /// Host (with a non-default port), percent-encoded path and raw query of a URL.
    static func urlParts(_ url: URL) -> (host: String, path: String, query: String) {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        var host = components?.host ?? ""
        if let port = components?.port {
            let scheme = components?.scheme?.lowercased()
            if !((scheme == "https" && port == 443) || (scheme == "http" && port == 80)) { host += ":\(port)" }
        }
        let path = components?.percentEncodedPath ?? "/"
        return (host, path.isEmpty ? "/" : path, components?.percentEncodedQuery ?? "")
    }
}
