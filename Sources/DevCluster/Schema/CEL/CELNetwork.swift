import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An IP address of the Kubernetes CEL IP library (`net.IP`): 4 or 16 bytes, no zone.
struct CELIPAddress: Hashable, Sendable, CustomStringConvertible {
    var bytes: [UInt8]

    var is4: Bool { bytes.count == 4 }

    /// Go `netip.Addr.String()`: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as `::`).
    var description: String {
        if is4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: 16, by: 2).map { Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]) }
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8, groups[j] == 0 { j += 1 }
                if j - i > bestLen, j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else {
                i += 1
            }
        }
        func hex(_ r: ArraySlice<Int>) -> String { r.map { String($0, radix: 16) }.joined(separator: ":") }
        guard bestStart >= 0 else { return hex(groups[...]) }
        return hex(groups[0..<bestStart]) + "::" + hex(groups[(bestStart + bestLen)...])
    }

    /// `ip()`'s parse: Go `netip.ParseAddr` (no leading zeros in IPv4 octets), zones and
    /// IPv4-mapped IPv6 addresses refused, with the library's messages.
    static func parse(_ raw: String) throws(CELError) -> CELIPAddress {
        if raw.contains(":") {
            if raw.contains("%") { throw CELError.eval("IP address \"\(raw)\" with zone value is not allowed") }
            var addr = in6_addr()
            guard inet_pton(AF_INET6, raw, &addr) == 1 else {
                throw CELError.eval("IP Address \"\(raw)\" parse error during conversion from string: ParseAddr(\"\(raw)\"): unable to parse IP")
            }
            let bytes = withUnsafeBytes(of: &addr) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
                throw CELError.eval("IPv4-mapped IPv6 address \"\(raw)\" is not allowed")
            }
            return CELIPAddress(bytes: bytes)
        }
        let parts = raw.split(separator: ".", omittingEmptySubsequences: false)
        var bytes: [UInt8] = []
        for part in parts {
            guard parts.count == 4, !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = UInt8(part), part.count == 1 || part.first != "0"
            else {
                throw CELError.eval("IP Address \"\(raw)\" parse error during conversion from string: ParseAddr(\"\(raw)\"): unable to parse IP")
            }
            bytes.append(n)
        }
        guard bytes.count == 4 else {
            throw CELError.eval("IP Address \"\(raw)\" parse error during conversion from string: ParseAddr(\"\(raw)\"): unable to parse IP")
        }
        return CELIPAddress(bytes: bytes)
    }

    var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }
    var isLoopback: Bool { is4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1] }
    var isLinkLocalMulticast: Bool { is4 ? bytes[0] == 224 && bytes[1] == 0 && bytes[2] == 0 : bytes[0] == 0xff && bytes[1] & 0x0f == 0x02 }
    var isLinkLocalUnicast: Bool { is4 ? bytes[0] == 169 && bytes[1] == 254 : bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 }
    var isMulticast: Bool { is4 ? bytes[0] & 0xf0 == 0xe0 : bytes[0] == 0xff }
    /// Go's `IsGlobalUnicast`: not unspecified, loopback, multicast, link-local or IPv4 broadcast.
    var isGlobalUnicast: Bool {
        if is4, bytes == [255, 255, 255, 255] { return false }
        return !isUnspecified && !isLoopback && !isMulticast && !isLinkLocalUnicast
    }

    /// The first `bits` bits kept, the rest zeroed.
    func masked(_ bits: Int) -> CELIPAddress {
        var out = bytes
        for i in out.indices {
            let keep = max(0, min(8, bits - i * 8))
            out[i] &= keep == 8 ? 0xff : UInt8(truncatingIfNeeded: 0xff << (8 - keep))
        }
        return CELIPAddress(bytes: out)
    }
}

/// A network of the Kubernetes CEL CIDR library (`net.CIDR`): Go `netip.Prefix`, address not masked.
struct CELCIDR: Hashable, Sendable, CustomStringConvertible {
    var address: CELIPAddress
    var prefixLength: Int

    var description: String { "\(address)/\(prefixLength)" }

    static func parse(_ raw: String) throws(CELError) -> CELCIDR {
        let pieces = raw.split(separator: "/", omittingEmptySubsequences: false)
        let failure = CELError.eval("network address parse error during conversion from string: netip.ParsePrefix(\"\(raw)\"): bad bits after slash")
        guard pieces.count == 2 else {
            throw CELError.eval("network address parse error during conversion from string: netip.ParsePrefix(\"\(raw)\"): no '/'")
        }
        let address: CELIPAddress
        do {
            address = try CELIPAddress.parse(String(pieces[0]))
        } catch {
            if error.message.contains("IPv4-mapped") { throw CELError.eval("IPv4-mapped IPv6 address \"\(raw)\" is not allowed") }
            throw CELError.eval("network address parse error during conversion from string: netip.ParsePrefix(\"\(raw)\"): ParseAddr(\"\(pieces[0])\"): unable to parse IP")
        }
        guard !pieces[1].isEmpty, pieces[1].allSatisfy({ $0.isASCII && $0.isNumber }), pieces[1].count == 1 || pieces[1].first != "0",
              let bits = Int(pieces[1]), bits <= address.bytes.count * 8 else { throw failure }
        return CELCIDR(address: address, prefixLength: bits)
    }

    func contains(_ ip: CELIPAddress) -> Bool {
        ip.bytes.count == address.bytes.count && ip.masked(prefixLength) == address.masked(prefixLength)
    }

    func contains(_ other: CELCIDR) -> Bool {
        other.prefixLength >= prefixLength && contains(other.address)
    }
}

/// The Kubernetes CEL IP and CIDR libraries (`ip()`, `cidr()`, `isIP`, `isCIDR`, members).
enum CELNetwork {
    static func isIP(_ s: String) -> Bool { (try? CELIPAddress.parse(s)) != nil }
    static func isCIDR(_ s: String) -> Bool { (try? CELCIDR.parse(s)) != nil }

    static func call(_ name: String, _ args: [CELValue], receiverStyle: Bool) throws(CELError) -> CELValue? {
        switch (name, args.first, args.count, receiverStyle) {
        case ("isIP", .string(let s)?, 1, false): return .bool(isIP(s))
        case ("isCIDR", .string(let s)?, 1, false): return .bool(isCIDR(s))
        case ("ip", .string(let s)?, 1, false): return .ip(try CELIPAddress.parse(s))
        case ("cidr", .string(let s)?, 1, false): return .cidr(try CELCIDR.parse(s))
        case ("ip.isCanonical", .string(let s)?, 1, false): return .bool(try CELIPAddress.parse(s).description == s)
        case ("string", .ip(let ip)?, 1, false): return .string(ip.description)
        case ("string", .cidr(let c)?, 1, false): return .string(c.description)
        case (_, .ip(let ip)?, 1, true):
            switch name {
            case "family": return .int(ip.is4 ? 4 : 6)
            case "isUnspecified": return .bool(ip.isUnspecified)
            case "isLoopback": return .bool(ip.isLoopback)
            case "isLinkLocalMulticast": return .bool(ip.isLinkLocalMulticast)
            case "isLinkLocalUnicast": return .bool(ip.isLinkLocalUnicast)
            case "isGlobalUnicast": return .bool(ip.isGlobalUnicast)
            default: return nil
            }
        case (_, .cidr(let c)?, 1, true):
            switch name {
            case "ip": return .ip(c.address)
            case "prefixLength": return .int(Int64(c.prefixLength))
            case "masked": return .cidr(CELCIDR(address: c.address.masked(c.prefixLength), prefixLength: c.prefixLength))
            default: return nil
            }
        case ("containsIP", .cidr(let c)?, 2, true):
            switch args[1] {
            case .ip(let ip): return .bool(c.contains(ip))
            case .string(let s): return .bool(c.contains(try CELIPAddress.parse(s)))
            default: return nil
            }
        case ("containsCIDR", .cidr(let c)?, 2, true):
            switch args[1] {
            case .cidr(let other): return .bool(c.contains(other))
            case .string(let s): return .bool(c.contains(try CELCIDR.parse(s)))
            default: return nil
            }
        default: return nil
        }
    }
}
