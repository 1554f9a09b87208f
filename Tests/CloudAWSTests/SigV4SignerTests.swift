import Foundation
import Testing
@testable import CloudAWS

/// The AWS SigV4 test suite (aws-sig-v4-test-suite: credentials AKIDEXAMPLE, us-east-1, service
/// "service", 20150830T123600Z) and the S3 documentation's examples.
@Suite struct SigV4SignerTests {
    static let suiteCredentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    struct Vector: CustomTestStringConvertible, Sendable {
        var name: String
        var method = "GET"
        var path = "/"
        var query = ""
        var headers: [String] = []
        var body = ""
        var token: String?
        var signedHeaders = "host;x-amz-date"
        var signature: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(name: "get-vanilla", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "post-vanilla", method: "POST", signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(name: "get-vanilla-query-order-key-case", query: "Param2=value2&Param1=value1",
               signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(name: "get-vanilla-query-order-encoded", query: "Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
               signature: "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"),
        Vector(name: "get-vanilla-query-unreserved",
               query: "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
               signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        Vector(name: "get-vanilla-utf8-query", query: "ሴ=bar", signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        Vector(name: "get-vanilla-empty-query-key", query: "Param1=value1",
               signature: "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        Vector(name: "post-vanilla-query", method: "POST", query: "Param1=value1",
               signature: "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        Vector(name: "post-vanilla-query-nonunreserved", method: "POST",
               query: "%40%23%24%25%5E=&%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D",
               signature: "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"),
        Vector(name: "get-header-key-duplicate", headers: ["My-Header1:value2", "My-Header1:value2", "My-Header1:value1"],
               signedHeaders: "host;my-header1;x-amz-date", signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        Vector(name: "get-header-value-order", headers: ["My-Header1:value4", "My-Header1:value1", "My-Header1:value3", "My-Header1:value2"],
               signedHeaders: "host;my-header1;x-amz-date", signature: "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        Vector(name: "get-header-value-trim", headers: ["My-Header1: value1", "My-Header2: \"a   b   c\""],
               signedHeaders: "host;my-header1;my-header2;x-amz-date",
               signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        Vector(name: "post-header-key-sort", method: "POST", headers: ["My-Header1:value1"], signedHeaders: "host;my-header1;x-amz-date",
               signature: "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
        Vector(name: "post-header-value-case", method: "POST", headers: ["My-Header1:VALUE1"], signedHeaders: "host;my-header1;x-amz-date",
               signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
        Vector(name: "post-x-www-form-urlencoded", method: "POST", headers: ["Content-Type:application/x-www-form-urlencoded"],
               body: "Param1=value1", signedHeaders: "content-type;host;x-amz-date",
               signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        Vector(name: "post-x-www-form-urlencoded-parameters", method: "POST",
               headers: ["Content-Type:application/x-www-form-urlencoded; charset=utf8"], body: "Param1=value1",
               signedHeaders: "content-type;host;x-amz-date", signature: "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
        Vector(name: "post-sts-header-before", method: "POST",
               token: "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==",
               signedHeaders: "host;x-amz-date;x-amz-security-token",
               signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
        Vector(name: "get-unreserved", path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
               signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        Vector(name: "get-utf8", path: "/ሴ", signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        // normalize-path cases (every service but S3 normalizes).
        Vector(name: "normalize-path/get-relative", path: "/example/..", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "normalize-path/get-relative-relative", path: "/example1/example2/../..",
               signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "normalize-path/get-slash", path: "//", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "normalize-path/get-slash-dot-slash", path: "/./", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "normalize-path/get-slash-pointless-dot", path: "/./example",
               signature: "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"),
        Vector(name: "normalize-path/get-slashes", path: "//example//", signature: "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
        Vector(name: "normalize-path/get-space", path: "/example space/", signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        Vector(name: "normalize-path/get-special-character", path: "/example/$delete",
               signature: "a853c9b21b528b19643d00910d35b83a10c366a10833ceefb45edd6c80e40f27"),
    ]

    @Test("signs every test-suite request with the suite's Authorization", arguments: vectors)
    func suiteVector(_ vector: Vector) {
        var credentials = Self.suiteCredentials
        credentials.sessionToken = vector.token
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        var headers: [(name: String, value: String)] = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]
        for header in vector.headers {
            let parts = header.split(separator: ":", maxSplits: 1)
            headers.append((String(parts[0]), String(parts[1])))
        }
        if let token = vector.token { headers.append(("X-Amz-Security-Token", token)) }
        let request = SigV4Signer.Request(method: vector.method, path: vector.path, query: vector.query, headers: headers,
                                          payloadHash: SigV4Signer.hexSHA256(Data(vector.body.utf8)))
        let expected = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=\(vector.signedHeaders), Signature=\(vector.signature)"
        #expect(signer.authorization(for: request, date: Self.suiteDate) == expected)
    }

    @Test func canonicalRequestAndStringToSignMatchTheSuiteForGetVanillaQueryOrderKeyCase() {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "service")
        let request = SigV4Signer.Request(method: "GET", path: "/", query: "Param2=value2&Param1=value1",
                                          headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
                                          payloadHash: Self.emptyHash)
        let canonical = signer.canonicalRequest(request)
        #expect(canonical.text == "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + Self.emptyHash)
        #expect(signer.stringToSign(canonicalRequest: canonical.text, date: Self.suiteDate)
            == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0")
    }

    @Test func signAddsHostDateAndTokenHeadersAndProducesTheSuiteSignature() throws {
        var credentials = Self.suiteCredentials
        credentials.sessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        let url = try #require(URL(string: "https://example.amazonaws.com/"))
        let headers = signer.sign(method: "GET", url: url, headers: [], body: Data(), date: Self.suiteDate)
        let byName = Dictionary(headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(byName["host"] == "example.amazonaws.com")
        #expect(byName["x-amz-date"] == "20150830T123600Z")
        #expect(byName["x-amz-security-token"] == credentials.sessionToken)
        // get-vanilla-with-session-token of the aws-c-auth suite.
        #expect(byName["authorization"]?.hasSuffix("SignedHeaders=host;x-amz-date;x-amz-security-token, "
            + "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8") == true)
    }

    static let s3Credentials = AWSCredentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let s3Date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

    @Test func presignsTheS3DocumentationExample() throws {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1", service: "s3")
        let url = try #require(URL(string: "https://examplebucket.s3.amazonaws.com/test.txt"))
        let presigned = try #require(signer.presign(method: "GET", url: url, expires: 86400, date: Self.s3Date))
        #expect(presigned.absoluteString == "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z"
            + "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test func signsTheS3DocumentationGetObjectExampleWithItsHeaders() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1", service: "s3")
        let request = SigV4Signer.Request(method: "GET", path: "/test.txt", headers: [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", Self.emptyHash), ("x-amz-date", "20130524T000000Z"),
        ], payloadHash: Self.emptyHash)
        #expect(signer.authorization(for: request, date: Self.s3Date).hasSuffix(
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"))
    }

    @Test func s3PathsAreEncodedOnceAndNotNormalizedOtherServicesTwiceAndNormalized() {
        let s3 = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "s3")
        let other = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "sagemaker")
        #expect(s3.canonicalURI("/bucket/a%20b/../c") == "/bucket/a%20b/../c")
        #expect(s3.canonicalURI("//example//") == "//example//")
        #expect(other.canonicalURI("/a%20b") == "/a%2520b")
        #expect(other.canonicalURI("/x/./y/../z//") == "/x/z/")
        #expect(S3Location(bucket: "b", key: "dir/my file+1.json").path == "/b/dir/my%20file%2B1.json")
    }

    @Test func timestampsRoundTrip() {
        #expect(SigV4Signer.timestamp(Self.suiteDate) == "20150830T123600Z")
        #expect(SigV4Signer.parseTimestamp("20150830T123600Z") == Self.suiteDate)
    }
}
