import Foundation

/// A Kubernetes `resource.Quantity` for the CEL quantity library: the amount as an exact decimal.
struct CELQuantity: Hashable, Sendable {
    var amount: Decimal
    var text: String

    static let formatMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

    /// `resource.ParseQuantity`: `[+-]digits[.digits]` then a binary-SI (`Ki`..`Ei`), decimal-SI
    /// (`n u m k M G T P E`) or exponent (`e3`, `E-2`) suffix.
    static func parse(_ s: String) throws(CELError) -> CELQuantity {
        guard !s.isEmpty else { throw CELError.eval("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'") }
        var rest = Substring(s)
        var sign = ""
        if let c = rest.first, c == "+" || c == "-" {
            sign = c == "-" ? "-" : ""
            rest = rest.dropFirst()
        }
        let intPart = rest.prefix { $0.isASCII && $0.isNumber }
        rest = rest.dropFirst(intPart.count)
        var fracPart: Substring = ""
        if rest.first == "." {
            rest = rest.dropFirst()
            fracPart = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(fracPart.count)
        }
        guard !intPart.isEmpty || !fracPart.isEmpty else { throw CELError.eval(formatMessage) }
        guard var amount = Decimal(string: "\(sign)\(intPart.isEmpty ? "0" : intPart).\(fracPart.isEmpty ? "0" : fracPart)", locale: Locale(identifier: "en_US_POSIX")) else {
            throw CELError.eval(formatMessage)
        }
        let suffix = String(rest)
        let decimalExponents: [String: Int] = ["n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18]
        let binaryPowers: [String: Int] = ["Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6]
        if let e = decimalExponents[suffix] {
            amount *= Decimal(sign: .plus, exponent: e, significand: 1)
        } else if let p = binaryPowers[suffix] {
            for _ in 0..<p { amount *= 1024 }
        } else if let first = suffix.first, first == "e" || first == "E" {
            let exp = suffix.dropFirst()
            let digits = exp.first == "+" || exp.first == "-" ? exp.dropFirst() : exp
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let e = Int(exp), abs(e) < 100 else {
                throw CELError.eval("unable to parse quantity's suffix")
            }
            amount *= Decimal(sign: .plus, exponent: e, significand: 1)
        } else if suffix.allSatisfy({ "eEinumkKMGTP+-0123456789".contains($0) }) {
            throw CELError.eval("unable to parse quantity's suffix")
        } else {
            throw CELError.eval(formatMessage)
        }
        return CELQuantity(amount: amount, text: s)
    }

    var sign: Int64 { amount.isZero ? 0 : (amount < 0 ? -1 : 1) }

    /// The amount as an int64 when it is whole and in range (`isInteger` / `asInteger`).
    var integer: Int64? {
        var value = amount
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        guard rounded == amount, amount <= Decimal(Int64.max), amount >= Decimal(Int64.min) else { return nil }
        return Int64(NSDecimalNumber(decimal: amount).int64Value)
    }

    var approximateDouble: Double { NSDecimalNumber(decimal: amount).doubleValue }

    static func make(_ amount: Decimal) -> CELQuantity {
        CELQuantity(amount: amount, text: NSDecimalNumber(decimal: amount).stringValue)
    }
}

/// The Kubernetes CEL quantity library.
enum CELQuantityLibrary {
    static func call(_ name: String, _ args: [CELValue], receiverStyle: Bool) throws(CELError) -> CELValue? {
        switch (name, args.first, args.count, receiverStyle) {
        case ("quantity", .string(let s)?, 1, false): return .quantity(try CELQuantity.parse(s))
        case ("isQuantity", .string(let s)?, 1, false): return .bool((try? CELQuantity.parse(s)) != nil)
        case (_, .quantity(let q)?, 1, true):
            switch name {
            case "sign": return .int(q.sign)
            case "isInteger": return .bool(q.integer != nil)
            case "asInteger":
                guard let i = q.integer else { throw CELError.eval("cannot convert value to integer") }
                return .int(i)
            case "asApproximateFloat": return .double(q.approximateDouble)
            default: return nil
            }
        case (_, .quantity(let q)?, 2, true):
            let other: Decimal
            switch args[1] {
            case .quantity(let o): other = o.amount
            case .int(let i) where name == "add" || name == "sub": other = Decimal(i)
            default: return nil
            }
            switch name {
            case "isGreaterThan": return .bool(q.amount > other)
            case "isLessThan": return .bool(q.amount < other)
            case "compareTo": return .int(q.amount < other ? -1 : (q.amount == other ? 0 : 1))
            case "add": return .quantity(.make(q.amount + other))
            case "sub": return .quantity(.make(q.amount - other))
            default: return nil
            }
        default: return nil
        }
    }
}
