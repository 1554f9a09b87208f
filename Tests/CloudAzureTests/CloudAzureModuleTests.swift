import Testing
@testable import CloudAzure

@Suite struct CloudAzureModuleTests {
    @Test func moduleLinksIntoTheTestBundle() {
        #expect(String(describing: CloudAzure.self).isEmpty == false)
    }
}
