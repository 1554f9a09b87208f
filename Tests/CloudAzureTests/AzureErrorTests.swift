import Foundation
import KubeCore
import Testing
@testable import CloudAzure

@Suite struct AzureErrorTests {
    func parse(_ status: Int, _ body: JSONValue, headers: [String: String] = [:]) -> AzureError {
        AzureError.parse(AzureHTTPResponse(status: status, headers: headers, body: body.data()), secrets: [])
    }

    @Test func errorAnswersMapToTheStepReasons() {
        #expect(parse(403, ["error": ["code": "AuthorizationFailed", "message": "The client does not have authorization to perform action 'Microsoft.MachineLearningServices/workspaces/jobs/write'"]]).stepReason == "CloudAccessDenied")
        #expect(parse(400, ["error": ["code": "UserError", "message": "Not enough quota available for Standard_NC6s_v3 in SubscriptionId"]]).stepReason == "CloudQuotaExceeded")
        #expect(parse(400, ["error": ["code": "UserError", "message": "x", "innerError": ["code": "BadArgument", "innerError": ["code": "QuotaExceeded"]]]]).stepReason == "CloudQuotaExceeded")
        #expect(parse(400, ["error": ["code": "UserError", "message": "Environment image is invalid"]]).stepReason == "CloudInvalidRequest")
        #expect(parse(429, ["error": ["code": "TooManyRequests", "message": "x"]]).stepReason == "CloudUnavailable")
        #expect(parse(503, ["error": ["code": "ServiceUnavailable", "message": "x"]]).stepReason == "CloudUnavailable")
        #expect(parse(404, ["error": ["code": "ResourceNotFound", "message": "x"]]).kind == .notFound)
        #expect(parse(409, ["error": ["code": "Conflict", "message": "x"]]).kind == .conflict)
        #expect(AzureError.network("down").stepReason == "CloudUnavailable")
        #expect(AzureError.noCredentials("none").stepReason == "CloudAccessDenied")
    }

    @Test func storageErrorsAreReadFromXMLOrTheErrorCodeHeader() {
        let xml = AzureError.parse(AzureHTTPResponse(status: 403, body: Data("<?xml version=\"1.0\"?><Error><Code>AuthorizationPermissionMismatch</Code><Message>This request is not authorized to perform this operation using this permission.</Message></Error>".utf8)), secrets: [])
        #expect(xml.code == "AuthorizationPermissionMismatch" && xml.kind == .accessDenied)
        let header = AzureError.parse(AzureHTTPResponse(status: 404, headers: ["x-ms-error-code": "ContainerNotFound"]), secrets: [])
        #expect(header.code == "ContainerNotFound" && header.kind == .notFound)
    }

    @Test func messagesNeverHoldTokensOrSecrets() {
        let e = AzureError.parse(AzureHTTPResponse(status: 400, body: JSONValue.object(["error": ["code": "BadRequest",
            "message": "echo: Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwcyJ9.c2lnbmF0dXJl and secret hunter2-secret-value"]]).data()),
                                 secrets: ["hunter2-secret-value"])
        #expect(!e.message.contains("eyJ0eXAi") && !e.message.contains("hunter2"))
        #expect(e.message.contains("<redacted>"))
        #expect(String(describing: e).count <= AzureError.messageLimit + 80)
    }

    @Test func roleDefinitionListsTheActionsOfEveryCall() {
        let actions = AzureRoleDefinition.actions()
        #expect(actions.contains("Microsoft.MachineLearningServices/workspaces/jobs/write"))
        #expect(actions.contains("Microsoft.MachineLearningServices/workspaces/jobs/read"))
        #expect(actions.contains("Microsoft.MachineLearningServices/workspaces/jobs/cancel/action"))
        #expect(AzureRoleDefinition.dataActions() == ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"])
        #expect(actions == actions.sorted() && Set(actions).count == actions.count)
        #expect(AzureRoleDefinition.document()["DataActions"]?.arrayValue?.count == 1)
    }

    @Test func retryAfterIsReadInSecondsMillisecondsAndHTTPDates() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(AzureRetryPolicy.retryAfter(AzureHTTPResponse(status: 429, headers: ["Retry-After": "3"])) == .seconds(3))
        #expect(AzureRetryPolicy.retryAfter(AzureHTTPResponse(status: 429, headers: ["x-ms-retry-after-ms": "250"])) == .milliseconds(250))
        let date = AzureHTTPResponse(status: 503, headers: ["Retry-After": "Fri, 15 Jan 2027 08:00:10 GMT"])
        let eightOClock = try #require(ISO8601DateFormatter().date(from: "2027-01-15T08:00:00Z"))
        #expect(AzureRetryPolicy.retryAfter(date, now: eightOClock) == .seconds(10))
        #expect(AzureRetryPolicy.azure.delay(attempt: 0, response: AzureHTTPResponse(status: 429, headers: ["Retry-After": "600"]), now: now) == .seconds(60))
        #expect(AzureRetryPolicy.azure.delay(attempt: 2, response: nil, fraction: 1) == .milliseconds(800))
    }
}
