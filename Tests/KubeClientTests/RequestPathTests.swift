import Foundation
@testable import KubeClient
import KubeCore
import Testing

@Suite("Request paths")
struct RequestPathTests {
    @Test("escaping leaves DNS names as they are and percent-encodes like CharacterSet.alphanumerics plus -._~")
    func escapeSameAsCharacterSet() {
        for s in ["train-a-0", "ml.sextant.dev", "UPPER_lower~9", "", "a b", "a/b", "a%b", "ü-é", "x?y=z&w", "名前", "a+b:c@d"] {
            #expect(KubeClient.escape(s) == KubeClient.escapeSlowly(s), "\(s)")
        }
        #expect(ResourcePath(resource: GroupVersionResource(group: "batch", version: "v1", resource: "jobs"), namespaced: true)
            .path(namespace: "ml", name: "run-a-0", subresource: "status") == "/apis/batch/v1/namespaces/ml/jobs/run-a-0/status")
    }
}
