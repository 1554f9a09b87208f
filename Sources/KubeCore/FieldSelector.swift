/// A parsed field selector (`metadata.name=x,status.phase!=Running`), as
/// `k8s.io/apimachinery/pkg/fields.ParseSelector` accepts it: terms joined by commas, each
/// `field=value`, `field==value` or `field!=value`; `\,` `\=` `\\` escape inside values.
public struct FieldSelector: Sendable, Hashable, CustomStringConvertible {
    /// One term of a field selector.
    public struct Term: Sendable, Hashable {
        public var field: String
        public var value: String
        /// True for `!=`.
        public var negated: Bool

        public init(field: String, value: String, negated: Bool) {
            self.field = field
            self.value = value
            self.negated = negated
        }
    }

    public var terms: [Term]

    public init(terms: [Term]) {
        self.terms = terms
    }

    /// True for the selector that matches everything.
    public var isEmpty: Bool { terms.isEmpty }

    /// True when every term holds for the given field values (a missing field reads as "").
    public func matches(_ fields: [String: String]) -> Bool {
        terms.allSatisfy { term in
            let value = fields[term.field] ?? ""
            return term.negated ? value != term.value : value == term.value
        }
    }

    /// The value required for `field` by an `=` term, if any (used to narrow lists).
    public func requiredValue(for field: String) -> String? {
        terms.first { $0.field == field && !$0.negated }?.value
    }

    public var description: String {
        terms.map { "\($0.field)\($0.negated ? "!=" : "=")\(Self.escape($0.value))" }.joined(separator: ",")
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "=", with: "\\=")
    }

    /// Parses a selector string. Throws `KubeCoreError.invalidSelector` with the messages of
    /// the Go parser (`invalid selector: 'x'; can't understand 'x'`).
    public static func parse(_ string: String) throws -> FieldSelector {
        var terms: [Term] = []
        for part in splitTerms(string) where !part.isEmpty {
            if let range = findOperator(part, "!=") {
                terms.append(Term(field: String(part[..<range.lowerBound]), value: unescape(String(part[range.upperBound...])), negated: true))
            } else if let range = findOperator(part, "==") {
                terms.append(Term(field: String(part[..<range.lowerBound]), value: unescape(String(part[range.upperBound...])), negated: false))
            } else if let range = findOperator(part, "=") {
                terms.append(Term(field: String(part[..<range.lowerBound]), value: unescape(String(part[range.upperBound...])), negated: false))
            } else {
                throw KubeCoreError.invalidSelector("invalid selector: '\(string)'; can't understand '\(part)'")
            }
        }
        return FieldSelector(terms: terms)
    }

    private static func splitTerms(_ s: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for c in s {
            if escaped {
                current.append("\\")
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "," {
                parts.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        if escaped { current.append("\\") }
        parts.append(current)
        return parts
    }

    /// The first unescaped occurrence of an operator.
    private static func findOperator(_ s: String, _ op: String) -> Range<String.Index>? {
        var searchStart = s.startIndex
        while let range = s.range(of: op, range: searchStart..<s.endIndex) {
            let before = s[s.startIndex..<range.lowerBound]
            let trailingBackslashes = before.reversed().prefix { $0 == "\\" }.count
            if trailingBackslashes % 2 == 0 { return range }
            searchStart = range.upperBound
        }
        return nil
    }

    private static func unescape(_ s: String) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if escaped {
                out.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}
