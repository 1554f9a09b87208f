import Foundation

/// A named format of the Kubernetes CEL format library (`format.dns1123Label()`, `format.named("uri")`).
struct CELNamedFormat: Hashable, Sendable {
    /// The library's constant name (`dns1123Label`, `uri`, ...).
    var name: String
}

/// The Kubernetes CEL format library: `<format>.validate(s)` returns `optional.none()` when `s`
/// is valid, else the apimachinery validation messages.
enum CELFormatLibrary {
    static let names: Set<String> = [
        "dns1123Label", "dns1123Subdomain", "dns1035Label", "qualifiedName", "dns1123LabelPrefix",
        "dns1123SubdomainPrefix", "dns1035LabelPrefix", "labelValue", "uri", "uuid", "byte", "date", "datetime",
    ]

    static let qualifiedNameMessage = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    static let labelValueMessage = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

    static func call(_ name: String, _ args: [CELValue], receiverStyle: Bool) throws(CELError) -> CELValue? {
        if name.hasPrefix("format."), args.isEmpty, !receiverStyle {
            let short = String(name.dropFirst("format.".count))
            return names.contains(short) ? .format(CELNamedFormat(name: short)) : nil
        }
        switch (name, args.first, args.count, receiverStyle) {
        case ("format.named", .string(let s)?, 1, false):
            return .optional(names.contains(s) ? .format(CELNamedFormat(name: s)) : nil)
        case ("validate", .format(let f)?, 2, true):
            guard case .string(let s) = args[1] else { return nil }
            let errors = validate(f.name, s)
            return .optional(errors.isEmpty ? nil : .list(errors.map(CELValue.string)))
        default: return nil
        }
    }

    static func validate(_ format: String, _ s: String) -> [String] {
        switch format {
        case "dns1123Label", "dns1123LabelPrefix": return dns1123Label(format.hasSuffix("Prefix") ? maskTrailingDash(s) : s)
        case "dns1035Label", "dns1035LabelPrefix": return dns1035Label(format.hasSuffix("Prefix") ? maskTrailingDash(s) : s)
        case "dns1123Subdomain", "dns1123SubdomainPrefix": return dns1123Subdomain(format.hasSuffix("Prefix") ? maskTrailingDash(s) : s)
        case "qualifiedName": return qualifiedName(s)
        case "labelValue":
            var errs: [String] = []
            if s.count > 63 { errs.append("must be no more than 63 characters") }
            if !s.isEmpty && !isQualifiedNamePart(s) { errs.append(labelValueMessage) }
            return errs
        case "uri":
            do {
                _ = try CELURL.parse(s)
                return []
            } catch {
                return [String(error.message.dropFirst("URL parse error during conversion from string: ".count))]
            }
        case "uuid":
            let pattern = "^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$"
            return RegexCache.shared.regex(pattern).map { $0.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil } == true ? [] : ["does not match the UUID format"]
        case "byte": return Data(base64Encoded: s) != nil ? [] : ["invalid base64"]
        case "date": return isDate(s) ? [] : ["invalid date"]
        case "datetime": return (try? CELTimestamp.parse(s)) != nil ? [] : ["invalid datetime"]
        default: return []
        }
    }

    private static func maskTrailingDash(_ s: String) -> String {
        s.count > 1 && s.hasSuffix("-") ? String(s.dropLast()) + "a" : s
    }

    private static func isLower(_ c: Character) -> Bool { (c >= "a" && c <= "z") || (c >= "0" && c <= "9") }

    private static func labelShape(_ s: String) -> Bool {
        guard let f = s.first, let l = s.last else { return false }
        return isLower(f) && isLower(l) && s.allSatisfy { isLower($0) || $0 == "-" }
    }

    static func dns1123Label(_ s: String) -> [String] {
        var errs: [String] = []
        if s.count > 63 { errs.append("must be no more than 63 characters") }
        if !labelShape(s) { errs.append(ObjectRules.dns1123LabelMessage) }
        return errs
    }

    static func dns1035Label(_ s: String) -> [String] {
        var errs: [String] = []
        if s.count > 63 { errs.append("must be no more than 63 characters") }
        if !(labelShape(s) && (s.first.map { $0 >= "a" && $0 <= "z" } ?? false)) { errs.append(ObjectRules.dns1035LabelMessage) }
        return errs
    }

    static func dns1123Subdomain(_ s: String) -> [String] {
        var errs: [String] = []
        if s.count > 253 { errs.append("must be no more than 253 characters") }
        let ok = s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { labelShape(String($0)) }
        if !ok { errs.append(ObjectRules.dns1123SubdomainMessage) }
        return errs
    }

    private static func isQualifiedNamePart(_ s: String) -> Bool {
        let alnum: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber) }
        guard let f = s.first, let l = s.last else { return false }
        return alnum(f) && alnum(l) && s.allSatisfy { alnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    /// apimachinery `IsQualifiedName`: `[prefix/]name`, prefix a DNS-1123 subdomain.
    static func qualifiedName(_ s: String) -> [String] {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var errs: [String] = []
        let name: String
        switch parts.count {
        case 1: name = parts[0]
        case 2:
            name = parts[1]
            if parts[0].isEmpty {
                errs.append("prefix part must be non-empty")
            } else {
                errs += dns1123Subdomain(parts[0]).map { "prefix part " + $0 }
            }
        default:
            return ["a qualified name " + String(qualifiedNameMessage.dropFirst("name part ".count)) + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            errs.append("name part must be non-empty")
        } else if name.count > 63 {
            errs.append("name part must be no more than 63 characters")
        }
        if !isQualifiedNamePart(name) { errs.append(qualifiedNameMessage) }
        return errs
    }

    private static func isDate(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m) else { return false }
        return d >= 1 && d <= CELCivil.daysIn(month: m, year: y)
    }
}
