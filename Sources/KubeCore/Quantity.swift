import Foundation

/// `resource.Quantity`: a fixed-point number with an SI, binary-SI or exponent suffix
/// (`500m`, `2Gi`, `1e3`, `1.5`). Equality, hashing and ordering use the numeric value, so
/// `1000m == 1`; encoding writes the canonical form (`1000m` → `1`, `1536Mi` stays, `0.5` → `500m`).
public struct Quantity: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// How the quantity is written; canonical output keeps the family of the input.
    public enum Format: Sendable, Hashable {
        case decimalSI, binarySI, decimalExponent
    }

    /// The exact numeric value.
    public let value: Decimal
    public let format: Format

    private static let binarySuffixes: [(String, Int)] = [("Ki", 10), ("Mi", 20), ("Gi", 30), ("Ti", 40), ("Pi", 50), ("Ei", 60)]
    private static let decimalSuffixes: [(String, Int)] = [("n", -9), ("u", -6), ("m", -3), ("", 0), ("k", 3), ("M", 6), ("G", 9), ("T", 12), ("P", 15), ("E", 18)]

    public init(value: Decimal, format: Format = .decimalSI) {
        self.value = value
        self.format = format
    }

    /// Parses a quantity string; throws `KubeCoreError.invalidQuantity`.
    public init(parsing text: String) throws {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { throw KubeCoreError.invalidQuantity("empty quantity") }
        let scalars = Array(s.unicodeScalars)
        var i = 0
        if scalars[i] == "+" || scalars[i] == "-" { i += 1 }
        let numberStart = 0
        var sawDigit = false
        var sawDot = false
        while i < scalars.count {
            let c = scalars[i]
            if ("0"..."9").contains(c) { sawDigit = true; i += 1; continue }
            if c == ".", !sawDot { sawDot = true; i += 1; continue }
            break
        }
        guard sawDigit else { throw KubeCoreError.invalidQuantity("\(text): no digits") }
        let numberText = String(String.UnicodeScalarView(scalars[numberStart..<i]))
        let suffix = String(String.UnicodeScalarView(scalars[i...]))
        guard var number = Decimal(string: numberText, locale: Locale(identifier: "en_US_POSIX")) else {
            throw KubeCoreError.invalidQuantity(text)
        }
        if let (_, power) = Quantity.binarySuffixes.first(where: { $0.0 == suffix }) {
            number *= Quantity.pow(2, power)
            self.init(value: number, format: .binarySI)
        } else if let (_, exp) = Quantity.decimalSuffixes.first(where: { $0.0 == suffix }) {
            self.init(value: Quantity.scale(number, exp), format: .decimalSI)
        } else if let first = suffix.first, first == "e" || first == "E", let exp = Int(suffix.dropFirst()), abs(exp) <= 30 {
            self.init(value: Quantity.scale(number, exp), format: .decimalExponent)
        } else {
            throw KubeCoreError.invalidQuantity("\(text): unknown suffix '\(suffix)'")
        }
    }

    public init(stringLiteral value: String) {
        self = (try? Quantity(parsing: value)) ?? Quantity(value: 0)
    }

    private static func pow(_ base: Int, _ exp: Int) -> Decimal {
        var r = Decimal(1)
        for _ in 0..<exp { r *= Decimal(base) }
        return r
    }

    private static func scale(_ d: Decimal, _ exp: Int) -> Decimal {
        var r = d
        if exp >= 0 { r *= pow(10, exp) } else { r /= pow(10, -exp) }
        return r
    }

    private static func isIntegral(_ d: Decimal) -> Bool {
        var x = d
        var rounded = Decimal()
        NSDecimalRound(&rounded, &x, 0, .plain)
        return rounded == d
    }

    private static func plain(_ d: Decimal) -> String {
        NSDecimalNumber(decimal: d).stringValue
    }

    /// The canonical string (as the API server would serialize it).
    public var canonical: String {
        if value == 0 { return "0" }
        let sign = value < 0 ? "-" : ""
        let magnitude = value < 0 ? -value : value
        if format == .binarySI, Quantity.isIntegral(magnitude), magnitude >= 1024 {
            var m = magnitude
            var suffixIndex = -1
            while suffixIndex + 1 < Quantity.binarySuffixes.count, Quantity.isIntegral(m / 1024), m >= 1024 {
                m /= 1024
                suffixIndex += 1
            }
            if suffixIndex >= 0 { return sign + Quantity.plain(m) + Quantity.binarySuffixes[suffixIndex].0 }
            return sign + Quantity.plain(m)
        }
        // Largest power of 1000 that leaves an integral mantissa.
        for exp in stride(from: 18, through: -9, by: -3) {
            let m = Quantity.scale(magnitude, -exp)
            if Quantity.isIntegral(m) {
                if format == .decimalExponent {
                    return sign + Quantity.plain(m) + (exp == 0 ? "" : "e\(exp)")
                }
                let suffix = Quantity.decimalSuffixes.first { $0.1 == exp }?.0 ?? ""
                return sign + Quantity.plain(m) + suffix
            }
        }
        // Below nano precision: round up to nanounits as Kubernetes does.
        var nanos = Quantity.scale(magnitude, 9)
        var up = Decimal()
        NSDecimalRound(&up, &nanos, 0, .up)
        return sign + Quantity.plain(up) + "n"
    }

    public var description: String { canonical }

    /// The value as a Double (approximate).
    public var doubleValue: Double { NSDecimalNumber(decimal: value).doubleValue }

    /// The value rounded up to an integer (bytes, counts).
    public var int64Value: Int64 {
        var x = value
        var r = Decimal()
        NSDecimalRound(&r, &x, 0, .up)
        return NSDecimalNumber(decimal: r).int64Value
    }

    /// The value in thousandths rounded up (CPU millicores).
    public var milliValue: Int64 {
        var x = value * 1000
        var r = Decimal()
        NSDecimalRound(&r, &x, 0, .up)
        return NSDecimalNumber(decimal: r).int64Value
    }

    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(canonicalValueKey) }
    private var canonicalValueKey: String { Quantity.plain(value) }
    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value < rhs.value }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            do { try self.init(parsing: s) } catch {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "invalid quantity \(s)")
            }
        } else if let i = try? c.decode(Int64.self) {
            self.init(value: Decimal(i))
        } else {
            let d = try c.decode(Double.self)
            try self.init(parsing: String(d))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(canonical)
    }
}
