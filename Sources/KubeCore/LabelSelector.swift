/// `metav1.LabelSelector`: the structured selector objects carry (`spec.selector` of Jobs,
/// Deployments, PodDisruptionBudgets, ...). Convert it to the string form with `selectorString`
/// or match it directly with `matches(_:)`.
public struct LabelSelector: Codable, Sendable, Hashable {
    public var matchLabels: [String: String]?
    public var matchExpressions: [Requirement]?

    public init(matchLabels: [String: String]? = nil, matchExpressions: [Requirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// `metav1.LabelSelectorRequirement`: `key`, `operator` (`In`, `NotIn`, `Exists`, `DoesNotExist`), `values`.
    public struct Requirement: Codable, Sendable, Hashable {
        public var key: String
        public var `operator`: String
        public var values: [String]?

        public init(key: String, operator: String, values: [String]? = nil) {
            self.key = key
            self.operator = `operator`
            self.values = values
        }
    }

    /// The parsed form; throws `KubeCoreError.invalidSelector` for an unknown operator or
    /// a missing/extra value list (as `metav1.LabelSelectorAsSelector` does).
    public func parsed() throws -> ParsedLabelSelector {
        var requirements: [LabelRequirement] = []
        for (key, value) in (matchLabels ?? [:]).sorted(by: { $0.key < $1.key }) {
            requirements.append(LabelRequirement(key: key, op: .equals, values: [value]))
        }
        for expression in matchExpressions ?? [] {
            let values = expression.values ?? []
            let op: LabelRequirement.Operator
            switch expression.operator {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            default: throw KubeCoreError.invalidSelector("\"\(expression.operator)\" is not a valid label selector operator")
            }
            if (op == .in || op == .notIn) && values.isEmpty {
                throw KubeCoreError.invalidSelector("for 'in', 'notin' operators, values set can't be empty")
            }
            if (op == .exists || op == .doesNotExist) && !values.isEmpty {
                throw KubeCoreError.invalidSelector("values set must be empty for exists and does not exist")
            }
            requirements.append(LabelRequirement(key: expression.key, op: op, values: values.sorted()))
        }
        return ParsedLabelSelector(requirements: requirements)
    }

    /// The string form (`app=web,tier in (a,b)`); an empty selector gives "" (matches everything).
    public var selectorString: String {
        (try? parsed().description) ?? ""
    }

    /// True when `labels` satisfies every requirement. An invalid selector matches nothing.
    public func matches(_ labels: [String: String]) -> Bool {
        guard let selector = try? parsed() else { return false }
        return selector.matches(labels)
    }
}

/// One requirement of a label selector (`key`, operator, values).
public struct LabelRequirement: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: Sendable, Hashable {
        case equals, notEquals, `in`, notIn, exists, doesNotExist
    }

    public var key: String
    public var op: Operator
    public var values: [String]

    public init(key: String, op: Operator, values: [String]) {
        self.key = key
        self.op = op
        self.values = values
    }

    /// True when `labels` satisfies this requirement (Kubernetes semantics: `!=` and `notin`
    /// match objects without the key).
    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch op {
        case .equals, .in: return value.map { values.contains($0) } ?? false
        case .notEquals, .notIn: return value.map { !values.contains($0) } ?? true
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        }
    }

    public var description: String {
        switch op {
        case .equals: return "\(key)=\(values.first ?? "")"
        case .notEquals: return "\(key)!=\(values.first ?? "")"
        case .in: return "\(key) in (\(values.joined(separator: ",")))"
        case .notIn: return "\(key) notin (\(values.joined(separator: ",")))"
        case .exists: return key
        case .doesNotExist: return "!\(key)"
        }
    }
}

/// A parsed label selector string: `app=web`, `env!=prod`, `tier in (a,b)`, `tier notin (c)`,
/// `key`, `!key`, joined by commas. An empty selector matches everything.
public struct ParsedLabelSelector: Sendable, Hashable, CustomStringConvertible {
    public var requirements: [LabelRequirement]

    public init(requirements: [LabelRequirement]) {
        self.requirements = requirements
    }

    /// True when every requirement matches.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// True for the selector that matches everything.
    public var isEmpty: Bool { requirements.isEmpty }

    public var description: String { requirements.map(\.description).joined(separator: ",") }

    /// Parses the string form. Throws `KubeCoreError.invalidSelector` with a message in the
    /// style of `k8s.io/apimachinery/pkg/labels.Parse`.
    public static func parse(_ string: String) throws -> ParsedLabelSelector {
        var lexer = SelectorLexer(Array(string.unicodeScalars))
        var requirements: [LabelRequirement] = []
        lexer.skipSpaces()
        if lexer.atEnd { return ParsedLabelSelector(requirements: []) }
        while true {
            requirements.append(try parseRequirement(&lexer))
            lexer.skipSpaces()
            if lexer.atEnd { break }
            guard lexer.consume(",") else {
                throw KubeCoreError.invalidSelector("found '\(lexer.rest)', expected: ',' or 'end of string'")
            }
        }
        return ParsedLabelSelector(requirements: requirements)
    }

    private static func parseRequirement(_ lexer: inout SelectorLexer) throws -> LabelRequirement {
        lexer.skipSpaces()
        if lexer.consume("!") {
            let key = try validKey(lexer.identifier())
            return LabelRequirement(key: key, op: .doesNotExist, values: [])
        }
        let key = try validKey(lexer.identifier())
        lexer.skipSpaces()
        if lexer.atEnd || lexer.peek == "," {
            return LabelRequirement(key: key, op: .exists, values: [])
        }
        if lexer.consume("!=") {
            return LabelRequirement(key: key, op: .notEquals, values: [try validValue(lexer.identifier())])
        }
        if lexer.consume("==") || lexer.consume("=") {
            return LabelRequirement(key: key, op: .equals, values: [try validValue(lexer.identifier())])
        }
        let word = lexer.identifier()
        let op: LabelRequirement.Operator
        switch word {
        case "in": op = .in
        case "notin": op = .notIn
        default:
            throw KubeCoreError.invalidSelector("found '\(word)', expected: in, notin, =, ==, !=, gt, lt")
        }
        lexer.skipSpaces()
        guard lexer.consume("(") else {
            throw KubeCoreError.invalidSelector("found '\(lexer.rest)', expected: '('")
        }
        var values: [String] = []
        while true {
            lexer.skipSpaces()
            if lexer.consume(")") { break }
            let value = try validValue(lexer.identifier())
            values.append(value)
            lexer.skipSpaces()
            if lexer.consume(",") { continue }
            if lexer.consume(")") { break }
            throw KubeCoreError.invalidSelector("found '\(lexer.rest)', expected: ',' or ')'")
        }
        if values.isEmpty && op == .in {
            throw KubeCoreError.invalidSelector("for 'in', 'notin' operators, values set can't be empty")
        }
        return LabelRequirement(key: key, op: op, values: values.sorted())
    }

    private static func validKey(_ key: String) throws -> String {
        if key.isEmpty { throw KubeCoreError.invalidSelector("found '', expected: identifier") }
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.last, isQualifiedName(String(name)) else {
            throw KubeCoreError.invalidSelector("key: Invalid value: \"\(key)\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
        return key
    }

    private static func validValue(_ value: String) throws -> String {
        if value.isEmpty || isQualifiedName(value) { return value }
        throw KubeCoreError.invalidSelector("values[0]: Invalid value: \"\(value)\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
    }

    static func isQualifiedName(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 63 else { return false }
        let scalars = Array(s.unicodeScalars)
        func alnum(_ c: Unicode.Scalar) -> Bool { c.properties.isASCIIHexDigit || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) }
        guard let first = scalars.first, let last = scalars.last, alnum(first), alnum(last) else { return false }
        return scalars.allSatisfy { alnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }
}

/// A tiny scanner for selector strings.
struct SelectorLexer {
    let scalars: [Unicode.Scalar]
    var index = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    var atEnd: Bool { index >= scalars.count }
    var peek: Unicode.Scalar? { atEnd ? nil : scalars[index] }
    var rest: String { String(String.UnicodeScalarView(scalars[min(index, scalars.count)...])) }

    mutating func skipSpaces() {
        while let c = peek, c == " " || c == "\t" { index += 1 }
    }

    mutating func consume(_ token: String) -> Bool {
        let t = Array(token.unicodeScalars)
        guard index + t.count <= scalars.count, Array(scalars[index..<index + t.count]) == t else { return false }
        index += t.count
        return true
    }

    /// Reads characters up to a space, operator or separator.
    mutating func identifier() -> String {
        skipSpaces()
        var out = String.UnicodeScalarView()
        while let c = peek, !" \t,=!()".unicodeScalars.contains(c) {
            out.append(c)
            index += 1
        }
        return String(out)
    }
}
