import Testing
@testable import CloudAWS

@Suite struct AWSEndpointsTests {
    @Test func publicDefaultsPerService() {
        let endpoints = AWSEndpoints(environment: [:])
        #expect(endpoints.baseURL(for: .sagemaker, region: "eu-west-1") == "https://api.sagemaker.eu-west-1.amazonaws.com")
        #expect(endpoints.baseURL(for: .batch, region: "eu-west-1") == "https://batch.eu-west-1.amazonaws.com")
        #expect(endpoints.baseURL(for: .sts, region: "us-east-1") == "https://sts.us-east-1.amazonaws.com")
        #expect(endpoints.baseURL(for: .s3, region: "us-west-2") == "https://s3.us-west-2.amazonaws.com")
        #expect(endpoints.baseURL(for: .cloudWatch, region: "us-west-2") == "https://monitoring.us-west-2.amazonaws.com")
    }

    @Test func serviceVariableBeatsGlobalVariableBeatsDefault() {
        let endpoints = AWSEndpoints(environment: [
            "AWS_ENDPOINT_URL_SAGEMAKER": "http://127.0.0.1:5001/",
            "AWS_ENDPOINT_URL_CLOUDWATCH": "http://cw.local",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
        ])
        #expect(endpoints.baseURL(for: .sagemaker, region: "eu-west-1") == "http://127.0.0.1:5001")
        #expect(endpoints.baseURL(for: .cloudWatch, region: "eu-west-1") == "http://cw.local")
        #expect(endpoints.baseURL(for: .batch, region: "eu-west-1") == "http://127.0.0.1:5000")
        #expect(endpoints.isOverridden(.s3))
    }

    @Test func variableNamesAreTheServiceIDUpperCasedWithUnderscores() {
        #expect(AWSService.sagemaker.endpointVariableSuffix == "SAGEMAKER")
        #expect(AWSService.cloudWatch.endpointVariableSuffix == "CLOUDWATCH")
        #expect(AWSService.sts.endpointVariableSuffix == "STS")
        #expect(AWSService(signingName: "x", serviceID: "Service Quotas", hostPrefix: "x").endpointVariableSuffix == "SERVICE_QUOTAS")
    }

    @Test func ignoreConfiguredEndpointURLsTurnsOverridesOff() {
        let endpoints = AWSEndpoints(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"])
        #expect(endpoints.baseURL(for: .s3, region: "eu-west-1") == "https://s3.eu-west-1.amazonaws.com")
    }
}
