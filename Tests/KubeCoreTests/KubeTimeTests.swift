import Foundation
@testable import KubeCore
import Testing

@Suite("KubeTime")
struct KubeTimeTests {
    /// Dates from 1970 to 9999, whole and fractional seconds, month and year edges (fixed seed).
    static func samples() -> [Date] {
        var rng = SplitMix(seed: 17)
        var dates: [Date] = [0, 59.999, 86_399.5, 951_782_400, 951_868_799.9, 4_107_542_400, 1_800_000_000.25, 253_402_300_799]
            .map { Date(timeIntervalSince1970: $0) }
        for _ in 0..<3000 {
            let whole = Double(rng.next() % 253_402_300_800)
            let fraction = Double(rng.next() % 1000) / 1000
            dates.append(Date(timeIntervalSince1970: whole))
            dates.append(Date(timeIntervalSince1970: whole + fraction))
        }
        return dates
    }

    @Test("format and parse give what Date.ISO8601FormatStyle gives, for dates from 1970 to 9999")
    func sameAsFormatStyle() {
        for date in Self.samples() {
            let text = KubeTime.format(date)
            #expect(text == KubeTime.formatWithStyle(date), "\(date.timeIntervalSince1970)")
            #expect(KubeTime.parse(text) == KubeTime.parseWithStyle(text), "\(text)")
        }
    }

    @Test("parse falls back to the format style for other shapes and rejects what it rejects")
    func otherShapes() {
        for text in ["2026-11-26T23:07:53.123456Z", "2026-11-26T23:07:53+01:00", "1969-12-31T23:59:59Z", "0999-01-01T00:00:00Z",
                     "2026-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-26T24:00:00Z",
                     "2026-11-26T23:07:60Z", "2026-11-26 23:07:53Z", "2026-11-26T23:07:5xZ", "", "garbage"] {
            #expect(KubeTime.parse(text) == KubeTime.parseWithStyle(text), "\(text)")
        }
        #expect(KubeTime.parse("2026-11-26T23:07:53Z") == Date(timeIntervalSince1970: 1_795_734_473))
        #expect(KubeTime.format(Date(timeIntervalSince1970: -1)) == KubeTime.formatWithStyle(Date(timeIntervalSince1970: -1)))
    }
}

/// A small deterministic generator for test inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
