/// A semantic version (SemVer 2.0) for the Kubernetes CEL semver library (Kubernetes 1.31+):
/// `isSemver(s[, normalize])`, `semver(s[, normalize])`, `major()`, `minor()`, `patch()`,
/// `isGreaterThan`, `isLessThan`, `compareTo` (precedence: pre-releases before the release,
/// build metadata ignored). Parsing is blang/semver's strict `Parse`; `normalize` first drops a
/// leading `v`, fills a missing minor/patch with 0 and removes leading zeros, as the library does.
struct CELSemver: Hashable, Sendable {
    var major: UInt64
    var minor: UInt64
    var patch: UInt64
    var pre: [String]
    var build: [String]
    var text: String

    static func parse(_ input: String, normalize: Bool = false) throws(CELError) -> CELSemver {
        var s = input
        if normalize {
            if s.hasPrefix("v") { s.removeFirst() }
            var parts = s.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            for (i, p) in parts.enumerated() where p.count > 1 {
                var trimmed = String(p.drop { $0 == "0" })
                if trimmed.isEmpty || !(trimmed.first?.isASCII == true && trimmed.first?.isNumber == true) { trimmed = "0" + trimmed }
                parts[i] = trimmed
            }
            if parts.count < 3 {
                if parts.last?.contains(where: { $0 == "+" || $0 == "-" }) == true {
                    throw CELError.eval("short version cannot contain PreRelease/Build meta data")
                }
                while parts.count < 3 { parts.append("0") }
            }
            s = parts.joined(separator: ".")
        }
        guard !s.isEmpty else { throw CELError.eval("Version string empty") }
        var core = Substring(s)
        var build: [String] = []
        if let plus = core.firstIndex(of: "+") {
            build = core[core.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            core = core[..<plus]
            for id in build where id.isEmpty || !id.allSatisfy(isIdentifierCharacter) {
                throw CELError.eval("Invalid character(s) found in build meta data \(quoted(id))")
            }
        }
        var pre: [String] = []
        if let dash = core.firstIndex(of: "-") {
            pre = core[core.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            core = core[..<dash]
            for id in pre {
                guard !id.isEmpty, id.allSatisfy(isIdentifierCharacter) else { throw CELError.eval("Invalid character(s) found in prerelease \(quoted(id))") }
                if id.allSatisfy({ $0.isASCII && $0.isNumber }), id.count > 1, id.hasPrefix("0") {
                    throw CELError.eval("Numeric PreRelease version must not contain leading zeroes \(quoted(id))")
                }
            }
        }
        let numbers = core.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3 else { throw CELError.eval("No Major.Minor.Patch elements found") }
        var values: [UInt64] = []
        for (name, n) in zip(["Major", "Minor", "Patch"], numbers) {
            guard !n.isEmpty, n.allSatisfy({ $0.isASCII && $0.isNumber }), let v = UInt64(n) else {
                throw CELError.eval("Invalid character(s) found in \(name.lowercased()) number \(quoted(String(n)))")
            }
            guard n.count == 1 || !n.hasPrefix("0") else { throw CELError.eval("\(name) number must not contain leading zeroes \(quoted(String(n)))") }
            values.append(v)
        }
        return CELSemver(major: values[0], minor: values[1], patch: values[2], pre: pre, build: build, text: s)
    }

    private static func isIdentifierCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-")
    }

    private static func quoted(_ s: String) -> String { "\"\(s)\"" }

    /// -1, 0 or 1 by SemVer precedence.
    func compare(_ other: CELSemver) -> Int {
        for (a, b) in [(major, other.major), (minor, other.minor), (patch, other.patch)] where a != b { return a < b ? -1 : 1 }
        switch (pre.isEmpty, other.pre.isEmpty) {
        case (true, true): return 0
        case (true, false): return 1
        case (false, true): return -1
        default: break
        }
        for (a, b) in zip(pre, other.pre) where a != b {
            switch (UInt64(a), UInt64(b)) {
            case (let x?, let y?): return x < y ? -1 : 1
            case (.some, nil): return -1
            case (nil, .some): return 1
            default: return a < b ? -1 : 1
            }
        }
        return pre.count == other.pre.count ? 0 : (pre.count < other.pre.count ? -1 : 1)
    }
}

/// The Kubernetes CEL semver library.
enum CELSemverLibrary {
    static func call(_ name: String, _ args: [CELValue], receiverStyle: Bool) throws(CELError) -> CELValue? {
        switch (name, args.first, receiverStyle) {
        case ("isSemver", .string(let s)?, false), ("semver", .string(let s)?, false):
            var normalize = false
            if args.count == 2 {
                guard case .bool(let b) = args[1] else { return nil }
                normalize = b
            } else if args.count != 1 {
                return nil
            }
            if name == "isSemver" { return .bool((try? CELSemver.parse(s, normalize: normalize)) != nil) }
            return .semver(try CELSemver.parse(s, normalize: normalize))
        case (_, .semver(let v)?, true) where args.count == 1:
            switch name {
            case "major": return .int(Int64(clamping: v.major))
            case "minor": return .int(Int64(clamping: v.minor))
            case "patch": return .int(Int64(clamping: v.patch))
            default: return nil
            }
        case (_, .semver(let v)?, true) where args.count == 2:
            guard case .semver(let other) = args[1] else { return nil }
            switch name {
            case "isGreaterThan": return .bool(v.compare(other) > 0)
            case "isLessThan": return .bool(v.compare(other) < 0)
            case "compareTo": return .int(Int64(v.compare(other)))
            default: return nil
            }
        default: return nil
        }
    }
}
