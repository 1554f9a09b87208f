import Foundation

/// Kubernetes timestamps: RFC 3339 in UTC with second precision (`2026-11-26T23:07:53Z`).
///
/// `format` and `parse` handle the common shape (`YYYY-MM-DDTHH:MM:SSZ`, years 1970–9999) with
/// integer arithmetic and fall back to `Date.ISO8601FormatStyle` for everything else; both give
/// the same results as the format style (a controller formats and parses several timestamps per
/// reconcile, and the format style costs microseconds each).
public enum KubeTime {
    /// Formats a date as a Kubernetes `metav1.Time` (fractional seconds dropped).
    public static func format(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        guard t >= 0, t < 253_402_300_800 else { return formatWithStyle(date) }
        let seconds = Int64(t.rounded(.down))
        let days = seconds / 86_400
        let inDay = seconds % 86_400
        let civil = CivilDate.date(days: Int(days))
        let (year, month, day) = (Int64(civil.year), Int64(civil.month), Int64(civil.day))
        var bytes = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int64, at index: Int, digits: Int) {
            var v = value
            for i in stride(from: index + digits - 1, through: index, by: -1) {
                bytes[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
                v /= 10
            }
        }
        put(year, at: 0, digits: 4)
        bytes[4] = 45  // -
        put(month, at: 5, digits: 2)
        bytes[7] = 45
        put(day, at: 8, digits: 2)
        bytes[10] = 84  // T
        put(inDay / 3600, at: 11, digits: 2)
        bytes[13] = 58  // :
        put(inDay / 60 % 60, at: 14, digits: 2)
        bytes[16] = 58
        put(inDay % 60, at: 17, digits: 2)
        bytes[19] = 90  // Z
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Formats a date as a `metav1.MicroTime` (six fractional digits).
    public static func formatMicro(_ date: Date) -> String {
        let seconds = floor(date.timeIntervalSince1970)
        let micros = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded(.down))
        let base = format(Date(timeIntervalSince1970: seconds))
        return String(base.dropLast()) + "." + String(format: "%06d", micros) + "Z"
    }

    /// Parses RFC 3339 timestamps with or without fractional seconds.
    public static func parse(_ string: String) -> Date? {
        if let seconds = parseCommon(string) { return Date(timeIntervalSince1970: TimeInterval(seconds)) }
        return parseWithStyle(string)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` with every field in range, as seconds since 1970; nil for anything else.
    static func parseCommon(_ string: String) -> Int64? {
        var s = string
        return s.withUTF8 { b -> Int64? in
            guard b.count == 20, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58, b[19] == 90 else { return nil }
            func number(_ from: Int, _ digits: Int) -> Int64? {
                var v: Int64 = 0
                for i in from..<(from + digits) {
                    let c = b[i]
                    guard c >= 48, c <= 57 else { return nil }
                    v = v * 10 + Int64(c - 48)
                }
                return v
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                  let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                  year >= 1970, (1...12).contains(month), day >= 1, day <= Int64(CivilDate.daysIn(year: Int(year), month: Int(month))),
                  hour < 24, minute < 60, second < 60 else { return nil }
            return Int64(CivilDate.days(year: Int(year), month: Int(month), day: Int(day))) * 86_400 + hour * 3600 + minute * 60 + second
        }
    }

    static func formatWithStyle(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt).format(date)
    }

    static func parseWithStyle(_ string: String) -> Date? {
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt).parse(string) {
            return d
        }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(string)
    }
}
