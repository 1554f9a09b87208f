import Crypto
import Foundation

/// AWS Signature Version 4, pure: no clock, no I/O. Signs a request with an `Authorization` header
/// (`sign`) or with query parameters (`presign`), following the SigV4 specification including its
/// canonical URI rules: other services normalize the path and encode it a second time, S3 neither
/// normalizes nor double-encodes (`singleEncodePath`).
public struct SigV4Signer: Sendable {
    /// The algorithm name.
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The payload hash of a presigned S3 URL.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// Credentials to sign with.
    public var credentials: AWSCredentials
    /// Signing region (`us-east-1`).
    public var region: String
    /// Signing name of the service (`sagemaker`, `s3`, ...).
    public var service: String
    /// S3's rule: the path is used as sent (encoded once), without dot-segment normalization.
    public var singleEncodePath: Bool

    /// A signer; `singleEncodePath` defaults to true for `s3`.
    public init(credentials: AWSCredentials, region: String, service: String, singleEncodePath: Bool? = nil) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.singleEncodePath = singleEncodePath ?? (service == "s3")
    }

    /// A request as it is sent: the percent-encoded path, the raw query (no `?`), every header to sign.
    public struct Request: Sendable {
        /// HTTP method.
        public var method: String
        /// The path as sent on the wire (percent-encoded), `/` at least.
        public var path: String
        /// The query as sent, without `?`.
        public var query: String
        /// Headers to sign, in any order and case; repeated names are joined with commas.
        public var headers: [(name: String, value: String)]
        /// Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
        public var payloadHash: String

        /// A request.
        public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    // MARK: Signing

    /// Signs a request to `url`: returns `headers` plus `host`, `x-amz-date`, `x-amz-security-token`
    /// (temporary credentials), `x-amz-content-sha256` (S3) and `Authorization`.
    public func sign(method: String, url: URL, headers: [(name: String, value: String)], body: Data, date: Date) -> [(name: String, value: String)] {
        let parts = SigV4Signer.urlParts(url)
        var out = headers
        let names = Set(headers.map { $0.name.lowercased() })
        if !names.contains("host") { out.append(("host", parts.host)) }
        out.append(("x-amz-date", SigV4Signer.timestamp(date)))
        if let token = credentials.sessionToken { out.append(("x-amz-security-token", token)) }
        let payloadHash = SigV4Signer.hexSHA256(body)
        if service == "s3" && !names.contains("x-amz-content-sha256") { out.append(("x-amz-content-sha256", payloadHash)) }
        let request = Request(method: method, path: parts.path, query: parts.query, headers: out, payloadHash: payloadHash)
        out.append(("Authorization", authorization(for: request, date: date)))
        return out
    }

    /// The `Authorization` header value of `request` (whose headers already hold `x-amz-date`).
    public func authorization(for request: Request, date: Date) -> String {
        let canonical = canonicalRequest(request)
        let signature = signature(stringToSign: stringToSign(canonicalRequest: canonical.text, date: date), date: date)
        return "\(SigV4Signer.algorithm) Credential=\(credentials.accessKeyId)/\(scope(date)), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
    }

    /// A presigned URL: `url` with `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
    /// `X-Amz-SignedHeaders` (host), `X-Amz-Security-Token` and `X-Amz-Signature` in its query.
    public func presign(method: String, url: URL, expires: Int, date: Date, payloadHash: String = SigV4Signer.unsignedPayload) -> URL? {
        let parts = SigV4Signer.urlParts(url)
        var params: [(String, String)] = [
            ("X-Amz-Algorithm", SigV4Signer.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope(date))"),
            ("X-Amz-Date", SigV4Signer.timestamp(date)),
            ("X-Amz-Expires", String(expires)),
        ]
        if let token = credentials.sessionToken { params.append(("X-Amz-Security-Token", token)) }
        params.append(("X-Amz-SignedHeaders", "host"))
        let added = params.map { "\(SigV4Signer.uriEncode($0.0, encodeSlash: true))=\(SigV4Signer.uriEncode($0.1, encodeSlash: true))" }
        let query = ([parts.query].filter { !$0.isEmpty } + added).joined(separator: "&")
        let request = Request(method: method, path: parts.path, query: query, headers: [("host", parts.host)], payloadHash: payloadHash)
        let canonical = canonicalRequest(request)
        let signature = signature(stringToSign: stringToSign(canonicalRequest: canonical.text, date: date), date: date)
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        components?.percentEncodedQuery = query + "&X-Amz-Signature=" + signature
        return components?.url
    }

    // MARK: The steps of the specification (public for tests and diagnostics)

    /// The canonical request and its signed-headers list.
    public func canonicalRequest(_ request: Request) -> (text: String, signedHeaders: String) {
        var grouped: [String: [String]] = [:]
        for header in request.headers {
            grouped[header.name.lowercased(), default: []].append(SigV4Signer.trimHeaderValue(header.value))
        }
        let names = grouped.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(grouped[$0, default: []].joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let text = [
            request.method.uppercased(),
            canonicalURI(request.path),
            SigV4Signer.canonicalQuery(request.query),
            canonicalHeaders,
            signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")
        return (text, signedHeaders)
    }

    /// `AWS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex SHA-256 of the canonical request>`.
    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        [SigV4Signer.algorithm, SigV4Signer.timestamp(date), scope(date), SigV4Signer.hexSHA256(Data(canonicalRequest.utf8))]
            .joined(separator: "\n")
    }

    /// The hex signature of `stringToSign` with the key derived for the day, region and service.
    public func signature(stringToSign: String, date: Date) -> String {
        let dateKey = SigV4Signer.hmac(Data(("AWS4" + credentials.secretAccessKey).utf8), SigV4Signer.day(date))
        let regionKey = SigV4Signer.hmac(dateKey, region)
        let serviceKey = SigV4Signer.hmac(regionKey, service)
        let signingKey = SigV4Signer.hmac(serviceKey, "aws4_request")
        return SigV4Signer.hex(SigV4Signer.hmac(signingKey, stringToSign))
    }

    /// `<yyyymmdd>/<region>/<service>/aws4_request`.
    public func scope(_ date: Date) -> String { "\(SigV4Signer.day(date))/\(region)/\(service)/aws4_request" }

    /// The canonical URI of a path as sent: S3 re-encodes the decoded path once; other services
    /// remove dot segments and repeated slashes, then encode the path as sent again.
    public func canonicalURI(_ path: String) -> String {
        let raw = path.isEmpty ? "/" : path
        if singleEncodePath {
            return SigV4Signer.uriEncode(raw.removingPercentEncoding ?? raw, encodeSlash: false)
        }
        return SigV4Signer.uriEncode(SigV4Signer.normalizePath(raw), encodeSlash: false)
    }
}
