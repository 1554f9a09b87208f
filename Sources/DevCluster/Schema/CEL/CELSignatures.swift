/// The declared overloads of the functions the checker verifies: the standard library, the
/// strings/lists/sets/regex extensions and the Kubernetes libraries. A call whose arguments
/// match none of its function's overloads is refused as cel-go refuses it
/// (`found no matching overload for 'f' applied to 'string.(int)'`).
enum CELSignatures {
    /// A parameter or result pattern: a concrete type, the type parameter `A`, or `list(A)`.
    indirect enum Pattern: Sendable {
        case t(CELType)
        case a
        case listA
        case optionalA
        case k, v
        case mapKV

        func bind(_ type: CELType, _ bindings: inout [String: CELType]) -> Bool {
            func param(_ name: String, _ t: CELType) -> Bool {
                if let bound = bindings[name] {
                    guard bound.accepts(t) else { return false }
                    bindings[name] = bound.join(t)
                    return true
                }
                bindings[name] = t
                return true
            }
            switch (self, type) {
            case (.t(let expected), _): return expected.accepts(type)
            case (.a, _): return param("A", type)
            case (.k, _): return param("K", type)
            case (.v, _): return param("V", type)
            case (.listA, .list(let e)): return param("A", e)
            case (.optionalA, .optional(let e)): return param("A", e)
            case (.mapKV, .map(let k, let v)): return param("K", k) && param("V", v)
            case (.listA, .dyn), (.optionalA, .dyn), (.mapKV, .dyn): return true
            default: return false
            }
        }

        func resolve(_ bindings: [String: CELType]) -> CELType {
            switch self {
            case .t(let t): return t
            case .a: return bindings["A"] ?? .dyn
            case .k: return bindings["K"] ?? .dyn
            case .v: return bindings["V"] ?? .dyn
            case .listA: return .list(bindings["A"] ?? .dyn)
            case .optionalA: return .optional(bindings["A"] ?? .dyn)
            case .mapKV: return .map(bindings["K"] ?? .dyn, bindings["V"] ?? .dyn)
            }
        }
    }

    /// One overload: receiver-style or global, parameters (receiver first), result.
    struct Overload: Sendable {
        var receiver: Bool
        var params: [Pattern]
        var result: Pattern
    }

    private static func g(_ params: [Pattern], _ result: Pattern) -> Overload { Overload(receiver: false, params: params, result: result) }
    private static func r(_ params: [Pattern], _ result: Pattern) -> Overload { Overload(receiver: true, params: params, result: result) }

    static let str = Pattern.t(.string), int = Pattern.t(.int), bool = Pattern.t(.bool), dbl = Pattern.t(.double)
    static let uint = Pattern.t(.uint), dur = Pattern.t(.duration), ts = Pattern.t(.timestamp)
    static let ip = Pattern.t(.opaque("net.IP")), cidr = Pattern.t(.opaque("net.CIDR")), url = Pattern.t(.opaque("kubernetes.URL"))
    static let qty = Pattern.t(.opaque("kubernetes.Quantity")), fmt = Pattern.t(.opaque("kubernetes.NamedFormat"))
    static let semver = Pattern.t(.opaque("kubernetes.Semver")), listStr = Pattern.t(.list(.string))

    /// Overloads by function name. Functions absent here are not checked (their result is dyn).
    static let table: [String: [Overload]] = {
        var t: [String: [Overload]] = [:]
        t["size"] = [g([str], int), g([.listA], int), g([.mapKV], int), r([str], int), r([.listA], int), r([.mapKV], int), g([.t(.bytes)], int), r([.t(.bytes)], int)]
        for f in ["contains", "startsWith", "endsWith"] { t[f] = [r([str, str], bool)] }
        t["matches"] = [r([str, str], bool), g([str, str], bool)]
        t["int"] = [g([int], int), g([.t(.uint)], int), g([dbl], int), g([str], int), g([ts], int), g([dur], int)]
        t["uint"] = [g([int], uint), g([uint], uint), g([dbl], uint), g([str], uint)]
        t["double"] = [g([int], dbl), g([uint], dbl), g([dbl], dbl), g([str], dbl)]
        t["string"] = [g([str], str), g([int], str), g([uint], str), g([dbl], str), g([bool], str), g([.t(.bytes)], str),
                       g([ts], str), g([dur], str), g([ip], str), g([cidr], str)]
        t["bool"] = [g([bool], bool), g([str], bool)]
        t["bytes"] = [g([str], .t(.bytes)), g([.t(.bytes)], .t(.bytes))]
        t["duration"] = [g([str], dur), g([dur], dur)]
        t["timestamp"] = [g([str], ts), g([ts], ts), g([int], ts)]
        t["dyn"] = [g([.a], .t(.dyn))]
        t["type"] = [g([.a], .t(.type))]
        for f in ["getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear"] {
            t[f] = [r([ts], int), r([ts, str], int)]
        }
        for f in ["getHours", "getMinutes", "getSeconds", "getMilliseconds"] {
            t[f] = [r([ts], int), r([ts, str], int), r([dur], int)]
        }
        // strings extension and regex library
        t["charAt"] = [r([str, int], str)]
        t["indexOf"] = [r([str, str], int), r([str, str, int], int), r([.listA, .a], int)]
        t["lastIndexOf"] = [r([str, str], int), r([str, str, int], int), r([.listA, .a], int)]
        for f in ["lowerAscii", "upperAscii", "trim"] { t[f] = [r([str], str)] }
        t["replace"] = [r([str, str, str], str), r([str, str, str, int], str)]
        t["split"] = [r([str, str], listStr), r([str, str, int], listStr)]
        t["substring"] = [r([str, int], str), r([str, int, int], str)]
        t["join"] = [r([listStr], str), r([listStr, str], str)]
        t["strings.quote"] = [g([str], str)]
        t["format"] = [r([str, .t(.list(.dyn))], str)]
        t["reverse"] = [r([str], str), r([.listA], .listA)]
        t["find"] = [r([str, str], str)]
        t["findAll"] = [r([str, str], listStr), r([str, str, int], listStr)]
        // lists library, lists extension, sets extension
        t["isSorted"] = [r([.listA], bool)]
        for f in ["sum", "min", "max"] { t[f] = [r([.listA], .a)] }
        t["slice"] = [r([.listA, int, int], .listA)]
        t["flatten"] = [r([.t(.list(.dyn))], .t(.list(.dyn))), r([.t(.list(.dyn)), int], .t(.list(.dyn)))]
        for f in ["distinct", "sort"] { t[f] = [r([.listA], .listA)] }
        for f in ["first", "last"] { t[f] = [r([.listA], .optionalA)] }
        t["lists.range"] = [g([int], .t(.list(.int)))]
        for f in ["sets.contains", "sets.equivalent", "sets.intersects"] { t[f] = [g([.listA, .listA], bool)] }
        // IP and CIDR
        t["isIP"] = [g([str], bool)]
        t["isCIDR"] = [g([str], bool)]
        t["ip"] = [g([str], ip), r([cidr], ip)]
        t["cidr"] = [g([str], cidr)]
        t["ip.isCanonical"] = [g([str], bool)]
        t["family"] = [r([ip], int)]
        for f in ["isUnspecified", "isLoopback", "isLinkLocalMulticast", "isLinkLocalUnicast", "isGlobalUnicast"] { t[f] = [r([ip], bool)] }
        t["containsIP"] = [r([cidr, ip], bool), r([cidr, str], bool)]
        t["containsCIDR"] = [r([cidr, cidr], bool), r([cidr, str], bool)]
        t["prefixLength"] = [r([cidr], int)]
        t["masked"] = [r([cidr], cidr)]
        // URLs
        t["url"] = [g([str], url)]
        t["isURL"] = [g([str], bool)]
        for f in ["getScheme", "getHost", "getHostname", "getPort", "getEscapedPath"] { t[f] = [r([url], str)] }
        t["getQuery"] = [r([url], .t(.map(.string, .list(.string))))]
        // quantities and semver
        t["quantity"] = [g([str], qty)]
        t["isQuantity"] = [g([str], bool)]
        t["sign"] = [r([qty], int)]
        t["isInteger"] = [r([qty], bool)]
        t["asInteger"] = [r([qty], int)]
        t["asApproximateFloat"] = [r([qty], dbl)]
        t["add"] = [r([qty, qty], qty), r([qty, int], qty)]
        t["sub"] = [r([qty, qty], qty), r([qty, int], qty)]
        t["isLessThan"] = [r([qty, qty], bool), r([semver, semver], bool)]
        t["isGreaterThan"] = [r([qty, qty], bool), r([semver, semver], bool)]
        t["compareTo"] = [r([qty, qty], int), r([semver, semver], int)]
        t["isSemver"] = [g([str], bool), g([str, bool], bool)]
        t["semver"] = [g([str], semver), g([str, bool], semver)]
        for f in ["major", "minor", "patch"] { t[f] = [r([semver], int)] }
        // named formats
        t["format.named"] = [g([str], .t(.optional(.opaque("kubernetes.NamedFormat"))))]
        t["validate"] = [r([fmt, str], .t(.optional(.list(.string))))]
        // optional types
        t["optional.of"] = [g([.a], .optionalA)]
        t["optional.none"] = [g([], .t(.optional(.dyn)))]
        t["optional.ofNonZeroValue"] = [g([.a], .optionalA)]
        t["hasValue"] = [r([.optionalA], bool)]
        t["value"] = [r([.optionalA], .a)]
        t["orValue"] = [r([.optionalA, .a], .a)]
        t["or"] = [r([.optionalA, .optionalA], .optionalA)]
        return t
    }()

    /// The result type of a call, or nil when no overload of the function matches (functions
    /// without declared overloads give dyn).
    static func resolve(_ name: String, receiver: Bool, _ args: [CELType]) -> CELType? {
        if name.hasPrefix("format."), name != "format.named" { return .opaque("kubernetes.NamedFormat") }
        guard let overloads = table[name] else { return .dyn }
        var results: [CELType] = []
        for overload in overloads where overload.receiver == receiver && overload.params.count == args.count {
            var bindings: [String: CELType] = [:]
            if zip(overload.params, args).allSatisfy({ $0.bind($1, &bindings) }) {
                results.append(overload.result.resolve(bindings))
            }
        }
        guard let first = results.first else { return nil }
        return results.allSatisfy { $0 == first } ? first : .dyn
    }
}
