import Foundation
import KubeCore
import Logging

/// Signs, sends and retries one call, and turns error answers into `AWSError`s. Shared by
/// `AWSClient` and the STS calls of `AWSCredentialProvider`.
struct AWSRequestExecutor: Sendable {
    let transport: any AWSHTTPTransport
    let endpoints: AWSEndpoints
    let retry: AWSRetryPolicy
    let logger: Logger
    let now: @Sendable () -> Date

    /// Sends `method path?query` to `op`'s service in `region`, signed with `credentials` (unsigned when nil),
    /// retrying throttling, 5xx and network errors. Returns any answer below 300, and 404s when `allowNotFound`.
    func send(_ op: AWSOperation, region: String, credentials: AWSCredentials?, method: String? = nil, path: String? = nil,
              query: String = "", headers: [(name: String, value: String)] = [], body: Data = Data(),
              allowNotFound: Bool = false) async throws -> AWSHTTPResponse {
        let base = endpoints.baseURL(for: op.service, region: region)
        let urlText = base + (path ?? op.path) + (query.isEmpty ? "" : "?" + query)
        guard let url = URL(string: urlText) else {
            throw AWSError(code: "InvalidArgument", message: "not a URL: \(urlText)", kind: .invalidRequest)
        }
        var attempt = 0
        while true {
            let request: AWSHTTPRequest
            if let credentials {
                let signer = SigV4Signer(credentials: credentials, region: region, service: op.service.signingName)
                request = AWSHTTPRequest(method: method ?? op.method, url: url,
                                         headers: signer.sign(method: method ?? op.method, url: url, headers: headers, body: body, date: now()),
                                         body: body)
            } else {
                request = AWSHTTPRequest(method: method ?? op.method, url: url, headers: headers, body: body)
            }
            let error: AWSError
            do {
                let response = try await transport.send(request, timeout: retry.requestTimeout)
                if response.status < 300 || (allowNotFound && response.status == 404) { return response }
                error = AWSErrorParser.parse(response, credentials: credentials, signature: request.signature)
            } catch let cancel as CancellationError {
                throw cancel
            } catch let failure {
                let text = AWSRedaction.scrub(String(describing: failure), credentials: credentials)
                error = AWSError(code: "NetworkError", message: "\(op): \(text)", kind: .unavailable)
            }
            attempt += 1
            guard error.isRetryable, attempt < retry.maxAttempts else { throw error }
            let delay = retry.delay(attempt: attempt - 1)
            logger.debug("AWS call retried", metadata: [
                "aws.operation": "\(op)", "aws.error": "\(error.code)", "aws.status": "\(error.httpStatus.map(String.init) ?? "-")",
                "attempt": "\(attempt)", "delay.ms": "\(delay.nanoseconds / 1_000_000)",
            ])
            try await Task.sleep(for: delay)
        }
    }

    /// A query-protocol call (STS, CloudWatch): form-encoded `Action`, `Version` and `parameters`; the XML answer.
    func query(_ op: AWSOperation, region: String, parameters: [String: String], credentials: AWSCredentials?) async throws -> String {
        guard case .query(let version) = op.protocol else {
            throw AWSError(code: "InvalidArgument", message: "\(op) is not a query-protocol operation", kind: .invalidRequest)
        }
        var all = parameters
        all["Action"] = op.name
        all["Version"] = version
        let form = all.keys.sorted().map { "\(SigV4Signer.uriEncode($0, encodeSlash: true))=\(SigV4Signer.uriEncode(all[$0] ?? "", encodeSlash: true))" }
            .joined(separator: "&")
        let response = try await send(op, region: region, credentials: credentials,
                                      headers: [("content-type", "application/x-www-form-urlencoded; charset=utf-8")],
                                      body: Data(form.utf8))
        return String(decoding: response.body, as: UTF8.self)
    }
}

extension AWSHTTPRequest {
    /// The signature of the `Authorization` header, to keep it out of messages.
    var signature: String? {
        guard let auth = headers.first(where: { $0.name.lowercased() == "authorization" })?.value,
              let range = auth.range(of: "Signature=") else { return nil }
        return String(auth[range.upperBound...])
    }
}

/// Reads an error answer of any of the protocols: a JSON `__type`/`code` and `message`, an XML
/// `<Code>`/`<Message>`, the `x-amzn-ErrorType` header, else the HTTP status.
enum AWSErrorParser {
    static func parse(_ response: AWSHTTPResponse, credentials: AWSCredentials?, signature: String?) -> AWSError {
        var code: String?
        var message: String?
        var requestID = response.header("x-amzn-requestid") ?? response.header("x-amz-request-id")
        let text = String(decoding: response.body.prefix(16_384), as: UTF8.self)
        if let json = try? JSONValue.parse(response.body), json.objectValue != nil {
            code = json["__type"]?.stringValue ?? json["code"]?.stringValue ?? json["Code"]?.stringValue
            message = json["message"]?.stringValue ?? json["Message"]?.stringValue ?? json["errorMessage"]?.stringValue
        } else if text.contains("<") {
            code = AWSXML.value("Code", in: text)
            message = AWSXML.value("Message", in: text)
            requestID = requestID ?? AWSXML.value("RequestId", in: text) ?? AWSXML.value("RequestID", in: text)
        }
        if code == nil || code?.isEmpty == true, let header = response.header("x-amzn-errortype") { code = header }
        let cleaned = code.map(cleanCode) ?? statusCode(response.status)
        let scrubbed = AWSRedaction.scrub(message ?? "", credentials: credentials, extra: signature.map { [$0] } ?? [])
        return AWSError(code: cleaned, message: scrubbed, httpStatus: response.status, requestID: requestID)
    }

    /// `com.amazonaws.sagemaker#ValidationException` → `ValidationException`; `Code:http://...` → `Code`.
    static func cleanCode(_ raw: String) -> String {
        var code = raw
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        return code.trimmingCharacters(in: .whitespaces)
    }

    static func statusCode(_ status: Int) -> String {
        switch status {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "AccessDenied"
        case 404: return "NotFound"
        case 409: return "Conflict"
        case 429: return "TooManyRequestsException"
        case 503: return "ServiceUnavailable"
        default: return status >= 500 ? "InternalError" : "HTTP\(status)"
        }
    }
}
