/// One field of a cron expression (minute, hour, day of month, month or day of week) as a bit set.
struct CronField: Sendable, Hashable {
    /// Which field this is; decides bounds, names and messages.
    enum Kind: String, Sendable, Hashable {
        case minute, hour, dayOfMonth = "day-of-month", month, dayOfWeek = "day-of-week"

        var bounds: ClosedRange<Int> {
            switch self {
            case .minute: return 0...59
            case .hour: return 0...23
            case .dayOfMonth: return 1...31
            case .month: return 1...12
            case .dayOfWeek: return 0...6
            }
        }

        var names: [String: Int] {
            switch self {
            case .month:
                return ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
                        "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]
            case .dayOfWeek:
                return ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]
            default:
                return [:]
            }
        }
    }

    let kind: Kind
    /// Bit `n` set = value `n` matches.
    let bits: UInt64
    /// The field starts with `*` or `?` (robfig/cron and Vixie cron semantics: a "star" day field
    /// makes day-of-month and day-of-week combine with AND instead of OR).
    let isStar: Bool

    func contains(_ value: Int) -> Bool {
        value >= 0 && value < 64 && bits & (UInt64(1) << UInt64(value)) != 0
    }

    /// The smallest matching value `>= value`, or nil when none is left in the field.
    func next(from value: Int) -> Int? {
        guard value <= kind.bounds.upperBound else { return nil }
        let start = max(value, 0)
        let masked = bits & ~((UInt64(1) << UInt64(start)) - 1)
        return masked == 0 ? nil : masked.trailingZeroBitCount
    }

    /// Parses one field: a comma-separated list of `*`, `?`, `N`, `A-B`, with optional `/STEP`
    /// (`*/STEP`, `A-B/STEP`, `A/STEP` = from A to the field's maximum), names for months and days.
    static func parse(_ text: String, kind: Kind) throws(SextantAPIError) -> CronField {
        guard !text.isEmpty else { throw invalid(kind, text, "is empty") }
        var bits: UInt64 = 0
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            bits |= try parseRange(String(part), kind: kind, whole: text)
        }
        let first = text.first
        return CronField(kind: kind, bits: bits, isStar: first == "*" || first == "?")
    }

    private static func parseRange(_ part: String, kind: Kind, whole: String) throws(SextantAPIError) -> UInt64 {
        guard !part.isEmpty else { throw invalid(kind, whole, "has an empty list element") }
        let stepSplit = part.split(separator: "/", omittingEmptySubsequences: false)
        guard stepSplit.count <= 2 else { throw invalid(kind, whole, "has more than one '/' in \"\(part)\"") }
        let rangeText = String(stepSplit[0])
        var step = 1
        if stepSplit.count == 2 {
            guard let s = Int(stepSplit[1]), s > 0 else {
                throw invalid(kind, whole, "has an invalid step \"\(stepSplit[1])\" (must be a positive integer)")
            }
            step = s
        }
        let bounds = kind.bounds
        var low: Int
        var high: Int
        if rangeText == "*" || rangeText == "?" {
            if rangeText == "?" && kind != .dayOfMonth && kind != .dayOfWeek {
                throw invalid(kind, whole, "uses '?', which is only allowed in day-of-month and day-of-week")
            }
            low = bounds.lowerBound
            high = bounds.upperBound
        } else {
            let ends = rangeText.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count <= 2 else { throw invalid(kind, whole, "has more than one '-' in \"\(part)\"") }
            low = try value(String(ends[0]), kind: kind, whole: whole)
            if ends.count == 2 {
                high = try value(String(ends[1]), kind: kind, whole: whole)
            } else {
                // `A/STEP` means A through the maximum; a bare `A` is just A.
                high = stepSplit.count == 2 ? bounds.upperBound : low
            }
        }
        guard low <= high else {
            throw invalid(kind, whole, "has a range \"\(rangeText)\" whose start is after its end")
        }
        var bits: UInt64 = 0
        var v = low
        while v <= high {
            bits |= UInt64(1) << UInt64(v)
            v += step
        }
        return bits
    }

    private static func value(_ text: String, kind: Kind, whole: String) throws(SextantAPIError) -> Int {
        if let n = kind.names[text.lowercased()] { return n }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(text) else {
            let hint: String
            switch kind {
            case .month: hint = " (use 1-12 or JAN-DEC)"
            case .dayOfWeek: hint = " (use 0-6 or SUN-SAT)"
            default: hint = ""
            }
            throw invalid(kind, whole, "has an invalid value \"\(text)\"\(hint)")
        }
        guard kind.bounds.contains(n) else {
            let extra = kind == .dayOfWeek && n == 7 ? " (use 0 or SUN for Sunday)" : ""
            throw invalid(kind, whole, "value \(n) is out of range \(kind.bounds.lowerBound)-\(kind.bounds.upperBound)\(extra)")
        }
        return n
    }

    private static func invalid(_ kind: Kind, _ field: String, _ problem: String) -> SextantAPIError {
        .invalidPipeline(reason: CronSchedule.invalidReason, message: "\(kind.rawValue) field \"\(field)\" \(problem)")
    }
}
