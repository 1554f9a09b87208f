import Foundation

/// Runtime cost accounting for one expression, as the apiserver limits it: every rule is run
/// with a per-call limit (`PerCallLimit`, 1,000,000 units); past it the evaluation is cancelled.
final class CELCostMeter {
    /// k8s.io/apiserver/pkg/apis/cel `PerCallLimit`.
    static let perCallLimit: Int64 = 1_000_000

    private(set) var spent: Int64 = 0
    let limit: Int64

    init(limit: Int64 = CELCostMeter.perCallLimit) {
        self.limit = limit
    }

    func charge(_ units: Int64) throws(CELError) {
        spent &+= units
        if spent > limit { throw CELError.cancelled("operation cancelled: actual cost limit exceeded") }
    }
}

/// The cost model shared by the runtime meter and the static estimator. It follows cel-go's
/// cost tracker in shape, not to the unit: identifiers, selections, indexing and operators cost
/// 1; string traversals cost 1 + ceil(0.1 × length); `matches`/`find`/`findAll` cost
/// ceil(0.1 × length) × ceil(0.25 × regex length); list functions cost their size (sets: the
/// product of the two sizes); each comprehension iteration costs 1 plus its body; list and map
/// literals 10 and 30.
enum CELCost {
    static let stringTraversal = 0.1
    static let regexLength = 0.25

    static func size(_ v: CELValue) -> Double {
        switch v {
        case .string(let s): return Double(s.utf8.count)
        case .bytes(let b): return Double(b.count)
        case .list(let l): return Double(l.count)
        case .map(let m): return Double(m.count)
        default: return 1
        }
    }

    static func traversal(_ length: Double) -> Double { 1 + (length * stringTraversal).rounded(.up) }

    static func operatorCost(_ op: String, _ a: CELValue, _ b: CELValue) -> Int64 {
        Int64(operatorCost(op, size(a), size(b), isString: a.stringValue != nil))
    }

    static func operatorCost(_ op: String, _ sa: Double, _ sb: Double, isString: Bool) -> Double {
        switch op {
        case "==", "!=", "<", "<=", ">", ">=": return isString ? traversal(min(sa, sb)) : 1 + (min(sa, sb) > 1 ? min(sa, sb) : 0)
        case "+": return isString ? traversal(sa + sb) : 1
        case "in": return 1 + sb
        default: return 1
        }
    }

    static func callCost(_ name: String, _ args: [CELValue]) -> Int64 {
        Int64(callCost(name, args.map(size), regexLength: args.count > 1 ? size(args[1]) : 0))
    }

    /// Cost of one call given its argument sizes (receiver first).
    static func callCost(_ name: String, _ sizes: [Double], regexLength length: Double) -> Double {
        let first = sizes.first ?? 0
        switch name {
        case "matches", "find", "findAll":
            return 1 + (first * stringTraversal).rounded(.up) * max(1, (length * regexLength).rounded(.up))
        case "contains", "startsWith", "endsWith", "indexOf", "lastIndexOf", "lowerAscii", "upperAscii", "trim", "replace",
             "split", "substring", "charAt", "join", "format", "reverse", "url", "isURL", "quantity", "isQuantity", "ip", "cidr",
             "isIP", "isCIDR", "ip.isCanonical", "validate", "strings.quote":
            return traversal(sizes.max() ?? 0)
        case "isSorted", "sum", "min", "max", "distinct", "flatten", "slice", "sort":
            return 1 + first
        case "sets.contains", "sets.equivalent", "sets.intersects":
            return 1 + first * (sizes.count > 1 ? sizes[1] : 1)
        default:
            return 1
        }
    }
}
