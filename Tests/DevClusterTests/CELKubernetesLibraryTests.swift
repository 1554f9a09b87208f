import Foundation
import KubeCore
import Testing

@testable import DevCluster

@Suite("CEL: Kubernetes IP, CIDR, URL, quantity, format and strings libraries")
struct CELKubernetesLibraryTests {
    private func eval(_ rule: String, _ selfJSON: String = "{}") throws -> CELValue {
        try CELEvaluator(variables: ["self": CELValue(json: try JSONValue.parse(selfJSON))]).eval(try CELParser.parse(rule))
    }

    private func check(_ rule: String, _ selfJSON: String = "{}", sourceLocation: SourceLocation = #_sourceLocation) {
        #expect((try? eval(rule, selfJSON)) == .bool(true), "\(rule)", sourceLocation: sourceLocation)
    }

    private func failure(_ rule: String) -> String? {
        do {
            _ = try eval(rule)
            return nil
        } catch {
            return (error as? CELError)?.message ?? "\(error)"
        }
    }

    @Test("isIP and isCIDR accept what Go's netip accepts: no leading zeros, no IPv6 zones, no IPv4-mapped IPv6, prefix within the family")
    func ipPredicates() throws {
        for ip in ["10.0.0.1", "255.255.255.255", "::1", "2001:db8::68", "0.0.0.0"] {
            #expect(try eval("isIP(self.v)", #"{"v":"\#(ip)"}"#) == .bool(true), "\(ip)")
        }
        for bad in ["010.0.0.1", "256.0.0.1", "1.2.3", "fe80::1%eth0", "example.com", "", "1.2.3.4 ", "::ffff:1.2.3.4"] {
            #expect(try eval("isIP(self.v)", #"{"v":"\#(bad)"}"#) == .bool(false), "\(bad)")
        }
        check("isCIDR('10.0.0.0/8') && isCIDR('2001:db8::/32') && !isCIDR('10.0.0.0/33') && !isCIDR('10.0.0.0') && !isCIDR('::/129') && !isCIDR('10.0.0.0/08')")
        // The TLSRoute rule shape: hostnames must not be IPs.
        #expect(try eval("self.hostnames.all(h, !isIP(h))", #"{"hostnames":["a.example.com","b.example.com"]}"#) == .bool(true))
        #expect(try eval("self.hostnames.all(h, !isIP(h))", #"{"hostnames":["a.example.com","192.168.0.1"]}"#) == .bool(false))
    }

    @Test("ip() values: family, classification members, canonical form and string(), with the library's parse errors")
    func ipType() throws {
        check("ip('10.1.2.3').family() == 4 && ip('::1').family() == 6")
        check("ip('127.0.0.1').isLoopback() && ip('::1').isLoopback() && !ip('10.0.0.1').isLoopback()")
        check("ip('0.0.0.0').isUnspecified() && ip('::').isUnspecified()")
        check("ip('169.254.1.1').isLinkLocalUnicast() && ip('fe80::1').isLinkLocalUnicast()")
        check("ip('224.0.0.1').isLinkLocalMulticast() && ip('ff02::1').isLinkLocalMulticast()")
        check("ip('8.8.8.8').isGlobalUnicast() && !ip('255.255.255.255').isGlobalUnicast() && !ip('224.0.0.1').isGlobalUnicast()")
        check("string(ip('2001:DB8:0:0:0:0:0:1')) == '2001:db8::1' && ip('10.0.0.1') == ip('10.0.0.1')")
        check("ip.isCanonical('2001:db8::1') && !ip.isCanonical('2001:DB8::1') && !ip.isCanonical('2001:db8:0::1')")
        #expect(failure("ip('1.2.3') == ip('1.2.3.4')")?.hasPrefix("IP Address \"1.2.3\" parse error during conversion from string") == true)
        #expect(failure("ip('fe80::1%eth0').family() == 6") == "IP address \"fe80::1%eth0\" with zone value is not allowed")
        #expect(failure("ip('::ffff:1.2.3.4').family() == 6") == "IPv4-mapped IPv6 address \"::ffff:1.2.3.4\" is not allowed")
    }

    @Test("cidr() values: containsIP/containsCIDR with strings or values, ip(), masked(), prefixLength()")
    func cidrType() throws {
        check("cidr('10.0.0.0/8').containsIP('10.1.2.3') && !cidr('10.0.0.0/8').containsIP(ip('11.0.0.1'))")
        check("cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && !cidr('10.1.0.0/16').containsCIDR(cidr('10.0.0.0/8'))")
        check("!cidr('10.0.0.0/8').containsIP('::1') && cidr('2001:db8::/32').containsIP('2001:db8::5')")
        check("cidr('192.168.1.5/24').ip() == ip('192.168.1.5') && cidr('192.168.1.5/24').masked() == cidr('192.168.1.0/24')")
        check("cidr('192.168.1.5/24').prefixLength() == 24 && string(cidr('192.168.1.5/24').masked()) == '192.168.1.0/24'")
        #expect(failure("cidr('10.0.0.0/33').prefixLength() == 1")?.hasPrefix("network address parse error during conversion from string") == true)
    }

    @Test("url(): getScheme/getHost/getHostname/getPort/getEscapedPath/getQuery as Go's net/url splits them; isURL like ParseRequestURI")
    func urls() throws {
        check("url('https://example.com:8443/a/b?x=1&x=2&y=%20z').getScheme() == 'https'")
        check("url('https://example.com:8443/a/b').getHost() == 'example.com:8443' && url('https://example.com:8443/a').getHostname() == 'example.com'")
        check("url('https://example.com:8443/').getPort() == '8443' && url('https://example.com/').getPort() == ''")
        check("url('https://[::1]:80/p').getHostname() == '::1' && url('https://[::1]:80/p').getHost() == '[::1]:80'")
        check("url('https://example.com/a%20b/c').getEscapedPath() == '/a%20b/c' && url('/just/a/path').getEscapedPath() == '/just/a/path'")
        check("url('https://example.com/?x=1&x=2&y=%20z').getQuery() == {'x': ['1', '2'], 'y': [' z']}")
        check("isURL('https://example.com') && isURL('/relative/path') && !isURL('example.com/x') && !isURL('') && !isURL('https://example.com:port/')")
        #expect(failure("url('not a url').getScheme() == ''")?.hasPrefix("URL parse error during conversion from string") == true)
    }

    @Test("quantity(): parse all suffixes, compare, add/sub, sign, isInteger/asInteger, asApproximateFloat; isQuantity")
    func quantities() throws {
        check("quantity('1Gi') == quantity('1073741824') && quantity('1') == quantity('1000m') && quantity('1.5k') == quantity('1500')")
        check("quantity('500m').isLessThan(quantity('1')) && quantity('2Mi').isGreaterThan(quantity('2M')) && quantity('1e3').compareTo(quantity('1k')) == 0")
        check("quantity('1Ki').add(quantity('24')) == quantity('1048') && quantity('1').sub(2) == quantity('-1') && quantity('10').add(5).asInteger() == 15")
        check("quantity('-3').sign() == -1 && quantity('0').sign() == 0 && quantity('100m').sign() == 1")
        check("quantity('2').isInteger() && !quantity('1500m').isInteger() && quantity('1500m').asApproximateFloat() == 1.5")
        check("isQuantity('128Mi') && isQuantity('+1.5E2') && !isQuantity('1 Gi') && !isQuantity('abc') && !isQuantity('1Qi')")
        #expect(failure("quantity('1500m').asInteger() == 1") == "cannot convert value to integer")
        #expect(failure("quantity('x') == quantity('1')") == CELQuantity.formatMessage)
    }

    @Test("format library: named formats validate to optional.none() or the apimachinery messages")
    func formats() throws {
        check("!format.dns1123Label().validate('my-name').hasValue() && format.dns1123Label().validate('My_Name').hasValue()")
        #expect(try eval("format.dns1123Label().validate('My_Name').value()") == .list([.string(ObjectRules.dns1123LabelMessage)]))
        #expect(failure("format.dns1123Label().validate(1).hasValue()")?.hasPrefix("no such overload") == true)
    }

    @Test("format library covers every constant format and format.named")
    func formatNames() throws {
        check("!format.dns1123Subdomain().validate('a.b-c.d').hasValue() && format.dns1123Subdomain().validate('a..b').hasValue()")
        check("!format.dns1035Label().validate('abc-1').hasValue() && format.dns1035Label().validate('1abc').hasValue()")
        check("!format.qualifiedName().validate('example.com/My.Name').hasValue() && format.qualifiedName().validate('a/b/c').hasValue()")
        check("!format.dns1123LabelPrefix().validate('my-prefix-').hasValue() && format.dns1123Label().validate('my-prefix-').hasValue()")
        check("!format.labelValue().validate('').hasValue() && format.labelValue().validate('-bad').hasValue()")
        check("!format.uri().validate('https://x.io/a').hasValue() && format.uri().validate('no scheme').hasValue()")
        check("!format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue() && format.uuid().validate('nope').value() == ['does not match the UUID format']")
        check("!format.byte().validate('aGVsbG8=').hasValue() && format.byte().validate('***').value() == ['invalid base64']")
        check("!format.date().validate('2024-02-29').hasValue() && format.date().validate('2023-02-29').value() == ['invalid date']")
        check("!format.datetime().validate('2024-01-01T10:00:00Z').hasValue() && format.datetime().validate('2024-01-01').value() == ['invalid datetime']")
        check("format.named('dns1123Label').hasValue() && !format.named('nope').hasValue() && !format.named('uri').value().validate('/x').hasValue()")
        #expect(try eval("format.dns1123Label().validate('" + String(repeating: "a", count: 64) + "').value()") == .list([.string("must be no more than 63 characters")]))
    }

    @Test("strings extension v2: charAt, indexOf/lastIndexOf with offsets, replace/split with limits, substring, quote, format, regex find/findAll")
    func stringsLibrary() throws {
        check("'a-b-c'.replace('-', '_') == 'a_b_c' && 'a-b-c'.replace('-', '_', 1) == 'a_b-c' && 'héllo'.substring(1, 3) == 'él' && 'héllo'.substring(3) == 'lo'")
        check("'abc'.charAt(1) == 'b' && 'abc'.charAt(3) == ''")
        check("'hello mellow'.indexOf('ll') == 2 && 'hello mellow'.indexOf('ll', 3) == 8 && 'hello mellow'.lastIndexOf('ll') == 8 && 'hello mellow'.lastIndexOf('ll', 7) == 2")
        check("'a,b,c'.split(',') == ['a', 'b', 'c'] && 'a,b,c'.split(',', 2) == ['a', 'b,c'] && 'a,b'.split(',', 0) == []")
        check("['a', 'b'].join() == 'ab' && ['a', 'b'].join('-') == 'a-b' && '  x \\n'.trim() == 'x' && 'AbC'.lowerAscii() == 'abc' && 'ÀbC'.upperAscii() == 'ÀBC'")
        check("strings.quote('a\"b\\n') == '\"a\\\\\"b\\\\n\"'")
        check("'%s is %d years, %.2f%% sure, %x'.format(['Bob', 42, 99.5, 255]) == 'Bob is 42 years, 99.50% sure, ff'")
        check("'abc123def456'.find('[0-9]+') == '123' && 'abc'.find('[0-9]+') == '' && 'abc123def456'.findAll('[0-9]+') == ['123', '456'] && 'a1b2c3'.findAll('[0-9]', 2) == ['1', '2']")
        #expect(failure("'abc'.substring(2, 5) == ''") == "index out of range: 5")
        #expect(failure("'abc'.charAt(-1) == ''") == "index out of range: -1")
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
