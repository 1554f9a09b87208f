/// A URL of the Kubernetes CEL URL library (`kubernetes.URL`), parsed the way Go's
/// `url.ParseRequestURI` accepts it (an absolute URI or an absolute path) and `url.Parse` splits it.
struct CELURL: Hashable, Sendable {
    var raw: String
    var scheme: String
    /// host[:port] as written (IPv6 in brackets).
    var host: String
    var escapedPath: String
    var rawQuery: String

    var hostname: String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return String(host[host.index(after: host.startIndex)..<close]) }
        if let colon = host.lastIndex(of: ":") { return String(host[..<colon]) }
        return host
    }

    var port: String {
        let afterBracket = host.lastIndex(of: "]").map { host[host.index(after: $0)...] } ?? host[...]
        guard let colon = afterBracket.lastIndex(of: ":") else { return "" }
        return String(afterBracket[afterBracket.index(after: colon)...])
    }

    /// Go's `url.Values`: `&`-separated pairs, `+` and %XX unescaped, undecodable pairs skipped.
    var query: [String: [String]] {
        var out: [String: [String]] = [:]
        for pair in rawQuery.split(separator: "&") where !pair.contains(";") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = Self.queryUnescape(String(kv[0])), let value = Self.queryUnescape(kv.count > 1 ? String(kv[1]) : "") else { continue }
            out[key, default: []].append(value)
        }
        return out
    }

    static func queryUnescape(_ s: String) -> String? {
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let c = it.first {
            it = it.dropFirst()
            if c == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if c == UInt8(ascii: "%") {
                guard it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) else { return nil }
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(c)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `url(s)`: errors with the library's prefix and Go's wording for the common failures.
    static func parse(_ s: String) throws(CELError) -> CELURL {
        func fail(_ why: String) -> CELError {
            CELError.eval("URL parse error during conversion from string: parse \"\(s)\": \(why)")
        }
        guard !s.isEmpty else { throw CELError.eval("URL parse error during conversion from string: parse \"\": empty url") }
        if s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) { throw fail("net/url: invalid control character in URL") }
        var rest = Substring(s)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var scheme = ""
        if let colon = rest.firstIndex(of: ":"), let first = rest.first, first.isASCII, first.isLetter {
            let candidate = rest[..<colon]
            if candidate.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) {
                scheme = candidate.lowercased()
                rest = rest[rest.index(after: colon)...]
            }
        } else if rest.first == ":" {
            throw fail("missing protocol scheme")
        }
        var rawQuery = ""
        if let q = rest.firstIndex(of: "?") {
            rawQuery = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        guard rest.hasPrefix("/") else {
            if !scheme.isEmpty { return CELURL(raw: s, scheme: scheme, host: "", escapedPath: "", rawQuery: rawQuery) }
            throw fail("invalid URI for request")
        }
        var host = ""
        if rest.hasPrefix("//"), !scheme.isEmpty || !rest.hasPrefix("///") {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            var authority = rest[..<end]
            rest = rest[end...]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            host = String(authority)
            try validateHost(host, fail)
        }
        return CELURL(raw: s, scheme: scheme, host: host, escapedPath: String(rest), rawQuery: rawQuery)
    }

    private static func validateHost(_ host: String, _ fail: (String) -> CELError) throws(CELError) {
        var portPart: Substring = ""
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw fail("missing ']' in host") }
            portPart = host[host.index(after: close)...]
        } else if let colon = host.lastIndex(of: ":") {
            portPart = host[colon...]
            if let bad = host[..<colon].first(where: { " <>\"{}|\\^`".contains($0) }) { throw fail("invalid character \"\(bad)\" in host name") }
        } else if let bad = host.first(where: { " <>\"{}|\\^`".contains($0) }) {
            throw fail("invalid character \"\(bad)\" in host name")
        }
        if !portPart.isEmpty, !(portPart.first == ":" && portPart.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber })) {
            throw fail("invalid port \"\(portPart)\" after host")
        }
    }
}

/// The Kubernetes CEL URL library.
enum CELURLLibrary {
    static func call(_ name: String, _ args: [CELValue], receiverStyle: Bool) throws(CELError) -> CELValue? {
        switch (name, args.first, args.count, receiverStyle) {
        case ("url", .string(let s)?, 1, false): return .url(try CELURL.parse(s))
        case ("isURL", .string(let s)?, 1, false): return .bool((try? CELURL.parse(s)) != nil)
        case (_, .url(let u)?, 1, true):
            switch name {
            case "getScheme": return .string(u.scheme)
            case "getHost": return .string(u.host)
            case "getHostname": return .string(u.hostname)
            case "getPort": return .string(u.port)
            case "getEscapedPath": return .string(u.escapedPath)
            case "getQuery": return .map(u.query.mapValues { .list($0.map(CELValue.string)) })
            default: return nil
            }
        default: return nil
        }
    }
}
