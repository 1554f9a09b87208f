import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("CEL: Kubernetes IP and strings library functions")
struct CELKubernetesLibraryTests {
    private func eval(_ rule: String, _ selfJSON: String = "{}") throws -> CELValue {
        try CELEvaluator(variables: ["self": CELValue(json: try JSONValue.parse(selfJSON))]).eval(try CELParser.parse(rule))
    }

    @Test("isIP and isCIDR accept what Go's netip accepts: no leading zeros, no IPv6 zones, prefix within the family")
    func ipLibrary() throws {
        for ip in ["10.0.0.1", "255.255.255.255", "::1", "2001:db8::68", "0.0.0.0"] {
            #expect(try eval("isIP(self.v)", #"{"v":"\#(ip)"}"#) == .bool(true), "\(ip)")
        }
        for bad in ["010.0.0.1", "256.0.0.1", "1.2.3", "fe80::1%eth0", "example.com", "", "1.2.3.4 "] {
            #expect(try eval("isIP(self.v)", #"{"v":"\#(bad)"}"#) == .bool(false), "\(bad)")
        }
        #expect(try eval("isCIDR('10.0.0.0/8') && isCIDR('2001:db8::/32') && !isCIDR('10.0.0.0/33') && !isCIDR('10.0.0.0') && !isCIDR('::/129')") == .bool(true))
        // The TLSRoute rule shape: hostnames must not be IPs.
        #expect(try eval("self.hostnames.all(h, !isIP(h))", #"{"hostnames":["a.example.com","b.example.com"]}"#) == .bool(true))
        #expect(try eval("self.hostnames.all(h, !isIP(h))", #"{"hostnames":["a.example.com","192.168.0.1"]}"#) == .bool(false))
    }

    @Test("replace, substring and charAt count code points and reject out-of-range indexes")
    func stringsLibrary() throws {
        #expect(try eval("'a-b-c'.replace('-', '_') == 'a_b_c' && 'héllo'.substring(1, 3) == 'él' && 'héllo'.substring(3) == 'lo'") == .bool(true))
        #expect(try eval("'abc'.charAt(1) == 'b' && 'abc'.charAt(3) == ''") == .bool(true))
        #expect(throws: CELError.self) { try eval("'abc'.substring(2, 5) == ''") }
        #expect(throws: CELError.self) { try eval("'abc'.charAt(-1) == ''") }
    }

    @Test("a CRD whose rule uses isIP() installs and its objects are validated with it")
    func crdRuleWithIsIP() throws {
        let schema: JSONValue = ["type": "object", "properties": ["hostnames": ["type": "array", "items": ["type": "string"], "maxItems": 16,
                                                                                  "x-kubernetes-validations": [["rule": "self.all(h, !isIP(h))", "message": "hostnames must not be IP addresses"]]]]]
        #expect(CELValidation.checkRules(in: schema, fieldPath: "spec.versions[0].schema.openAPIV3Schema").isEmpty)
        #expect(CELValidation.validate(new: ["hostnames": ["a.example.com"]], old: nil, schema: schema).isEmpty)
        let causes = CELValidation.validate(new: ["hostnames": ["10.1.2.3"]], old: nil, schema: schema)
        #expect(causes.first?.message?.contains("hostnames must not be IP addresses") == true, "\(causes)")
    }
}
