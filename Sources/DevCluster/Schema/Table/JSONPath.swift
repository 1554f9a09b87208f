import KubeCore

/// The JSONPath subset kubectl and CRD printer columns use: `.a.b`, `['key']`, `[n]`, `[*]`,
/// `..` is not supported; filters `[?(@.field=="value")]` (also `!=`), optionally wrapped in `{}`.
struct JSONPath: Sendable {
    enum Step: Sendable, Equatable {
        case field(String)
        case index(Int)
        case wildcard
        case filter(path: [String], op: String, value: JSONValue)
    }

    let steps: [Step]

    /// Parses a path; nil when it is outside the subset.
    init?(_ source: String) {
        var text = Substring(source.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("{"), text.hasSuffix("}") { text = text.dropFirst().dropLast() }
        if text.hasPrefix("$") { text = text.dropFirst() }
        var steps: [Step] = []
        while let c = text.first {
            if c == "." {
                text = text.dropFirst()
                let name = text.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { return nil }
                steps.append(name == "*" ? .wildcard : .field(String(name)))
                text = text.dropFirst(name.count)
            } else if c == "[" {
                guard let close = JSONPath.matchingBracket(text) else { return nil }
                let inner = text[text.index(after: text.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                text = text[text.index(after: close)...]
                if inner == "*" {
                    steps.append(.wildcard)
                } else if let i = Int(inner) {
                    steps.append(.index(i))
                } else if (inner.hasPrefix("'") && inner.hasSuffix("'")) || (inner.hasPrefix("\"") && inner.hasSuffix("\"")), inner.count >= 2 {
                    steps.append(.field(String(inner.dropFirst().dropLast())))
                } else if inner.hasPrefix("?(@."), inner.hasSuffix(")") {
                    guard let filter = JSONPath.parseFilter(String(inner.dropFirst(4).dropLast())) else { return nil }
                    steps.append(filter)
                } else {
                    return nil
                }
            } else {
                return nil
            }
        }
        self.steps = steps
    }

    private static func matchingBracket(_ text: Substring) -> Substring.Index? {
        var depth = 0
        var quote: Character?
        for i in text.indices {
            let c = text[i]
            if let q = quote {
                if c == q { quote = nil }
                continue
            }
            switch c {
            case "'", "\"": quote = c
            case "[": depth += 1
            case "]":
                depth -= 1
                if depth == 0 { return i }
            default: break
            }
        }
        return nil
    }

    private static func parseFilter(_ body: String) -> Step? {
        for op in ["==", "!="] {
            let parts = body.components(separatedBy: op)
            guard parts.count == 2 else { continue }
            let path = parts[0].trimmingCharacters(in: .whitespaces).split(separator: ".").map(String.init)
            var literal = parts[1].trimmingCharacters(in: .whitespaces)
            let value: JSONValue
            if (literal.hasPrefix("\"") && literal.hasSuffix("\"")) || (literal.hasPrefix("'") && literal.hasSuffix("'")), literal.count >= 2 {
                literal = String(literal.dropFirst().dropLast())
                value = .string(literal)
            } else if let parsed = try? JSONValue.parse(literal) {
                value = parsed
            } else {
                return nil
            }
            return .filter(path: path, op: op, value: value)
        }
        return nil
    }

    /// Every value the path designates in `root`.
    func evaluate(_ root: JSONValue) -> [JSONValue] {
        var current = [root]
        for step in steps {
            var next: [JSONValue] = []
            for value in current {
                switch step {
                case .field(let name):
                    if let v = value[name] { next.append(v) }
                case .index(let i):
                    if case .array(let a) = value {
                        let idx = i < 0 ? a.count + i : i
                        if a.indices.contains(idx) { next.append(a[idx]) }
                    }
                case .wildcard:
                    switch value {
                    case .array(let a): next.append(contentsOf: a)
                    case .object(let o): next.append(contentsOf: o.keys.sorted().compactMap { o[$0] })
                    default: break
                    }
                case .filter(let path, let op, let expected):
                    guard case .array(let a) = value else { continue }
                    next.append(contentsOf: a.filter { item in
                        let actual = item[path: path]
                        let equal = actual.map { JSONPatch.valuesEqual($0, expected) } ?? false
                        return op == "==" ? equal : (actual != nil && !equal)
                    })
                }
            }
            current = next
        }
        return current
    }

    /// How `kubectl get -o jsonpath` prints a result: strings bare, other values as JSON.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        default: return value.jsonString
        }
    }
}
