import Foundation
import KubeCore

/// A wall-clock minute in some time zone (proleptic Gregorian calendar), with the integer
/// calendar arithmetic the cron search needs. No time zone is involved here.
struct CivilMinute: Sendable, Hashable, Comparable, CustomStringConvertible {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int

    /// Days since 1970-01-01 of a civil date.
    static func days(year: Int, month: Int, day: Int) -> Int { CivilDate.days(year: year, month: month, day: day) }

    /// The civil date of a day count since 1970-01-01.
    static func date(days: Int) -> (year: Int, month: Int, day: Int) { CivilDate.date(days: days) }

    static func isLeap(_ year: Int) -> Bool { CivilDate.isLeap(year) }

    static func daysIn(year: Int, month: Int) -> Int { CivilDate.daysIn(year: year, month: month) }

    /// 0 = Sunday ... 6 = Saturday.
    var weekday: Int {
        let d = CivilMinute.days(year: year, month: month, day: day)
        return ((d % 7) + 7 + 4) % 7
    }

    /// Seconds since the epoch if this wall time were UTC ("local seconds").
    var localSeconds: Int {
        CivilMinute.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60
    }

    /// The wall minute containing the given local seconds.
    init(localSeconds s: Int) {
        let days = s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
        let rem = s - days * 86_400
        let date = CivilMinute.date(days: days)
        self.init(year: date.year, month: date.month, day: date.day, hour: rem / 3600, minute: (rem % 3600) / 60)
    }

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
    }

    static func < (a: CivilMinute, b: CivilMinute) -> Bool {
        (a.year, a.month, a.day, a.hour, a.minute) < (b.year, b.month, b.day, b.hour, b.minute)
    }

    var description: String {
        String(format: "%04d-%02d-%02d %02d:%02d", year, month, day, hour, minute)
    }

    /// The first day of the next month at 00:00.
    mutating func advanceMonth() {
        month += 1
        if month > 12 {
            month = 1
            year += 1
        }
        day = 1
        hour = 0
        minute = 0
    }

    /// The next day at 00:00.
    mutating func advanceDay() {
        day += 1
        hour = 0
        minute = 0
        if day > CivilMinute.daysIn(year: year, month: month) {
            advanceMonth()
        }
    }
}
