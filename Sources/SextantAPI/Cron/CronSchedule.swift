import Foundation

/// A parsed 5-field cron schedule (`minute hour day-of-month month day-of-week`) in an IANA time zone.
///
/// Syntax is that of Kubernetes CronJob (robfig/cron v3 `ParseStandard`): lists (`1,15`), ranges
/// (`1-5`), steps (`*/15`, `10-40/10`, `5/15` = 5 through the maximum), `?` in the day fields,
/// month names `JAN`-`DEC`, day names `SUN`-`SAT` (case-insensitive), and the descriptors
/// `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`.
/// When both day fields are restricted (neither starts with `*` or `?`) a day matches if
/// either matches (OR); otherwise both must match.
///
/// Daylight-saving time, for schedules with a fixed minute and hour (neither field starts with
/// `*`): a wall time that does not exist (spring forward) fires once, at the first instant after
/// the gap; a wall time that happens twice (fall back) fires once, at its first occurrence.
/// Schedules whose minute or hour field is a wildcard (`*/15 * * * *`, `30 * * * *`) run by the
/// clock as it is: nonexistent wall times are skipped and repeated ones fire in both passes.
public struct CronSchedule: Sendable, Hashable {
    /// The condition reason used for schedules that do not parse or never fire.
    public static let invalidReason = "InvalidSchedule"
    /// A missed-schedule count above this stops counting (as Kubernetes CronJob's "too many missed start times").
    public static let missedScheduleLimit = 100

    /// The expression as written by the user.
    public let expression: String
    /// The zone the wall-clock fields are interpreted in.
    public let timeZone: TimeZone

    let minute: CronField
    let hour: CronField
    let dayOfMonth: CronField
    let month: CronField
    let dayOfWeek: CronField

    /// Both the minute and hour are fixed (no leading `*`): DST adjustment applies.
    var isFixedTime: Bool { !minute.isStar && !hour.isStar }

    /// Parses `expression` in the IANA zone `timeZone` (nil or empty = `UTC`).
    /// Throws `SextantAPIError.invalidPipeline(reason: "InvalidSchedule", ...)` with a message
    /// naming the offending field, an unknown zone, or a schedule that never fires.
    public static func parse(_ expression: String, timeZone identifier: String? = nil) throws(SextantAPIError) -> CronSchedule {
        let zone = try zone(identifier)
        let trimmed = expression.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("TZ=") || trimmed.hasPrefix("CRON_TZ=") {
            throw invalid("schedule \"\(expression)\": TZ and CRON_TZ are not allowed in the schedule; use spec.timeZone")
        }
        var text = trimmed
        if trimmed.hasPrefix("@") {
            guard let expanded = descriptors[trimmed.lowercased()] else {
                throw invalid("schedule \"\(expression)\": unknown descriptor \(trimmed) (supported: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)")
            }
            text = expanded
        }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw invalid("schedule \"\(expression)\": expected 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)")
        }
        let schedule: CronSchedule
        do {
            schedule = CronSchedule(
                expression: expression, timeZone: zone,
                minute: try CronField.parse(fields[0], kind: .minute),
                hour: try CronField.parse(fields[1], kind: .hour),
                dayOfMonth: try CronField.parse(fields[2], kind: .dayOfMonth),
                month: try CronField.parse(fields[3], kind: .month),
                dayOfWeek: try CronField.parse(fields[4], kind: .dayOfWeek))
        } catch {
            throw invalid("schedule \"\(expression)\": \(error.message)")
        }
        if !schedule.canEverFire {
            throw invalid("schedule \"\(expression)\" never fires (no month has that day)")
        }
        return schedule
    }

    /// Resolves an IANA zone name; nil or empty means UTC. Abbreviations and offsets are rejected.
    public static func zone(_ identifier: String?) throws(SextantAPIError) -> TimeZone {
        guard let id = identifier, !id.isEmpty, id != "UTC", id != "Etc/UTC" else {
            return TimeZone(secondsFromGMT: 0) ?? .gmt
        }
        guard id != "Local", TimeZone.knownTimeZoneIdentifiers.contains(id), let zone = TimeZone(identifier: id) else {
            throw invalid("unknown time zone \"\(id)\" (use an IANA name such as Europe/Berlin or America/New_York)")
        }
        return zone
    }

    static let descriptors: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    static func invalid(_ message: String) -> SextantAPIError {
        .invalidPipeline(reason: invalidReason, message: message)
    }

    /// Some day of some allowed month exists (rejects `0 0 30 2 *`, `0 0 31 4,6 *`).
    var canEverFire: Bool {
        if dayOfWeek.isStar == false && dayOfMonth.isStar == false { return true }  // OR: weekdays always occur
        if dayOfMonth.isStar { return true }
        for m in 1...12 where month.contains(m) {
            let maxDay = m == 2 ? 29 : CivilMinute.daysIn(year: 2001, month: m)
            if let d = dayOfMonth.next(from: 1), d <= maxDay { return true }
        }
        return false
    }

    /// The day matches the day-of-month / day-of-week fields (OR when both restricted).
    func dayMatches(_ t: CivilMinute) -> Bool {
        let domMatch = dayOfMonth.contains(t.day)
        let dowMatch = dayOfWeek.contains(t.weekday)
        if dayOfMonth.isStar || dayOfWeek.isStar {
            return domMatch && dowMatch
        }
        return domMatch || dowMatch
    }

    /// The first wall minute `>= from` that matches every field, searching at most until `limitYear`.
    func nextMatch(from start: CivilMinute, limitYear: Int) -> CivilMinute? {
        var t = start
        while t.year <= limitYear {
            if !month.contains(t.month) {
                t.advanceMonth()
                continue
            }
            if !dayMatches(t) {
                t.advanceDay()
                continue
            }
            guard let h = hour.next(from: t.hour) else {
                t.advanceDay()
                continue
            }
            if h != t.hour {
                t.hour = h
                t.minute = 0
            }
            guard let m = minute.next(from: t.minute) else {
                if let h2 = hour.next(from: t.hour + 1) {
                    t.hour = h2
                    t.minute = 0
                } else {
                    t.advanceDay()
                }
                continue
            }
            t.minute = m
            return t
        }
        return nil
    }
}
