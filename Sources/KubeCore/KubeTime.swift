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
        let (year, month, day) = civil(fromDays: days)
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
                  year >= 1970, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
                  hour < 24, minute < 60, second < 60 else { return nil }
            return days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
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

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Proleptic Gregorian date of a day number (days since 1970-01-01), after H. Hinnant's `civil_from_days`.
    private static func civil(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Day number (days since 1970-01-01) of a proleptic Gregorian date (`days_from_civil`).
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
