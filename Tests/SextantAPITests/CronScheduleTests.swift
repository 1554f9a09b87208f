import Foundation
import KubeCore
import Testing
@testable import SextantAPI

private func utc(_ s: String) throws -> Date {
    try #require(KubeTime.parse(s), "bad test timestamp \(s)")
}

/// One row of the next-time table: schedule, zone, "after", expected next (all instants in UTC).
struct NextCase: Sendable, CustomTestStringConvertible {
    let schedule: String
    let zone: String?
    let after: String
    let expected: String
    let why: String
    var testDescription: String { "\(why): \(schedule) [\(zone ?? "UTC")] after \(after)" }
}

let nextCases: [NextCase] = [
    NextCase(schedule: "*/15 * * * *", zone: nil, after: "2026-07-09T14:45:00Z", expected: "2026-07-09T15:00:00Z", why: "step wraps to the next hour"),
    NextCase(schedule: "*/15 * * * *", zone: nil, after: "2026-07-09T14:59:59Z", expected: "2026-07-09T15:00:00Z", why: "seconds are ignored"),
    NextCase(schedule: "20-35/15 * * * *", zone: nil, after: "2026-07-09T23:45:00Z", expected: "2026-07-10T00:20:00Z", why: "range with step wraps the day"),
    NextCase(schedule: "5/20 * * * *", zone: nil, after: "2026-07-09T10:46:00Z", expected: "2026-07-09T11:05:00Z", why: "A/STEP runs from A to the maximum"),
    NextCase(schedule: "0 0 29 2 *", zone: nil, after: "2026-03-01T00:00:00Z", expected: "2028-02-29T00:00:00Z", why: "leap day waits for a leap year"),
    NextCase(schedule: "0 0 31 * *", zone: nil, after: "2026-01-31T00:00:00Z", expected: "2026-03-31T00:00:00Z", why: "31st skips short months"),
    NextCase(schedule: "0 0 31 * *", zone: nil, after: "2026-03-31T00:00:00Z", expected: "2026-05-31T00:00:00Z", why: "31st skips April"),
    NextCase(schedule: "0 9 * * MON-FRI", zone: nil, after: "2026-11-27T09:00:00Z", expected: "2026-11-30T09:00:00Z", why: "weekday names skip the weekend"),
    NextCase(schedule: "0 0 1,15 * SUN", zone: nil, after: "2026-11-26T00:00:00Z", expected: "2026-11-29T00:00:00Z", why: "restricted day-of-month and day-of-week combine with OR"),
    NextCase(schedule: "0 0 */10 * SUN", zone: nil, after: "2026-11-26T00:00:00Z", expected: "2027-01-31T00:00:00Z", why: "a starred day-of-month combines with AND"),
    NextCase(schedule: "30 4 * JAN,jul *", zone: nil, after: "2026-11-26T00:00:00Z", expected: "2027-01-01T04:30:00Z", why: "month names, any case"),
    NextCase(schedule: "@hourly", zone: nil, after: "2026-11-26T10:59:59Z", expected: "2026-11-26T11:00:00Z", why: "@hourly"),
    NextCase(schedule: "@daily", zone: nil, after: "2026-11-26T10:00:00Z", expected: "2026-11-27T00:00:00Z", why: "@daily"),
    NextCase(schedule: "@midnight", zone: nil, after: "2026-11-26T10:00:00Z", expected: "2026-11-27T00:00:00Z", why: "@midnight"),
    NextCase(schedule: "@weekly", zone: nil, after: "2026-11-26T10:00:00Z", expected: "2026-11-29T00:00:00Z", why: "@weekly is Sunday midnight"),
    NextCase(schedule: "@monthly", zone: nil, after: "2026-11-26T10:00:00Z", expected: "2026-12-01T00:00:00Z", why: "@monthly"),
    NextCase(schedule: "@yearly", zone: nil, after: "2026-11-26T10:00:00Z", expected: "2027-01-01T00:00:00Z", why: "@yearly"),
    NextCase(schedule: "@annually", zone: nil, after: "2026-11-26T10:00:00Z", expected: "2027-01-01T00:00:00Z", why: "@annually"),
    NextCase(schedule: "0 3 * * 1", zone: "Europe/Berlin", after: "2026-11-26T00:00:00Z", expected: "2026-11-30T02:00:00Z", why: "wall time in the zone (CET = UTC+1)"),
    // Europe/Berlin, spring forward 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z).
    NextCase(schedule: "30 2 * * *", zone: "Europe/Berlin", after: "2026-03-28T02:00:00Z", expected: "2026-03-29T01:00:00Z", why: "Berlin spring forward: nonexistent 02:30 runs once at 03:00 CEST"),
    NextCase(schedule: "30 2 * * *", zone: "Europe/Berlin", after: "2026-03-29T01:00:00Z", expected: "2026-03-30T00:30:00Z", why: "Berlin spring forward: no second run that day"),
    NextCase(schedule: "0,30 2 * * *", zone: "Europe/Berlin", after: "2026-03-29T00:00:00Z", expected: "2026-03-29T01:00:00Z", why: "Berlin spring forward: two gap times collapse to one run"),
    NextCase(schedule: "0,30 2 * * *", zone: "Europe/Berlin", after: "2026-03-29T01:00:00Z", expected: "2026-03-30T00:00:00Z", why: "Berlin spring forward: collapsed run is not repeated"),
    NextCase(schedule: "30 * * * *", zone: "Europe/Berlin", after: "2026-03-29T00:30:00Z", expected: "2026-03-29T01:30:00Z", why: "Berlin spring forward: hourly job skips the missing hour"),
    // Europe/Berlin, fall back 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z).
    NextCase(schedule: "30 2 * * *", zone: "Europe/Berlin", after: "2026-10-24T12:00:00Z", expected: "2026-10-25T00:30:00Z", why: "Berlin fall back: first 02:30 (CEST) runs"),
    NextCase(schedule: "30 2 * * *", zone: "Europe/Berlin", after: "2026-10-25T00:30:00Z", expected: "2026-10-26T01:30:00Z", why: "Berlin fall back: repeated 02:30 (CET) does not run again"),
    NextCase(schedule: "0 * * * *", zone: "Europe/Berlin", after: "2026-10-25T00:00:00Z", expected: "2026-10-25T01:00:00Z", why: "Berlin fall back: hourly job runs in both passes of 02:00"),
    NextCase(schedule: "0 * * * *", zone: "Europe/Berlin", after: "2026-10-25T01:00:00Z", expected: "2026-10-25T02:00:00Z", why: "Berlin fall back: hourly job continues at 03:00 CET"),
    // America/New_York, spring forward 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z).
    NextCase(schedule: "30 2 * * *", zone: "America/New_York", after: "2026-03-07T12:00:00Z", expected: "2026-03-08T07:00:00Z", why: "New York spring forward: 02:30 runs once at 03:00 EDT"),
    NextCase(schedule: "30 2 * * *", zone: "America/New_York", after: "2026-03-08T07:00:00Z", expected: "2026-03-09T06:30:00Z", why: "New York spring forward: next day at 02:30 EDT"),
    // America/New_York, fall back 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z).
    NextCase(schedule: "30 1 * * *", zone: "America/New_York", after: "2026-10-31T12:00:00Z", expected: "2026-11-01T05:30:00Z", why: "New York fall back: first 01:30 (EDT) runs"),
    NextCase(schedule: "30 1 * * *", zone: "America/New_York", after: "2026-11-01T05:30:00Z", expected: "2026-11-02T06:30:00Z", why: "New York fall back: repeated 01:30 (EST) does not run again"),
    NextCase(schedule: "*/30 * * * *", zone: "America/New_York", after: "2026-11-01T05:30:00Z", expected: "2026-11-01T06:00:00Z", why: "New York fall back: frequent job runs by the clock"),
    NextCase(schedule: "0 0 29 2 *", zone: "Europe/Berlin", after: "2027-01-01T00:00:00Z", expected: "2028-02-28T23:00:00Z", why: "leap day in a zone"),
]

@Suite("Cron next-time computation")
struct CronNextTests {
    @Test("next(after:) matches the table of known cases", arguments: nextCases)
    func nextMatchesTable(_ c: NextCase) throws {
        let schedule = try CronSchedule.parse(c.schedule, timeZone: c.zone)
        let next = try #require(schedule.next(after: try utc(c.after)))
        #expect(KubeTime.format(next) == c.expected)
    }

    @Test("a spring-forward day runs a fixed 02:30 job exactly once (Europe/Berlin, over the whole day)")
    func springForwardRunsOnce() throws {
        let schedule = try CronSchedule.parse("30 2 * * *", timeZone: "Europe/Berlin")
        var t = try utc("2026-03-28T22:00:00Z")  // 23:00 CET on the 28th
        var runs: [Date] = []
        let end = try utc("2026-03-29T22:00:00Z")
        while let n = schedule.next(after: t), n < end {
            runs.append(n)
            t = n
        }
        #expect(runs.count == 1)
    }

    @Test("a fall-back day runs a fixed 01:30 job exactly once (America/New_York, over the whole day)")
    func fallBackRunsOnce() throws {
        let schedule = try CronSchedule.parse("30 1 * * *", timeZone: "America/New_York")
        var t = try utc("2026-11-01T04:00:00Z")  // 00:00 EDT
        var runs: [Date] = []
        let end = try utc("2026-11-02T05:00:00Z")  // 00:00 EST next day
        while let n = schedule.next(after: t), n < end {
            runs.append(n)
            t = n
        }
        #expect(runs.map(KubeTime.format) == ["2026-11-01T05:30:00Z"])
    }
}

@Suite("Cron missed schedules")
struct CronMissedTests {
    @Test("counts the schedules in the window and returns the latest")
    func countsFewMissed() throws {
        let s = try CronSchedule.parse("*/5 * * * *")
        let r = s.mostRecentScheduleTime(since: try utc("2026-01-01T00:00:00Z"), until: try utc("2026-01-01T00:22:30Z"))
        #expect(r.count == 4)
        #expect(r.mostRecent.map(KubeTime.format) == "2026-01-01T00:20:00Z")
        #expect(!r.tooMany)
    }

    @Test("no schedule in the window gives nothing")
    func noneMissed() throws {
        let s = try CronSchedule.parse("*/5 * * * *")
        let r = s.mostRecentScheduleTime(since: try utc("2026-01-01T00:01:00Z"), until: try utc("2026-01-01T00:04:59Z"))
        #expect(r.count == 0)
        #expect(r.mostRecent == nil)
    }

    @Test("more than 100 missed schedules stops counting but still finds the latest")
    func tooManyMissed() throws {
        let s = try CronSchedule.parse("* * * * *")
        let r = s.mostRecentScheduleTime(since: try utc("2026-01-01T00:00:00Z"), until: try utc("2026-01-10T00:00:30Z"))
        #expect(r.tooMany)
        #expect(r.count == CronSchedule.missedScheduleLimit + 1)
        #expect(r.mostRecent.map(KubeTime.format) == "2026-01-10T00:00:00Z")
    }

    @Test("the latest of many missed irregular schedules is found across a weekend gap")
    func tooManyMissedIrregular() throws {
        let s = try CronSchedule.parse("0 9 * * MON-FRI")
        let r = s.mostRecentScheduleTime(since: try utc("2025-01-01T00:00:00Z"), until: try utc("2026-11-29T12:00:00Z"))
        #expect(r.tooMany)
        #expect(r.mostRecent.map(KubeTime.format) == "2026-11-27T09:00:00Z")
    }
}

@Suite("Cron parsing errors")
struct CronParseErrorTests {
    private func message(_ expr: String, zone: String? = nil) -> String? {
        do {
            _ = try CronSchedule.parse(expr, timeZone: zone)
            return nil
        } catch {
            #expect(error.reason == CronSchedule.invalidReason)
            return error.message
        }
    }

    @Test("malformed schedules are rejected with a message naming the problem",
          arguments: [
            ("61 * * * *", "minute field \"61\" value 61 is out of range 0-59"),
            ("* * * *", "expected 5 fields"),
            ("* * * * * *", "expected 5 fields"),
            ("*/0 * * * *", "invalid step"),
            ("0 0 * * 7", "use 0 or SUN for Sunday"),
            ("5-1 * * * *", "start is after its end"),
            ("0 0 * FOO *", "use 1-12 or JAN-DEC"),
            ("0 0 * * FUNDAY", "use 0-6 or SUN-SAT"),
            ("0 ? * * *", "only allowed in day-of-month and day-of-week"),
            ("0 0 1,,2 * *", "empty list element"),
            ("@every 5m", "unknown descriptor"),
            ("@fortnightly", "unknown descriptor"),
            ("TZ=UTC 0 0 * * *", "use spec.timeZone"),
            ("0 0 30 2 *", "never fires"),
            ("0 0 31 4,6,9,11 *", "never fires"),
          ])
    func rejectsMalformed(_ expr: String, _ expected: String) {
        let m = message(expr)
        #expect(m?.contains(expected) == true, "message was \(m ?? "nil")")
    }

    @Test("unknown time zones are rejected")
    func rejectsUnknownZone() {
        let m = message("0 3 * * *", zone: "Mars/Olympus_Mons")
        #expect(m?.contains("unknown time zone \"Mars/Olympus_Mons\"") == true)
        #expect(message("0 3 * * *", zone: "Local") != nil)
    }

    @Test("IANA zones and UTC are accepted")
    func acceptsZones() {
        #expect(message("0 3 * * *", zone: "Europe/Berlin") == nil)
        #expect(message("0 3 * * *", zone: "UTC") == nil)
        #expect(message("0 3 * * *", zone: nil) == nil)
        #expect(message("0 3 ? * sun") == nil)
    }
}
