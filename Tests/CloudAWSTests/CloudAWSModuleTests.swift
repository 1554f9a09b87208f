import Testing
@testable import CloudAWS

@Suite struct CloudAWSModuleTests {
    @Test func moduleLinks() { _ = CloudAWS.self }
}
