import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("CEL semver library and cel.bind")
struct CELSemverAndBindTests {
    private func eval(_ rule: String, _ selfJSON: String = "{}") throws -> CELValue {
        try CELEvaluator(variables: ["self": CELValue(json: try JSONValue.parse(selfJSON))]).eval(try CELParser.parse(rule))
    }

    @Test("isSemver follows SemVer 2.0 strictly; with normalize a leading v, short versions and leading zeros are accepted")
    func isSemver() throws {
        for good in ["1.2.3", "0.0.0", "1.2.3-alpha.1", "1.2.3-0.3.7+build.5", "10.20.30+meta-data"] {
            #expect(try eval("isSemver('\(good)')") == .bool(true), "\(good)")
        }
        for bad in ["v1.2.3", "1.2", "01.2.3", "1.2.3-01", "1.2.3-", "1.2.3+", "1.2.x", ""] {
            #expect(try eval("isSemver('\(bad)')") == .bool(false), "\(bad)")
        }
        #expect(try eval("isSemver('v1.2', true) && isSemver('01.02.03', true) && !isSemver('1.2-rc', true)") == .bool(true))
        #expect(try eval("semver('v1.02', true) == semver('1.2.0')") == .bool(true))
    }

    @Test("versions compare by precedence: numbers, then a release above its pre-releases, identifiers numerically then lexically")
    func precedence() throws {
        #expect(try eval("semver('1.2.3').major() == 1 && semver('1.2.3').minor() == 2 && semver('1.2.3').patch() == 3") == .bool(true))
        #expect(try eval("semver('1.10.0').isGreaterThan(semver('1.9.9')) && semver('1.0.0-alpha').isLessThan(semver('1.0.0'))") == .bool(true))
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"]
        for (a, b) in zip(ordered, ordered.dropFirst()) {
            #expect(try eval("semver('\(a)').compareTo(semver('\(b)')) == -1 && semver('\(b)').compareTo(semver('\(a)')) == 1") == .bool(true), "\(a) < \(b)")
        }
        #expect(try eval("semver('1.0.0+a').compareTo(semver('1.0.0+b'))") == .int(0))
        #expect(throws: CELError.eval("No Major.Minor.Patch elements found")) { try eval("semver('1.2') == semver('1.2.0')") }
    }

    @Test("semver rules type-check at CRD time and run on objects")
    func semverRule() {
        let schema: JSONValue = ["type": "object", "properties": ["version": ["type": "string", "maxLength": 64]],
                                 "x-kubernetes-validations": [["rule": "isSemver(self.version) && semver(self.version).isGreaterThan(semver('1.0.0'))", "message": "version must be a semver above 1.0.0"]]]
        #expect(CELValidation.checkRules(in: schema, fieldPath: "spec.versions[0].schema.openAPIV3Schema").isEmpty)
        #expect(CELValidation.validate(new: ["version": "1.4.0"], old: nil, schema: schema).isEmpty)
        #expect(CELValidation.validate(new: ["version": "0.9.0"], old: nil, schema: schema).map(\.message) == [#"Invalid value: "object": version must be a semver above 1.0.0"#])
        let wrong: JSONValue = ["type": "object", "properties": ["version": ["type": "string"]],
                                "x-kubernetes-validations": [["rule": "semver(self.version).major() == '1'"]]]
        #expect(CELValidation.checkRules(in: wrong, fieldPath: "x").first?.message?.contains("found no matching overload for '_==_' applied to '(int, string)'") == true)
    }

    @Test("cel.bind binds a value once for the body; the name shadows and is scoped to the body")
    func bind() throws {
        #expect(try eval("cel.bind(x, self.items.size(), x > 1 && x < 5)", #"{"items":[1,2,3]}"#) == .bool(true))
        #expect(try eval("cel.bind(a, 1, cel.bind(a, a + 1, a)) == 2") == .bool(true))
        #expect(try eval("cel.bind(names, self.items.map(i, i * 10), self.items.all(i, i * 10 in names))", #"{"items":[1,2]}"#) == .bool(true))
        #expect(throws: CELError.self) { try CELParser.parse("cel.bind(x, 1, x) + x") }
    }
}

@Suite("CEL bytes")
struct CELBytesTests {
    private func eval(_ rule: String) throws -> CELValue {
        try CELEvaluator(variables: [:]).eval(try CELParser.parse(rule, variables: []))
    }

    @Test("bytes literals, size, concatenation, comparison and the string/bytes conversions")
    func bytesValues() throws {
        #expect(try eval("b'abc'") == .bytes([97, 98, 99]))
        #expect(try eval("size(b'héllo') == 6 && size('héllo') == 5") == .bool(true))
        #expect(try eval("b'ab' + b'c' == b'abc' && b'abc' < b'abd' && bytes('hi') == b'hi' && string(b'hi') == 'hi'") == .bool(true))
        #expect(try eval("type(b'x') == bytes && b'' == bytes('')") == .bool(true))
    }

    @Test("format: byte fields are base64-decoded bytes in rules, and the checker types them as bytes")
    func byteFields() {
        let schema: JSONValue = ["type": "object", "properties": ["ca": ["type": "string", "format": "byte", "maxLength": 4096]],
                                 "x-kubernetes-validations": [["rule": "size(self.ca) <= 3 && self.ca == b'abc'", "message": "ca must be abc"]]]
        #expect(CELValidation.checkRules(in: schema, fieldPath: "x").isEmpty)
        #expect(CELValidation.validate(new: ["ca": "YWJj"], old: nil, schema: schema).isEmpty)  // base64 of "abc"
        #expect(CELValidation.validate(new: ["ca": "YWJk"], old: nil, schema: schema).map(\.message) == [#"Invalid value: "object": ca must be abc"#])
        let wrong: JSONValue = ["type": "object", "properties": ["ca": ["type": "string", "format": "byte"]],
                                "x-kubernetes-validations": [["rule": "self.ca.startsWith('a')"]]]
        #expect(CELValidation.checkRules(in: wrong, fieldPath: "x").first?.message?.contains("found no matching overload for 'startsWith' applied to 'bytes.(string)'") == true)
    }
}
