import Foundation

/// Per-node costs of the static estimate, after cel-go's `checker.coster` and the Kubernetes
/// library's `CostEstimator`: identifiers, selections, indexing and O(1) calls 1, constants 0;
/// `&&`/`||` and `?:` only their operands; equality and ordering of strings and lists
/// ceil(0.1 × the smaller size); `+` of strings and lists ceil(0.1 × the sum); `in` a list its
/// size; `matches`/`find`/`findAll` ceil(0.1 × (length + 1)) × ceil(0.25 × pattern length);
/// `contains` the product of both traversals; string parsing and transforming functions
/// ceil(0.1 × length); list functions the list's size; comprehensions the range size times
/// (the macro's loop overhead + the body); list and map literals 10 and 30.
extension CELCostEstimator {
    static func traversal(_ size: Double) -> Double { (size * 0.1).rounded(.up) }

    static func cost(_ e: CELExpr, _ scope: inout [String: Shape]) -> (Double, Shape) {
        switch e {
        case .at(_, let inner): return cost(inner, &scope)
        case .literal(let v):
            switch v {
            case .string(let s): return (0, .string(Double(s.utf8.count)))
            case .bytes(let b): return (0, .string(Double(b.count)))
            default: return (0, .scalar)
            }
        case .ident(let name): return (1, scope[name] ?? .scalar)
        case .select(let base, let field), .optSelect(let base, let field):
            let (c, s) = cost(base, &scope)
            return (c + 1, member(s, field))
        case .has(let base, _): return (cost(base, &scope).0 + 1, .scalar)
        case .index(let base, let i), .optIndex(let base, let i):
            let (c, s) = cost(base, &scope)
            let ci = cost(i, &scope).0
            if case .schema(let node) = s, node["type"]?.stringValue == "object", let a = node["additionalProperties"], a.objectValue != nil {
                return (c + ci + 1, .schema(a))
            }
            return (c + ci + 1, element(s))
        case .list(let items):
            var c = 10.0
            var elem = Shape.scalar
            for item in items {
                let (ic, s) = cost(item, &scope)
                c += ic
                elem = s
            }
            return (c, .list(elem, Double(items.count)))
        case .map(let entries):
            return (entries.reduce(30) { $0 + cost($1.0, &scope).0 + cost($1.1, &scope).0 }, .scalar)
        case .optionalEntry(let inner): return cost(inner, &scope)
        case .unary(_, let x): return (cost(x, &scope).0 + 1, .scalar)
        case .and(let a, let b), .or(let a, let b): return (cost(a, &scope).0 + cost(b, &scope).0, .scalar)
        case .conditional(let c, let a, let b):
            let (ca, sa) = cost(a, &scope)
            let (cb, sb) = cost(b, &scope)
            return (cost(c, &scope).0 + max(ca, cb), size(sa) >= size(sb) ? sa : sb)
        case .binary(let op, let a, let b):
            let (ca, sa) = cost(a, &scope)
            let (cb, sb) = cost(b, &scope)
            return (ca + cb + operatorCost(op, sa, sb), op == "+" && (isString(sa) || isList(sa)) ? concatenated(sa, sb) : .scalar)
        case .call(let target, let name, let args):
            var c = 0.0
            var shapes: [Shape] = []
            for arg in (target.map { [$0] } ?? []) + args {
                let (ac, s) = cost(arg, &scope)
                c += ac
                shapes.append(s)
            }
            return (c + callCost(name, shapes), resultShape(name, shapes))
        case .bind(let variable, let value, let body):
            let (vc, vs) = cost(value, &scope)
            let saved = scope[variable]
            scope[variable] = vs
            defer { scope[variable] = saved }
            let (bc, bs) = cost(body, &scope)
            return (vc + bc, bs)
        case .comprehension(let macro, let range, let variable, let variable2, let filter, let body):
            let (rc, rs) = cost(range, &scope)
            let n = size(rs)
            let saved = (scope[variable], variable2.flatMap { scope[$0] })
            if let variable2 {
                scope[variable] = .scalar
                scope[variable2] = element(rs)
            } else {
                scope[variable] = macro == .optMap || macro == .optFlatMap ? rs : element(rs)
            }
            let (bc, bs) = cost(body, &scope)
            let fc = filter.map { cost($0, &scope).0 } ?? 0
            scope[variable] = saved.0
            if let variable2 { scope[variable2] = saved.1 }
            // cel-go's expansion: accumulator init + result + per iteration (loop condition + step).
            let (fixed, perIteration): (Double, Double)
            switch macro {
            case .all: (fixed, perIteration) = (1, 3)
            case .exists: (fixed, perIteration) = (1, 4)
            case .existsOne, .existsOneCamel: (fixed, perIteration) = (2, 2)
            case .filter: (fixed, perIteration) = (11, 13)
            case .map, .transformList: (fixed, perIteration) = (11, 12)
            case .transformMap: (fixed, perIteration) = (31, 12)
            case .optMap, .optFlatMap: return (rc + 2 + bc, bs)
            }
            let shape: Shape
            switch macro {
            case .filter: shape = rs
            case .map, .transformList: shape = .list(bs, n)
            default: shape = .scalar
            }
            return (rc + fixed + n * (perIteration + bc + fc), shape)
        }
    }

    private static func isList(_ shape: Shape) -> Bool {
        switch shape {
        case .list: return true
        case .schema(let s): return s["type"]?.stringValue == "array"
        default: return false
        }
    }

    private static func concatenated(_ a: Shape, _ b: Shape) -> Shape {
        isString(a) ? .string(size(a) + size(b)) : .list(element(a), size(a) + size(b))
    }

    static func operatorCost(_ op: String, _ a: Shape, _ b: Shape) -> Double {
        switch op {
        case "==", "!=", "<", "<=", ">", ">=":
            let smallest = min(size(a), size(b))
            return isString(a) || isList(a) || isString(b) || isList(b) ? max(1, traversal(smallest)) : 1
        case "+": return isString(a) || isList(a) ? traversal(size(a) + size(b)) : 1
        case "in": return isList(b) ? max(1, size(b)) : 1
        default: return 1
        }
    }

    /// The cost of a call itself (its arguments are counted separately).
    static func callCost(_ name: String, _ shapes: [Shape]) -> Double {
        let sizes = shapes.map(size)
        let first = sizes.first ?? 0
        let second = sizes.count > 1 ? sizes[1] : 0
        switch name {
        case "matches", "find", "findAll":
            return traversal(first + 1) * max(1, (second * 0.25).rounded(.up))
        case "contains":
            return max(1, traversal(first) * max(1, traversal(second)))
        case "startsWith", "endsWith":
            return max(1, traversal(second))
        case "url", "isURL", "quantity", "isQuantity", "ip", "cidr", "isIP", "isCIDR", "ip.isCanonical", "strings.quote", "format",
             "lowerAscii", "upperAscii", "substring", "trim", "charAt", "reverse", "isSemver", "semver":
            return max(1, traversal(first))
        case "replace", "split":
            return max(1, traversal(first) * 2)
        case "indexOf", "lastIndexOf":
            if case .some(let s) = shapes.first, isString(s) { return max(1, traversal(first) * max(1, traversal(second))) }
            return max(1, first)
        case "join":
            return max(1, traversal(second * max(0, first - 1)))
        case "validate":
            return max(1, traversal(second))
        case "isSorted", "sum", "min", "max", "distinct", "flatten", "slice", "sort":
            return max(1, first)
        case "sets.contains", "sets.equivalent", "sets.intersects":
            return max(1, first * second)
        default:
            return 1
        }
    }

    private static func resultShape(_ name: String, _ shapes: [Shape]) -> Shape {
        let first = shapes.first.map(size) ?? 1
        switch name {
        case "split", "findAll": return .list(.string(first), first)
        case "substring", "replace", "lowerAscii", "upperAscii", "trim", "reverse", "join", "format", "find", "strings.quote", "string":
            if name == "reverse", let s = shapes.first, isList(s) { return s }
            return .string(first)
        case "dyn", "orValue", "value", "slice", "distinct", "sort": return shapes.first ?? .scalar
        default: return .scalar
        }
    }
}
