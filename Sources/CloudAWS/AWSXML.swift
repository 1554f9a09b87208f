import Foundation

/// The little XML reading the layer needs (STS credentials, CloudWatch values, error codes): the text
/// of elements by name, entities decoded. Not a general parser.
public enum AWSXML {
    /// The text of the first `<tag>…</tag>` (namespace prefixes and attributes allowed), decoded.
    public static func value(_ tag: String, in xml: String) -> String? { values(tag, in: xml).first }

    /// The texts of every `<tag>…</tag>`, in order, decoded.
    public static func values(_ tag: String, in xml: String) -> [String] {
        var out: [String] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(tag)") {
            let afterName = rest[open.upperBound...]
            guard let next = afterName.first, next == ">" || next == " " || next == "/" else {
                rest = afterName
                continue
            }
            guard let close = afterName.range(of: ">") else { break }
            if afterName[afterName.startIndex..<close.lowerBound].hasSuffix("/") {
                out.append("")
                rest = afterName[close.upperBound...]
                continue
            }
            let body = afterName[close.upperBound...]
            guard let end = body.range(of: "</\(tag)>") else { break }
            out.append(decode(String(body[body.startIndex..<end.lowerBound])))
            rest = body[end.upperBound...]
        }
        return out
    }

    /// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#N;`, `&#xH;` decoded; CDATA unwrapped.
    public static func decode(_ text: String) -> String {
        var text = text
        if text.hasPrefix("<![CDATA["), text.hasSuffix("]]>") { return String(text.dropFirst(9).dropLast(3)) }
        guard text.contains("&") else { return text }
        var out = ""
        while let amp = text.firstIndex(of: "&") {
            out += text[text.startIndex..<amp]
            guard let semi = text[amp...].firstIndex(of: ";"), text.distance(from: amp, to: semi) <= 10 else {
                out += "&"
                text = String(text[text.index(after: amp)...])
                continue
            }
            let entity = String(text[text.index(after: amp)..<semi])
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let scalar: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") { scalar = UInt32(entity.dropFirst(2), radix: 16) }
                else if entity.hasPrefix("#") { scalar = UInt32(entity.dropFirst()) }
                else { scalar = nil }
                if let scalar, let u = Unicode.Scalar(scalar) { out.unicodeScalars.append(u) } else { out += "&\(entity);" }
            }
            text = String(text[text.index(after: semi)...])
        }
        return out + text
    }

    /// `text` escaped for an XML element.
    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
