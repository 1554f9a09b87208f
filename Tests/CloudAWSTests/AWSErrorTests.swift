import Foundation
import Testing
@testable import CloudAWS

@Suite struct AWSErrorTests {
    static let table: [(code: String, status: Int?, kind: AWSError.Kind)] = [
        ("AccessDeniedException", 400, .accessDenied), ("AccessDenied", 403, .accessDenied),
        ("UnrecognizedClientException", 400, .accessDenied), ("InvalidSignatureException", 403, .accessDenied),
        ("SignatureDoesNotMatch", 403, .accessDenied), ("ExpiredTokenException", 400, .accessDenied),
        ("ExpiredToken", 400, .accessDenied), ("InvalidClientTokenId", 403, .accessDenied),
        ("ResourceLimitExceeded", 400, .quotaExceeded), ("ServiceQuotaExceededException", 402, .quotaExceeded),
        ("LimitExceeded", 400, .quotaExceeded), ("LimitExceededException", 400, .quotaExceeded),
        ("ValidationException", 400, .invalidRequest), ("InvalidParameterValue", 400, .invalidRequest),
        ("InvalidParameterCombination", 400, .invalidRequest), ("ClientException", 400, .invalidRequest),
        ("ResourceNotFound", 400, .notFound), ("ResourceNotFoundException", 400, .notFound), ("NoSuchKey", 404, .notFound),
        ("NotFound", 404, .notFound), ("SomethingElse", 404, .notFound),
        ("ResourceInUse", 400, .conflict), ("ConflictException", 409, .conflict),
        ("ThrottlingException", 400, .unavailable), ("Throttling", 400, .unavailable), ("TooManyRequestsException", 429, .unavailable),
        ("RequestLimitExceeded", 503, .unavailable), ("SlowDown", 503, .unavailable), ("Whatever", 429, .unavailable),
        ("InternalFailure", 500, .unavailable), ("ServiceUnavailable", 503, .unavailable), ("Unknown", 502, .unavailable),
        ("NetworkError", nil, .unavailable), ("Unknown", 400, .invalidRequest), ("Unknown", 403, .accessDenied),
    ]

    @Test func classifiesErrorsFromCodeAndStatus() {
        for row in Self.table {
            #expect(AWSError.classify(code: row.code, status: row.status) == row.kind, "\(row.code) \(row.status.map(String.init) ?? "-")")
        }
    }

    @Test func kindsMapToTheContractsStepReasons() {
        #expect(AWSError(code: "AccessDeniedException", message: "").stepReason == "CloudAccessDenied")
        #expect(AWSError(code: "ResourceLimitExceeded", message: "").stepReason == "CloudQuotaExceeded")
        #expect(AWSError(code: "ValidationException", message: "").stepReason == "CloudInvalidRequest")
        #expect(AWSError(code: "ThrottlingException", message: "").stepReason == "CloudUnavailable")
    }

    @Test func onlyUnavailableErrorsAreRetryable() {
        #expect(AWSError(code: "ThrottlingException", message: "", httpStatus: 400).isRetryable)
        #expect(AWSError(code: "InternalError", message: "", httpStatus: 500).isRetryable)
        #expect(!AWSError(code: "ValidationException", message: "", httpStatus: 400).isRetryable)
        #expect(!AWSError(code: "AccessDeniedException", message: "", httpStatus: 400).isRetryable)
    }

    @Test func messagesAreClipped() {
        let error = AWSError(code: "ValidationException", message: String(repeating: "m", count: 5000), httpStatus: 400)
        #expect(error.message.count == AWSError.messageLimit)
    }

    @Test func parsedMessagesCarryNoSecretTokenOrSignature() {
        let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                         sessionToken: "FwoGZXIvYXdzEXAMPLETOKENVALUE")
        let signature = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        let echo = """
        <ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match. \
        The Canonical String for this request should have been 'POST / x-amz-security-token:FwoGZXIvYXdzEXAMPLETOKENVALUE' \
        Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, Signature=\(signature) \
        secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY presigned X-Amz-Signature=abc123&X-Amz-Security-Token=tok</Message></Error>\
        <RequestId>req-1</RequestId></ErrorResponse>
        """
        let error = AWSErrorParser.parse(AWSHTTPResponse(status: 403, body: Data(echo.utf8)), credentials: credentials, signature: signature)
        #expect(error.code == "SignatureDoesNotMatch" && error.kind == .accessDenied && error.requestID == "req-1")
        for text in [error.message, error.description, String(reflecting: error)] {
            #expect(!text.contains("wJalrXUtnFEMI"), "\(text)")
            #expect(!text.contains("FwoGZXIvYXdzEXAMPLETOKENVALUE"))
            #expect(!text.contains(signature))
            #expect(!text.contains("abc123") && !text.contains("=tok"))
        }
        #expect(error.message.contains("does not match"))
    }

    @Test func parsesJSONXMLAndHeaderErrorShapes() {
        let json = AWSErrorParser.parse(AWSHTTPResponse(status: 400, headers: ["x-amzn-RequestId": "r1"],
            body: Data(#"{"__type":"com.amazonaws.sagemaker#ResourceLimitExceeded","message":"too many"}"#.utf8)),
            credentials: nil, signature: nil)
        #expect(json.code == "ResourceLimitExceeded" && json.message == "too many" && json.requestID == "r1" && json.kind == .quotaExceeded)
        let batch = AWSErrorParser.parse(AWSHTTPResponse(status: 400, headers: ["x-amzn-ErrorType": "ClientException:http://internal.amazon.com/"],
            body: Data(#"{"message":"job queue not found"}"#.utf8)), credentials: nil, signature: nil)
        #expect(batch.code == "ClientException" && batch.kind == .invalidRequest)
        let s3 = AWSErrorParser.parse(AWSHTTPResponse(status: 404, body: Data(
            "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>".utf8)),
            credentials: nil, signature: nil)
        #expect(s3.code == "NoSuchKey" && s3.kind == .notFound)
        let bare = AWSErrorParser.parse(AWSHTTPResponse(status: 503), credentials: nil, signature: nil)
        #expect(bare.kind == .unavailable && bare.httpStatus == 503)
    }
}
