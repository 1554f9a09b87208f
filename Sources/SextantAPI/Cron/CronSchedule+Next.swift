import Foundation

/// The result of looking for schedule times missed in a window (see `CronSchedule.mostRecentScheduleTime`).
public struct MissedSchedules: Sendable, Hashable {
    /// The latest schedule time in the window, nil when none.
    public var mostRecent: Date?
    /// How many schedule times fell in the window, counted up to `CronSchedule.missedScheduleLimit + 1`.
    public var count: Int
    /// More than `CronSchedule.missedScheduleLimit` schedule times were missed (counting stopped).
    public var tooMany: Bool { count > CronSchedule.missedScheduleLimit }

    public init(mostRecent: Date?, count: Int) {
        self.mostRecent = mostRecent
        self.count = count
    }
}

extension CronSchedule {
    /// How far (in years of wall time) `next(after:)` searches before giving up, like robfig/cron.
    static let searchYears = 5

    /// The first schedule time strictly after `date`, or nil if none within five years.
    public func next(after date: Date) -> Date? {
        let after = Int(floor(date.timeIntervalSince1970))
        let offsetNow = timeZone.secondsFromGMT(for: date)
        // Start a few hours back in wall time: after a fall-back, instants later than `date`
        // can have earlier wall times.
        var cursor = CivilMinute(localSeconds: after + offsetNow - 3 * 3600)
        let limitYear = cursor.year + CronSchedule.searchYears
        var best: Int?
        while let match = nextMatch(from: cursor, limitYear: limitYear) {
            let wall = match.localSeconds
            let (before, later) = offsets(aroundLocal: wall)
            if let b = best, wall - max(before, later) > b { break }
            for instant in instants(forLocal: wall, before: before, after: later) where instant > after {
                if best.map({ instant < $0 }) ?? true { best = instant }
            }
            cursor = CivilMinute(localSeconds: wall + 60)
        }
        return best.map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// Schedule times in `(since, until]`: the latest one and how many there were.
    ///
    /// Counting stops after `missedScheduleLimit + 1` (Kubernetes CronJob reports "too many missed
    /// start times" there); the latest time is then found by searching backwards from `until` in
    /// doubling windows, so the work stays bounded however long the controller was down.
    public func mostRecentScheduleTime(since: Date, until: Date) -> MissedSchedules {
        guard let first = next(after: since), first <= until else {
            return MissedSchedules(mostRecent: nil, count: 0)
        }
        var count = 1
        var latest = first
        while count <= CronSchedule.missedScheduleLimit {
            guard let t = next(after: latest), t <= until else {
                return MissedSchedules(mostRecent: latest, count: count)
            }
            latest = t
            count += 1
        }
        // Too many: find the latest time at or before `until` without walking the whole window.
        let interval = max(60, (next(after: first).map { $0.timeIntervalSince(first) } ?? 60))
        var window = interval * 2
        while true {
            let start = max(since, until.addingTimeInterval(-window))
            var found: Date?
            var cursor = start
            while let t = next(after: cursor), t <= until {
                found = t
                cursor = t
            }
            if let f = found { return MissedSchedules(mostRecent: f, count: count) }
            if start == since { return MissedSchedules(mostRecent: latest, count: count) }
            window *= 2
        }
    }

    /// The zone's UTC offsets a day before and a day after a local wall time (equal unless a
    /// transition is near).
    func offsets(aroundLocal wall: Int) -> (Int, Int) {
        let before = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wall - 86_400)))
        let after = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wall + 86_400)))
        return (before, after)
    }

    /// The instants at which a matching local wall time fires, per the DST rules of the type.
    func instants(forLocal wall: Int, before: Int, after: Int) -> [Int] {
        var valid: [Int] = []
        for offset in Set([before, after]).sorted(by: >) {
            let t = wall - offset
            if timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t))) == offset {
                valid.append(t)
            }
        }
        valid.sort()
        if valid.isEmpty {
            // The wall time falls in a gap (clocks jumped forward).
            guard isFixedTime, after > before else { return [] }
            return [transition(from: wall - after, to: wall - before, newOffset: after)]
        }
        if valid.count > 1 && isFixedTime {
            return [valid[0]]  // repeated hour: only the first occurrence
        }
        return valid
    }

    /// The first instant in `(low, high]` whose offset is `newOffset` (binary search by second).
    func transition(from low: Int, to high: Int, newOffset: Int) -> Int {
        var lo = low
        var hi = high
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(mid))) == newOffset {
                hi = mid
            } else {
                lo = mid
            }
        }
        return hi
    }
}
