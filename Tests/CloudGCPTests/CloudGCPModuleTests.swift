import Testing
@testable import CloudGCP

@Suite struct CloudGCPModuleTests {
    @Test func moduleLinksIntoTheTestBundle() {
        #expect(String(describing: CloudGCP.self).isEmpty == false)
    }
}
