import Testing
@testable import MLflowClient

@Suite struct MLflowClientModuleTests {
    @Test func moduleLinksIntoTheTestBundle() {
        #expect(String(describing: MLflowClientModule.self).isEmpty == false)
    }
}
