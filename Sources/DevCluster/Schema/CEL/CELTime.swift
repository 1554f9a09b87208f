import Foundation
import KubeCore

/// A CEL `google.protobuf.Duration`, held as Go's `time.Duration` (signed nanoseconds), which is
/// what cel-go uses.
struct CELDuration: Hashable, Sendable, CustomStringConvertible {
    var nanos: Int64

    /// CEL's string form: seconds with the fraction Go's `FormatFloat(.., 'f', -1)` prints, then `s`.
    var description: String {
        let whole = nanos / 1_000_000_000
        let frac = abs(nanos % 1_000_000_000)
        var s = (nanos < 0 && whole == 0 ? "-" : "") + String(whole)
        if frac != 0 {
            var digits = String(frac)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            s += "." + digits
        }
        return s + "s"
    }

    /// Go's `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or `0`; units ns, us, µs, ms, s, m, h.
    static func parse(_ text: String) throws(CELError) -> CELDuration {
        let invalid = CELError.eval("time: invalid duration \"\(text)\"")
        var s = Substring(text)
        var negative = false
        if let c = s.first, c == "-" || c == "+" {
            negative = c == "-"
            s = s.dropFirst()
        }
        if s == "0" { return CELDuration(nanos: 0) }
        guard !s.isEmpty else { throw invalid }
        var total: Double = 0
        while !s.isEmpty {
            let intPart = s.prefix { $0.isASCII && $0.isNumber }
            s = s.dropFirst(intPart.count)
            var fracPart: Substring = ""
            if s.first == "." {
                s = s.dropFirst()
                fracPart = s.prefix { $0.isASCII && $0.isNumber }
                s = s.dropFirst(fracPart.count)
            }
            guard !intPart.isEmpty || !fracPart.isEmpty else { throw invalid }
            let unit = s.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            s = s.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "ns": scale = 1
            case "us", "µs", "μs": scale = 1e3
            case "ms": scale = 1e6
            case "s": scale = 1e9
            case "m": scale = 60e9
            case "h": scale = 3600e9
            case "": throw CELError.eval("time: missing unit in duration \"\(text)\"")
            default: throw CELError.eval("time: unknown unit \"\(unit)\" in duration \"\(text)\"")
            }
            let value = Double("\(intPart.isEmpty ? "0" : intPart).\(fracPart.isEmpty ? "0" : fracPart)") ?? 0
            total += value * scale
        }
        guard total < 9.223372036854775e18 else { throw invalid }
        let nanos = Int64(total.rounded(.towardZero))
        return CELDuration(nanos: negative ? -nanos : nanos)
    }
}

/// A CEL `google.protobuf.Timestamp`: seconds since the Unix epoch plus nanoseconds, within
/// 0001-01-01T00:00:00Z ... 9999-12-31T23:59:59.999999999Z as CEL requires.
struct CELTimestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    var seconds: Int64
    var nanos: Int32

    static let minSeconds: Int64 = -62_135_596_800
    static let maxSeconds: Int64 = 253_402_300_799

    static func < (a: CELTimestamp, b: CELTimestamp) -> Bool { (a.seconds, a.nanos) < (b.seconds, b.nanos) }

    static func checked(seconds: Int64, nanos: Int32) throws(CELError) -> CELTimestamp {
        guard seconds >= minSeconds, seconds <= maxSeconds else { throw CELError.eval("timestamp out of range") }
        return CELTimestamp(seconds: seconds, nanos: nanos)
    }

    /// RFC 3339 with the fraction trimmed (Go's `time.RFC3339Nano`), in UTC.
    var description: String {
        let c = CELCivil(unixSeconds: seconds, offset: 0)
        var s = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute, c.second)
        if nanos != 0 {
            var digits = String(format: "%09d", nanos)
            while digits.hasSuffix("0") { digits.removeLast() }
            s += "." + digits
        }
        return s + "Z"
    }

    /// Go's `time.Parse(time.RFC3339, s)`: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    static func parse(_ text: String) throws(CELError) -> CELTimestamp {
        let bad = CELError.eval("parsing time \"\(text)\" as \"2006-01-02T15:04:05Z07:00\": cannot parse")
        let chars = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= chars.count else { return nil }
            var v = 0
            for c in chars[from..<(from + count)] {
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard chars.count >= 20, let year = number(0, 4), chars[4] == 45, let month = number(5, 2), chars[7] == 45,
              let day = number(8, 2), chars[10] == 84 || chars[10] == 116, let hour = number(11, 2), chars[13] == 58,
              let minute = number(14, 2), chars[16] == 58, let second = number(17, 2)
        else { throw bad }
        var i = 19
        var nanos = 0
        if i < chars.count, chars[i] == 46 {
            i += 1
            var digits = 0
            while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int(chars[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { throw bad }
            if digits < 9 { for _ in digits..<9 { nanos *= 10 } }
        }
        var offset = 0
        guard i < chars.count else { throw bad }
        if chars[i] == 90 || chars[i] == 122 {
            i += 1
        } else if chars[i] == 43 || chars[i] == 45, let oh = number(i + 1, 2), i + 3 < chars.count, chars[i + 3] == 58, let om = number(i + 4, 2) {
            offset = (oh * 3600 + om * 60) * (chars[i] == 45 ? -1 : 1)
            i += 6
        } else {
            throw bad
        }
        guard i == chars.count, (1...12).contains(month), day >= 1, day <= CELCivil.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60 else { throw bad }
        let days = CivilDate.days(year: year, month: month, day: day)
        let secs = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return try checked(seconds: secs, nanos: Int32(nanos))
    }

    /// `timestamp.getX([tz])`: calendar fields in UTC or the given zone (IANA name or `±HH:MM`).
    func field(_ name: String, timeZone: String?) throws(CELError) -> Int64 {
        let offset = try Self.offset(timeZone, at: seconds)
        let c = CELCivil(unixSeconds: seconds, offset: offset)
        switch name {
        case "getFullYear": return Int64(c.year)
        case "getMonth": return Int64(c.month - 1)
        case "getDate": return Int64(c.day)
        case "getDayOfMonth": return Int64(c.day - 1)
        case "getDayOfWeek": return Int64(c.weekday)
        case "getDayOfYear": return Int64(c.dayOfYear)
        case "getHours": return Int64(c.hour)
        case "getMinutes": return Int64(c.minute)
        case "getSeconds": return Int64(c.second)
        case "getMilliseconds": return Int64(nanos / 1_000_000)
        default: throw CELError.eval("no such overload: \(name)")
        }
    }

    private static func offset(_ zone: String?, at seconds: Int64) throws(CELError) -> Int {
        guard let zone, !zone.isEmpty, zone != "UTC" else { return 0 }
        if let sign = zone.first, sign == "+" || sign == "-" {
            let parts = zone.dropFirst().split(separator: ":")
            guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]) else { throw CELError.eval("invalid time zone: \(zone)") }
            return (h * 3600 + m * 60) * (sign == "-" ? -1 : 1)
        }
        guard let tz = TimeZone(identifier: zone) else { throw CELError.eval("unknown time zone \(zone)") }
        return tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

/// Calendar fields of a Unix time at an offset (the day arithmetic is KubeCore's `CivilDate`).
struct CELCivil {
    var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, weekday = 4, dayOfYear = 0

    init(unixSeconds: Int64, offset: Int) {
        let local = unixSeconds + Int64(offset)
        var days = local / 86_400
        var rem = local % 86_400
        if rem < 0 {
            rem += 86_400
            days -= 1
        }
        hour = Int(rem / 3600)
        minute = Int(rem % 3600 / 60)
        second = Int(rem % 60)
        weekday = Int(((days % 7) + 11) % 7)
        let date = CivilDate.date(days: Int(days))
        (year, month, day) = (date.year, date.month, date.day)
        dayOfYear = Int(days) - CivilDate.days(year: year, month: 1, day: 1)
    }

    static func daysIn(month: Int, year: Int) -> Int { CivilDate.daysIn(year: year, month: month) }
}

/// Duration and timestamp functions and arithmetic.
enum CELTimeLibrary {
    static func call(_ name: String, _ args: [CELValue], receiverStyle: Bool) throws(CELError) -> CELValue? {
        switch (name, args.first, args.count) {
        case ("duration", .string(let s)?, 1) where !receiverStyle: return .duration(try CELDuration.parse(s))
        case ("duration", .duration?, 1) where !receiverStyle: return args[0]
        case ("timestamp", .string(let s)?, 1) where !receiverStyle: return .timestamp(try CELTimestamp.parse(s))
        case ("timestamp", .int(let i)?, 1) where !receiverStyle: return .timestamp(try CELTimestamp.checked(seconds: i, nanos: 0))
        case ("timestamp", .timestamp?, 1) where !receiverStyle: return args[0]
        case (_, .timestamp(let t)?, 1), (_, .timestamp(let t)?, 2):
            guard receiverStyle, name.hasPrefix("get") else { return nil }
            var zone: String?
            if args.count == 2 {
                guard case .string(let z) = args[1] else { return nil }
                zone = z
            }
            return .int(try t.field(name, timeZone: zone))
        case (_, .duration(let d)?, 1) where receiverStyle:
            switch name {
            case "getHours": return .int(d.nanos / 3_600_000_000_000)
            case "getMinutes": return .int(d.nanos / 60_000_000_000)
            case "getSeconds": return .int(d.nanos / 1_000_000_000)
            case "getMilliseconds": return .int(d.nanos / 1_000_000)
            default: return nil
            }
        default: return nil
        }
    }

    /// `+` and `-` over durations and timestamps; nil when the operands are not time values.
    static func arithmetic(_ op: String, _ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue? {
        func add(_ x: Int64, _ y: Int64) throws(CELError) -> Int64 {
            let (r, o) = x.addingReportingOverflow(y)
            guard !o else { throw CELError.eval("integer overflow") }
            return r
        }
        func shift(_ t: CELTimestamp, _ nanos: Int64) throws(CELError) -> CELValue {
            var secs = try add(t.seconds, nanos / 1_000_000_000)
            var n = Int64(t.nanos) + nanos % 1_000_000_000
            if n < 0 { n += 1_000_000_000; secs -= 1 }
            if n >= 1_000_000_000 { n -= 1_000_000_000; secs += 1 }
            return .timestamp(try CELTimestamp.checked(seconds: secs, nanos: Int32(n)))
        }
        switch (op, a, b) {
        case ("+", .duration(let x), .duration(let y)): return .duration(CELDuration(nanos: try add(x.nanos, y.nanos)))
        case ("-", .duration(let x), .duration(let y)):
            guard y.nanos != Int64.min else { throw CELError.eval("integer overflow") }
            return .duration(CELDuration(nanos: try add(x.nanos, -y.nanos)))
        case ("+", .timestamp(let t), .duration(let d)), ("+", .duration(let d), .timestamp(let t)): return try shift(t, d.nanos)
        case ("-", .timestamp(let t), .duration(let d)):
            guard d.nanos != Int64.min else { throw CELError.eval("integer overflow") }
            return try shift(t, -d.nanos)
        case ("-", .timestamp(let x), .timestamp(let y)):
            let secs = x.seconds - y.seconds
            let (ns, o) = secs.multipliedReportingOverflow(by: 1_000_000_000)
            guard !o else { throw CELError.eval("integer overflow") }
            return .duration(CELDuration(nanos: try add(ns, Int64(x.nanos) - Int64(y.nanos))))
        default: return nil
        }
    }
}
