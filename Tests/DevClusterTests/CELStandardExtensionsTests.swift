import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("CEL: durations, timestamps, optionals, sets, lists, two-variable comprehensions, escaped names")
struct CELStandardExtensionsTests {
    private func eval(_ rule: String, _ selfJSON: String = "{}", old: String? = nil) throws -> CELValue {
        var vars: [String: CELValue] = ["self": CELValue(json: try JSONValue.parse(selfJSON))]
        if let old { vars["oldSelf"] = CELValue(json: try JSONValue.parse(old)) }
        return try CELEvaluator(variables: vars).eval(try CELParser.parse(rule))
    }

    private func check(_ rule: String, _ selfJSON: String = "{}", sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            #expect(try eval(rule, selfJSON) == .bool(true), "\(rule)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(rule): \((error as? CELError)?.message ?? "\(error)")", sourceLocation: sourceLocation)
        }
    }

    private func failure(_ rule: String) -> String? {
        do {
            _ = try eval(rule)
            return nil
        } catch {
            return (error as? CELError)?.message ?? "\(error)"
        }
    }

    @Test("duration(): Go ParseDuration units, comparison, arithmetic, accessors, string() and int()")
    func durations() throws {
        check("duration('1h30m') == duration('90m') && duration('1.5s') == duration('1500ms') && duration('1us') == duration('1000ns') && duration('0') == duration('0s')")
        check("duration('10s') > duration('5s') && duration('-1s') < duration('0s') && duration('300ms') <= duration('0.3s')")
        check("duration('1h') + duration('30m') == duration('90m') && duration('1h') - duration('2h') == duration('-1h') && -duration('1s') == duration('-1s')")
        check("duration('1h30m').getHours() == 1 && duration('1h30m').getMinutes() == 90 && duration('1h30m').getSeconds() == 5400 && duration('1.5s').getMilliseconds() == 1500")
        check("string(duration('1h30m')) == '5400s' && string(duration('1.5s')) == '1.5s' && string(duration('1ms')) == '0.001s' && int(duration('1s')) == 1000000000")
        #expect(failure("duration('10') == duration('10s')") == "time: missing unit in duration \"10\"")
        #expect(failure("duration('5y') == duration('5s')") == "time: unknown unit \"y\" in duration \"5y\"")
        #expect(failure("duration('abc') == duration('5s')") == "time: invalid duration \"abc\"")
    }

    @Test("the HTTPRoute timeouts rule: backendRequest longer than request is refused, 0s request means no limit")
    func httpRouteTimeouts() throws {
        let rule = "!(has(self.request) && has(self.backendRequest) && duration(self.request) != duration('0s') && duration(self.backendRequest) > duration(self.request))"
        #expect(try eval(rule, #"{"request":"10s","backendRequest":"5s"}"#) == .bool(true))
        #expect(try eval(rule, #"{"request":"10s","backendRequest":"1m"}"#) == .bool(false))
        #expect(try eval(rule, #"{"request":"0s","backendRequest":"1h"}"#) == .bool(true))
        #expect(try eval(rule, #"{"backendRequest":"1h"}"#) == .bool(true))
    }

    @Test("timestamp(): RFC 3339 parse, comparison, arithmetic with durations, calendar accessors in UTC and a zone")
    func timestamps() throws {
        check("timestamp('2024-03-01T10:20:30Z') > timestamp('2024-02-29T23:59:59Z') && timestamp('2024-03-01T12:00:00+02:00') == timestamp('2024-03-01T10:00:00Z')")
        check("timestamp('2024-03-01T00:00:00Z') - timestamp('2024-02-28T00:00:00Z') == duration('48h')")
        check("timestamp('2024-12-31T23:00:00Z') + duration('2h') == timestamp('2025-01-01T01:00:00Z') && timestamp('2024-01-01T00:00:00Z') - duration('1s') == timestamp('2023-12-31T23:59:59Z')")
        let t = "timestamp('2024-03-01T10:20:30.250Z')"
        check("\(t).getFullYear() == 2024 && \(t).getMonth() == 2 && \(t).getDate() == 1 && \(t).getDayOfMonth() == 0")
        check("\(t).getDayOfWeek() == 5 && \(t).getDayOfYear() == 60 && \(t).getHours() == 10 && \(t).getMinutes() == 20 && \(t).getSeconds() == 30 && \(t).getMilliseconds() == 250")
        check("\(t).getHours('+05:30') == 15 && \(t).getDate('-11:00') == 29 && \(t).getHours('America/New_York') == 5")
        check("string(timestamp('2024-03-01T10:20:30.250Z')) == '2024-03-01T10:20:30.25Z' && int(timestamp('1970-01-02T00:00:00Z')) == 86400 && timestamp(86400) == timestamp('1970-01-02T00:00:00Z')")
        #expect(failure("timestamp('2024-13-01T00:00:00Z') == timestamp(0)")?.contains("cannot parse") == true)
        #expect(failure("timestamp('9999-12-31T23:59:59Z') + duration('1s') == timestamp(0)") == "timestamp out of range")
    }

    @Test("optional types: optional.of/none/ofNonZeroValue, .?field, [?key], orValue, value, hasValue, or, optMap, optional list and map entries")
    func optionals() throws {
        check("self.?a.?b.orValue('none') == 'x'", #"{"a":{"b":"x"}}"#)
        check("self.?a.?b.orValue('none') == 'none' && !self.?a.hasValue() && self.?a.b.orValue(1) == 1", #"{}"#)
        check("self.m[?'k'].value() == 1 && !self.m[?'z'].hasValue() && self.l[?5].orValue(0) == 0 && self.l[?0] == optional.of(7)", #"{"m":{"k":1},"l":[7]}"#)
        check("optional.of(1).hasValue() && !optional.none().hasValue() && !optional.ofNonZeroValue('').hasValue() && optional.ofNonZeroValue(3).value() == 3")
        check("optional.none().or(optional.of(2)).value() == 2 && optional.of(1).or(optional.of(2)).value() == 1")
        check("optional.of(2).optMap(x, x * 10).value() == 20 && !optional.none().optMap(x, x * 10).hasValue()")
        check("[1, ?optional.none(), ?optional.of(3)] == [1, 3] && {'a': 1, ?'b': optional.none(), ?'c': optional.of(2)} == {'a': 1, 'c': 2}")
        #expect(failure("optional.none().value() == 1") == "optional.none() dereference")
    }

    @Test("optionalOldSelf rules run on create with oldSelf = optional.none() (ratcheting)")
    func optionalOldSelf() throws {
        let schema: JSONValue = ["type": "object", "properties": ["mode": ["type": "string", "x-kubernetes-validations": [
            ["rule": "oldSelf.hasValue() ? self == oldSelf.value() : self != 'Locked'", "optionalOldSelf": true, "message": "mode is immutable; new objects may not start Locked"],
        ]]]]
        #expect(CELValidation.validate(new: ["mode": "Open"], old: nil, schema: schema).isEmpty)
        #expect(CELValidation.validate(new: ["mode": "Locked"], old: nil, schema: schema).count == 1)
        #expect(CELValidation.validate(new: ["mode": "Open"], old: ["mode": "Open"], schema: schema).isEmpty)
        #expect(CELValidation.validate(new: ["mode": "Closed"], old: ["mode": "Open"], schema: schema).first?.message == #"Invalid value: "string": mode is immutable; new objects may not start Locked"#)
    }

    @Test("sets extension: contains, equivalent, intersects")
    func sets() throws {
        check("sets.contains([1, 2, 3], [3, 1]) && !sets.contains([1], [1, 2]) && sets.contains([1], [])")
        check("sets.equivalent([1, 2, 2], [2, 1]) && !sets.equivalent([1], [1, 2]) && sets.equivalent([1, 2.0], [2u, 1])")
        check("sets.intersects(['a', 'b'], ['c', 'b']) && !sets.intersects(['a'], ['b']) && !sets.intersects([], [])")
    }

    @Test("lists library and lists extension: isSorted, sum, min, max, indexOf, lastIndexOf, slice, flatten, distinct, reverse, sort, first, last, lists.range")
    func lists() throws {
        check("[1, 2, 2, 5].isSorted() && !['b', 'a'].isSorted() && [1, 2, 3].sum() == 6 && [1.5, 2.5].sum() == 4.0 && [].sum() == 0")
        check("[3, 1, 2].min() == 1 && ['a', 'c', 'b'].max() == 'c' && [duration('1s'), duration('2s')].sum() == duration('3s')")
        check("[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2 && [1].indexOf(9) == -1")
        check("[1, 2, 3, 4].slice(1, 3) == [2, 3] && [[1], [2, [3]]].flatten() == [1, 2, [3]] && [[1], [2, [3]]].flatten(2) == [1, 2, 3]")
        check("[1, 2, 1, 3].distinct() == [1, 2, 3] && [1, 2].reverse() == [2, 1] && [3, 1, 2].sort() == [1, 2, 3] && lists.range(3) == [0, 1, 2]")
        check("[4, 5].first().value() == 4 && [4, 5].last().value() == 5 && ![].first().hasValue()")
        #expect(failure("[].min() == 0") == "min called on empty list")
        #expect(failure("[1, 2].slice(1, 5) == []") == "cannot slice(1, 5), list is length 2")
    }

    @Test("two-variable comprehensions: all/exists/existsOne over index and value or key and value, transformList, transformMap")
    func twoVariable() throws {
        check("[10, 20].all(i, v, v == (i + 1) * 10) && {'a': 1, 'b': 2}.exists(k, v, k == 'b' && v == 2) && [1, 1].existsOne(i, v, i == 0 && v == 1)")
        check("[1, 2, 3].transformList(i, v, v * i) == [0, 2, 6] && [1, 2, 3].transformList(i, v, i > 0, v) == [2, 3]")
        check("{'a': 1, 'b': 2}.transformMap(k, v, v + 1) == {'a': 2, 'b': 3}")
        check("self.labels.all(k, v, k.startsWith('app') && v != '')", #"{"labels":{"app":"x","app.kubernetes.io/name":"y"}}"#)
    }

    @Test("escaped property names: __namespace__, __dash__, __dot__, __slash__, __underscores__ reach the JSON fields")
    func escaping() throws {
        check("self.__namespace__ == 'ns' && has(self.__namespace__) && self.a__dash__b == 1 && self.x__dot__y == 2 && self.p__slash__q == 3 && self.u__underscores__v == 4",
              #"{"namespace":"ns","a-b":1,"x.y":2,"p/q":3,"u__v":4}"#)
        check("type(1) == int && type('a') == string && type([]) == list && dyn(1) == 1 && type(duration('1s')) != type(1)")
    }
}
