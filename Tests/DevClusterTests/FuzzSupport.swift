import Foundation
import KubeCore

/// A seeded, reproducible random source (SplitMix64) for the body-decoder fuzzers.
struct FuzzRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }
    mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }
}

/// Fuzzer settings: `SEXTANT_FUZZ_SEED` and `SEXTANT_FUZZ_ITERATIONS` override the CI defaults
/// (a larger run by hand: docs/dev-cluster.md).
enum FuzzSettings {
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["SEXTANT_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5E57_A417
    }

    static func iterations(_ ciDefault: Int) -> Int {
        ProcessInfo.processInfo.environment["SEXTANT_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? ciDefault
    }
}

/// Mutations of valid bodies: truncation, byte flips, inserted tokens (deep nesting, huge numbers,
/// invalid UTF-8, lone surrogates, YAML anchors and tags), duplicate keys, splices and repeats.
enum FuzzMutator {
    static let tokenStrings: [String] = [
        "{", "}", "[", "]", "\"", "\\", ":", ",", "null", "true", "-", "0", "\\u0000", "\\ud800", "\\udc00\\ud800",
        "1e999999", "-1e999999", "1e-400", "99999999999999999999999999999999", "-9223372036854775809", "9223372036854775808",
        "18446744073709551616", "0.1e", "-", "1.", "01", "NaN", "Infinity", "\"\\", "\n", "\t", "\r", " ",
        "&a ", "*a", "<<: *a", "!!binary ", "!!python/object ", "!!int ", "!!float ", "? ", "- ", "---\n", "...\n", "%YAML 1.1\n",
        "|\n", ">-\n", "~", "0x1F", "0o17", ".inf", ".nan", "1_000", "2001-12-14t21:59:43.10-05:00", "\"$patch\": \"delete\"",
        "\"$patch\": 7", "\"$retainKeys\": {}", "\"$setElementOrder/containers\": [{}]", "\"$deleteFromPrimitiveList/finalizers\": 1",
    ]
    static let tokens: [[UInt8]] = tokenStrings.map { Array($0.utf8) } + [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x00], [0xEF, 0xBB, 0xBF]]

    /// One mutation of `seed` (or of a splice with `other`).
    static func mutate(_ seed: [UInt8], other: [UInt8], _ r: inout FuzzRandom) -> [UInt8] {
        var b = seed
        let rounds = r.int(1..<4)
        for _ in 0..<rounds {
            switch r.int(0..<10) {
            case 0:  // truncate
                b = Array(b.prefix(r.int(0..<(b.count + 1))))
            case 1:  // flip bytes
                for _ in 0..<r.int(1..<6) where !b.isEmpty { b[r.int(0..<b.count)] ^= UInt8(truncatingIfNeeded: r.int(1..<256)) }
            case 2, 3:  // insert a token
                b.insert(contentsOf: r.pick(tokens), at: r.int(0..<(b.count + 1)))
            case 4:  // deep nesting around the body or inside it
                let depth = r.pick([50, 500, 5_000, 12_000, 60_000])
                var open: [UInt8] = Array("- ".utf8), close: [UInt8] = []
                switch r.int(0..<3) {
                case 0: open = Array("[".utf8); close = Array("]".utf8)
                case 1: open = Array("{\"a\":".utf8); close = Array("}".utf8)
                default: break
                }
                let at = r.int(0..<(b.count + 1))
                let opening: [UInt8] = Array(repeating: open, count: depth).flatMap { $0 }
                let closing: [UInt8] = r.chance(70) ? Array(repeating: close, count: depth).flatMap { $0 } : []
                var nested: [UInt8] = Array(b[..<at])
                nested += opening
                nested += b[at...]
                nested += closing
                b = nested
            case 5:  // duplicate keys: repeat an existing `"key":` right after the first `{`
                if let brace = b.firstIndex(of: UInt8(ascii: "{")) {
                    b.insert(contentsOf: Array(r.pick(["\"metadata\":{},", "\"kind\":1,", "\"spec\":null,", "\"apiVersion\":\"v1\","]).utf8), at: brace + 1)
                }
            case 6:  // replace a run of digits with a huge or odd number
                if let start = b.firstIndex(where: { (48...57).contains($0) }) {
                    let end = b[start...].firstIndex { !(48...57).contains($0) } ?? b.endIndex
                    b.replaceSubrange(start..<end, with: Array(r.pick(["1e999999", "123456789012345678901234567890", "-0", "1e-999", "0.5", "-9223372036854775808"]).utf8))
                }
            case 7:  // splice with another seed
                let cut = r.int(0..<(b.count + 1))
                b = Array(b[..<cut]) + Array(other[r.int(0..<(other.count + 1))...])
            case 8:  // repeat a region
                if b.count > 2 {
                    let start = r.int(0..<b.count), length = r.int(1..<min(64, b.count - start + 1))
                    let region = Array(b[start..<(start + length)])
                    b.insert(contentsOf: Array(repeating: region, count: r.int(2..<40)).flatMap { $0 }, at: start)
                }
            default:  // delete a region
                if !b.isEmpty {
                    let start = r.int(0..<b.count)
                    b.removeSubrange(start..<min(b.count, start + r.int(1..<16)))
                }
            }
        }
        return b
    }

    /// Structural mutation of a JSON value: one node replaced by an odd value of another type,
    /// a deep value, a huge number, a directive or a value with odd strings.
    static func mutate(_ value: JSONValue, _ r: inout FuzzRandom) -> JSONValue {
        var v = value
        var path: [String] = []
        var node = v
        while r.chance(75) {
            if case .object(let o) = node, !o.isEmpty {
                let key = r.pick(o.keys.sorted())
                path.append(key)
                node = o[key] ?? .null
            } else { break }
        }
        let replacement: JSONValue
        switch r.int(0..<9) {
        case 0: replacement = .null
        case 1: replacement = .int(r.pick([Int64.max, Int64.min, -1, 0]))
        case 2: replacement = .double(r.pick([1e308, -1e308, 5e-324, 0.5]))
        case 3: replacement = .string(r.pick(["", "\u{0}", "\u{FFFD}", "-", "/", "~1", "$patch", String(repeating: "a", count: 5000)]))
        case 4: replacement = .array([node, node, .null, .int(1), .emptyObject])
        case 5: replacement = ["$patch": .string(r.pick(["delete", "replace", "merge", "bogus"])), "name": "c"]
        case 6:
            var deep: JSONValue = .emptyObject
            for _ in 0..<r.pick([10, 200, 500]) { deep = r.chance(50) ? ["spec": deep] : .array([deep]) }
            replacement = deep
        case 7: replacement = [r.pick(["$retainKeys", "$setElementOrder/containers", "$deleteFromPrimitiveList/finalizers", "$patch"]): node]
        default: replacement = .bool(true)
        }
        if path.isEmpty { return r.chance(50) ? replacement : .array([v]) }
        v[path: path] = replacement
        return v
    }
}
