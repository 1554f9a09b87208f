import Foundation

/// A Go `time.Duration` as written in Kubernetes APIs and flags (`1h30m`, `250ms`, `1.5s`, `-2m`).
/// Encodes as Go prints it (`1h30m0s`).
public struct GoDuration: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The length in nanoseconds.
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// A duration from seconds.
    public init(seconds: Double) { self.nanoseconds = Int64((seconds * 1e9).rounded()) }

    private static let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// Parses Go duration syntax; throws `KubeCoreError.invalidDuration`.
    public init(parsing text: String) throws {
        var s = Substring(text)
        var negative = false
        if s.first == "-" || s.first == "+" {
            negative = s.first == "-"
            s = s.dropFirst()
        }
        if s == "0" { self.nanoseconds = 0; return }
        guard !s.isEmpty else { throw KubeCoreError.invalidDuration("\(text): empty") }
        var total = 0.0
        while !s.isEmpty {
            let number = s.prefix { ("0"..."9").contains($0) || $0 == "." }
            guard !number.isEmpty, number != ".", let value = Double(number) else {
                throw KubeCoreError.invalidDuration("\(text): expected a number")
            }
            s = s.dropFirst(number.count)
            let unitText = s.prefix { !(("0"..."9").contains($0) || $0 == ".") }
            guard let unit = GoDuration.units.first(where: { $0.0 == unitText }) else {
                throw KubeCoreError.invalidDuration(unitText.isEmpty ? "\(text): missing unit" : "\(text): unknown unit '\(unitText)'")
            }
            s = s.dropFirst(unitText.count)
            total += value * unit.1
        }
        guard total < 9.3e18 else { throw KubeCoreError.invalidDuration("\(text): overflow") }
        self.nanoseconds = Int64(total.rounded()) * (negative ? -1 : 1)
    }

    /// Seconds as a `TimeInterval`.
    public var timeInterval: TimeInterval { Double(nanoseconds) / 1e9 }

    /// As a Swift `Duration`.
    public var duration: Duration { .nanoseconds(nanoseconds) }

    /// Go's formatting: `1h30m0s`, `250ms`, `1.5µs`, `0s`.
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let n = nanoseconds.magnitude
        if n < 1_000 { return "\(sign)\(n)ns" }
        if n < 1_000_000 { return sign + GoDuration.fraction(n, 1_000) + "µs" }
        if n < 1_000_000_000 { return sign + GoDuration.fraction(n, 1_000_000) + "ms" }
        let hours = n / 3_600_000_000_000
        let minutes = (n / 60_000_000_000) % 60
        let secNanos = n % 60_000_000_000
        var out = sign
        if hours > 0 { out += "\(hours)h" }
        if hours > 0 || minutes > 0 { out += "\(minutes)m" }
        out += GoDuration.fraction(secNanos, 1_000_000_000) + "s"
        return out
    }

    private static func fraction(_ value: UInt64, _ unit: UInt64) -> String {
        let whole = value / unit
        var frac = value % unit
        if frac == 0 { return "\(whole)" }
        var digits = String(unit).count - 1
        while frac % 10 == 0 { frac /= 10; digits -= 1 }
        let fracText = String(frac)
        return "\(whole)." + String(repeating: "0", count: digits - fracText.count) + fracText
    }

    public static func < (lhs: GoDuration, rhs: GoDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        do { try self.init(parsing: s) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "invalid duration \(s)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
