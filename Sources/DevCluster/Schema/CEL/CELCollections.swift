/// The sets extension (`sets.contains/equivalent/intersects`), the Kubernetes lists library
/// (`isSorted`, `sum`, `min`, `max`, `indexOf`, `lastIndexOf`) and cel-go's lists extension v3
/// (`slice`, `flatten`, `distinct`, `reverse`, `sort`, `first`, `last`, `lists.range`).
enum CELCollections {
    static func call(_ name: String, _ args: [CELValue], receiverStyle: Bool) throws(CELError) -> CELValue? {
        if !receiverStyle, name.hasPrefix("sets."), args.count == 2, case .list(let a) = args[0], case .list(let b) = args[1] {
            func has(_ list: [CELValue], _ v: CELValue) -> Bool { list.contains { CELValue.celEqual($0, v) } }
            switch name {
            case "sets.contains": return .bool(b.allSatisfy { has(a, $0) })
            case "sets.equivalent": return .bool(b.allSatisfy { has(a, $0) } && a.allSatisfy { has(b, $0) })
            case "sets.intersects": return .bool(b.contains { has(a, $0) })
            default: return nil
            }
        }
        if name == "lists.range", !receiverStyle, args.count == 1, case .int(let n) = args[0] {
            guard n >= 0 else { return .list([]) }
            return .list((0..<n).map(CELValue.int))
        }
        guard receiverStyle, case .list(let l)? = args.first else { return nil }
        switch (name, args.count) {
        case ("isSorted", 1):
            for i in l.indices.dropFirst() where try CELValue.compare(l[i - 1], l[i]) > 0 { return .bool(false) }
            return .bool(true)
        case ("sum", 1):
            var total = l.first.map { v -> CELValue in
                switch v {
                case .double: return .double(0)
                case .uint: return .uint(0)
                case .duration: return .duration(CELDuration(nanos: 0))
                default: return .int(0)
                }
            } ?? .int(0)
            for item in l { total = try CELOperators.binary("+", total, item) }
            return total
        case ("min", 1), ("max", 1):
            guard var best = l.first else { throw CELError.eval("\(name) called on empty list") }
            for item in l.dropFirst() {
                let c = try CELValue.compare(item, best)
                if (name == "min" && c < 0) || (name == "max" && c > 0) { best = item }
            }
            return best
        case ("indexOf", 2): return .int(Int64(l.firstIndex { CELValue.celEqual($0, args[1]) } ?? -1))
        case ("lastIndexOf", 2): return .int(Int64(l.lastIndex { CELValue.celEqual($0, args[1]) } ?? -1))
        case ("slice", 3):
            guard case .int(let start) = args[1], case .int(let end) = args[2] else { return nil }
            guard start >= 0, end >= 0 else { throw CELError.eval("cannot slice(\(start), \(end)), negative indexes not supported") }
            guard start <= end else { throw CELError.eval("cannot slice(\(start), \(end)), start index must be less than or equal to end index") }
            guard end <= l.count else { throw CELError.eval("cannot slice(\(start), \(end)), list is length \(l.count)") }
            return .list(Array(l[Int(start)..<Int(end)]))
        case ("flatten", 1), ("flatten", 2):
            var depth: Int64 = 1
            if args.count == 2 {
                guard case .int(let d) = args[1] else { return nil }
                guard d >= 0 else { throw CELError.eval("level must be non-negative") }
                depth = d
            }
            return .list(flatten(l, depth))
        case ("distinct", 1):
            var out: [CELValue] = []
            for v in l where !out.contains(where: { CELValue.celEqual($0, v) }) { out.append(v) }
            return .list(out)
        case ("reverse", 1): return .list(l.reversed())
        case ("sort", 1):
            var failure: CELError?
            let sorted = l.sorted { a, b in
                do throws(CELError) { return try CELValue.compare(a, b) < 0 } catch {
                    failure = error
                    return false
                }
            }
            if let failure { throw failure }
            return .list(sorted)
        case ("first", 1): return .optional(l.first)
        case ("last", 1): return .optional(l.last)
        default: return nil
        }
    }

    private static func flatten(_ l: [CELValue], _ depth: Int64) -> [CELValue] {
        var out: [CELValue] = []
        for v in l {
            if depth > 0, case .list(let inner) = v { out += flatten(inner, depth - 1) } else { out.append(v) }
        }
        return out
    }
}
